{#-
    IAQI by linear interpolation between the breakpoints of HJ 633 (seed ref_aqi_breakpoints), in two macros:

    iaqi_breakpoint_rows(breakpoints) pivots the long seed into one row per (standard, pollutant, averaging) with
    the segments as columns bp_hi_1.., so that a model joins one small row per pollutant instead of fanning every
    hour out over every segment (3 M hours × 6 pollutants × 7 segments would be 130 M rows).

    iaqi(concentration, segments) is the interpolation over such a row:
      - the first segment whose upper breakpoint is >= the concentration is used; exactly at a breakpoint this
        gives the breakpoint's IAQI (the same value either adjacent segment would give);
      - above the highest breakpoint of a table that reaches IAQI 500: 500;
      - above the top of the 1-hour SO2 and 8-hour O3 tables (which stop at 800): NULL, because the standard
        reports another averaging period instead, which the caller supplies;
      - NULL or negative concentration: NULL.
    The result is DOUBLE before rounding, rounded to 1e-6 so that ceiling / rounding are not thrown off by binary
    noise (e.g. 50.00000000001).
-#}
{% macro iaqi_breakpoint_rows(breakpoints) -%}
    select
        standard,
        pollutant,
        averaging,
        max(iaqi_hi) as iaqi_top,
        {%- for k in range(1, 8) %}
        max(bp_lo) filter (where segment = {{ k }}) as bp_lo_{{ k }},
        max(bp_hi) filter (where segment = {{ k }}) as bp_hi_{{ k }},
        max(iaqi_lo) filter (where segment = {{ k }}) as iaqi_lo_{{ k }},
        max(iaqi_hi) filter (where segment = {{ k }}) as iaqi_hi_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            row_number() over (partition by standard, pollutant, averaging order by bp_lo) as segment
        from {{ breakpoints }}
    )
    group by standard, pollutant, averaging
{%- endmacro %}

{% macro iaqi(concentration, segments) -%}
    round(
        case
            when {{ concentration }} is null or {{ concentration }} < 0 then null
            {%- for k in range(1, 8) %}
            when {{ concentration }} <= {{ segments }}.bp_hi_{{ k }}
                then ({{ segments }}.iaqi_hi_{{ k }} - {{ segments }}.iaqi_lo_{{ k }})
                    / ({{ segments }}.bp_hi_{{ k }} - {{ segments }}.bp_lo_{{ k }})
                    * ({{ concentration }} - {{ segments }}.bp_lo_{{ k }})
                    + {{ segments }}.iaqi_lo_{{ k }}
            {%- endfor %}
            when {{ segments }}.iaqi_top = 500 then 500
        end,
        6
    )
{%- endmacro %}
