-- every indicator value lies within its natural limits in the plan registry (0..100 for a share in %, >= 0 counts)
select
    indicator_values.indicator_code,
    indicator_values.area_code,
    indicator_values.year,
    indicator_values.value,
    registry.limit_min,
    registry.limit_max
from {{ ref('indicator_values') }} as indicator_values
inner join {{ ref('registry_indicators') }} as registry using (indicator_code)
where indicator_values.value < registry.limit_min or indicator_values.value > registry.limit_max
