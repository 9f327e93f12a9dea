with

source as (

    select * from {{ source('statistics', 'statistics__jinan_bureau_district_tables') }}

),

renamed as (

    select
        area_code,
        area_name as area_name_as_sent,
        year(period_start)::integer as year,
        resident_population_wan,
        urban_resident_population_wan,
        hukou_population_wan,
        urban_hukou_population_wan,
        urban_disposable_income_cny,
        rural_disposable_income_cny,
        is_synthetic,
        source_file_name,
        source_file_sha256,
        source_line
    from source

)

select * from renamed
