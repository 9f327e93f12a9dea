{{ config(materialized='table') }}
{#-
    The city's year-end resident population three ways, per year: the NBS city series (data API), the district
    tables' 全市 row, and the sum of the 12 county-level divisions of the district tables. The district tables are
    the one population every per-capita indicator divides by; NBS is the cross-check (a data test fails when the
    series differ by more than 0.05 万人). A table, so the check also runs in incremental builds.
-#}
with

nbs as (

    select * from {{ ref('stg_statistics__nbs_city_annual') }}

),

tables as (

    select * from {{ ref('stg_statistics__district_tables') }}

),

areas as (

    select area_code, area_kind from {{ ref('registry_areas') }}

),

county_count as (

    select count(*) as counties from areas where area_kind = 'county'

),

nbs_city as (

    select nbs.year, nbs.resident_population_wan, nbs.is_synthetic
    from nbs
    inner join areas on nbs.area_code = areas.area_code
    where areas.area_kind = 'city'

),

city_row as (

    select tables.year, tables.resident_population_wan, tables.is_synthetic
    from tables
    inner join areas on tables.area_code = areas.area_code
    where areas.area_kind = 'city'

),

district_sum as (

    select
        tables.year,
        round(sum(tables.resident_population_wan), 6) as resident_population_wan,
        count(tables.resident_population_wan) as districts,
        bool_or(tables.is_synthetic) as is_synthetic
    from tables
    inner join areas on tables.area_code = areas.area_code
    where areas.area_kind = 'county'
    group by tables.year

),

years as (

    select year from nbs_city
    union
    select year from city_row
    union
    select year from district_sum

),

compared as (

    select
        years.year,
        nbs_city.resident_population_wan as nbs_population_wan,
        city_row.resident_population_wan as city_row_population_wan,
        case when district_sum.districts = county_count.counties then district_sum.resident_population_wan end
            as district_sum_population_wan,
        coalesce(district_sum.districts, 0) as districts_reported,
        round(nbs_city.resident_population_wan - city_row.resident_population_wan, 6) as nbs_minus_city_row_wan,
        round(
            nbs_city.resident_population_wan
            - case when district_sum.districts = county_count.counties then district_sum.resident_population_wan end,
            6
        ) as nbs_minus_district_sum_wan,
        coalesce(nbs_city.is_synthetic, false) or coalesce(city_row.is_synthetic, false)
            or coalesce(district_sum.is_synthetic, false) as is_synthetic
    from years
    cross join county_count
    left join nbs_city on years.year = nbs_city.year
    left join city_row on years.year = city_row.year
    left join district_sum on years.year = district_sum.year

)

select
    year,
    nbs_population_wan,
    city_row_population_wan,
    district_sum_population_wan,
    districts_reported,
    nbs_minus_city_row_wan,
    nbs_minus_district_sum_wan,
    case
        when nbs_minus_city_row_wan is null and nbs_minus_district_sum_wan is null then null
        else coalesce(abs(nbs_minus_city_row_wan) <= 0.05, true) and coalesce(abs(nbs_minus_district_sum_wan) <= 0.05, true)
    end as is_consistent,
    is_synthetic
from compared
