with

areas as (

    select * from {{ ref('int_environment__greenspace_by_area') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * forest_area_km2 / nullif(land_area_km2, 0) as value,
        forest_area_km2 as numerator,
        land_area_km2 as denominator,
        is_synthetic
    from areas

)

{{ indicator_rows('forest_coverage_pct', 'computed', '森林面积 ÷ 国土面积 × 100（全市为12个区县合计）', '自然资发〔2022〕5号调整口径，不含园地中的经济林（专栏1注②）') }}
