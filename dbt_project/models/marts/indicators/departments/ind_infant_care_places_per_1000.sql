with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

population as (

    -- the one population every per-capita indicator divides by: the district tables (全市 row for the city)
    select area_code, year, resident_population_wan, is_synthetic from {{ ref('stg_statistics__district_tables') }}

),

computed as (

    select
        counts.area_code,
        counts.year,
        counts.infant_care_places / nullif(population.resident_population_wan * 10, 0) as value,
        counts.infant_care_places as numerator,
        population.resident_population_wan * 10 as denominator,
        counts.is_synthetic or population.is_synthetic as is_synthetic
    from counts
    inner join population on counts.area_code = population.area_code and counts.year = population.year

)

{{ indicator_rows('infant_care_places_per_1000', 'computed', '3岁以下婴幼儿托位数 ÷ 年末常住人口（千人）', '托育机构备案统计口径；常住人口取统计局分区县表') }}
