with

source as (

    select * from {{ ref('registry_indicators') }}

),

final as (

    select
        indicator_code::varchar as indicator_code,
        kind::varchar as kind,
        headline_no::integer as headline_no,
        name_zh::varchar as name_zh,
        name_en::varchar as name_en,
        category::varchar as category,
        category_zh::varchar as category_zh,
        unit::varchar as unit,
        unit_zh::varchar as unit_zh,
        direction::varchar as direction,
        limit_min::double as limit_min,
        limit_max::double as limit_max,
        baseline_year::integer as baseline_year,
        baseline_value::double as baseline_value,
        baseline_qualifier::varchar as baseline_qualifier,
        baseline_text::varchar as baseline_text,
        target_2025_text::varchar as target_2025_text,
        target_2035_text::varchar as target_2035_text,
        milestone_years::varchar as milestone_years,
        footnotes::varchar as footnotes,
        plan_chapter::varchar as plan_chapter,
        plan_section::varchar as plan_section,
        plan_quote::varchar as plan_quote,
        formula::varchar as formula,
        feed::varchar as feed,
        release_frequency::varchar as release_frequency,
        release_month::integer as release_month,
        release_note::varchar as release_note,
        department::varchar as department,
        per_district::boolean as per_district,
        is_binding::boolean as is_binding,
        path_method::varchar as path_method,
        progress_method::varchar as progress_method,
        registry_version::varchar as registry_version,
        precision_decimals::integer as precision_decimals,
        validity_min_denominator::double as validity_min_denominator,
        validity_rule::varchar as validity_rule,
        value_kind::varchar as value_kind,
        value_kind_zh::varchar as value_kind_zh,
        is_additive::boolean as is_additive
    from source

)

select * from final
