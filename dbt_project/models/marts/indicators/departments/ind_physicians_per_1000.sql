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
        counts.licensed_physicians / nullif(population.resident_population_wan * 10, 0) as value,
        counts.licensed_physicians as numerator,
        population.resident_population_wan * 10 as denominator,
        counts.is_synthetic or population.is_synthetic as is_synthetic
    from counts
    inner join population on counts.area_code = population.area_code and counts.year = population.year

)

{{ indicator_rows('physicians_per_1000', 'computed', '执业（助理）医师数 ÷ 年末常住人口（千人）', '卫生健康统计调查制度；常住人口取统计局分区县表') }}
