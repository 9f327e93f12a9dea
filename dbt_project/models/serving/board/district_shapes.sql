with

shapes as (

    select * from {{ ref('int_district_shapes') }}

),

areas as (

    select * from {{ ref('registry_areas') }}

),

final as (

    select
        shapes.area_code::varchar as area_code,
        coalesce(areas.short_name, shapes.name_zh)::varchar as area_name,
        shapes.name_zh::varchar as name_zh,
        shapes.svg_path::varchar as svg_path,
        shapes.label_x::double as label_x,
        shapes.label_y::double as label_y,
        shapes.viewbox::varchar as viewbox
    from shapes
    left join areas on shapes.area_code = areas.area_code

)

select * from final
