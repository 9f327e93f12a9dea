{#- every ind_<indicator_code> model has the same columns; adding an indicator adds its model here -#}
{%- set indicator_models = ['ind_air_quality_good_days_ratio'] -%}
{%- set columns = [
    'indicator_code', 'area_code', 'area_name', 'year', 'value', 'unit', 'method', 'standard',
    'source_feed', 'is_synthetic', 'numerator', 'denominator',
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
