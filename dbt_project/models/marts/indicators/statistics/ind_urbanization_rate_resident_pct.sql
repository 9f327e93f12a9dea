with

tables as (

    select * from {{ ref('stg_statistics__district_tables') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * urban_resident_population_wan / nullif(resident_population_wan, 0) as value,
        urban_resident_population_wan as numerator,
        resident_population_wan as denominator,
        is_synthetic
    from tables

)

{{ indicator_rows('urbanization_rate_resident_pct', 'computed', '城镇常住人口 ÷ 年末常住人口 × 100', '国家统计局城乡划分规定') }}
