-- 总览 cockpit: one tile per headline indicator (专栏1) and as-of year, in the plan's order, ready for a single-query
-- tile grid (Handlebars): the value of record as text at the indicator's precision (the figure judged is the figure
-- shown), the 2025 target, the status with its word and colour from the one vocabulary (urbanmon/status.py), the
-- trend arrow and whether the figure is real or sample data.
with

overview as (

    select * from {{ ref('board_indicator_overview') }}

),

catalog as (

    select indicator_code, precision_decimals from {{ ref('indicator_catalog') }}

),

vocabulary as (

    select * from {{ ref('status_vocabulary') }}

),

-- the plan's order of the four categories: that of their first headline indicator (专栏1 lists them by category)
category_order as (

    select category, dense_rank() over (order by min(headline_no)) as category_order
    from overview
    group by category

),

final as (

    select
        overview.indicator_code::varchar as indicator_code,
        overview.headline_no::integer as headline_no,
        overview.indicator_label::varchar as indicator_label,
        overview.name_zh::varchar as name_zh,
        overview.category::varchar as category,
        overview.category_zh::varchar as category_zh,
        category_order.category_order::integer as category_order,
        (row_number() over (
            partition by overview.as_of_year, overview.category order by overview.headline_no
        ) = 1)::boolean as is_category_start,
        overview.as_of_year::integer as as_of_year,
        overview.value_year::integer as value_year,
        overview.actual_value::double as actual_value,
        -- the value exactly as judged: served rounded to the precision, printed with that many decimals
        coalesce(printf('%.' || catalog.precision_decimals || 'f', overview.actual_value), '—')::varchar
            as value_text,
        coalesce(overview.unit_zh, '')::varchar as unit_zh,
        coalesce(overview.target_2025_text, '—')::varchar as target_2025_text,
        overview.status::varchar as status,
        vocabulary.status_zh::varchar as status_zh,
        vocabulary.colour_zh::varchar as colour_zh,
        vocabulary.colour_hex::varchar as colour_hex,
        overview.trend_arrow::varchar as trend_arrow,
        (case overview.trend_arrow
            when '↑' then '较上一年上升'
            when '↓' then '较上一年下降'
            when '→' then '与上一年持平'
            else '无上一年数据'
        end)::varchar as trend_zh,
        overview.is_synthetic::boolean as is_sample,
        coalesce(overview.value_source_zh, '暂无数据')::varchar as data_nature_zh
    from overview
    inner join catalog using (indicator_code)
    inner join category_order using (category)
    -- colour and words from the vocabulary by the served status code, never mapped here
    inner join vocabulary on overview.status = vocabulary.status

)

select * from final
