{#- the ind_ models of the departments feeds (see macros/indicator_models.sql) -#}
{% macro departments_indicator_models() %}
    {{ return([
        'ind_physicians_per_1000',
        'ind_infant_care_places_per_1000',
        'ind_smart_hospital_coverage_pct',
        'ind_smart_campus_coverage_pct',
        'ind_hd_video_surveillance_coverage_pct',
        'ind_e_licence_usage_pct',
        'ind_community_elderly_care_facility_compliance_pct',
        'ind_vocational_training_attendances',
        'ind_villages_collective_income_100k_pct',
        'ind_village_logistics_coverage_pct',
    ]) }}
{% endmacro %}
