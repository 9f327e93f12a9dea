with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * e_licence_uses / nullif(licence_verifications, 0) as value,
        e_licence_uses as numerator,
        licence_verifications as denominator,
        is_synthetic
    from counts

)

{{ indicator_rows('e_licence_usage_pct', 'computed', '电子证照使用次数 ÷ 证照核验总次数 × 100', '政务服务电子证照应用统计口径') }}
