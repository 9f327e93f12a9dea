{#- the primary series only (for air quality HJ 633-2012 / HJ 663-2013, the standard of the published figures) -#}

with

published as (

    select * from {{ ref('ref_published_indicator_values') }}

),

computed as (

    {% for indicator_model in indicator_models() %}
    select indicator_code, area_code, area_name, year, value, method, numerator, denominator
    from {{ ref(indicator_model) }}
    where is_primary_series
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

areas as (

    select area_code, short_name from {{ ref('ref_areas') }}

),

joined as (

    select
        published.indicator_code,
        published.area_code,
        coalesce(computed.area_name, areas.short_name) as area_name,
        published.year,
        published.unit,
        computed.value as computed_value,
        published.value as published_value,
        computed.value - published.value as difference_pp,
        computed.numerator as computed_numerator,
        computed.denominator as computed_denominator,
        computed.method,
        published.source as published_source,
        published.note as published_note,
        case
            when computed.value is null then '平台无该年该地区的计算值'
            else format(
                '计算值 {}%（{}/{} 天，{}）较公布值 {:g}% {} {} 个百分点',
                round(computed.value, 1)::decimal(6, 1),
                computed.numerator::bigint,
                computed.denominator::bigint,
                computed.method,
                published.value,
                case when computed.value < published.value then '低' else '高' end,
                round(abs(computed.value - published.value), 1)::decimal(6, 1)
            )
        end as note
    from published
    left join computed
        on published.indicator_code = computed.indicator_code
        and published.area_code = computed.area_code
        and published.year = computed.year
    left join areas on published.area_code = areas.area_code

)

select * from joined
