-- The headline status: per indicator × area × year the value of record and its judgement under the indicator's
-- default method against the nearest milestone from that year on, in one row (docs/serving-schema.md)
with

values_of_record as (

    select * from {{ ref('indicator_values') }}
    where is_primary_series and area_code in (select area_code from {{ ref('area_catalog') }})

),

catalog as (

    select * from {{ ref('indicator_catalog') }}

),

areas as (

    select * from {{ ref('area_catalog') }}

),

progress as (

    -- the default method against the nearest milestone from that year on (a milestone without a year last)
    select *
    from {{ ref('indicator_progress') }}
    where is_default_method
    qualify row_number() over (
        partition by indicator_code, area_code, year
        order by milestone_year is null, milestone_year
    ) = 1

),

projection as (

    -- the probability of meeting the milestone is the projection method's, whichever method is the default
    select indicator_code, area_code, year, milestone_year, probability_meet
    from {{ ref('indicator_progress') }}
    where method = 'projection'

),

milestones as (

    select * from {{ ref('indicator_milestones') }}

),

vocabulary as (

    select * from {{ ref('status_vocabulary') }}

),

final as (

    select
        values_of_record.indicator_code::varchar as indicator_code,
        catalog.kind::varchar as kind,
        catalog.headline_no::integer as headline_no,
        catalog.name_zh::varchar as name_zh,
        catalog.category_zh::varchar as category_zh,
        values_of_record.area_code::varchar as area_code,
        values_of_record.area_name::varchar as area_name,
        areas.area_kind::varchar as area_kind,
        values_of_record.year::integer as year,
        -- the figure judged: the running total for a cumulative target, else the year's value
        (case
            when catalog.value_kind = 'cumulative' then progress.actual_value
            else values_of_record.value
        end)::double as value,
        catalog.value_kind::varchar as value_kind,
        catalog.value_kind_zh::varchar as value_kind_zh,
        values_of_record.value::double as annual_value,
        catalog.unit::varchar as unit,
        catalog.unit_zh::varchar as unit_zh,
        values_of_record.precision_decimals::integer as precision_decimals,
        progress.milestone_year::integer as milestone_year,
        -- a district's reference of an additive indicator is the city's target scaled to its share: both said
        (case
            when progress.is_reference and catalog.is_additive
                and progress.target_value is distinct from milestones.target_value
                then milestones.target_text || '（全市目标；本区按份额参考 ' || progress.target_value::varchar || '）'
            else milestones.target_text
        end)::varchar as target_text,
        progress.comparator::varchar as comparator,
        progress.target_value::double as target_value,
        progress.status::varchar as status,
        progress.status_zh::varchar as status_zh,
        progress.status_colour::varchar as status_colour,
        vocabulary.is_behind::boolean as is_behind,
        progress.method::varchar as progress_method,
        progress.method_version::varchar as method_version,
        projection.probability_meet::double as probability_meet,
        progress.explanation::varchar as explanation,
        values_of_record.method::varchar as value_method,
        values_of_record.value_source::varchar as value_source,
        {{ value_source_zh('values_of_record.value_source') }} as value_source_zh,
        values_of_record.source_feed::varchar as source_feed,
        values_of_record.citation::varchar as citation,
        values_of_record.is_complete::boolean as is_complete,
        values_of_record.completeness_note::varchar as completeness_note,
        coalesce(progress.is_reference, values_of_record.area_code <> '{{ var("city_code") }}')::boolean
            as is_reference,
        values_of_record.source_file_sha256::varchar[] as source_file_sha256
    from values_of_record
    inner join catalog on values_of_record.indicator_code = catalog.indicator_code
    inner join areas on values_of_record.area_code = areas.area_code
    left join progress
        on values_of_record.indicator_code = progress.indicator_code
        and values_of_record.area_code = progress.area_code
        and values_of_record.year = progress.year
    -- the milestone's version judged (a revised target: the one whose target the status used), current first
    left join milestones
        on progress.indicator_code = milestones.indicator_code
        and progress.milestone_year is not distinct from milestones.milestone_year
        and (progress.target_value is not distinct from milestones.target_value
            or (progress.is_reference and catalog.is_additive))
        and progress.comparator = milestones.comparator
    left join projection
        on progress.indicator_code = projection.indicator_code
        and progress.area_code = projection.area_code
        and progress.year = projection.year
        and progress.milestone_year is not distinct from projection.milestone_year
    left join vocabulary on progress.status = vocabulary.status
    qualify row_number() over (
        partition by values_of_record.indicator_code, values_of_record.area_code, values_of_record.year
        order by (progress.target_value is not distinct from milestones.target_value) desc,
            (coalesce(year(milestones.effective_from), 0) <= values_of_record.year) desc,
            milestones.effective_from desc nulls last, milestones.is_current desc nulls last
    ) = 1

)

select * from final
