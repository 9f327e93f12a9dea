{#-
    The inputs of an indicator (served as indicator_inputs): the records one level below a value, each with its unit and
    the SHA-256 of the files it came from, in ONE shape for every indicator. `records` is a relation with columns
      area_code, year, role ('numerator' | 'denominator'), component, component_zh, input_key, value, unit,
      source_feed, source_file_sha256 (varchar[]) [, standard]
    whose values, summed per role, give the indicator's numerator and denominator (indicator_values). `city` says
    which records the city's value (370100) is computed from, as its model computes it:
      'sent'               - the city's own rows (a 全市 row; a city of the air feed);
      'all'                - every record of the year, whatever district it lies in (each plant once);
      'counties'           - the records of the 12 county-level districts (grid cells, gNBs, broadband households);
      'counties_else_sent' - the county-level districts' records when all of them sent the component that year, else
                             the city's own rows (the district sum rule of the staging models).
    `city` may also be a mapping role -> rule (per-1000 indicators: the counts by the district rule, the population
    from the city's own row of the district tables). Only records of an existing value are kept (joined to ind_<indicator_code>); `by_standard` joins on the standard
    too (air quality: one value per standard), `by_area_name` on the area's name instead of its code (the cities of
    the air feed outside Shandong have no code; records then carry area_name). -#}
{% macro indicator_input_rows(indicator_code, records, city='sent', by_standard=false, by_area_name=false) %}
    {%- set city_code = var('city_code') -%}
    select
        '{{ indicator_code }}'::varchar as indicator_code,
        ind.area_code::varchar as area_code,
        ind.area_name::varchar as area_name,
        inputs.year::integer as year,
        ind.method::varchar as method,
        inputs.role::varchar as role,
        inputs.component::varchar as component,
        inputs.component_zh::varchar as component_zh,
        inputs.input_key::varchar as input_key,
        inputs.value::double as value,
        inputs.unit::varchar as unit,
        inputs.source_feed::varchar as source_feed,
        -- a list of one file (most records: one daily file) is already sorted and distinct: skip the per-row sort
        case
            when len(inputs.source_file_sha256) = 1 and inputs.source_file_sha256[1] is not null
                then inputs.source_file_sha256
            else list_sort(list_distinct(inputs.source_file_sha256))
        end::varchar[] as source_file_sha256
    from (
        select * from {{ records }} where area_code is distinct from '{{ city_code }}'
        {%- set rules = city if city is mapping else {'numerator': city, 'denominator': city} %}
        {%- for role, rule in rules.items() %}
        union all
        {{ _city_input_records(records, rule, role) }}
        {%- endfor %}
    ) as inputs
    inner join {{ ref('ind_' ~ indicator_code) }} as ind
        {%- if by_area_name %}
        on inputs.area_name = ind.area_name
        {%- else %}
        on inputs.area_code = ind.area_code
        {%- endif %}
        and inputs.year = ind.year
        {%- if by_standard %}
        and inputs.standard = ind.standard
        {%- endif %}
{% endmacro %}


{% macro _city_input_records(records, rule, role) %}
    {%- set city_code = var('city_code') -%}
    {%- set counties = "(select area_code from " ~ ref('registry_areas') ~ " where area_kind = 'county')" -%}
    {%- set all_counties_sent -%}
        (select count(distinct c.area_code) from {{ records }} as c
         where c.year = r.year and c.component = r.component and c.area_code in {{ counties }})
        = (select count(*) from {{ counties }})
    {%- endset -%}
    {%- if rule == 'sent' -%}
        select * from {{ records }} as r where r.area_code = '{{ city_code }}' and r.role = '{{ role }}'
    {%- elif rule == 'all' -%}
        select * replace ('{{ city_code }}' as area_code) from {{ records }} as r where r.role = '{{ role }}'
    {%- elif rule == 'counties' -%}
        select * replace ('{{ city_code }}' as area_code) from {{ records }} as r
        where r.role = '{{ role }}' and r.area_code in {{ counties }}
    {%- elif rule == 'counties_else_sent' -%}
        select * replace ('{{ city_code }}' as area_code) from {{ records }} as r
        where r.role = '{{ role }}' and r.area_code in {{ counties }} and {{ all_counties_sent }}
        union all
        select * from {{ records }} as r
        where r.role = '{{ role }}' and r.area_code = '{{ city_code }}' and not {{ all_counties_sent }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("indicator_input_rows: unknown city rule " ~ rule) }}
    {%- endif -%}
{% endmacro %}


{#- The records of indicator_input_rows from a relation with area_code, year, source_file_sha256: one record per row
    and component. `components`: (column or expression, role, component code, component_zh, unit). -#}
{% macro input_records(relation, feed, key, components) %}
    {%- for expression, role, component, component_zh, unit in components %}
    select
        area_code,
        year,
        '{{ role }}' as role,
        '{{ component }}' as component,
        '{{ component_zh }}' as component_zh,
        ({{ key }})::varchar as input_key,
        ({{ expression }})::double as value,
        '{{ unit }}' as unit,
        '{{ feed }}' as source_feed,
        [source_file_sha256] as source_file_sha256
    from {{ relation }}
    where ({{ expression }}) is not null
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{% endmacro %}
