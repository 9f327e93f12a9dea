{#- The Chinese words for indicator_values.value_source (where the value of record comes from). -#}
{% macro value_source_zh(column) -%}
(case {{ column }}
    when 'official' then '官方公布'
    when 'computed_real' then '真实数据计算'
    when 'sample' then '样例数据'
end)::varchar
{%- endmacro %}
