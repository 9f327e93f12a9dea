{#-
    True when `value` (as shown: rounded to the indicator's precision) meets `target` as the plan words it, for the
    comparators whose number is included (reach, >=, <=, about: inclusive, one-sided in the indicator's direction):
    the rule the data tests hold every red status against (urbanmon/progress.py meets() is the rule itself).
-#}
{% macro meets_target(value, target, comparator, direction) -%}
    ({{ comparator }} in ('reach', '>=', '<=', 'about')
        and (
            ({{ direction }} in ('higher', 'maintain') and {{ comparator }} <> '<=' and {{ value }} >= {{ target }})
            or (({{ direction }} = 'lower' or {{ comparator }} = '<=') and {{ value }} <= {{ target }})
        ))
{%- endmacro %}
