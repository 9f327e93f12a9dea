-- one row per wastewater plant and year: the year's sums, the capacity of its latest return, and whether its effluent
-- met 准IV类 or better in most of the months it reported (the plant's class for the year). Amounts are summed as
-- decimals: exact, so a full and an incremental build (different summation orders) give the same bits
with

plant_months as (

    select * from {{ ref('stg_environment__wastewater_plant_months') }}

),

plant_years as (

    select
        plant_name,
        area_code,
        year,
        count(*)::integer as months_reported,
        max(month_start) as last_month_start,
        sum(wastewater_treated_wan_t::decimal(18, 4)) as wastewater_treated_wan_t,
        sum(reclaimed_water_used_wan_t::decimal(18, 4)) as reclaimed_water_used_wan_t,
        arg_max(design_capacity_wan_t_per_day, month_start)::decimal(18, 4) as year_end_capacity_wan_t_per_day,
        (count(*) filter (where meets_class_iv))::integer as months_meeting_class_iv,
        2 * count(*) filter (where meets_class_iv) > count(*) as meets_class_iv,
        bool_or(is_synthetic) as is_synthetic
    from plant_months
    group by plant_name, area_code, year

)

select * from plant_years
