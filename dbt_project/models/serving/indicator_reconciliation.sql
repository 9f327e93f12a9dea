{#-
    Every official figure of a plan indicator (ind_official_figures: published, or derived from published components)
    beside the value the platform computes from REAL data (the primary computed series; a synthetic sample value is
    never compared with a published one). Within tolerance: |difference| <= half a unit of the published precision.
    For air quality the computed series is HJ 633-2012 / HJ 663-2013, the standard of the published figures.
-#}

with

published as (

    select
        indicator_code, area_code, year, value, unit, standard as source,
        coalesce(derived_from || '；', '') || citation as note
    from {{ ref('ind_official_figures') }}

),

computed as (

    {% for indicator_model in indicator_models() %}
    select indicator_code, area_code, area_name, year, value, method, numerator, denominator
    from {{ ref(indicator_model) }}
    where is_primary_series and not is_synthetic
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

precision as (

    select indicator_code, precision_decimals from {{ ref('registry_indicators') }}

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
            when computed.value is null then '平台无该年该地区基于真实数据的计算值'
            when published.indicator_code <> 'air_quality_good_days_ratio' then format(
                '计算值 {}（{}）较公布值 {:g} {} {}',
                round(computed.value, precision.precision_decimals::integer + 1),
                computed.method,
                published.value,
                case when computed.value < published.value then '低' else '高' end,
                round(abs(computed.value - published.value), precision.precision_decimals::integer + 1)
            )
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
        end as note,
        0.5 * power(10, -precision.precision_decimals) as tolerance,
        case
            when computed.value is not null
                then abs(computed.value - published.value) <= 0.5 * power(10, -precision.precision_decimals) + 1e-9
        end as within_tolerance
    from published
    left join computed
        on published.indicator_code = computed.indicator_code
        and published.area_code = computed.area_code
        and published.year = computed.year
    left join areas on published.area_code = areas.area_code
    left join precision on published.indicator_code = precision.indicator_code

)

select * from joined
