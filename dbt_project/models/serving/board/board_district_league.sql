-- 区县对比 league: district_scores with 是/否 for the commendation and whether the scores were computed from sample
-- data (any of the district's values that year is synthetic), so a ranking or a commendation list from sample data
-- says so on the board and is never presented as real.
with

scores as (

    select * from {{ ref('district_scores') }}

),

sample_years as (

    select area_code, year, bool_or(is_synthetic) as is_sample
    from {{ ref('indicator_values') }}
    where is_primary_series and area_code is not null
    group by area_code, year

),

final as (

    select
        scores.area_code::varchar as area_code,
        scores.area_name::varchar as area_name,
        scores.area_kind::varchar as area_kind,
        scores.year::integer as year,
        scores.is_ranked::boolean as is_ranked,
        scores.rank::integer as rank,
        scores.level_score::double as level_score,
        scores.improvement_score::double as improvement_score,
        scores.overall_score::double as overall_score,
        scores.rating::varchar as rating,
        coalesce(scores.is_commended, false)::boolean as is_commended,
        (case when scores.is_commended then '是' else '否' end)::varchar as is_commended_zh,
        coalesce(sample_years.is_sample, false)::boolean as is_sample,
        (case when coalesce(sample_years.is_sample, false) then '样例数据（非真实）' else '真实数据' end)::varchar
            as data_nature_zh,
        -- the same for the whole year's ranking: one sample input makes every rank of that year a demonstration
        (bool_or(coalesce(sample_years.is_sample, false)) over (partition by scores.year))::boolean
            as is_sample_ranking,
        (bool_or(coalesce(scores.is_commended, false)) over (partition by scores.year))::boolean as year_has_commended
    from scores
    left join sample_years on scores.area_code = sample_years.area_code and scores.year = sample_years.year

)

select * from final
