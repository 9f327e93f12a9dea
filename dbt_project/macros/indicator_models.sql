{#-
    Every ind_<indicator_code> model; they share the columns of indicator_values. Each feed domain lists its own in
    macros/indicator_models__<domain>.sql, so adding an indicator touches its domain's list and one model.
-#}
{% macro indicator_models() %}
    {{ return(
        ['ind_air_quality_good_days_ratio']
        + statistics_indicator_models()
        + departments_indicator_models()
        + environment_indicator_models()
        + telecom_indicator_models()
    ) }}
{% endmacro %}
