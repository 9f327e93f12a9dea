{#- The inputs of the department-report indicators (macros/indicator_inputs.sql): the report rows of the items each
    formula divides (macros/department_indicators.sql), the population of the per-1000 indicators from the district
    tables. One entry per indicator: (code, numerator item, denominator item or 'population' or none). -#}
{%- set indicators = [
    ('community_elderly_care_facility_compliance_pct', 'elderly_care_compliant_communities', 'communities_requiring_elderly_care'),
    ('e_licence_usage_pct', 'e_licence_uses', 'licence_verifications'),
    ('hd_video_surveillance_coverage_pct', 'hd_video_covered_key_areas', 'key_public_areas'),
    ('smart_campus_coverage_pct', 'smart_campus_schools', 'primary_secondary_schools'),
    ('smart_hospital_coverage_pct', 'smart_hospitals', 'hospitals_grade_2_plus'),
    ('village_logistics_coverage_pct', 'logistics_covered_villages', 'eligible_villages'),
    ('villages_collective_income_100k_pct', 'villages_collective_income_100k', 'administrative_villages'),
    ('vocational_training_attendances', 'vocational_training_attendances_wan', none),
    ('infant_care_places_per_1000', 'infant_care_places', 'population'),
    ('physicians_per_1000', 'licensed_physicians', 'population'),
] -%}

with

reports as (

    select
        area_code,
        year,
        item_code as component,
        item_name_as_sent as component_zh,
        area_code || ' ' || item_code as input_key,
        value,
        unit,
        'departments__jinan_department_reports' as source_feed,
        [source_file_sha256] as source_file_sha256
    from {{ ref('stg_departments__department_reports') }}

),

population as (

    -- the one population every per-capita indicator divides by (macros/department_indicators.sql), in thousands
    select
        area_code,
        year,
        'denominator' as role,
        'resident_population_thousand' as component,
        '年末常住人口（千人）' as component_zh,
        area_code || ' resident_population' as input_key,
        resident_population_wan * 10 as value,
        '千人' as unit,
        'statistics__jinan_bureau_district_tables' as source_feed,
        [source_file_sha256] as source_file_sha256
    from {{ ref('stg_statistics__district_tables') }}

),

{% for code, numerator, denominator in indicators %}
records_{{ loop.index }} as (

    select area_code, year, 'numerator' as role, * exclude (area_code, year)
    from reports where component = '{{ numerator }}'
    {%- if denominator == 'population' %}
    union all
    select * from population
    {%- elif denominator %}
    union all
    select area_code, year, 'denominator' as role, * exclude (area_code, year)
    from reports where component = '{{ denominator }}'
    {%- endif %}

){% if not loop.last %},{% endif %}
{% endfor %}

{% for code, numerator, denominator in indicators %}
{{ indicator_input_rows(code, 'records_' ~ loop.index,
                        city={'numerator': 'counties_else_sent', 'denominator': 'sent' if denominator == 'population'
                              else 'counties_else_sent'}) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
