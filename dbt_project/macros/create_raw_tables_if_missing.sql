{#-
    on-run-start: the ingest framework creates a feed's raw table when it loads the feed's first file, so before the
    first station file arrives raw.air_quality__cnemc_station_hourly does not exist and every model downstream would
    fail. Create any missing CNEMC raw table, empty, with the layout the ingest writes (`create table if not exists`
    on both sides: whichever runs first creates the same table; an existing table is never touched).
-#}
{% macro create_raw_tables_if_missing() %}
    {%- if execute -%}
        {%- set columns = [
            'source_file_sha256 varchar not null', 'source_file_name varchar not null', 'report_date date',
            'report_hour tinyint', 'location varchar',
        ] -%}
        {%- for value_column in [
            'aqi', 'pm2_5', 'pm2_5_24h', 'pm10', 'pm10_24h', 'so2', 'so2_24h', 'no2', 'no2_24h',
            'o3', 'o3_24h', 'o3_8h', 'o3_8h_24h', 'co', 'co_24h',
        ] -%}
            {%- do columns.append(value_column ~ ' double') -%}
        {%- endfor -%}
        {%- do run_query('create schema if not exists raw') -%}
        {%- for table in ['air_quality__cnemc_city_hourly', 'air_quality__cnemc_station_hourly'] -%}
            {%- do run_query('create table if not exists raw.' ~ table ~ ' (' ~ columns | join(', ') ~ ')') -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
