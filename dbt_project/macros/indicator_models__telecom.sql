{#- the ind_ models of the telecom feeds (see macros/indicator_models.sql) -#}
{% macro telecom_indicator_models() %}
    {{ return([
        'ind_five_g_base_stations',
        'ind_five_g_coverage_pct',
        'ind_fibre_to_home_coverage_pct',
        'ind_gigabit_capable_household_pct',
    ]) }}
{% endmacro %}
