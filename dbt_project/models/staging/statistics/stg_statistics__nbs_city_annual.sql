{#- the NBS data-API nodes pivoted: one row per region and year, one column per catalogue column (indicators.yaml) -#}
with

source as (

    select * from {{ source('nbs', 'statistics__nbs_city_annual') }}

),

pivoted as (

    select
        area_code,
        year(period_start)::integer as year,
        max(value) filter (where raw_column = 'resident_population_wan') as resident_population_wan,
        max(value) filter (where raw_column = 'urban_resident_population_wan') as urban_resident_population_wan,
        max(value) filter (where raw_column = 'urbanization_rate_pct') as urbanization_rate_pct,
        max(value) filter (where raw_column = 'urban_disposable_income_cny') as urban_disposable_income_cny,
        max(value) filter (where raw_column = 'rural_disposable_income_cny') as rural_disposable_income_cny,
        bool_or(is_synthetic) as is_synthetic,
        max(source_file_name) as source_file_name
    from source
    group by area_code, year(period_start)

)

select * from pivoted
