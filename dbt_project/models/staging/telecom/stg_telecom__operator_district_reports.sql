with

source as (

    select * from {{ source('telecom', 'telecom__operator_district_reports') }}

),

renamed as (

    select
        area_code,
        area_name as area_name_as_sent,
        year(period_start)::integer as year,
        operator,
        operator = '全网' as is_all_operators,
        households,
        fibre_reachable_households,
        ftth_households,
        gigabit_capable_households,
        is_synthetic,
        source_file_name,
        source_file_sha256,
        source_line
    from source

)

select * from renamed
