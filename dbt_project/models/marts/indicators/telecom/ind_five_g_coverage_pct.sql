with

grid as (

    select * from {{ ref('stg_telecom__coverage_grid') }}

),

districts as (

    select area_code from {{ ref('registry_areas') }} where area_kind = 'county'

),

per_area as (

    select
        area_code,
        year,
        sum(covered_population) as covered_population,
        sum(resident_population) as resident_population,
        bool_and(is_synthetic) as is_synthetic
    from grid
    group by area_code, year

    union all

    -- the city: every cell of the 12 county-level districts
    select
        '{{ var("city_code") }}' as area_code,
        year,
        sum(covered_population),
        sum(resident_population),
        bool_and(is_synthetic)
    from grid
    where area_code in (select area_code from districts)
    group by year

),

computed as (

    select
        area_code,
        year,
        100.0 * covered_population::double / nullif(resident_population, 0) as value,
        covered_population::double as numerator,
        resident_population as denominator,
        is_synthetic
    from per_area

)

{{ indicator_rows('five_g_coverage_pct', 'computed', 'Σ(栅格常住人口 × 5G覆盖比例) ÷ Σ栅格常住人口 × 100（人口加权）', '5G覆盖：SS-RSRP ≥ -105 dBm 的测量样本占比（路测与MR），3公里栅格') }}
