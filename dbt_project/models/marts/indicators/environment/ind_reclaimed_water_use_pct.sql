with

plants as (

    select * from {{ ref('int_environment__wastewater_plant_years') }}

),

-- each plant counted once: per area by the district it lies in, for the city over all plants
by_area as (

    select area_code, year, sum(reclaimed_water_used_wan_t) as reclaimed, sum(wastewater_treated_wan_t) as treated,
        bool_or(is_synthetic) as is_synthetic
    from plants
    where area_code <> '{{ var("city_code") }}'
    group by area_code, year

    union all

    select '{{ var("city_code") }}' as area_code, year, sum(reclaimed_water_used_wan_t), sum(wastewater_treated_wan_t),
        bool_or(is_synthetic)
    from plants
    group by year

),

computed as (

    select
        area_code,
        year,
        100.0 * reclaimed / nullif(treated, 0) as value,
        reclaimed as numerator,
        treated as denominator,
        is_synthetic
    from by_area

)

{{ indicator_rows('reclaimed_water_use_pct', 'computed', '再生水利用量 ÷ 污水处理量 × 100（全年各月合计，按污水处理厂所在区县汇总，全市为全部城市污水处理厂）', '城市（县城）和村镇建设统计调查制度：城市再生水利用率') }}
