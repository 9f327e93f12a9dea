-- 总览: per headline indicator (专栏1) and as-of year, Jinan's latest value at or before that year, judged under the
-- indicator's default method against the nearest milestone still ahead, with the status explained.
with

catalog as (

    select * from {{ ref('indicator_catalog') }}
    where headline_no is not null

),

progress as (

    select * from {{ ref('indicator_progress') }}
    where area_code = '{{ var("city_code") }}' and is_default_method

),

-- the nearest milestone from each assessed year on
nearest as (

    select *
    from progress
    qualify row_number() over (partition by indicator_code, year order by milestone_year) = 1

),

vocabulary as (

    select * from {{ ref('status_vocabulary') }}

),

values_city as (

    select
        indicator_code,
        year,
        any_value(is_synthetic) as is_synthetic,
        any_value(value_source) as value_source,
        any_value(citation) as citation
    from {{ ref('indicator_values') }}
    where area_code = '{{ var("city_code") }}' and is_primary_series
    group by indicator_code, year

),

years as (

    select distinct year as as_of_year from progress where year >= 2020
    union
    select distinct year from values_city where year >= 2020

),

grid as (

    select catalog.*, years.as_of_year
    from catalog
    cross join years

),

latest as (

    select
        grid.*,
        nearest.year as value_year,
        nearest.actual_value,
        nearest.milestone_year,
        nearest.target_value,
        nearest.status,
        nearest.status_zh,
        nearest.status_colour,
        nearest.method_version,
        nearest.explanation,
        nearest.required_annual_change,
        nearest.acceleration_factor,
        nearest.actual_annual_change
    from grid
    left join nearest
        on grid.indicator_code = nearest.indicator_code and nearest.year <= grid.as_of_year
    qualify row_number() over (
        partition by grid.indicator_code, grid.as_of_year order by nearest.year desc nulls last
    ) = 1

),

previous as (

    select
        latest.indicator_code,
        latest.as_of_year,
        prev.actual_value as previous_value,
        prev.year as previous_year
    from latest
    inner join nearest as prev
        on latest.indicator_code = prev.indicator_code and prev.year < latest.value_year
    qualify row_number() over (partition by latest.indicator_code, latest.as_of_year order by prev.year desc) = 1

),

final as (

    select
        latest.indicator_code::varchar as indicator_code,
        latest.headline_no::integer as headline_no,
        latest.name_zh::varchar as name_zh,
        {{ indicator_label('latest.headline_no', 'latest.name_zh') }} as indicator_label,
        latest.category::varchar as category,
        latest.category_zh::varchar as category_zh,
        latest.unit_zh::varchar as unit_zh,
        latest.is_binding::boolean as is_binding,
        latest.as_of_year::integer as as_of_year,
        latest.value_year::integer as value_year,
        latest.actual_value::double as actual_value,
        coalesce(values_city.is_synthetic, false)::boolean as is_synthetic,
        latest.target_2025_text::varchar as target_2025_text,
        latest.target_2035_text::varchar as target_2035_text,
        latest.milestone_year::integer as milestone_year,
        latest.target_value::double as target_value,
        vocabulary.status::varchar as status,
        vocabulary.status_zh::varchar as status_zh,
        vocabulary.status_colour::varchar as status_colour,
        vocabulary.status_badge::varchar as status_badge,
        latest.method_version::varchar as method_version,
        latest.required_annual_change::double as required_annual_change,
        latest.acceleration_factor::double as acceleration_factor,
        (coalesce(latest.explanation, '暂无数据：该指标尚无已发布的数值。')
            || coalesce('｜今后每年需变化 '
                || printf('%.' || latest.precision_decimals || 'f', latest.required_annual_change)
                || coalesce(latest.unit_zh, ''), '')
            || coalesce('｜加速倍数 ' || printf('%.2f', latest.acceleration_factor)
                || '（所需年均变化 ÷ 已实现年均变化）', '')
        )::varchar as explanation_zh,
        previous.previous_year::integer as previous_year,
        previous.previous_value::double as previous_value,
        (latest.actual_value - previous.previous_value)::double as change_from_previous,
        (case
            when previous.previous_value is null or latest.actual_value is null then '—'
            when latest.actual_value > previous.previous_value then '↑'
            when latest.actual_value < previous.previous_value then '↓'
            else '→'
        end)::varchar as trend_arrow,
        -- where the value of record comes from, and the publication that states it (official figures)
        (case values_city.value_source
            when 'official' then '官方公布'
            when 'computed_real' then '真实数据计算'
            when 'sample' then '样例数据'
        end)::varchar as value_source_zh,
        values_city.citation::varchar as citation
    from latest
    left join previous
        on latest.indicator_code = previous.indicator_code and latest.as_of_year = previous.as_of_year
    left join values_city
        on latest.indicator_code = values_city.indicator_code and latest.value_year = values_city.year
    -- the words, colour and badge of the status come from the one vocabulary (urbanmon/status.py)
    inner join vocabulary on coalesce(latest.status, 'no_data') = vocabulary.status

)

select * from final
