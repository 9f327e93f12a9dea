{#-
    IAQI by linear interpolation between the breakpoints of HJ 633 (seed ref_aqi_breakpoints), in two macros.

    iaqi_breakpoint_row(breakpoints) pivots the long seed into ONE row per standard, with a column per table,
    segment and bound (so2_1h_bp_hi_1, …). A model joins that single row instead of fanning every hour out over
    every segment (3 M hours × 6 pollutants × 7 segments would be 130 M rows); evaluated over 3 M hours this is as
    fast as literal constants compiled into the SQL, while the seed stays the only place the breakpoints live.

    iaqi(concentration, table, row='breakpoint_row') is the interpolation for one table (`so2_1h`, `pm2_5_24h`, …):
      - the first segment whose upper breakpoint is >= the concentration is used; exactly at a breakpoint this
        gives the breakpoint's IAQI (the same value either adjacent segment would give);
      - above the highest breakpoint of a table that reaches IAQI 500: 500;
      - above the top of the 1-hour SO2 and 8-hour O3 tables (which stop at 800): NULL, because the standard
        reports another averaging period instead, which the caller supplies;
      - NULL or negative concentration: NULL.
    The result is DOUBLE before rounding, rounded to 1e-6 so that ceiling / rounding are not thrown off by binary
    noise (e.g. 50.00000000001).
-#}

{% macro iaqi_tables() -%}
    {{ return(['so2_1h', 'so2_24h', 'no2_1h', 'no2_24h', 'co_1h', 'co_24h', 'o3_1h', 'o3_8h', 'pm10_24h', 'pm2_5_24h']) }}
{%- endmacro %}

{% macro iaqi_max_segments() -%}
    {{ return(7) }}
{%- endmacro %}

{% macro iaqi_breakpoint_row(breakpoints) -%}
    select
        standard,
        {%- for table in iaqi_tables() %}
        {#- max(case …) rather than max(…) filter (…): DuckDB evaluates 280 FILTER clauses twenty times slower #}
        max(case when breakpoint_table = '{{ table }}' then iaqi_hi end) as {{ table }}_iaqi_top,
        {%- for k in range(1, iaqi_max_segments() + 1) %}
        {%- for bound in ['bp_lo', 'bp_hi', 'iaqi_lo', 'iaqi_hi'] %}
        max(case when segment_key = '{{ table }}_{{ k }}' then {{ bound }} end) as {{ table }}_{{ bound }}_{{ k }},
        {%- endfor %}
        {%- endfor %}
        {%- endfor %}
        count(*) as segments_total
    from (
        select
            *,
            pollutant || '_' || averaging as breakpoint_table,
            pollutant || '_' || averaging || '_'
            || row_number() over (partition by standard, pollutant, averaging order by bp_lo) as segment_key
        from {{ breakpoints }}
    )
    group by standard
{%- endmacro %}

{% macro iaqi(concentration, table, row='breakpoint_row') -%}
    {%- set b = row ~ '.' ~ table -%}
    round(
        case
            when {{ concentration }} is null or {{ concentration }} < 0 then null
            {%- for k in range(1, iaqi_max_segments() + 1) %}
            when {{ concentration }} <= {{ b }}_bp_hi_{{ k }}
                then ({{ b }}_iaqi_hi_{{ k }} - {{ b }}_iaqi_lo_{{ k }})
                    / ({{ b }}_bp_hi_{{ k }} - {{ b }}_bp_lo_{{ k }})
                    * ({{ concentration }} - {{ b }}_bp_lo_{{ k }})
                    + {{ b }}_iaqi_lo_{{ k }}
            {%- endfor %}
            when {{ b }}_iaqi_top = 500 then 500
        end,
        6
    )
{%- endmacro %}
