with

source as (

    select * from {{ ref('int_indicator_progress') }}

),

final as (

    select
        indicator_code::varchar as indicator_code,
        area_code::varchar as area_code,
        area_kind::varchar as area_kind,
        is_reference::boolean as is_reference,
        is_default_method::boolean as is_default_method,
        method::varchar as method,
        method_version::varchar as method_version,
        year::integer as year,
        milestone_year::integer as milestone_year,
        status::varchar as status,
        status_zh::varchar as status_zh,
        status_colour::varchar as status_colour,
        score::double as score,
        baseline_year::integer as baseline_year,
        baseline_value::double as baseline_value,
        baseline_source::varchar as baseline_source,
        baseline_qualifier::varchar as baseline_qualifier,
        target_value::double as target_value,
        comparator::varchar as comparator,
        actual_value::double as actual_value,
        planned_value::double as planned_value,
        completion_pct::double as completion_pct,
        elapsed_pct::double as elapsed_pct,
        actual_annual_change::double as actual_annual_change,
        required_annual_change::double as required_annual_change,
        acceleration_factor::double as acceleration_factor,
        actual_growth_pct::double as actual_growth_pct,
        required_growth_pct::double as required_growth_pct,
        projected_value::double as projected_value,
        probability_meet::double as probability_meet,
        probability_model::varchar as probability_model,
        n_points::integer as n_points,
        reason::varchar as reason,
        explanation::varchar as explanation,
        actual_value_unrounded::double as actual_value_unrounded,
        precision_decimals::integer as precision_decimals,
        escap_state::varchar as escap_state,
        escap_state_zh::varchar as escap_state_zh,
        prediction_low::double as prediction_low,
        prediction_high::double as prediction_high,
        prediction_level::double as prediction_level
    from source

)

select * from final
