-- Test-weighted speed per district, year and type (fixed | mobile): Ookla's tile means weighted by the tile's tests
-- (a tile mean is a mean over its tests, so the weighted mean is the mean over all tests of the area). Supporting
-- data, not a plan indicator. The city (370100) is every tile of the 12 districts; tiles outside them count nowhere.
-- A year is the quarters loaded for it (the sample: Q4). Sums of products are exact decimals so that the means do
-- not depend on the order of summation.

with

tiles as (

    select
        *,
        tests::decimal(18, 0) * avg_d_kbps::decimal(18, 3) as d_weighted,
        tests::decimal(18, 0) * avg_u_kbps::decimal(18, 3) as u_weighted,
        tests::decimal(18, 0) * avg_lat_ms::decimal(18, 3) as lat_weighted
    from {{ ref('stg_telecom__ookla_tiles') }}
    where area_code is not null

),

districts as (

    select area_code, short_name from {{ ref('registry_areas') }}

),

per_area as (

    select area_code, year, test_type, count(*) as tiles, sum(tests) as tests, sum(devices) as devices,
           sum(d_weighted) as d_weighted, sum(u_weighted) as u_weighted, sum(lat_weighted) as lat_weighted,
           count(distinct quarter_start) as quarters, bool_and(is_synthetic) as is_synthetic
    from tiles
    group by area_code, year, test_type

    union all

    select '{{ var("city_code") }}', year, test_type, count(*), sum(tests), sum(devices),
           sum(d_weighted), sum(u_weighted), sum(lat_weighted),
           count(distinct quarter_start), bool_and(is_synthetic)
    from tiles
    group by year, test_type

),

final as (

    select
        per_area.area_code,
        coalesce(districts.short_name, per_area.area_code) as area_name,
        per_area.year,
        per_area.test_type,
        per_area.quarters,
        per_area.tiles,
        per_area.tests,
        per_area.devices,
        (per_area.d_weighted / nullif(per_area.tests, 0) / 1000)::double as mean_download_mbps,
        (per_area.u_weighted / nullif(per_area.tests, 0) / 1000)::double as mean_upload_mbps,
        (per_area.lat_weighted / nullif(per_area.tests, 0))::double as mean_latency_ms,
        per_area.is_synthetic
    from per_area
    left join districts on per_area.area_code = districts.area_code

)

select * from final
