with

source as (

    select * from {{ source('environment', 'environment__forest_greenspace_survey') }}

),

renamed as (

    select
        area_code,
        area_name as area_name_as_sent,
        year(period_start)::integer as year,
        land_area_km2,
        forest_area_km2,
        built_up_area_km2,
        built_up_green_area_ha,
        park_green_area_ha,
        is_synthetic,
        source_file_name,
        source_file_sha256,
        source_line
    from source

)

select * from renamed
