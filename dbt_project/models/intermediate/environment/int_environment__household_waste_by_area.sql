-- the year's tonnages per area: the months summed (a year in progress: the months so far); the districts and
-- functional zones as sent, Jinan as the sum of its 12 county-level divisions when all 12 reported in the year (a
-- 全市 row sent beside them is not added again; functional zones overlap districts and never enter the sum), the
-- 全市 rows only in a year where a district is missing. Tonnages are summed as decimals: exact, so full and
-- incremental builds agree to the bit.
with

months as (

    select * from {{ ref('stg_environment__household_waste_months') }}

),

areas as (

    select area_code, area_kind from {{ ref('registry_areas') }}

),

by_area as (

    select
        area_code,
        year,
        count(*)::integer as months_reported,
        sum(collected_wan_t::decimal(18, 4)) as collected_wan_t,
        sum(recycled_wan_t::decimal(18, 4)) as recycled_wan_t,
        sum(incinerated_wan_t::decimal(18, 4)) as incinerated_wan_t,
        sum(landfilled_wan_t::decimal(18, 4)) as landfilled_wan_t,
        bool_or(is_synthetic) as is_synthetic
    from months
    group by area_code, year

),

county_sum as (

    select
        '{{ var("city_code") }}' as area_code,
        by_area.year,
        sum(by_area.months_reported)::integer as months_reported,
        sum(by_area.collected_wan_t) as collected_wan_t,
        sum(by_area.recycled_wan_t) as recycled_wan_t,
        sum(by_area.incinerated_wan_t) as incinerated_wan_t,
        sum(by_area.landfilled_wan_t) as landfilled_wan_t,
        bool_or(by_area.is_synthetic) as is_synthetic,
        count(*) as counties_reported
    from by_area
    inner join areas on by_area.area_code = areas.area_code
    where areas.area_kind = 'county'
    group by by_area.year

),

complete_years as (

    select county_sum.year
    from county_sum
    where county_sum.counties_reported = (select count(*) from areas where area_kind = 'county')

),

city as (

    select county_sum.* exclude (counties_reported), 'sum of the county-level divisions' as city_basis
    from county_sum
    where year in (select year from complete_years)

    union all

    select by_area.*, '全市 rows' as city_basis
    from by_area
    where area_code = '{{ var("city_code") }}' and year not in (select year from complete_years)

)

select * from city
union all
select by_area.*, null as city_basis from by_area where area_code <> '{{ var("city_code") }}'
