with

tables as (

    select * from {{ ref('stg_statistics__district_tables') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * urban_hukou_population_wan / nullif(hukou_population_wan, 0) as value,
        urban_hukou_population_wan as numerator,
        hukou_population_wan as denominator,
        is_synthetic
    from tables

)

{{ indicator_rows('urbanization_rate_hukou_pct', 'computed', '城镇户籍人口 ÷ 户籍人口 × 100', '公安户籍人口统计口径') }}
