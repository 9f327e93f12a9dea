-- 区县对比 scorecard (DHIS2-style): headline indicators × areas × year as cells, each coloured by the area's status
-- under the default method against the nearest milestone of the CITY's targets (a reference: the plan sets no
-- district targets), in two panels: the 12 county-level divisions (the matrix) and the functional zones (beside it).
-- Each panel's rows start with the city's cell (label, 2025 target, city value) and a header row names the columns;
-- every cell carries its own area_code, so district users' row-level security keeps their district and the city.
with

catalog as (

    select * from {{ ref('indicator_catalog') }}
    where headline_no is not null

),

areas as (

    select
        area_code,
        short_name,
        area_kind,
        case area_kind when 'functional_zone' then 'zones' else 'districts' end as panel
    from {{ ref('area_catalog') }}
    where area_kind in ('county', 'functional_zone')
    union all
    -- the city heads both panels
    select area_code, short_name, area_kind, panel
    from {{ ref('area_catalog') }}
    cross join (values ('districts'), ('zones')) as panels (panel)
    where area_kind = 'city'

),

values_by_area as (

    select indicator_code, area_code, year, value, is_synthetic
    from {{ ref('indicator_values') }}
    where is_primary_series and area_code is not null

),

status as (

    select indicator_code, area_code, year, status
    from {{ ref('indicator_progress') }}
    where is_default_method
    qualify row_number() over (partition by indicator_code, area_code, year order by milestone_year) = 1

),

vocabulary as (

    select * from {{ ref('status_vocabulary') }}

),

-- the years and indicators the panel has any value for (below the city)
panel_rows as (

    select distinct areas.panel, values_by_area.year, values_by_area.indicator_code
    from values_by_area
    inner join areas on values_by_area.area_code = areas.area_code and areas.area_kind != 'city'
    inner join catalog on values_by_area.indicator_code = catalog.indicator_code

),

cells as (

    select
        panel_rows.panel,
        panel_rows.year,
        catalog.indicator_code,
        catalog.headline_no,
        {{ indicator_label('catalog.headline_no', 'catalog.name_zh') }} as indicator_label,
        catalog.category_zh,
        coalesce(catalog.unit_zh, '') as unit_zh,
        coalesce(catalog.target_2025_text, '—') as target_2025_text,
        catalog.precision_decimals,
        areas.area_code,
        areas.short_name as area_name,
        areas.area_kind,
        values_by_area.value,
        coalesce(values_by_area.is_synthetic, false) as is_sample,
        coalesce(status.status, case when values_by_area.value is null then 'no_data' else 'not_assessable' end)
            as status
    from panel_rows
    inner join catalog on panel_rows.indicator_code = catalog.indicator_code
    inner join areas on panel_rows.panel = areas.panel
    left join values_by_area
        on catalog.indicator_code = values_by_area.indicator_code
        and areas.area_code = values_by_area.area_code
        and panel_rows.year = values_by_area.year
    left join status
        on catalog.indicator_code = status.indicator_code
        and areas.area_code = status.area_code
        and panel_rows.year = status.year

),

headers as (

    select distinct
        panel, year, area_code, area_name, area_kind
    from cells

),

all_rows as (

    select
        cells.panel::varchar as panel,
        cells.year::integer as year,
        cells.headline_no::integer as row_order,
        false::boolean as is_header,
        (cells.area_kind = 'city')::boolean as is_row_start,
        cells.indicator_code::varchar as indicator_code,
        cells.indicator_label::varchar as indicator_label,
        cells.category_zh::varchar as category_zh,
        cells.target_2025_text::varchar as target_2025_text,
        cells.area_code::varchar as area_code,
        cells.area_name::varchar as area_name,
        cells.area_kind::varchar as area_kind,
        cells.value::double as value,
        (coalesce(printf('%.' || cells.precision_decimals || 'f', cells.value), '—')
            || case when cells.is_sample then '*' else '' end)::varchar as cell_text,
        cells.unit_zh::varchar as unit_zh,
        cells.is_sample::boolean as is_sample,
        cells.status::varchar as status,
        vocabulary.status_zh::varchar as status_zh,
        vocabulary.colour_hex::varchar as colour_hex
    from cells
    inner join vocabulary on cells.status = vocabulary.status
    union all
    select
        headers.panel,
        headers.year,
        0,
        true,
        headers.area_kind = 'city',
        null,
        null,
        null,
        null,
        headers.area_code,
        headers.area_name,
        headers.area_kind,
        null,
        headers.area_name,
        null,
        false,
        null,
        null,
        null
    from headers

),

final as (

    select
        *,
        -- the panel shows a sample-data notice when any of its cells comes from sample data
        (bool_or(is_sample) over (partition by panel, year))::boolean as panel_has_sample
    from all_rows

)

select * from final
