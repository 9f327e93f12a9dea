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

    select indicator_code, area_code, year, status, status_zh, status_colour
    from {{ ref('indicator_progress') }}
    where is_default_method
    qualify row_number() over (partition by indicator_code, area_code, year order by milestone_year) = 1

),

vocabulary as (

    select status, colour_hex from {{ ref('status_vocabulary') }}

),

joined as (

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
        status.status_colour::varchar as status_colour,
        vocabulary.colour_hex::varchar as colour_hex,
        printf('%.' || catalog.precision_decimals || 'f', values_by_area.value)::varchar as value_text
    from values_by_area
    inner join areas on values_by_area.area_code = areas.area_code
    inner join catalog on values_by_area.indicator_code = catalog.indicator_code
    left join status
        on values_by_area.indicator_code = status.indicator_code
        and values_by_area.area_code = status.area_code
        and values_by_area.year = status.year
    left join vocabulary on status.status = vocabulary.status

),

-- the city's figure beside every district's, for the reference line
with_city as (

    select
        joined.*,
        max(case when joined.area_kind = 'city' then joined.value end)
            over (partition by joined.indicator_code, joined.year) as city_value,
        max(case when joined.area_kind = 'city' then joined.value_text end)
            over (partition by joined.indicator_code, joined.year) as city_value_text,
        max(case when joined.area_kind != 'city' then abs(joined.value) end)
            over (partition by joined.indicator_code, joined.year) as district_max,
        (select count(*) from areas where area_kind = 'county') as n_districts,
        catalog.precision_decimals
    from joined
    inner join catalog on joined.indicator_code = catalog.indicator_code

),

-- bars and line share one scale: 0 … the largest district, widened to the city's figure when that is comparable
-- (at most 1.5 times the largest district). A city total far above every district (a count summed over them) would
-- flatten the districts near zero: the line is then drawn at the district average (the city total ÷ 12) and says so
scaled as (

    select
        with_city.*,
        (with_city.city_value is not null
            and abs(with_city.city_value) <= 1.5 * coalesce(with_city.district_max, 0)) as city_in_scale,
        case
            when with_city.city_value is not null
                and abs(with_city.city_value) <= 1.5 * coalesce(with_city.district_max, 0)
                then greatest(with_city.district_max, abs(with_city.city_value))
            else with_city.district_max
        end as scale_max
    from with_city

),

reference as (

    select
        scaled.*,
        case when city_in_scale then city_value else city_value / n_districts end as reference_value
    from scaled

),

final as (

    select
        indicator_code,
        indicator_label,
        category_zh,
        area_code,
        area_name,
        area_kind,
        (area_kind = 'city')::boolean as is_city,
        year,
        value,
        value_text::varchar as value_text,
        unit_zh,
        is_synthetic,
        (case when is_synthetic then '样例数据' else '真实数据' end)::varchar as data_nature_zh,
        status_zh,
        status_colour,
        colour_hex,
        city_value::double as city_value,
        city_value_text::varchar as city_value_text,
        (case when area_kind != 'city' then round(greatest(coalesce(value, 0), 0) / nullif(scale_max, 0) * 100, 1) end)
            ::double as bar_pct,
        round(greatest(reference_value, 0) / nullif(scale_max, 0) * 100, 1)::double as reference_pct,
        (case
            when city_value is null then null
            when city_in_scale then '全市 ' || city_value_text
            else '区县平均 ' || printf('%.' || (precision_decimals + 1) || 'f', reference_value)
                || '（全市合计 ' || city_value_text || ' ÷ ' || n_districts || '）'
        end)::varchar as reference_text,
        coalesce(city_in_scale, false)::boolean as is_city_line_drawn,
        (bool_or(is_synthetic) over (partition by indicator_code, year))::boolean as has_sample
    from reference

)

select * from final
