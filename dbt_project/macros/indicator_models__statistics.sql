{#- the ind_ models of the statistics feeds (see macros/indicator_models.sql) -#}
{% macro statistics_indicator_models() %}
    {{ return([
        'ind_resident_population_year_end',
        'ind_urbanization_rate_resident_pct',
        'ind_urbanization_rate_hukou_pct',
        'ind_urban_rural_income_ratio',
    ]) }}
{% endmacro %}
