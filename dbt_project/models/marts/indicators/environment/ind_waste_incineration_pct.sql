with

areas as (

    select * from {{ ref('int_environment__household_waste_by_area') }}

),

computed as (

    -- the collected waste is all treated harmlessly: 清运量 stands for 无害化处理量
    select
        area_code,
        year,
        100.0 * incinerated_wan_t / nullif(collected_wan_t, 0) as value,
        incinerated_wan_t as numerator,
        collected_wan_t as denominator,
        is_synthetic
    from areas

)

{{ indicator_rows('waste_incineration_pct', 'computed', '焚烧处理量 ÷ 生活垃圾清运量（即无害化处理量）× 100（全年各月合计，全市为12个区县合计）', '城市建设统计年报：生活垃圾焚烧处理量占无害化处理量比重') }}
