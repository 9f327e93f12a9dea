with

areas as (

    select * from {{ ref('int_environment__household_waste_by_area') }}

),

computed as (

    -- generated = collected + recovered for use before collection
    select
        area_code,
        year,
        100.0 * recycled_wan_t / nullif(collected_wan_t + recycled_wan_t, 0) as value,
        recycled_wan_t as numerator,
        collected_wan_t + recycled_wan_t as denominator,
        is_synthetic
    from areas

)

{{ indicator_rows('waste_recycling_pct', 'computed', '回收利用量 ÷ 生活垃圾产生量 × 100，产生量 = 清运量 + 回收利用量（全年各月合计，全市为12个区县合计）', '生活垃圾分类统计口径：可回收物回收量与厨余垃圾资源化利用量计入回收利用量') }}
