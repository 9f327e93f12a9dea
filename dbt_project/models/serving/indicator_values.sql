{#- the ind_<indicator_code> models (macros/indicator_models.sql) share these columns -#}
{%- set indicator_models = indicator_models() -%}
{%- set columns = [
    'indicator_code', 'area_code', 'area_name', 'year', 'value', 'unit', 'method', 'standard',
    'source_feed', 'is_synthetic', 'is_primary_series', 'numerator', 'denominator',
] -%}

with

indicators as (

    {% for indicator_model in indicator_models %}
    select {{ columns | join(', ') }}
    from {{ ref(indicator_model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from indicators
