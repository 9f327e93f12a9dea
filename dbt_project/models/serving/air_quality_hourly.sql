{#- incremental: a run with changed report dates replaces the hours of those file dates -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_rows('report_date') }}",
    )
}}

with

hourly as (

    select * from {{ ref('int_aqi_hourly_recomputed') }}
    {%- if is_partial_build() %}
    where {{ in_changed_dates('report_date') }}
    {%- endif %}

),

final as (

    select
        location_type,
        location_id,
        area_code,
        area_name,
        observed_at,
        report_date,
        report_hour,
        pm2_5_ugm3,
        pm2_5_24h_ugm3,
        pm10_ugm3,
        pm10_24h_ugm3,
        so2_ugm3,
        so2_24h_ugm3,
        no2_ugm3,
        no2_24h_ugm3,
        o3_ugm3,
        o3_24h_ugm3,
        o3_8h_ugm3,
        o3_8h_24h_ugm3,
        co_mgm3,
        co_24h_mgm3,
        aqi_published,
        aqi_recomputed,
        source_file_name,
        source_file_sha256
    from hourly

)

select * from final
