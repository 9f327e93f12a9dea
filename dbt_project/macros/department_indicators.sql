{#- The department-report indicators share two shapes (issue 4: one formula per indicator, written once):
    - department_share_pct: 100 × a count ÷ its universe, both from the same department report;
    - department_per_1000_residents: a count ÷ the year-end resident population in thousands, the population taken
      from ONE place, the statistics bureau's district tables (全市 row for the city);
    - department_amount: a reported amount as it stands (the year's figure, no denominator). -#}

{% macro _department_counts(code, value, numerator, denominator, formula, standard) %}
with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

computed as (

    select
        area_code,
        year,
        {{ value }} as value,
        {{ numerator }} as numerator,
        {{ denominator }} as denominator,
        is_synthetic
    from counts

)

{{ indicator_rows(code, 'computed', formula, standard) }}
{% endmacro %}


{% macro department_share_pct(code, numerator, denominator, formula, standard) %}
{{ _department_counts(code, '100.0 * ' ~ numerator ~ ' / nullif(' ~ denominator ~ ', 0)', numerator, denominator,
                      formula, standard) }}
{% endmacro %}


{% macro department_amount(code, amount, formula, standard) %}
{{ _department_counts(code, amount, amount, 'null::double', formula, standard) }}
{% endmacro %}


{% macro department_per_1000_residents(code, numerator, formula, standard) %}
with

counts as (

    select * from {{ ref('stg_departments__department_report_counts') }}

),

population as (

    -- the one population every per-capita indicator divides by: the district tables (全市 row for the city)
    select area_code, year, resident_population_wan, is_synthetic from {{ ref('stg_statistics__district_tables') }}

),

computed as (

    select
        counts.area_code,
        counts.year,
        counts.{{ numerator }} / nullif(population.resident_population_wan * 10, 0) as value,
        counts.{{ numerator }} as numerator,
        population.resident_population_wan * 10 as denominator,
        counts.is_synthetic or population.is_synthetic as is_synthetic
    from counts
    inner join population on counts.area_code = population.area_code and counts.year = population.year

)

{{ indicator_rows(code, 'computed', formula, standard) }}
{% endmacro %}
