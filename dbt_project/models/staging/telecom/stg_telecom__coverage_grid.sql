with

source as (

    select * from {{ source('telecom', 'telecom__coverage_grid') }}

),

renamed as (

    select
        area_code,
        area_name as area_name_as_sent,
        year(period_start)::integer as year,
        grid_id,
        resident_population,
        samples,
        covered_share,
        -- exact (decimal) so that sums do not depend on the order of summation: full and incremental builds agree
        resident_population::decimal(18, 0) * covered_share::decimal(9, 4) as covered_population,
        is_synthetic,
        source_file_name,
        source_file_sha256,
        source_line
    from source

)

select * from renamed
