{#-
    `value` rounded by GB/T 8170 (round half to even on the decimal digits) to `decimals`, which may be a column
    (the indicator's precision from the registry): the double is read at nine decimals as a DECIMAL, so 13.45 rounds
    as the 13.45 a publisher wrote, not as 13.4499999…, and the rounding is done on integers (DuckDB's round_even
    goes through a double, and rounds 2.05 to 2.1). The Python twin is urbanmon.precision.round_gbt8170;
    tests/unit/test_precision.py holds the two against each other.
-#}
{% macro gbt8170_round(value, decimals) -%}
    {%- set scaled -%}abs((({{ value }})::decimal(38, 9) * 1000000000)::hugeint){%- endset -%}
    {%- set step -%}pow(10, 9 - ({{ decimals }}))::hugeint{%- endset -%}
    (
        sign(({{ value }})::double) * (
            {{ scaled }} // {{ step }}
            + case
                when 2 * ({{ scaled }} % {{ step }}) > {{ step }} then 1
                when 2 * ({{ scaled }} % {{ step }}) = {{ step }} then ({{ scaled }} // {{ step }}) % 2
                else 0
            end
        )::double / pow(10, {{ decimals }})
    )
{%- endmacro %}
