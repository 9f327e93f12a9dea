with

tables as (

    select * from {{ ref('stg_statistics__district_tables') }}

),

computed as (

    select
        area_code,
        year,
        resident_population_wan as value,
        resident_population_wan as numerator,
        null::double as denominator,
        is_synthetic
    from tables

)

{{ indicator_rows('resident_population_year_end', 'computed', '年末常住人口（统计局分区县表）', '国家统计局常住人口统计口径') }}
