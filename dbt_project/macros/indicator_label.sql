{#- The label the boards show for an indicator: its number in the plan's headline table (专栏1), zero-padded so that
    labels sort in the table's order, then its Chinese name ("01 5G基站数"); text targets have no number. -#}
{% macro indicator_label(headline_no, name_zh) -%}
(coalesce(lpad({{ headline_no }}::varchar, 2, '0') || ' ', '') || {{ name_zh }})::varchar
{%- endmacro %}
