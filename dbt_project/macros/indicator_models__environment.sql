{#- the ind_ models of the environment feeds (see macros/indicator_models.sql) -#}
{% macro environment_indicator_models() %}
    {{ return([]) }}
{% endmacro %}
