{#- The inputs of every computed indicator value in one shape (macros/indicator_inputs.sql), one model per feed
    domain, and of every published figure: the figure as the bureau's file states it. -#}
{%- set domains = ['air_quality', 'departments', 'environment', 'statistics', 'telecom'] -%}

with

official as (

    -- a published figure's input is the published figure itself (a derived one: its two published parts)
    select
        figures.figure_code,
        figures.area_code,
        figures.year,
        figures.value,
        figures.figure_name_zh,
        figures.unit,
        [figures.source_file_sha256] as source_file_sha256
    from {{ ref('stg_statistics__official_figures') }} as figures

),

official_values as (

    select * from {{ ref('ind_official_figures') }}

),

official_inputs as (

    select
        official_values.indicator_code, official_values.area_code, official_values.area_name, official_values.year,
        official_values.method,
        case
            when official_values.derived_from like '% and ' || official.figure_name_zh then 'denominator'
            else 'numerator'
        end as role,
        official.figure_code as component,
        official.figure_name_zh as component_zh,
        official.area_code || ' ' || official.year || ' ' || official.figure_code as input_key,
        official.value,
        coalesce(official.unit, official_values.unit) as unit,
        'statistics__jinan_official_figures' as source_feed,
        official.source_file_sha256
    from official_values
    inner join official
        on official_values.area_code = official.area_code
        and official_values.year = official.year
        and (
            (official_values.derived_from is null and official.figure_code = official_values.indicator_code)
            -- derived from 'derived from <numerator> and <denominator>' (ind_official_figures)
            or (official_values.derived_from like 'derived from ' || official.figure_name_zh || ' and %'
                and official.value = official_values.numerator)
            or (official_values.derived_from like '% and ' || official.figure_name_zh
                and official.value = official_values.denominator)
        )

)

{% for domain in domains %}
select * from {{ ref('int_indicator_inputs__' ~ domain) }}
union all
{% endfor %}
select
    indicator_code::varchar, area_code::varchar, area_name::varchar, year::integer, method::varchar, role::varchar,
    component::varchar, component_zh::varchar, input_key::varchar, value::double, unit::varchar, source_feed::varchar,
    list_sort(list_distinct(source_file_sha256))::varchar[]
from official_inputs
