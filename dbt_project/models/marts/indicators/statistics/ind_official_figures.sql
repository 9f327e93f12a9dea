{#-
    The officially published figures of plan indicators as indicator rows (the columns of indicator_values plus
    value_source, citation, derived_from): a figure published for the indicator itself, else the indicator derived
    from its published components (registry/official_names.yaml derivations; a directly published figure always
    ranks before a derived one). Not in indicator_models(): indicator_values unions it and makes it the primary series.
-#}
{%- set derivations = [
    {'indicator': 'urbanization_rate_resident_pct', 'numerator': 'urban_resident_population',
     'denominator': 'resident_population_year_end', 'scale': 100},
    {'indicator': 'urban_rural_income_ratio', 'numerator': 'urban_disposable_income',
     'denominator': 'rural_disposable_income', 'scale': 1},
] -%}

with

figures as (

    select * from {{ ref('stg_statistics__official_figures') }}

),

direct as (

    select
        figure_code as indicator_code,
        area_code,
        year,
        value,
        '官方公布'::varchar as method,
        document as standard,
        value as numerator,
        null::double as denominator,
        is_synthetic,
        citation,
        null::varchar as derived_from,
        -- the plan's own table (专栏1) is the registry's baseline, not a measurement of the year: reconciled against
        -- the platform's series, which stays the primary one
        source_kind is distinct from 'plan_table' as is_value_of_record
    from figures
    where figure_kind = 'indicator'

),

derived as (

    {% for d in derivations %}
    select
        '{{ d.indicator }}'::varchar as indicator_code,
        num.area_code,
        num.year,
        {{ d.scale }} * num.value / den.value as value,
        '官方公布数据推算'::varchar as method,
        num.document as standard,
        num.value as numerator,
        den.value as denominator,
        num.is_synthetic or den.is_synthetic as is_synthetic,
        num.citation || ' ／ ' || den.citation as citation,
        'derived from ' || num.figure_name_zh || ' and ' || den.figure_name_zh as derived_from,
        true as is_value_of_record
    from figures as num
    inner join figures as den
        on den.figure_code = '{{ d.denominator }}'
        and num.area_code = den.area_code
        and num.year = den.year
    where num.figure_code = '{{ d.numerator }}'
        and den.value > 0
        -- exact parts only: a qualified part (约, >) gives no exact ratio
        and num.qualifier is null and den.qualifier is null
        and not exists (
            select 1 from direct
            where direct.indicator_code = '{{ d.indicator }}'
                and direct.area_code = num.area_code and direct.year = num.year
        )
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

official as (

    select * from direct
    union all
    select * from derived

),

final as (

    select
        official.indicator_code::varchar as indicator_code,
        official.area_code::varchar as area_code,
        coalesce(areas.short_name, official.area_code)::varchar as area_name,
        official.year::integer as year,
        official.value::double as value,
        registry.unit::varchar as unit,
        official.method::varchar as method,
        official.standard::varchar as standard,
        'statistics__jinan_official_figures'::varchar as source_feed,
        official.is_synthetic::boolean as is_synthetic,
        official.is_value_of_record as is_primary_series,
        official.numerator::double as numerator,
        official.denominator::double as denominator,
        case when official.is_synthetic then 'sample' else 'official' end::varchar as value_source,
        official.citation::varchar as citation,
        official.derived_from::varchar as derived_from
    from official
    inner join {{ ref('registry_indicators') }} as registry on official.indicator_code = registry.indicator_code
    left join {{ ref('registry_areas') }} as areas on official.area_code = areas.area_code

)

select * from final
