{#-
    The renamed columns shared by both CNEMC hourly feeds (city and station files have identical layouts).
    observed_at: hour h of a file dated D ends at D h:00 Beijing time (+08:00), stored as a UTC instant.
    calendar_date: the Beijing day the hour belongs to; hour 0 ends at midnight and closes the previous day.
-#}
{% macro cnemc_hourly_renamed(location_type) -%}
        '{{ location_type }}' as location_type,
        location as location_id,
        report_date,
        report_hour,
        to_timestamp(epoch(report_date) + (report_hour::integer - 8) * 3600) as observed_at,
        case when report_hour = 0 then report_date - 1 else report_date end as calendar_date,
        case when report_hour = 0 then 24 else report_hour end::tinyint as hour_of_day,
        aqi as aqi_published,
        pm2_5 as pm2_5_ugm3,
        pm2_5_24h as pm2_5_24h_ugm3,
        pm10 as pm10_ugm3,
        pm10_24h as pm10_24h_ugm3,
        so2 as so2_ugm3,
        so2_24h as so2_24h_ugm3,
        no2 as no2_ugm3,
        no2_24h as no2_24h_ugm3,
        o3 as o3_ugm3,
        o3_24h as o3_24h_ugm3,
        o3_8h as o3_8h_ugm3,
        o3_8h_24h as o3_8h_24h_ugm3,
        co as co_mgm3,
        co_24h as co_24h_mgm3,
        source_file_name,
        source_file_sha256
{%- endmacro %}
