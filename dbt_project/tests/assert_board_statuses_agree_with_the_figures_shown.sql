-- 总览 shows a value, a target and a status colour side by side: no red status where the value shown (rounded to the
-- indicator's precision) meets the milestone's target as the plan words it (>=, <=, reach, about: inclusive and
-- one-sided in the indicator's direction).
select
    overview.indicator_code,
    overview.as_of_year,
    overview.actual_value,
    overview.target_value,
    overview.status
from {{ ref('board_indicator_overview') }} as overview
inner join {{ ref('indicator_catalog') }} as catalog using (indicator_code)
inner join {{ ref('indicator_milestones') }} as milestones
    on overview.indicator_code = milestones.indicator_code
    and overview.milestone_year = milestones.milestone_year
    and milestones.is_current
where overview.status_colour = 'red'
    and overview.actual_value is not null
    and {{ meets_target('overview.actual_value', 'overview.target_value', 'milestones.comparator', 'catalog.direction') }}
