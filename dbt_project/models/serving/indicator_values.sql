{#- the ind_<indicator_code> models (macros/indicator_models.sql) share these columns -#}
{%- set indicator_models = indicator_models() -%}
{%- set columns = [
    'indicator_code', 'area_code', 'area_name', 'year', 'value', 'unit', 'method', 'standard',
    'source_feed', 'is_synthetic', 'is_primary_series', 'numerator', 'denominator',
] -%}

with

-- the precision each indicator is judged and shown at (registry); value is rounded to it by GB/T 8170
precision as (

    select indicator_code, precision_decimals, validity_min_denominator, validity_rule, value_kind
    from {{ ref('registry_indicators') }}

),

-- lineage: the files and units of each value's inputs (int_indicator_inputs, served as indicator_inputs)
lineage as (

    select
        indicator_code,
        area_name,
        year,
        method,
        list_sort(list_distinct(flatten(list(source_file_sha256))))::varchar[] as source_file_sha256,
        string_agg(distinct unit, ', ' order by unit) filter (where role = 'numerator') as numerator_unit,
        string_agg(distinct unit, ', ' order by unit) filter (where role = 'denominator') as denominator_unit
    from {{ ref('int_indicator_inputs') }}
    group by indicator_code, area_name, year, method

),

computed as (

    {% for indicator_model in indicator_models %}
    select
        {{ columns | join(', ') }},
        case when is_synthetic then 'sample' else 'computed_real' end::varchar as value_source,
        null::varchar as citation,
        null::varchar as derived_from
    from {{ ref(indicator_model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- the value of record: a published figure (ind_official_figures; published before derived) where one exists
official as (

    select {{ columns | join(', ') }}, value_source, citation, derived_from
    from {{ ref('ind_official_figures') }}

),

indicators as (

    select
        {% for column in columns -%}
        {%- if column == 'is_primary_series' -%}
        -- beside an official figure the computed value stays, no longer the primary series
        computed.is_primary_series and official_keys.indicator_code is null as is_primary_series,
        {%- else -%}
        computed.{{ column }},
        {%- endif %}
        {% endfor -%}
        computed.value_source,
        computed.citation,
        computed.derived_from
    from computed
    left join (
        select distinct indicator_code, area_code, year from official where is_primary_series
    ) as official_keys
        on computed.indicator_code = official_keys.indicator_code
        and computed.area_code = official_keys.area_code
        and computed.year = official_keys.year
    union all
    select {{ columns | join(', ') }}, value_source, citation, derived_from
    from official

),

final as (

    select
        {% for column in columns -%}
        {%- if column == 'value' -%}
        {{ gbt8170_round('indicators.value', 'precision.precision_decimals') }} as value,
        {%- else -%}
        indicators.{{ column }},
        {%- endif %}
        {% endfor -%}
        indicators.value as value_unrounded,
        precision.precision_decimals::integer as precision_decimals,
        indicators.value_source,
        indicators.citation,
        indicators.derived_from,
        precision.value_kind::varchar as value_kind,
        lineage.numerator_unit::varchar as numerator_unit,
        lineage.denominator_unit::varchar as denominator_unit,
        lineage.source_file_sha256,
        -- a year's value from real data is complete when its denominator meets the indicator's validity rule (air
        -- quality: HJ 663, 324 valid days); an incomplete value is served, flagged, and not judged. A published
        -- figure is the value of record (complete by definition); the sample is a stand-in (one day a week for air),
        -- marked as sample all the way to the screen, and judged as such
        (precision.validity_min_denominator is null or indicators.value_source in ('official', 'sample')
            or coalesce(indicators.denominator, 0) >= precision.validity_min_denominator)::boolean as is_complete,
        (case
            when precision.validity_min_denominator is not null and indicators.value_source = 'computed_real'
                and coalesce(indicators.denominator, 0) < precision.validity_min_denominator
                then '数据不完整：有效' || coalesce(indicators.denominator, 0)::integer || '个，'
                    || precision.validity_rule || '，不予评价'
        end)::varchar as completeness_note
    from indicators
    -- a code missing from the registry keeps its row (NULL precision fails the contract; the test
    -- assert_indicator_codes_in_registry names it)
    left join precision on indicators.indicator_code = precision.indicator_code
    left join lineage
        on indicators.indicator_code = lineage.indicator_code
        and indicators.area_name = lineage.area_name
        and indicators.year = lineage.year
        and indicators.method = lineage.method

)

select * from final
