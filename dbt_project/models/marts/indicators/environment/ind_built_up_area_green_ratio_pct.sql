with

areas as (

    select * from {{ ref('int_environment__greenspace_by_area') }}

),

computed as (

    -- 公顷 ÷ (平方公里 × 100 公顷/平方公里) × 100
    select
        area_code,
        year,
        100.0 * built_up_green_area_ha / nullif(built_up_area_km2 * 100, 0) as value,
        built_up_green_area_ha as numerator,
        built_up_area_km2 * 100 as denominator,
        is_synthetic
    from areas

)

{{ indicator_rows('built_up_area_green_ratio_pct', 'computed', '建成区绿地面积（公顷）÷ 建成区面积（公顷）× 100（全市为12个区县合计）', 'CJJ/T 85-2017 城市绿地分类标准；城市建设统计年报口径') }}
