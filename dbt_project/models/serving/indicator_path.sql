with

source as (

    select * from {{ ref('int_indicator_path') }}

),

final as (

    select
        indicator_code::varchar as indicator_code,
        area_code::varchar as area_code,
        year::integer as year,
        milestone_year::integer as milestone_year,
        segment_start_year::integer as segment_start_year,
        planned_value::double as planned_value,
        is_cumulative::boolean as is_cumulative,
        path_method::varchar as path_method,
        start_source::varchar as start_source,
        is_milestone::boolean as is_milestone,
        actual_value::double as actual_value,
        is_running_total::boolean as is_running_total
    from source

)

select * from final
