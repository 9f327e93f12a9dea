with

plants as (

    select * from {{ ref('int_environment__wastewater_plant_years') }}

),

-- each plant counted once: per area by the district it lies in, for the city over all plants
computed as (

    select area_code, year, sum(year_end_capacity_wan_t_per_day) as value,
        sum(year_end_capacity_wan_t_per_day) as numerator, null::double as denominator,
        bool_or(is_synthetic) as is_synthetic
    from plants
    where area_code <> '{{ var("city_code") }}'
    group by area_code, year

    union all

    select '{{ var("city_code") }}' as area_code, year, sum(year_end_capacity_wan_t_per_day), sum(year_end_capacity_wan_t_per_day),
        null::double, bool_or(is_synthetic)
    from plants
    group by year

)

{{ indicator_rows('wastewater_treatment_capacity', 'computed', '城市污水处理厂设计处理能力之和（各厂当年最后一期月报，即年末在运能力）', '城市（县城）和村镇建设统计调查制度：污水处理厂处理能力') }}
