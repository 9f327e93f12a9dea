with

hourly as (

    select * from {{ ref('int_air_quality_hourly_unioned') }}

),

breakpoint_row as (

    {{ iaqi_breakpoint_row(ref('ref_aqi_breakpoints')) }}

),

sub_indices as (

    -- the combination that reproduces the published figure (model description): 1-hour SO2, NO2, CO and O3 on
    -- their 1-hour tables, the 1-hour PM2.5 and PM10 on the 24-hour tables (HJ 633 has no 1-hour PM table)
    select
        hourly.*,
        case
            -- the 1-hour SO2 table ends at 800 µg/m³; HJ 633 then reports the sub-index of the 24-hour mean
            when hourly.so2_ugm3 > 800 then {{ iaqi('hourly.so2_24h_ugm3', 'so2_24h') }}
            else {{ iaqi('hourly.so2_ugm3', 'so2_1h') }}
        end as iaqi_so2,
        {{ iaqi('hourly.no2_ugm3', 'no2_1h') }} as iaqi_no2,
        {{ iaqi('hourly.co_mgm3', 'co_1h') }} as iaqi_co,
        {{ iaqi('hourly.o3_ugm3', 'o3_1h') }} as iaqi_o3,
        {{ iaqi('hourly.pm2_5_ugm3', 'pm2_5_24h') }} as iaqi_pm2_5,
        {{ iaqi('hourly.pm10_ugm3', 'pm10_24h') }} as iaqi_pm10
    from hourly
    left join breakpoint_row on breakpoint_row.standard = 'HJ 633-2012'

),

recomputed as (

    -- greatest() skips NULLs: an hour with some pollutants missing takes the maximum of the others, as published.
    -- The published station figures are rounded up, the city figures rounded half up (round() is half away from
    -- zero, i.e. half up for these non-negative values): measured on the real files, see the model description
    select
        * exclude (iaqi_so2, iaqi_no2, iaqi_co, iaqi_o3, iaqi_pm2_5, iaqi_pm10),
        case location_type
            when 'station' then ceil(greatest(iaqi_so2, iaqi_no2, iaqi_co, iaqi_o3, iaqi_pm2_5, iaqi_pm10))
            else round(greatest(iaqi_so2, iaqi_no2, iaqi_co, iaqi_o3, iaqi_pm2_5, iaqi_pm10))
        end::integer as aqi_recomputed
    from sub_indices

)

select * from recomputed
