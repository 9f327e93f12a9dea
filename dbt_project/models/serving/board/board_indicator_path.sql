-- 指标详情: per indicator and year, Jinan's actual value against the planned path to the milestones, the milestone
-- targets in their years, and the projection (from the latest assessed year) in each milestone year.
with

catalog as (

    select * from {{ ref('indicator_catalog') }}

),

path as (

    select * from {{ ref('indicator_path') }}
    where area_code = '{{ var("city_code") }}'

),

actual as (

    select indicator_code, year, max(value) as actual_value, bool_or(is_synthetic) as is_synthetic
    from {{ ref('indicator_values') }}
    where area_code = '{{ var("city_code") }}' and is_primary_series
    group by indicator_code, year

),

milestones as (

    select * from {{ ref('indicator_milestones') }}
    -- the targets in force now; a no-deadline target (milestone_year NULL) has no place on the time axis (the
    -- catalogue shows it)
    where is_current and milestone_year is not null

),

projection as (

    select indicator_code, milestone_year as year, projected_value, probability_meet
    from {{ ref('indicator_progress') }}
    where area_code = '{{ var("city_code") }}' and method = 'projection' and projected_value is not null
    qualify row_number() over (partition by indicator_code, milestone_year order by year desc) = 1

),

keys as (

    select indicator_code, year from path
    union
    select indicator_code, year from actual
    union
    select indicator_code, milestone_year from milestones
    union
    select indicator_code, year from projection

),

final as (

    select
        keys.indicator_code::varchar as indicator_code,
        {{ indicator_label('catalog.headline_no', 'catalog.name_zh') }}
            as indicator_label,
        catalog.unit_zh::varchar as unit_zh,
        keys.year::integer as year,
        make_date(keys.year, 1, 1) as year_start,
        -- the figure judged: the running total for a cumulative target (the same series as the report), else the value
        coalesce(path.actual_value, actual.actual_value)::double as actual_value,
        coalesce(path.is_running_total, false)::boolean as is_running_total,
        coalesce(actual.is_synthetic, false)::boolean as is_synthetic,
        path.planned_value::double as planned_value,
        path.milestone_year::integer as path_milestone_year,
        milestones.target_value::double as milestone_target_value,
        milestones.target_text::varchar as milestone_target_text,
        projection.projected_value::double as projected_value,
        projection.probability_meet::double as probability_meet
    from keys
    inner join catalog on keys.indicator_code = catalog.indicator_code
    left join path on keys.indicator_code = path.indicator_code and keys.year = path.year
    left join actual on keys.indicator_code = actual.indicator_code and keys.year = actual.year
    left join milestones on keys.indicator_code = milestones.indicator_code and keys.year = milestones.milestone_year
    left join projection on keys.indicator_code = projection.indicator_code and keys.year = projection.year

)

select * from final
