with

daily as (

    select
        *,
        year(date)::integer as year,
        month(date)::integer as month
    from {{ ref('fct_air_quality_daily') }}

),

monthly as (

    {{ good_days_summary('daily', ['year', 'month'], 'day(last_day(make_date(year, month, 1)))') }}

)

select * from monthly
