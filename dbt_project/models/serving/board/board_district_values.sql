-- 区县对比: every per-district indicator by area (Jinan and its 12 county-level districts) and year, with the area's
-- status under the indicator's default method against the nearest milestone (a reference: the plan sets no district
-- targets). Row-level security for district users filters this table on area_code.
with

values_by_area as (

    select * from {{ ref('indicator_values') }}
    where is_primary_series and area_code is not null

),

areas as (

    select * from {{ ref('area_catalog') }}
    where area_kind in ('city', 'county')

),

catalog as (

    select * from {{ ref('indicator_catalog') }}

),

status as (

    select indicator_code, area_code, year, status_zh, status_colour
    from {{ ref('indicator_progress') }}
    where is_default_method
    qualify row_number() over (partition by indicator_code, area_code, year order by milestone_year) = 1

),

final as (

    select
        values_by_area.indicator_code::varchar as indicator_code,
        {{ indicator_label('catalog.headline_no', 'catalog.name_zh') }}
            as indicator_label,
        catalog.category_zh::varchar as category_zh,
        values_by_area.area_code::varchar as area_code,
        areas.short_name::varchar as area_name,
        areas.area_kind::varchar as area_kind,
        values_by_area.year::integer as year,
        values_by_area.value::double as value,
        catalog.unit_zh::varchar as unit_zh,
        values_by_area.is_synthetic::boolean as is_synthetic,
        status.status_zh::varchar as status_zh,
        status.status_colour::varchar as status_colour
    from values_by_area
    inner join areas on values_by_area.area_code = areas.area_code
    inner join catalog on values_by_area.indicator_code = catalog.indicator_code
    left join status
        on values_by_area.indicator_code = status.indicator_code
        and values_by_area.area_code = status.area_code
        and values_by_area.year = status.year

)

select * from final
