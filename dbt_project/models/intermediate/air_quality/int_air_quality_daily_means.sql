{%- set daily_means = [('pm2_5_ugm3', 0), ('pm10_ugm3', 0), ('so2_ugm3', 0), ('no2_ugm3', 0), ('co_mgm3', 1)] -%}

with

hourly as (

    select * from {{ ref('int_air_quality_hourly_unioned') }}

),

locations as (

    select distinct location_type, location_id, area_code, area_name
    from hourly

),

means_24h as (

    select
        location_type,
        location_id,
        calendar_date,
        {%- for column, digits in daily_means %}
        -- HJ 663-2013 reports concentrations rounded (integer µg/m³, CO one decimal) per GB/T 8170: half to even
        case
            when count({{ column }}) >= {{ var('min_valid_hours_24h') }}
                then round_even(avg({{ column }}), {{ digits }})
        end as {{ column }},
        {%- endfor %}
        max(o3_ugm3) as o3_1h_max_ugm3,
        {%- for column, digits in daily_means %}
        count({{ column }})::integer as valid_hours_{{ column.rsplit('_', 1)[0] }},
        {%- endfor %}
        count(o3_ugm3)::integer as valid_hours_o3
    from hourly
    group by location_type, location_id, calendar_date

),

-- every hour slot 1..24 of every day present, so that an 8-hour window ending at a missing hour still counts
hour_slots as (

    select
        means_24h.location_type,
        means_24h.location_id,
        means_24h.calendar_date,
        slots.hour_of_day
    from means_24h
    cross join range(1, 25) as slots(hour_of_day)

),

o3_8h_windows as (

    select
        hour_slots.location_type,
        hour_slots.location_id,
        hour_slots.calendar_date,
        hour_slots.hour_of_day,
        avg(hourly.o3_ugm3) over last_8_hours as o3_8h_ugm3,
        count(hourly.o3_ugm3) over last_8_hours as valid_hours
    from hour_slots
    left join hourly
        on hour_slots.location_type = hourly.location_type
        and hour_slots.location_id = hourly.location_id
        and hour_slots.calendar_date = hourly.calendar_date
        and hour_slots.hour_of_day = hourly.hour_of_day
    window last_8_hours as (
        partition by hour_slots.location_type, hour_slots.location_id, hour_slots.calendar_date
        order by hour_slots.hour_of_day
        rows between 7 preceding and current row
    )

),

o3_8h_max as (

    -- windows ending 08:00 .. 24:00 lie within the day (hours 1..8 .. 17..24)
    select
        location_type,
        location_id,
        calendar_date,
        count(*) filter (where valid_hours >= {{ var('min_valid_hours_8h') }})::integer as valid_windows_o3_8h,
        max(o3_8h_ugm3) filter (where valid_hours >= {{ var('min_valid_hours_8h') }}) as o3_8h_max_exact
    from o3_8h_windows
    where hour_of_day >= 8
    group by location_type, location_id, calendar_date

),

joined as (

    select
        locations.location_type,
        locations.location_id,
        locations.area_code,
        locations.area_name,
        means_24h.calendar_date as date,
        {%- for column, digits in daily_means %}
        means_24h.{{ column }},
        {%- endfor %}
        case
            when o3_8h_max.valid_windows_o3_8h >= {{ var('min_valid_windows_o3_8h') }}
                then round_even(o3_8h_max.o3_8h_max_exact, 0)
        end as o3_8h_max_ugm3,
        means_24h.o3_1h_max_ugm3,
        means_24h.* exclude (
            location_type, location_id, calendar_date, o3_1h_max_ugm3
            {%- for column, digits in daily_means %}, {{ column }}{% endfor %}
        ),
        o3_8h_max.valid_windows_o3_8h
    from means_24h
    inner join locations
        on means_24h.location_type = locations.location_type
        and means_24h.location_id = locations.location_id
    left join o3_8h_max
        on means_24h.location_type = o3_8h_max.location_type
        and means_24h.location_id = o3_8h_max.location_id
        and means_24h.calendar_date = o3_8h_max.calendar_date

)

select * from joined
