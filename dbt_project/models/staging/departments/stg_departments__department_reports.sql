with

source as (

    select * from {{ source('departments', 'departments__jinan_department_reports') }}

),

renamed as (

    select
        area_code,
        area_name as area_name_as_sent,
        year(period_start)::integer as year,
        item_code,
        item_name as item_name_as_sent,
        unit,
        value,
        reporting_unit,
        is_synthetic,
        source_file_name,
        source_file_sha256,
        source_line
    from source

)

select * from renamed
