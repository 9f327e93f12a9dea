{#- The inputs of the environment indicators (macros/indicator_inputs.sql): plant-month volumes, plant-years,
    area-month waste tonnages and the survey's areas, with the population of the per-capita indicator. -#}
{%- set plants_feed = 'environment__wastewater_plant_monthly' -%}
{%- set waste_feed = 'environment__household_waste_records' -%}
{%- set survey_feed = 'environment__forest_greenspace_survey' -%}

with

plant_months as (

    select * from {{ ref('stg_environment__wastewater_plant_months') }}

),

plant_years as (

    -- a plant-year comes from its monthly returns: the capacity of the latest one, the class of the majority
    select
        years.*,
        files.source_file_sha256s,
        latest.source_file_sha256 as latest_file_sha256
    from {{ ref('int_environment__wastewater_plant_years') }} as years
    inner join (
        select plant_name, year, list(distinct source_file_sha256) as source_file_sha256s
        from plant_months group by plant_name, year
    ) as files on years.plant_name = files.plant_name and years.year = files.year
    inner join plant_months as latest
        on years.plant_name = latest.plant_name and years.last_month_start = latest.month_start

),

waste as (

    select * from {{ ref('stg_environment__household_waste_months') }}

),

survey as (

    select * from {{ ref('stg_environment__forest_greenspace_survey') }}

),

population as (

    select * from {{ ref('stg_statistics__district_tables') }}

),

reclaimed_water_use_pct as (
    {{ input_records('plant_months', plants_feed, "plant_name || ' ' || strftime(month_start, '%Y-%m')", [
        ('reclaimed_water_used_wan_t', 'numerator', 'reclaimed_water_used_wan_t', '再生水利用量（月）', '万吨'),
        ('wastewater_treated_wan_t', 'denominator', 'wastewater_treated_wan_t', '污水处理量（月）', '万吨'),
    ]) }}
),

wastewater_treatment_capacity as (
    select
        area_code, year, 'numerator' as role, 'year_end_capacity_wan_t_per_day' as component,
        '年末设计处理能力（当年最后一期月报）' as component_zh, plant_name || ' ' || year as input_key,
        year_end_capacity_wan_t_per_day::double as value, '万吨/日' as unit, '{{ plants_feed }}' as source_feed,
        [latest_file_sha256] as source_file_sha256
    from plant_years
),

wwtp_class_iv_effluent_pct as (
    select
        area_code, year, 'numerator' as role, 'plant_meets_class_iv' as component,
        '全年过半月份出水达到准IV类的污水处理厂（1 = 是）' as component_zh, plant_name || ' ' || year as input_key,
        meets_class_iv::integer::double as value, '座' as unit, '{{ plants_feed }}' as source_feed,
        source_file_sha256s as source_file_sha256
    from plant_years
    where meets_class_iv
    union all
    select
        area_code, year, 'denominator', 'plant_reporting', '报送月报的城市污水处理厂', plant_name || ' ' || year,
        1.0, '座', '{{ plants_feed }}', source_file_sha256s
    from plant_years
),

{%- set waste_key = "area_code || ' ' || strftime(month_start, '%Y-%m')" %}
{% for code, column, component_zh in [
    ('waste_incineration_pct', 'incinerated_wan_t', '焚烧处理量（月）'),
    ('waste_landfill_pct', 'landfilled_wan_t', '填埋处理量（月）'),
] %}
{{ code }} as (
    {{ input_records('waste', waste_feed, waste_key, [
        (column, 'numerator', column, component_zh, '万吨'),
        ('collected_wan_t', 'denominator', 'collected_wan_t', '生活垃圾清运量（月）', '万吨'),
    ]) }}
),
{% endfor %}

waste_recycling_pct as (
    -- generated = collected + recycled (ind_waste_recycling_pct): both are parts of the denominator
    {{ input_records('waste', waste_feed, waste_key, [
        ('recycled_wan_t', 'numerator', 'recycled_wan_t', '回收利用量（月）', '万吨'),
        ('collected_wan_t', 'denominator', 'collected_wan_t', '生活垃圾清运量（月）', '万吨'),
        ('recycled_wan_t', 'denominator', 'recycled_wan_t', '回收利用量（月，计入产生量）', '万吨'),
    ]) }}
),

forest_coverage_pct as (
    {{ input_records('survey', survey_feed, "area_code || ' ' || year", [
        ('forest_area_km2', 'numerator', 'forest_area_km2', '森林面积', '平方公里'),
        ('land_area_km2', 'denominator', 'land_area_km2', '国土面积', '平方公里'),
    ]) }}
),

built_up_area_green_ratio_pct as (
    {{ input_records('survey', survey_feed, "area_code || ' ' || year", [
        ('built_up_green_area_ha', 'numerator', 'built_up_green_area_ha', '建成区绿地面积', '公顷'),
        ('built_up_area_km2 * 100', 'denominator', 'built_up_area_ha', '建成区面积', '公顷'),
    ]) }}
),

park_green_space_per_capita as (
    {{ input_records('survey', survey_feed, "area_code || ' ' || year", [
        ('park_green_area_ha * 10000', 'numerator', 'park_green_area_m2', '公园绿地面积', '平方米'),
    ]) }}
    union all
    {{ input_records('population', 'statistics__jinan_bureau_district_tables', "area_code || ' ' || year", [
        ('urban_resident_population_wan * 10000', 'denominator', 'urban_resident_population', '城镇常住人口', '人'),
    ]) }}
)

{{ indicator_input_rows('reclaimed_water_use_pct', 'reclaimed_water_use_pct', city='all') }}
union all
{{ indicator_input_rows('wastewater_treatment_capacity', 'wastewater_treatment_capacity', city='all') }}
union all
{{ indicator_input_rows('wwtp_class_iv_effluent_pct', 'wwtp_class_iv_effluent_pct', city='all') }}
{% for code in ['waste_recycling_pct', 'waste_incineration_pct', 'waste_landfill_pct', 'forest_coverage_pct',
                'built_up_area_green_ratio_pct'] %}
union all
{{ indicator_input_rows(code, code, city='counties_else_sent') }}
{% endfor %}
union all
{{ indicator_input_rows('park_green_space_per_capita', 'park_green_space_per_capita',
                        city={'numerator': 'counties_else_sent', 'denominator': 'sent'}) }}
