{#- published statistics beside the indicators (no plan target): registry/official_names.yaml `context` -#}
with

figures as (

    select * from {{ ref('stg_statistics__official_figures') }}
    where figure_kind = 'context'

),

areas as (

    select area_code, short_name from {{ ref('registry_areas') }}

),

final as (

    select
        figures.figure_code::varchar as statistic_code,
        figures.figure_name_zh::varchar as name_zh,
        figures.area_code::varchar as area_code,
        coalesce(areas.short_name, figures.area_code)::varchar as area_name,
        figures.year::integer as year,
        figures.value::double as value,
        figures.qualifier::varchar as qualifier,
        figures.unit::varchar as unit,
        figures.document::varchar as document,
        figures.publisher::varchar as publisher,
        figures.published_on::date as published_on,
        figures.citation::varchar as citation,
        figures.source_kind::varchar as source_kind,
        figures.confidence::varchar as confidence,
        figures.is_synthetic::boolean as is_synthetic
    from figures
    left join areas on figures.area_code = areas.area_code

)

select * from final
