{#- the ind_ models of the telecom feeds (see macros/indicator_models.sql) -#}
{% macro telecom_indicator_models() %}
    {{ return([
        'ind_five_g_base_stations',
    ]) }}
{% endmacro %}
