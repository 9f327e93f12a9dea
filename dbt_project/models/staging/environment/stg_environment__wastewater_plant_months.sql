with

source as (

    select * from {{ source('environment', 'environment__wastewater_plant_monthly') }}

),

renamed as (

    select
        plant_name,
        area_code,
        area_name as area_name_as_sent,
        period_start as month_start,
        year(period_start)::integer as year,
        month(period_start)::integer as month,
        design_capacity_wan_t_per_day,
        wastewater_treated_wan_t,
        reclaimed_water_used_wan_t,
        effluent_class as effluent_class_as_sent,
        effluent_class_std as effluent_class,
        meets_class_iv,
        is_synthetic,
        source_file_name,
        source_file_sha256,
        source_line
    from source

)

select * from renamed
