{#-
    Incremental builds for the report dates whose raw rows changed (README "Incremental builds").

    changed_report_dates(): the changed report dates (file dates, Beijing) as a sorted list of 'YYYY-MM-DD' strings,
    or none for a full rebuild. Taken from
      1. the var `changed_report_dates` (--vars '{"changed_report_dates": ["2020-12-31"]}'), if given; else
      2. the environment variable URBANMON_CHANGED_REPORT_DATES (a JSON list, or dates separated by commas),
         read only while executing: unlike --vars, it does not invalidate dbt's partial parse (~2 s saved).
    none (var null / absent and env unset or empty) means: rebuild everything. [] means: nothing changed.
-#}
{% macro changed_report_dates() %}
    {%- set value = var('changed_report_dates', none) -%}
    {%- if value is none and execute -%}
        {%- set text = env_var('URBANMON_CHANGED_REPORT_DATES', '') | trim -%}
        {%- if text.startswith('[') -%}
            {%- set value = fromjson(text) -%}
        {%- elif text and text != 'null' -%}
            {%- set value = text.split(',') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if value is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if value is string -%}
        {%- set value = value.split(',') -%}
    {%- endif -%}
    {%- set dates = [] -%}
    {%- for item in value -%}
        {%- set text = item | string | trim -%}
        {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', text) -%}
            {{ exceptions.raise_compiler_error("changed_report_dates: not a date 'YYYY-MM-DD': " ~ item) }}
        {%- endif -%}
        {%- do modules.datetime.date.fromisoformat(text) -%}
        {%- if text not in dates -%}{%- do dates.append(text) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(dates | sort) }}
{% endmacro %}


{#- the changed report dates shifted by each of `offsets` (days), as date strings -#}
{% macro changed_dates_shifted(offsets=[0]) %}
    {%- set out = [] -%}
    {%- for text in changed_report_dates() or [] -%}
        {%- for offset in offsets -%}
            {%- set day = (modules.datetime.date.fromisoformat(text) + modules.datetime.timedelta(days=offset)).isoformat() -%}
            {%- if day not in out -%}{%- do out.append(day) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(out | sort) }}
{% endmacro %}


{#- SQL predicate: `column` is one of the changed report dates shifted by `offsets`; `false` if none changed -#}
{% macro in_changed_dates(column, offsets=[0]) -%}
    {%- set days = changed_dates_shifted(offsets) -%}
    {%- if days -%}
        {{ column }} in ({% for day in days %}date '{{ day }}'{{ ', ' if not loop.last }}{% endfor %})
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}


{#- true while an incremental model only rebuilds what the changed dates touch -#}
{% macro is_partial_build() %}
    {{ return(is_incremental() and changed_report_dates() is not none) }}
{% endmacro %}


{#- ` and <predicate>` inside an incremental model's WHERE: nothing on a full build -#}
{% macro and_if_partial(column, offsets=[0]) -%}
    {%- if is_partial_build() %} and {{ in_changed_dates(column, offsets) }}{% endif -%}
{%- endmacro %}


{#-
    pre-hook of every incremental model: remove the rows the changed dates touch (they are inserted again from
    raw, so rows of a superseded or quarantined file disappear); everything on an incremental run without dates.
-#}
{% macro delete_changed_rows(column, offsets=[0]) -%}
    {%- if is_incremental() -%}
        {%- if changed_report_dates() is none -%}
            delete from {{ this }}
        {%- else -%}
            delete from {{ this }} where {{ in_changed_dates(column, offsets) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#-
    Data tests on the large tables check only the rows the changed dates touch when dates are given (all rows on a
    full build): dbt wraps every generic test's model in get_where_subquery. The tables and their date column:
-#}
{% macro changed_dates_test_scope() %}
    {{ return({
        'air_quality__cnemc_city_hourly': ('report_date', [0]),
        'air_quality__cnemc_station_hourly': ('report_date', [0]),
        'stg_cnemc__city_hourly': ('report_date', [0]),
        'stg_cnemc__station_hourly': ('report_date', [0]),
        'int_air_quality_hourly_unioned': ('report_date', [0]),
        'int_aqi_hourly_recomputed': ('report_date', [0]),
        'int_aqi_reconciliation_daily': ('report_date', [0]),
        'air_quality_hourly': ('report_date', [0]),
        'int_air_quality_daily_means': ('date', [-1, 0]),
        'int_aqi_daily': ('date', [-1, 0]),
        'fct_air_quality_daily': ('date', [-1, 0]),
        'air_quality_daily': ('date', [-1, 0]),
    }) }}
{% endmacro %}

{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set scope = changed_dates_test_scope().get(relation.identifier) if relation.identifier is defined else none -%}
    {%- if scope and changed_report_dates() is not none -%}
        {%- set changed = in_changed_dates(scope[0], scope[1]) -%}
        {%- set where = '(' ~ where ~ ') and ' ~ changed if where else changed -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{#- the calendar years of the changed report dates shifted by `offsets` (integers, sorted) -#}
{% macro changed_years(offsets=[0]) %}
    {%- set years = [] -%}
    {%- for day in changed_dates_shifted(offsets) -%}
        {%- if (day[:4] | int) not in years -%}{%- do years.append(day[:4] | int) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(years | sort) }}
{% endmacro %}


{#- SQL predicate: `column` (a year) is a year of the changed report dates shifted by `offsets`; `false` if none -#}
{% macro in_changed_years(column, offsets=[0]) -%}
    {%- set years = changed_years(offsets) -%}
    {%- if years -%}
        {{ column }} in ({{ years | join(', ') }})
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}


{#- pre-hook of a model incremental by year: on a partial build delete the changed years' rows (and the rows
    `rebuilt_whole` selects, which the model inserts on every build), on a full build everything -#}
{% macro delete_changed_year_rows(column, offsets=[0], rebuilt_whole=none) -%}
    {%- if is_incremental() -%}
        {%- if changed_report_dates() is none -%}
            delete from {{ this }}
        {%- else -%}
            delete from {{ this }} where {{ in_changed_years(column, offsets) }}
            {%- if rebuilt_whole %} or ({{ rebuilt_whole }}){% endif %}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- serving.indicator_inputs: the rows rebuilt on every build (all but the air-quality days, incremental by year) -#}
{% macro indicator_inputs_rebuilt_whole() -%}
    source_feed is distinct from 'air_quality__cnemc_city_hourly'
{%- endmacro %}
