with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

computed as (

    -- the year's amount: the plan's target [100] is a 2021-2025 total, which progress adds up from these amounts
    select
        area_code,
        year,
        vocational_training_attendances_wan as value,
        vocational_training_attendances_wan as numerator,
        null::double as denominator,
        is_synthetic
    from counts

)

{{ indicator_rows('vocational_training_attendances', 'computed', '职业技能培训人次（当年，万人次）；五年目标为2021—2025年各年之和', '人力资源社会保障部门职业技能培训统计口径') }}
