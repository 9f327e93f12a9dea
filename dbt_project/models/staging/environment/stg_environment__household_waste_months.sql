with

source as (

    select * from {{ source('environment', 'environment__household_waste_records') }}

),

renamed as (

    select
        area_code,
        area_name as area_name_as_sent,
        period_start as month_start,
        year(period_start)::integer as year,
        month(period_start)::integer as month,
        collected_wan_t,
        recycled_wan_t,
        incinerated_wan_t,
        landfilled_wan_t,
        is_synthetic,
        source_file_name,
        source_file_sha256,
        source_line
    from source

)

select * from renamed
