with

source as (

    select * from {{ source('cnemc', 'air_quality__cnemc_city_hourly') }}

),

renamed as (

    select
        {{ cnemc_hourly_renamed('city') }}
    from source

)

select * from renamed
