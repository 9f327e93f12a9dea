{#-
    fails with the rows where any of the given columns is NULL: one test for several columns (each data test is a
    dbt node with ~30 ms of overhead, which matters in an incremental build of a few seconds)
-#}
{% test not_null_columns(model, columns) %}

select {{ columns | join(', ') }}
from {{ model }}
where {% for column in columns %}{{ column }} is null{{ ' or ' if not loop.last }}{% endfor %}

{% endtest %}
