{#- the ind_ models of the departments feeds (see macros/indicator_models.sql) -#}
{% macro departments_indicator_models() %}
    {{ return([]) }}
{% endmacro %}
