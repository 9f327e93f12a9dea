with

source as (

    select * from {{ source('telecom', 'telecom__opencellid_cells') }}

),

renamed as (

    select
        year(period_start)::integer as year,
        snapshot_date,
        area_code,
        radio,
        mcc,
        net,
        area,
        cell,
        -- NR cell identity (36 bits) = gNB ID (leading 24 bits) << 12 | local cell id (12 bits): the split Chinese
        -- operators configure (gNB ID length 24); LTE: ECI (28 bits) = eNB ID (20 bits) << 8 | cell id (8 bits)
        case when radio = 'NR' then cell >> 12 end as gnb_id,
        case when radio = 'LTE' then cell >> 8 end as enb_id,
        lon,
        lat,
        range_m,
        samples,
        to_timestamp(created) as created_at,
        to_timestamp(updated) as updated_at,
        is_synthetic,
        source_file_name,
        source_file_sha256,
        source_line
    from source

)

select * from renamed
