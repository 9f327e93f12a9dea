{#-
    The mean of `column` over the group, rounded half to even to `digits` decimals (GB/T 8170), computed EXACTLY:
    the values are scaled to integers of 10^-scale (the CNEMC files print at most three decimals, CO; the other
    pollutants are integers) and the rounding is done on the integer quotient. round_even(avg(x)) on doubles is not
    reliable for CO: 0.55 is not representable, and whether the sum lands just above or below the tie depends on
    the summation order, which DuckDB's parallel aggregation does not fix (a full and an incremental build gave
    0.5 and 0.6 for the same day). Valid for non-negative values (the raw checks refuse negative concentrations).
-#}
{% macro mean_half_even(column, digits, scale=3) -%}
    {%- set num -%}(sum(round({{ column }} * {{ 10 ** scale }})::bigint)::hugeint * {{ 10 ** digits }}){%- endset -%}
    {%- set den -%}(count({{ column }})::hugeint * {{ 10 ** scale }}){%- endset -%}
    (
        {{ num }} // {{ den }}
        + case
            when 2 * ({{ num }} % {{ den }}) > {{ den }} then 1
            when 2 * ({{ num }} % {{ den }}) = {{ den }} then ({{ num }} // {{ den }}) % 2
            else 0
        end
    )::double / {{ 10 ** digits }}
{%- endmacro %}
