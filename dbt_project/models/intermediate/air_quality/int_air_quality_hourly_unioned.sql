with

city_hourly as (

    select * from {{ ref('stg_cnemc__city_hourly') }}

),

station_hourly as (

    select * from {{ ref('stg_cnemc__station_hourly') }}

),

stations as (

    select * from {{ ref('ref_stations') }}

),

-- a short name can name several areas (莱芜 was a prefecture and is now a district): prefer the prefecture,
-- so a county-level column of the air files (章丘) resolves to its district code only when it is unambiguous
areas_by_short_name as (

    select short_name, area_code
    from {{ ref('ref_areas') }}
    where level <> 'province'
    qualify row_number() over (
        partition by short_name order by case level when 'prefecture' then 1 else 2 end, area_code
    ) = 1

),

hourly as (

    select city_hourly.*, location_id as area_name
    from city_hourly

    union all by name

    select station_hourly.*, stations.city as area_name
    from station_hourly
    left join stations on station_hourly.location_id = stations.station_code

),

joined as (

    select
        hourly.location_type,
        hourly.location_id,
        areas_by_short_name.area_code,
        hourly.area_name,
        hourly.* exclude (location_type, location_id, area_name)
    from hourly
    left join areas_by_short_name on hourly.area_name = areas_by_short_name.short_name

)

select * from joined
