with

daily as (

    select * from {{ ref('int_aqi_reconciliation_daily') }}

),

reconciled as (

    select
        location_type,
        location_id,
        area_code,
        area_name,
        year(report_date)::integer as year,
        sum(hours_compared)::integer as hours_compared,
        sum(exact_matches)::integer as exact_matches,
        sum(exact_matches) / sum(hours_compared) as exact_match_ratio,
        sum(sum_abs_diff) / sum(hours_compared) as mean_abs_diff,
        max(max_abs_diff) as max_abs_diff
    from daily
    group by location_type, location_id, area_code, area_name, year

)

select * from reconciled
