with

speeds as (

    select * from {{ ref('fct_broadband_speed_district') }}

),

final as (

    select
        area_code::varchar as area_code,
        area_name::varchar as area_name,
        year::integer as year,
        test_type::varchar as test_type,
        quarters::integer as quarters,
        tiles::bigint as tiles,
        tests::bigint as tests,
        devices::bigint as devices,
        mean_download_mbps::double as mean_download_mbps,
        mean_upload_mbps::double as mean_upload_mbps,
        mean_latency_ms::double as mean_latency_ms,
        is_synthetic::boolean as is_synthetic
    from speeds

)

select * from final
