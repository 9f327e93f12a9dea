with

annual as (

    select * from {{ ref('fct_air_quality_annual') }}

),

final as (

    select
        location_type,
        location_id,
        area_code,
        area_name,
        year,
        standard,
        valid_days,
        good_days,
        good_days_ratio_pct,
        calendar_days
    from annual

)

select * from final
