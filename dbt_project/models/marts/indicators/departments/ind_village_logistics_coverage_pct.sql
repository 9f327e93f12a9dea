with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * logistics_covered_villages / nullif(eligible_villages, 0) as value,
        logistics_covered_villages as numerator,
        eligible_villages as denominator,
        is_synthetic
    from counts

)

{{ indicator_rows('village_logistics_coverage_pct', 'computed', '农村物流服务覆盖的具备条件行政村数 ÷ 具备条件行政村数 × 100', '交通运输部门农村物流服务体系统计口径') }}
