{#- The year's amount: the plan's target [100] is a 2021-2025 total, which progress adds up from these amounts. -#}
{{ department_amount(
    'vocational_training_attendances',
    'vocational_training_attendances_wan',
    '职业技能培训人次（当年，万人次）；五年目标为2021—2025年各年之和',
    '人力资源社会保障部门职业技能培训统计口径'
) }}
