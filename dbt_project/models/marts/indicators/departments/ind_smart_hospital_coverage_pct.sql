with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * smart_hospitals / nullif(hospitals_grade_2_plus, 0) as value,
        smart_hospitals as numerator,
        hospitals_grade_2_plus as denominator,
        is_synthetic
    from counts

)

{{ indicator_rows('smart_hospital_coverage_pct', 'computed', '智慧医院数 ÷ 二级以上医院数 × 100', '卫生健康委智慧医院评价（电子病历、智慧服务、智慧管理分级评价）') }}
