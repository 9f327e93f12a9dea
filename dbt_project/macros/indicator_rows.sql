{#-
    The shared tail of an ind_<indicator_code> model: turns a relation with columns
    (area_code, year, value, numerator, denominator, is_synthetic) into the columns of indicator_values, with the
    unit and feed from the plan registry and the area's short name from registry_areas. `method` says how the value
    was computed (in words, shown to statisticians); `standard` the statistical definition it follows.
-#}
{% macro indicator_rows(indicator_code, relation, method, standard) %}
    select
        '{{ indicator_code }}'::varchar as indicator_code,
        computed.area_code::varchar as area_code,
        coalesce(areas.short_name, computed.area_code)::varchar as area_name,
        computed.year::integer as year,
        computed.value::double as value,
        registry.unit::varchar as unit,
        '{{ method }}'::varchar as method,
        '{{ standard }}'::varchar as standard,
        registry.feed::varchar as source_feed,
        computed.is_synthetic::boolean as is_synthetic,
        true as is_primary_series,
        computed.numerator::double as numerator,
        computed.denominator::double as denominator
    from {{ relation }} as computed
    cross join (
        select unit, feed from {{ ref('registry_indicators') }} where indicator_code = '{{ indicator_code }}'
    ) as registry
    left join {{ ref('registry_areas') }} as areas on computed.area_code = areas.area_code
    where computed.value is not null
{% endmacro %}
