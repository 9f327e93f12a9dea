{#- incremental: a changed report date D replaces calendar days D-1 and D (hour 0 of D closes D-1) -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_rows('date', [-1, 0]) }}",
    )
}}

with

daily as (

    select * from {{ ref('fct_air_quality_daily') }}
    {%- if is_partial_build() %}
    where {{ in_changed_dates('date', [-1, 0]) }}
    {%- endif %}

),

final as (

    select
        location_type,
        location_id,
        area_code,
        area_name,
        date,
        standard,
        pm2_5_ugm3,
        pm10_ugm3,
        so2_ugm3,
        no2_ugm3,
        co_mgm3,
        o3_8h_max_ugm3,
        valid_hours_pm2_5,
        valid_hours_pm10,
        valid_hours_so2,
        valid_hours_no2,
        valid_hours_co,
        valid_hours_o3,
        valid_windows_o3_8h,
        aqi,
        primary_pollutant,
        aqi_category,
        is_valid_day,
        is_good_day
    from daily

)

select * from final
