with

areas as (

    select * from {{ ref('int_environment__greenspace_by_area') }}

),

population as (

    -- the one population every per-capita indicator divides by: the district tables (全市 row for the city); here
    -- its urban residents (城镇常住人口), the nearest to the 城区人口 of the official definition
    select area_code, year, urban_resident_population_wan, is_synthetic
    from {{ ref('stg_statistics__district_tables') }}

),

computed as (

    -- 公顷 × 10 000 m² ÷ (万人 × 10 000 人) = 公顷 ÷ 万人, in m² per person
    select
        areas.area_code,
        areas.year,
        areas.park_green_area_ha / nullif(population.urban_resident_population_wan, 0) as value,
        areas.park_green_area_ha * 10000 as numerator,
        population.urban_resident_population_wan * 10000 as denominator,
        areas.is_synthetic or population.is_synthetic as is_synthetic
    from areas
    inner join population on areas.area_code = population.area_code and areas.year = population.year

)

{{ indicator_rows('park_green_space_per_capita', 'computed', '公园绿地面积（平方米）÷ 城镇常住人口（人）（全市为12个区县合计 ÷ 全市城镇常住人口）', 'CJJ/T 85-2017 公园绿地（G1）；分母取统计局分区县表城镇常住人口（官方口径为城区人口）') }}
