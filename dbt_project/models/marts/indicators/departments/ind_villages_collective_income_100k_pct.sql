with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * villages_collective_income_100k / nullif(administrative_villages, 0) as value,
        villages_collective_income_100k as numerator,
        administrative_villages as denominator,
        is_synthetic
    from counts

)

{{ indicator_rows('villages_collective_income_100k_pct', 'computed', '集体经济收入10万元以上行政村数 ÷ 行政村数 × 100', '农村集体经济统计（农经统计）口径') }}
