with

source as (

    select * from {{ ref('registry_areas') }}

),

final as (

    select
        area_code::varchar as area_code,
        name_zh::varchar as name_zh,
        short_name::varchar as short_name,
        name_en::varchar as name_en,
        area_kind::varchar as area_kind,
        parent_code::varchar as parent_code,
        code_system::varchar as code_system,
        aliases::varchar as aliases,
        note::varchar as note,
        registry_version::varchar as registry_version
    from source

)

select * from final
