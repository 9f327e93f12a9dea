with

monthly as (

    select * from {{ ref('fct_air_quality_monthly') }}

),

final as (

    select
        location_type,
        location_id,
        area_code,
        area_name,
        year,
        month,
        standard,
        valid_days,
        good_days,
        good_days_ratio_pct,
        calendar_days
    from monthly

)

select * from final
