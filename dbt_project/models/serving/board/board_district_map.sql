-- The league table of the latest ranked year on the district outlines: one row per district with its fill colour
-- by rank (four bands of three), for the 区县对比 map (a Handlebars chart drawing inline SVG, no map tiles).
with

shapes as (

    select * from {{ ref('district_shapes') }}

),

scores as (

    select * from {{ ref('board_district_league') }}
    where is_ranked

),

latest as (

    select max(year) as year from scores

),

final as (

    select
        shapes.area_code::varchar as area_code,
        shapes.area_name::varchar as area_name,
        latest.year::integer as year,
        scores.rank::integer as rank,
        scores.overall_score::double as overall_score,
        scores.rating::varchar as rating,
        coalesce(scores.is_commended, false)::boolean as is_commended,
        coalesce(scores.is_sample_ranking, false)::boolean as is_sample_ranking,
        (case
            when scores.rank is null then '#d9d9d9'
            when scores.rank <= 3 then '#1a9850'
            when scores.rank <= 6 then '#91cf60'
            when scores.rank <= 9 then '#fee08b'
            else '#fc8d59'
        end)::varchar as fill_colour,
        shapes.svg_path::varchar as svg_path,
        shapes.label_x::double as label_x,
        shapes.label_y::double as label_y,
        shapes.viewbox::varchar as viewbox
    from shapes
    cross join latest
    left join scores on shapes.area_code = scores.area_code and scores.year = latest.year

)

select * from final
