-- The status vocabulary (urbanmon/status.py): every status code a progress row can carry, with the words, colour and
-- badge every board shows; the boards join it instead of mapping colours themselves.
with

source as (

    select * from {{ ref('registry_status_vocabulary') }}

),

final as (

    select
        status::varchar as status,
        status_zh::varchar as status_zh,
        status_colour::varchar as status_colour,
        colour_zh::varchar as colour_zh,
        colour_hex::varchar as colour_hex,
        status_badge::varchar as status_badge,
        status_order::integer as status_order,
        meaning_en::varchar as meaning_en,
        is_behind::boolean as is_behind
    from source

)

select * from final
