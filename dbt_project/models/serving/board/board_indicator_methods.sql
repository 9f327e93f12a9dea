-- 指标详情: Jinan's status under each of the three methods side by side, per indicator, year and milestone.
with

progress as (

    select * from {{ ref('indicator_progress') }}
    where area_code = '{{ var("city_code") }}'

),

catalog as (

    select * from {{ ref('indicator_catalog') }}

),

final as (

    select
        progress.indicator_code::varchar as indicator_code,
        {{ indicator_label('any_value(catalog.headline_no)', 'any_value(catalog.name_zh)') }}
            as indicator_label,
        progress.year::integer as year,
        progress.milestone_year::integer as milestone_year,
        any_value(progress.actual_value)::double as actual_value,
        any_value(progress.target_value)::double as target_value,
        any_value(progress.method) filter (where progress.is_default_method)::varchar as default_method,
        any_value(progress.status_zh) filter (where progress.method = 'distance')::varchar as distance_status_zh,
        any_value(progress.status_zh) filter (where progress.method = 'pace')::varchar as pace_status_zh,
        any_value(progress.status_zh) filter (where progress.method = 'projection')::varchar as projection_status_zh,
        any_value(progress.projected_value) filter (where progress.method = 'projection')::double as projected_value,
        any_value(progress.probability_meet) filter (where progress.method = 'projection')::double
            as probability_meet,
        any_value(progress.explanation) filter (where progress.is_default_method)::varchar as explanation
    from progress
    inner join catalog on progress.indicator_code = catalog.indicator_code
    group by progress.indicator_code, progress.year, progress.milestone_year

)

select * from final
