with

scores as (

    select * from {{ ref('int_district_scores') }}

),

areas as (

    select * from {{ ref('registry_areas') }}

),

final as (

    select
        scores.area_code::varchar as area_code,
        areas.short_name::varchar as area_name,
        areas.area_kind::varchar as area_kind,
        scores.year::integer as year,
        scores.is_ranked::boolean as is_ranked,
        scores.rank::integer as rank,
        scores.n_ranked::integer as n_ranked,
        scores.level_score::double as level_score,
        scores.improvement_score::double as improvement_score,
        scores.overall_score::double as overall_score,
        scores.rating::varchar as rating,
        scores.capped_by::varchar as capped_by,
        scores.is_commended::boolean as is_commended,
        scores.n_indicators::integer as n_indicators,
        scores.level_smart::double as level_smart,
        scores.level_green::double as level_green,
        scores.level_balanced::double as level_balanced,
        scores.level_two_way::double as level_two_way,
        scores.scoring_version::varchar as scoring_version,
        scores.improvement_smart::double as improvement_smart,
        scores.improvement_green::double as improvement_green,
        scores.improvement_balanced::double as improvement_balanced,
        scores.improvement_two_way::double as improvement_two_way,
        scores.level_weight::double as level_weight,
        scores.improvement_weight::double as improvement_weight
    from scores
    inner join areas on scores.area_code = areas.area_code

)

select * from final
