with

hourly as (

    select * from {{ ref('int_aqi_hourly_recomputed') }}

),

compared as (

    select
        location_type,
        location_id,
        area_code,
        area_name,
        year(report_date)::integer as year,
        aqi_published,
        aqi_recomputed,
        abs(aqi_published - aqi_recomputed) as abs_diff
    from hourly
    where aqi_published is not null and aqi_recomputed is not null

),

reconciled as (

    select
        location_type,
        location_id,
        area_code,
        area_name,
        year,
        count(*)::integer as hours_compared,
        count(*) filter (where abs_diff = 0)::integer as exact_matches,
        count(*) filter (where abs_diff = 0) / count(*) as exact_match_ratio,
        avg(abs_diff) as mean_abs_diff,
        max(abs_diff) as max_abs_diff
    from compared
    group by location_type, location_id, area_code, area_name, year

)

select * from reconciled
