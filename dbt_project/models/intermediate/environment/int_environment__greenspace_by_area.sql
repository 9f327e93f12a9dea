-- the survey's areas per year: the districts and functional zones as sent, and Jinan as the sum of its 12 county-level
-- divisions when all 12 reported (a 全市 row sent beside them is not added again; functional zones overlap districts
-- and never enter the sum); the 全市 row only in a year where a district is missing. Areas are summed as decimals:
-- exact, so full and incremental builds agree to the bit.
with

survey as (

    select * from {{ ref('stg_environment__forest_greenspace_survey') }}

),

areas as (

    select area_code, area_kind from {{ ref('registry_areas') }}

),

counties as (

    select survey.*
    from survey
    inner join areas on survey.area_code = areas.area_code
    where areas.area_kind = 'county'

),

county_sum as (

    select
        '{{ var("city_code") }}' as area_code,
        year,
        sum(land_area_km2::decimal(18, 4)) as land_area_km2,
        sum(forest_area_km2::decimal(18, 4)) as forest_area_km2,
        sum(built_up_area_km2::decimal(18, 4)) as built_up_area_km2,
        sum(built_up_green_area_ha::decimal(18, 4)) as built_up_green_area_ha,
        sum(park_green_area_ha::decimal(18, 4)) as park_green_area_ha,
        bool_or(is_synthetic) as is_synthetic,
        count(*) as counties_reported
    from counties
    group by year

),

county_count as (

    select count(*) as counties from areas where area_kind = 'county'

),

city as (

    -- the sum where all counties reported, else the 全市 row (if any)
    select county_sum.* exclude (counties_reported), 'sum of the county-level divisions' as city_basis
    from county_sum
    cross join county_count
    where county_sum.counties_reported = county_count.counties

    union all

    select
        survey.area_code,
        survey.year,
        survey.land_area_km2::decimal(18, 4),
        survey.forest_area_km2::decimal(18, 4),
        survey.built_up_area_km2::decimal(18, 4),
        survey.built_up_green_area_ha::decimal(18, 4),
        survey.park_green_area_ha::decimal(18, 4),
        survey.is_synthetic,
        '全市 row' as city_basis
    from survey
    where survey.area_code = '{{ var("city_code") }}'
        and survey.year not in (
            select county_sum.year from county_sum cross join county_count
            where county_sum.counties_reported = county_count.counties
        )

),

others as (

    select
        area_code,
        year,
        land_area_km2::decimal(18, 4) as land_area_km2,
        forest_area_km2::decimal(18, 4) as forest_area_km2,
        built_up_area_km2::decimal(18, 4) as built_up_area_km2,
        built_up_green_area_ha::decimal(18, 4) as built_up_green_area_ha,
        park_green_area_ha::decimal(18, 4) as park_green_area_ha,
        is_synthetic,
        null as city_basis
    from survey
    where area_code <> '{{ var("city_code") }}'

)

select * from city
union all
select * from others
