{#- incremental: a changed report date D replaces calendar days D-1 and D (hour 0 of D closes D-1) -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_rows('date', [-1, 0]) }}",
    )
}}

{%- set daily_means = [('pm2_5_ugm3', 0), ('pm10_ugm3', 0), ('so2_ugm3', 0), ('no2_ugm3', 0), ('co_mgm3', 1)] -%}

with

hourly as (

    select * from {{ ref('int_air_quality_hourly_unioned') }}
    {%- if is_partial_build() %}
    -- calendar days D-1 and D of a changed report date D are made of the hours of files D-1, D and D+1
    where {{ in_changed_dates('report_date', [-1, 0, 1]) }}
        and {{ in_changed_dates('calendar_date', [-1, 0]) }}
    {%- endif %}

),

-- one pass over the hourly rows: the 24-hour means, the valid hours, and the day's hourly O3 in 24 slots
-- (hour_of_day 1..24) so that an 8-hour window ending at a missing hour still counts
daily as (

    select
        location_type,
        location_id,
        calendar_date,
        -- a location's area is fixed by its name (ref_areas / ref_stations)
        any_value(area_code) as area_code,
        any_value(area_name) as area_name,
        {%- for column, digits in daily_means %}
        -- HJ 663-2013 reports concentrations rounded (integer µg/m³, CO one decimal) per GB/T 8170: half to even,
        -- computed exactly (macros/mean_half_even.sql: a double mean of CO values can fall either side of a tie)
        case
            when count({{ column }}) >= {{ var('min_valid_hours_24h') }}
                then {{ mean_half_even(column, digits) }}
        end as {{ column }},
        {%- endfor %}
        max(o3_ugm3) as o3_1h_max_ugm3,
        {%- for column, digits in daily_means %}
        count({{ column }})::integer as valid_hours_{{ column.rsplit('_', 1)[0] }},
        {%- endfor %}
        count(o3_ugm3)::integer as valid_hours_o3,
        {%- for h in range(1, 25) %}
        max(case when hour_of_day = {{ h }} then o3_ugm3 end) as o3_h{{ h }}{{ ',' if not loop.last }}
        {%- endfor %}
    from hourly
    group by location_type, location_id, calendar_date

),

-- the 8-hour means ending 08:00 .. 24:00 (hours 1..8 .. 17..24), each with its number of valid hours
o3_8h_windows as (

    select
        location_type,
        location_id,
        calendar_date,
        {%- for t in range(8, 25) %}
        {%- set slots = range(t - 7, t + 1) %}
        {% for h in slots %}(o3_h{{ h }} is not null)::integer{{ ' + ' if not loop.last }}{% endfor %}
            as valid_hours_w{{ t }},
        ({% for h in slots %}coalesce(o3_h{{ h }}, 0){{ ' + ' if not loop.last }}{% endfor %})
            / nullif({% for h in slots %}(o3_h{{ h }} is not null)::integer{{ ' + ' if not loop.last }}{% endfor %}, 0)
            as o3_8h_w{{ t }}{{ ',' if not loop.last }}
        {%- endfor %}
    from daily

),

o3_8h_max as (

    select
        location_type,
        location_id,
        calendar_date,
        (
            {%- for t in range(8, 25) %}
            (valid_hours_w{{ t }} >= {{ var('min_valid_hours_8h') }})::integer{{ ' +' if not loop.last }}
            {%- endfor %}
        ) as valid_windows_o3_8h,
        -- greatest() skips the NULLs of the windows with too few hours
        greatest(
            {%- for t in range(8, 25) %}
            case when valid_hours_w{{ t }} >= {{ var('min_valid_hours_8h') }} then o3_8h_w{{ t }} end
            {{- ',' if not loop.last }}
            {%- endfor %}
        ) as o3_8h_max_exact
    from o3_8h_windows

),

joined as (

    select
        daily.location_type,
        daily.location_id,
        daily.area_code,
        daily.area_name,
        daily.calendar_date as date,
        {%- for column, digits in daily_means %}
        daily.{{ column }},
        {%- endfor %}
        case
            when o3_8h_max.valid_windows_o3_8h >= {{ var('min_valid_windows_o3_8h') }}
                then round_even(o3_8h_max.o3_8h_max_exact, 0)
        end as o3_8h_max_ugm3,
        daily.o3_1h_max_ugm3,
        {%- for column, digits in daily_means %}
        daily.valid_hours_{{ column.rsplit('_', 1)[0] }},
        {%- endfor %}
        daily.valid_hours_o3,
        o3_8h_max.valid_windows_o3_8h
    from daily
    inner join o3_8h_max
        on daily.location_type = o3_8h_max.location_type
        and daily.location_id = o3_8h_max.location_id
        and daily.calendar_date = o3_8h_max.calendar_date

)

select * from joined
