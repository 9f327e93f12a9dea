with

source as (

    select * from {{ source('cnemc', 'air_quality__cnemc_station_hourly') }}

),

renamed as (

    select
        {{ cnemc_hourly_renamed('station') }}
    from source

)

select * from renamed
