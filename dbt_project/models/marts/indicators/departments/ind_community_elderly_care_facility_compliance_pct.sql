with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

computed as (

    select
        area_code,
        year,
        100.0 * elderly_care_compliant_communities / nullif(communities_requiring_elderly_care, 0) as value,
        elderly_care_compliant_communities as numerator,
        communities_requiring_elderly_care as denominator,
        is_synthetic
    from counts

)

{{ indicator_rows('community_elderly_care_facility_compliance_pct', 'computed', '社区养老服务设施配建达标社区数 ÷ 应配建社区数 × 100', '城市居住区养老服务设施配建标准（民政部门）') }}
