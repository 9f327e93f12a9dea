{#- official series HJ 633-2012; the provisional HJ 633-2026 series is a second method, never mixed into it -#}
{%- set methods = {
    'HJ 633-2012': 'HJ 633-2012 / HJ 663-2013',
    'HJ 633-2026': 'HJ 633-2026 (provisional breakpoints) / HJ 663-2013',
} -%}

with

annual as (

    select * from {{ ref('fct_air_quality_annual') }}

),

registry as (

    select indicator_code, unit, feed as source_feed
    from {{ ref('registry_indicators') }}
    where indicator_code = 'air_quality_good_days_ratio'

),

file_years as (

    -- synthetic sample files (synthetic_china_cities_*) cover 2021-2025 only; a year is synthetic when its files are
    select
        year(report_date)::integer as year,
        bool_or(starts_with(source_file_name, 'synthetic_')) as is_synthetic
    from {{ source('cnemc', 'air_quality__cnemc_city_hourly') }}
    group by 1

),

city_years as (

    -- a city-year without a single valid day has no ratio (zero denominator): no indicator row
    select *
    from annual
    where location_type = 'city' and valid_days > 0

),

final as (

    select
        registry.indicator_code,
        city_years.area_code,
        city_years.area_name,
        city_years.year,
        city_years.good_days_ratio_pct as value,
        registry.unit,
        case city_years.standard
            {%- for standard, method in methods.items() %}
            when '{{ standard }}' then '{{ method }}'
            {%- endfor %}
        end as method,
        city_years.standard,
        registry.source_feed,
        coalesce(file_years.is_synthetic, false) as is_synthetic,
        -- the series comparable with the plan's 2020 baseline (62 %, HJ 633-2012): the one progress is judged on
        city_years.standard = 'HJ 633-2012' as is_primary_series,
        city_years.good_days::double as numerator,
        city_years.valid_days::double as denominator
    from city_years
    cross join registry
    left join file_years on city_years.year = file_years.year

)

select * from final
