with

source as (

    select * from {{ ref('registry_milestones') }}

),

final as (

    select
        indicator_code::varchar as indicator_code,
        milestone_year::integer as milestone_year,
        comparator::varchar as comparator,
        target_value::double as target_value,
        target_text::varchar as target_text,
        is_cumulative::boolean as is_cumulative,
        period_start::integer as period_start,
        tolerance_pct::double as tolerance_pct,
        band_low::double as band_low,
        band_high::double as band_high,
        registry_version::varchar as registry_version,
        wording::varchar as wording,
        reading_note::varchar as reading_note,
        band_reason::varchar as band_reason,
        area_codes::varchar as area_codes,
        effective_from::date as effective_from,
        revision::varchar as revision,
        coalesce(is_current, true)::boolean as is_current
    from source

)

select * from final
