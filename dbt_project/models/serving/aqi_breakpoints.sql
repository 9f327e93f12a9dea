-- The IAQI breakpoints of both standards as the platform computes with them: the seed ref_aqi_breakpoints (the one
-- place they are defined; macros/iaqi.sql interpolates between them), served as it stands with each segment numbered
with

breakpoints as (

    select * from {{ ref('ref_aqi_breakpoints') }}

),

final as (

    select
        standard::varchar as standard,
        pollutant::varchar as pollutant,
        averaging::varchar as averaging,
        (row_number() over (partition by standard, pollutant, averaging order by bp_lo))::integer as segment,
        bp_lo::double as bp_lo,
        bp_hi::double as bp_hi,
        iaqi_lo::integer as iaqi_lo,
        iaqi_hi::integer as iaqi_hi,
        (case when pollutant = 'co' then 'mg/m³' else 'µg/m³' end)::varchar as concentration_unit,
        (standard = 'HJ 633-2026')::boolean as is_provisional
    from breakpoints

)

select * from final
