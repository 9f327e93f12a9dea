with

daily as (

    select
        *,
        year(date)::integer as year
    from {{ ref('fct_air_quality_daily') }}

),

annual as (

    {{ good_days_summary('daily', ['year'], 'make_date(year + 1, 1, 1) - make_date(year, 1, 1)') }}

)

select * from annual
