with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * smart_campus_schools / nullif(primary_secondary_schools, 0) as value,
        smart_campus_schools as numerator,
        primary_secondary_schools as denominator,
        is_synthetic
    from counts

)

{{ indicator_rows('smart_campus_coverage_pct', 'computed', '智慧校园达标学校数 ÷ 中小学校数 × 100', '山东省中小学智慧校园建设基本要求') }}
