with

reconciliation as (

    select * from {{ ref('fct_aqi_reconciliation') }}

),

final as (

    select
        location_type,
        location_id,
        area_code,
        area_name,
        year,
        hours_compared,
        exact_matches,
        exact_match_ratio,
        mean_abs_diff,
        max_abs_diff
    from reconciliation

)

select * from final
