{#-
    Published against recomputed hourly AQI per location and file date, as additive sums so that the yearly
    reconciliation (fct_aqi_reconciliation) is a cheap sum over this table. Incremental: a changed report date
    replaces its rows.
-#}
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
    where aqi_published is not null and aqi_recomputed is not null
    {%- if is_partial_build() %}
        and {{ in_changed_dates('report_date') }}
    {%- endif %}

),

compared as (

    select
        location_type,
        location_id,
        area_code,
        area_name,
        report_date,
        abs(aqi_published - aqi_recomputed) as abs_diff
    from hourly

),

daily as (

    select
        location_type,
        location_id,
        any_value(area_code) as area_code,
        any_value(area_name) as area_name,
        report_date,
        count(*)::integer as hours_compared,
        count(*) filter (where abs_diff = 0)::integer as exact_matches,
        sum(abs_diff) as sum_abs_diff,
        max(abs_diff) as max_abs_diff
    from compared
    group by location_type, location_id, report_date

)

select * from daily
