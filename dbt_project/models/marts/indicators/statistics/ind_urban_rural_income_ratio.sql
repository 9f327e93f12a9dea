with

tables as (

    select * from {{ ref('stg_statistics__district_tables') }}

),

computed as (

    select
        area_code,
        year,
        urban_disposable_income_cny / nullif(rural_disposable_income_cny, 0) as value,
        urban_disposable_income_cny as numerator,
        rural_disposable_income_cny as denominator,
        is_synthetic
    from tables

)

{{ indicator_rows('urban_rural_income_ratio', 'computed', '城镇居民人均可支配收入 ÷ 农村居民人均可支配收入', '国家统计局城乡一体化住户调查') }}
