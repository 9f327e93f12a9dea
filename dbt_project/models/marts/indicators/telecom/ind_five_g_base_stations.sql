with

nr_cells as (

    select * from {{ ref('stg_telecom__opencellid_cells') }} where radio = 'NR'

),

districts as (

    select area_code from {{ ref('registry_areas') }} where area_kind = 'county'

),

snapshots as (

    select year, bool_and(is_synthetic) as is_synthetic from {{ ref('stg_telecom__opencellid_cells') }} group by year

),

-- a base station is a distinct gNB (mcc, net, gNB ID); it belongs to the district of its lowest-numbered cell that
-- lies in a district (cells of one site may straddle a border), none when all its cells lie outside Jinan
gnbs as (

    select
        year,
        mcc,
        net,
        gnb_id,
        arg_min(area_code, cell) filter (where area_code is not null) as area_code
    from nr_cells
    group by year, mcc, net, gnb_id

),

per_district as (

    -- every district of every snapshot year, 0 where the snapshot has no gNB in it
    select
        districts.area_code,
        snapshots.year,
        count(gnbs.gnb_id) as stations,
        snapshots.is_synthetic
    from snapshots
    cross join districts
    left join gnbs on gnbs.year = snapshots.year and gnbs.area_code = districts.area_code
    group by districts.area_code, snapshots.year, snapshots.is_synthetic

),

per_area as (

    select area_code, year, stations, is_synthetic from per_district
    union all
    -- the city: the sum of its 12 county-level districts (cells outside every district count nowhere)
    select '{{ var("city_code") }}' as area_code, year, sum(stations) as stations, bool_and(is_synthetic) as is_synthetic
    from per_district
    group by year

),

computed as (

    select
        area_code,
        year,
        stations / 10000.0 as value,
        stations as numerator,
        null::double as denominator,
        is_synthetic
    from per_area

)

{{ indicator_rows('five_g_base_stations', 'computed', '年末在网5G基站（gNB）数 ÷ 10000；gNB = (MCC, MNC, NR小区标识 >> 12)', 'OpenCelliD 小区库年末快照；NR小区标识 36 位 = 24 位 gNB ID + 12 位本地小区号') }}
