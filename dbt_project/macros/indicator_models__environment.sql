{#- the ind_ models of the environment feeds (see macros/indicator_models.sql) -#}
{% macro environment_indicator_models() %}
    {{ return([
        'ind_reclaimed_water_use_pct',
        'ind_wastewater_treatment_capacity',
        'ind_wwtp_class_iv_effluent_pct',
        'ind_forest_coverage_pct',
        'ind_park_green_space_per_capita',
        'ind_built_up_area_green_ratio_pct',
        'ind_waste_recycling_pct',
        'ind_waste_incineration_pct',
        'ind_waste_landfill_pct',
    ]) }}
{% endmacro %}
