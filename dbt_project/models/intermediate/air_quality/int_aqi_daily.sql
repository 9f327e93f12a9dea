{#- (sub-index column, label in primary_pollutant), in the order of HJ 633 table 1 -#}
{%- set sub_indices = [
    ('iaqi_so2', 'SO2'), ('iaqi_no2', 'NO2'), ('iaqi_pm10', 'PM10'),
    ('iaqi_co', 'CO'), ('iaqi_o3_8h', 'O3_8h'), ('iaqi_pm2_5', 'PM2.5'),
] -%}

with

daily_means as (

    select * from {{ ref('int_air_quality_daily_means') }}

),

breakpoints as (

    select * from {{ ref('ref_aqi_breakpoints') }}

),

-- one row per standard: every daily row is computed once under each standard
breakpoint_row as (

    {{ iaqi_breakpoint_row('breakpoints') }}

),

sub_indices as (

    -- each sub-index rounded up (HJ 633-2012 5.2), so that the AQI is their maximum
    select
        daily_means.*,
        breakpoint_row.standard,
        ceil({{ iaqi('daily_means.so2_ugm3', 'so2_24h') }})::integer as iaqi_so2,
        ceil({{ iaqi('daily_means.no2_ugm3', 'no2_24h') }})::integer as iaqi_no2,
        ceil({{ iaqi('daily_means.pm10_ugm3', 'pm10_24h') }})::integer as iaqi_pm10,
        ceil({{ iaqi('daily_means.co_mgm3', 'co_24h') }})::integer as iaqi_co,
        ceil(
            case
                -- the 8-hour O3 table ends at 800 µg/m³; HJ 633 then reports the 1-hour O3 sub-index
                when daily_means.o3_8h_max_ugm3 > 800 then {{ iaqi('daily_means.o3_1h_max_ugm3', 'o3_1h') }}
                else {{ iaqi('daily_means.o3_8h_max_ugm3', 'o3_8h') }}
            end
        )::integer as iaqi_o3_8h,
        ceil({{ iaqi('daily_means.pm2_5_ugm3', 'pm2_5_24h') }})::integer as iaqi_pm2_5
    from daily_means
    cross join breakpoint_row

),

validity as (

    select
        *,
        (
            {%- for column, label in sub_indices %}
            {{ column }} is not null{{ ' and' if not loop.last }}
            {%- endfor %}
        ) as is_valid_day
    from sub_indices

),

aqi as (

    select
        *,
        case when is_valid_day then greatest({{ sub_indices | map('first') | join(', ') }}) end as aqi
    from validity

),

classified as (

    select
        aqi.*,
        case
            when aqi > 50 then concat_ws(
                ','
                {%- for column, label in sub_indices %},
                case when {{ column }} = aqi then '{{ label }}' end
                {%- endfor %}
            )
        end as primary_pollutant,
        case
            when aqi is null then null
            when aqi <= 50 then '优'
            when aqi <= 100 then '良'
            when aqi <= 150 then '轻度污染'
            when aqi <= 200 then '中度污染'
            when aqi <= 300 then '重度污染'
            else '严重污染'
        end as aqi_category,
        coalesce(aqi <= 100, false) as is_good_day
    from aqi

)

select * from classified
