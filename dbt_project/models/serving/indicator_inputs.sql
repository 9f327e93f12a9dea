-- The inputs of every indicator value (int_indicator_inputs, macros/indicator_inputs.sql): one row per value,
-- component and lower-level record, with its unit and the files it came from.
-- Incremental: the air-quality days (int_indicator_inputs__air_quality, nine in ten rows) by year as that model is;
-- every other input (a few thousand rows) is deleted and inserted again on every build.
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_year_rows('year', [-1, 0], indicator_inputs_rebuilt_whole()) }}",
    )
}}

with

inputs as (

    select * from {{ ref('int_indicator_inputs') }}
    {%- if is_partial_build() %}
    where {{ in_changed_years('year', [-1, 0]) }} or ({{ indicator_inputs_rebuilt_whole() }})
    {%- endif %}

),

final as (

    select
        indicator_code::varchar as indicator_code,
        area_code::varchar as area_code,
        area_name::varchar as area_name,
        year::integer as year,
        method::varchar as method,
        role::varchar as role,
        component::varchar as component,
        component_zh::varchar as component_zh,
        input_key::varchar as input_key,
        value::double as value,
        unit::varchar as unit,
        source_feed::varchar as source_feed,
        source_file_sha256::varchar[] as source_file_sha256
    from inputs

)

select * from final
