{#-
    The unified department report form pivoted: one row per area and year, one column per catalogue item
    (sources/departments__jinan_department_reports/items.yaml; tests/unit keep this list equal to it).

    The city (area_kind 'city', 370100) is the SUM OF THE 12 COUNTY-LEVEL DIVISIONS wherever all of them reported
    the item that year; the 全市 row of a file is used only where the districts are incomplete (never both, so
    nothing is counted twice). Functional zones overlap districts and never enter the sum; their own rows are kept.
-#}
{%- set items = [
    'licensed_physicians', 'infant_care_places', 'smart_hospitals', 'hospitals_grade_2_plus',
    'smart_campus_schools', 'primary_secondary_schools', 'hd_video_covered_key_areas', 'key_public_areas',
    'e_licence_uses', 'licence_verifications', 'elderly_care_compliant_communities',
    'communities_requiring_elderly_care', 'vocational_training_attendances_wan', 'villages_collective_income_100k',
    'administrative_villages', 'logistics_covered_villages', 'eligible_villages',
] -%}

with

reports as (

    select * from {{ ref('stg_departments__department_reports') }}

),

areas as (

    select area_code, area_kind from {{ ref('registry_areas') }}

),

county_count as (

    select count(*) as counties from areas where area_kind = 'county'

),

city_area as (

    select area_code from areas where area_kind = 'city'

),

classified as (

    select reports.area_code, reports.year, reports.item_code, reports.value, reports.is_synthetic, areas.area_kind
    from reports
    inner join areas on reports.area_code = areas.area_code

),

district_sums as (

    select
        year,
        item_code,
        -- rounded: a sum of doubles (万人次 with decimals) must not depend on the order dbt adds them in
        round(sum(value), 6) as value,
        count(*) as districts,
        bool_or(is_synthetic) as is_synthetic
    from classified
    where area_kind = 'county'
    group by year, item_code

),

city_rows as (

    select year, item_code, value, is_synthetic from classified where area_kind = 'city'

),

city as (

    select
        (select area_code from city_area) as area_code,
        coalesce(sums.year, sent.year) as year,
        coalesce(sums.item_code, sent.item_code) as item_code,
        case when sums.districts = county_count.counties then sums.value else sent.value end as value,
        case when sums.districts = county_count.counties then sums.is_synthetic else sent.is_synthetic end
            as is_synthetic
    from district_sums as sums
    full outer join city_rows as sent on sums.year = sent.year and sums.item_code = sent.item_code
    cross join county_count

),

by_area as (

    select area_code, year, item_code, value, is_synthetic from classified where area_kind <> 'city'
    union all
    select area_code, year, item_code, value, is_synthetic from city where value is not null

),

pivoted as (

    select
        area_code,
        year,
        {%- for item in items %}
        max(value) filter (where item_code = '{{ item }}') as {{ item }},
        {%- endfor %}
        bool_or(is_synthetic) as is_synthetic
    from by_area
    group by area_code, year

)

select * from pivoted
