with

plants as (

    select * from {{ ref('int_environment__wastewater_plant_years') }}

),

-- share of plants (by number, as the plan counts them); each plant counted once
by_area as (

    select area_code, year, count(*) filter (where meets_class_iv) as meeting, count(*) as plants,
        bool_or(is_synthetic) as is_synthetic
    from plants
    where area_code <> '{{ var("city_code") }}'
    group by area_code, year

    union all

    select '{{ var("city_code") }}' as area_code, year, count(*) filter (where meets_class_iv), count(*), bool_or(is_synthetic)
    from plants
    group by year

),

computed as (

    select
        area_code,
        year,
        100.0 * meeting / nullif(plants, 0) as value,
        meeting as numerator,
        plants as denominator,
        is_synthetic
    from by_area

)

{{ indicator_rows('wwtp_class_iv_effluent_pct', 'computed', '全年过半月份出水达到准IV类及以上的城市污水处理厂数 ÷ 报送月报的城市污水处理厂数 × 100', 'GB 3838-2002 地表水Ⅳ类（化学需氧量、氨氮、总磷）') }}
