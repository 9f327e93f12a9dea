-- 总览 status summary: per as-of year, category and status, the number of headline indicators, with the status
-- word and colour from the one vocabulary; full labels for a summary that is never a truncated legend.
with

tiles as (

    select * from {{ ref('board_indicator_tiles') }}

),

vocabulary as (

    select * from {{ ref('status_vocabulary') }}

),

counts as (

    select
        as_of_year,
        category,
        any_value(category_zh) as category_zh,
        any_value(category_order) as category_order,
        status,
        count(*) as indicator_count
    from tiles
    group by as_of_year, category, status

),

final as (

    select
        counts.as_of_year::integer as as_of_year,
        counts.category::varchar as category,
        counts.category_zh::varchar as category_zh,
        counts.category_order::integer as category_order,
        (row_number() over (
            partition by counts.as_of_year, counts.category order by vocabulary.status_order
        ) = 1)::boolean as is_category_start,
        (sum(counts.indicator_count) over (partition by counts.as_of_year, counts.category))::integer
            as category_total,
        counts.status::varchar as status,
        vocabulary.status_zh::varchar as status_zh,
        vocabulary.colour_zh::varchar as colour_zh,
        vocabulary.colour_hex::varchar as colour_hex,
        vocabulary.status_order::integer as status_order,
        counts.indicator_count::integer as indicator_count
    from counts
    inner join vocabulary on counts.status = vocabulary.status

)

select * from final
