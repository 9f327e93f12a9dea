-- The league table's components (urbanmon/league.py): per area, year and indicator scored, the value, its change
-- since the area's previous year with data, and the indicator's level and improvement scores
with

components as (

    select * from {{ ref('int_district_score_components') }}

),

areas as (

    select * from {{ ref('registry_areas') }}

),

catalog as (

    select indicator_code, category_zh from {{ ref('registry_indicators') }}

),

final as (

    select
        components.area_code::varchar as area_code,
        areas.short_name::varchar as area_name,
        areas.area_kind::varchar as area_kind,
        components.year::integer as year,
        components.indicator_code::varchar as indicator_code,
        components.category::varchar as category,
        catalog.category_zh::varchar as category_zh,
        components.direction_sign::integer as direction_sign,
        components.value::double as value,
        components.previous_year::integer as previous_year,
        components.change::double as change,
        components.level_score::double as level_score,
        components.improvement_score::double as improvement_score,
        components.scoring_version::varchar as scoring_version
    from components
    inner join areas on components.area_code = areas.area_code
    inner join catalog on components.indicator_code = catalog.indicator_code

)

select * from final
