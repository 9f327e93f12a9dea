{#- every ind_<indicator_code> model; they share the columns of indicator_values. Adding an indicator adds it here -#}
{% macro indicator_models() %}
    {{ return(['ind_air_quality_good_days_ratio']) }}
{% endmacro %}
