-- The figure judged is the figure shown: no red status (未实现, 退步) where the value served beside it (rounded to the
-- indicator's precision) meets the milestone's target as the plan words it (>=, <=, reach, about: inclusive and
-- one-sided in the indicator's direction).
select
    progress.indicator_code,
    progress.area_code,
    progress.year,
    progress.method,
    progress.status,
    progress.actual_value,
    progress.comparator,
    progress.target_value
from {{ ref('indicator_progress') }} as progress
inner join {{ ref('indicator_catalog') }} as catalog using (indicator_code)
where progress.status in ('not_achieved', 'deterioration')
    and progress.actual_value is not null
    and progress.target_value is not null
    and {{ meets_target('progress.actual_value', 'progress.target_value', 'progress.comparator', 'catalog.direction') }}
