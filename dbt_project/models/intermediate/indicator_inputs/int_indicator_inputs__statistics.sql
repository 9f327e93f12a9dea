{#- The inputs of the statistics-bureau indicators (macros/indicator_inputs.sql): the district tables' rows, the city
    its own 全市 row. -#}
{%- set feed = 'statistics__jinan_bureau_district_tables' -%}
{%- set key = "area_code || ' ' || year" -%}
{%- set population = ('resident_population_wan', 'numerator', 'resident_population_wan', '年末常住人口', '万人') -%}

with

tables as (

    select * from {{ ref('stg_statistics__district_tables') }}

),

resident_population_year_end as (
    {{ input_records('tables', feed, key, [population]) }}
),

urbanization_rate_resident_pct as (
    {{ input_records('tables', feed, key, [
        ('urban_resident_population_wan', 'numerator', 'urban_resident_population_wan', '城镇常住人口', '万人'),
        ('resident_population_wan', 'denominator', 'resident_population_wan', '年末常住人口', '万人'),
    ]) }}
),

urbanization_rate_hukou_pct as (
    {{ input_records('tables', feed, key, [
        ('urban_hukou_population_wan', 'numerator', 'urban_hukou_population_wan', '城镇户籍人口', '万人'),
        ('hukou_population_wan', 'denominator', 'hukou_population_wan', '户籍人口', '万人'),
    ]) }}
),

urban_rural_income_ratio as (
    {{ input_records('tables', feed, key, [
        ('urban_disposable_income_cny', 'numerator', 'urban_disposable_income_cny', '城镇居民人均可支配收入', '元'),
        ('rural_disposable_income_cny', 'denominator', 'rural_disposable_income_cny', '农村居民人均可支配收入', '元'),
    ]) }}
)

{% for code in ['resident_population_year_end', 'urbanization_rate_resident_pct', 'urbanization_rate_hukou_pct',
                'urban_rural_income_ratio'] %}
{{ indicator_input_rows(code, code, city='sent') }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
