with

fixed as (

    select * from {{ source('telecom', 'telecom__ookla_speedtest_fixed_tiles') }}

),

mobile as (

    select * from {{ source('telecom', 'telecom__ookla_speedtest_mobile_tiles') }}

),

unioned as (

    select * from fixed
    union all by name
    select * from mobile

),

renamed as (

    select
        test_type,
        period_start as quarter_start,
        year(period_start)::integer as year,
        area_code,
        quadkey,
        tile_x as centre_lon,
        tile_y as centre_lat,
        avg_d_kbps,
        avg_u_kbps,
        avg_lat_ms,
        tests,
        devices,
        is_synthetic,
        source_file_name,
        source_file_sha256,
        source_line
    from unioned

)

select * from renamed
