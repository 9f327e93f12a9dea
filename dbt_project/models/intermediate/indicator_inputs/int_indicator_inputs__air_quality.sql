{#- The inputs of air_quality_good_days_ratio (macros/indicator_inputs.sql): each valid day of a city (denominator) and
    whether it was good (numerator, 1 or 0), per standard, with the daily CNEMC file whose hours the day's means come from. 
    Incremental by year: a changed report date D changes the days D-1 and D (fct_air_quality_daily), the file list
    of D and the indicator value of their years, so exactly the rows of those years are deleted and inserted again
    (a one-day change costs one year, whatever the length of the history). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_year_rows('year', [-1, 0]) }}",
    )
}}

with

days as (

    select * from {{ ref('fct_air_quality_daily') }} where location_type = 'city' and is_valid_day
    {%- if is_partial_build() %} and {{ in_changed_years('year(date)', [-1, 0]) }}{% endif %}

),

files as (

    -- sorted here, once per day (indicator_input_rows keeps a one-file list as it is)
    select report_date, list_sort(list(distinct source_file_sha256)) as source_file_sha256
    from {{ source('cnemc', 'air_quality__cnemc_city_hourly') }}
    {%- if is_partial_build() %}
    where {{ in_changed_years('year(report_date)', [-1, 0]) }}
    {%- endif %}
    group by report_date

),

records as (

    select
        days.area_code, year(days.date)::integer as year, 'denominator' as role, 'valid_day' as component,
        '有效监测天（HJ 663-2013）' as component_zh, strftime(days.date, '%Y-%m-%d') as input_key, 1.0 as value,
        '天' as unit, 'air_quality__cnemc_city_hourly' as source_feed, files.source_file_sha256, days.standard,
        days.area_name
    from days
    inner join files on days.date = files.report_date
    union all
    select
        days.area_code, year(days.date)::integer, 'numerator', 'good_day', '优良天（AQI ≤ 100；1 = 是，0 = 否）',
        strftime(days.date, '%Y-%m-%d'), days.is_good_day::integer::double, '天', 'air_quality__cnemc_city_hourly',
        files.source_file_sha256, days.standard, days.area_name
    from days
    inner join files on days.date = files.report_date

)

{{ indicator_input_rows('air_quality_good_days_ratio', 'records', city='sent', by_standard=true, by_area_name=true) }}
