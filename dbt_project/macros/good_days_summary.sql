{#- valid days, good days and their ratio per location, standard and the given period columns -#}
{% macro good_days_summary(daily, period_columns, calendar_days) -%}
    select
        location_type,
        location_id,
        area_code,
        area_name,
        {{ period_columns | join(', ') }},
        standard,
        count(*) filter (where is_valid_day)::integer as valid_days,
        count(*) filter (where is_good_day)::integer as good_days,
        case
            when count(*) filter (where is_valid_day) > 0
                then 100.0 * count(*) filter (where is_good_day) / count(*) filter (where is_valid_day)
        end as good_days_ratio_pct,
        ({{ calendar_days }})::integer as calendar_days
    from {{ daily }}
    group by location_type, location_id, area_code, area_name, {{ period_columns | join(', ') }}, standard
{%- endmacro %}
