-- One row per area and year: the households of the district and those covered by ANY operator (the union).
-- The union is the district's 全网 row (the administration's count over all operators, each household once); where a
-- district has no 全网 row, the largest operator's figure stands in (a lower bound of the union: households of two
-- operators would be counted twice by a sum). The city is the sum of the 12 county-level districts (a 全市 row or a
-- functional zone, if sent, is kept for itself and never enters the sum).

with

reports as (

    select * from {{ ref('stg_telecom__operator_district_reports') }}

),

per_area as (

    select
        area_code,
        year,
        max(households) as households,
        coalesce(max(fibre_reachable_households) filter (where is_all_operators),
                 max(fibre_reachable_households)) as fibre_reachable_households,
        coalesce(max(ftth_households) filter (where is_all_operators), max(ftth_households)) as ftth_households,
        coalesce(max(gigabit_capable_households) filter (where is_all_operators),
                 max(gigabit_capable_households)) as gigabit_capable_households,
        case when bool_or(is_all_operators) then '全网' else '最大运营商' end as union_basis,
        bool_and(is_synthetic) as is_synthetic
    from reports
    group by area_code, year

),

districts as (

    select area_code from {{ ref('registry_areas') }} where area_kind = 'county'

),

city as (

    select
        '{{ var("city_code") }}' as area_code,
        year,
        sum(households) as households,
        sum(fibre_reachable_households) as fibre_reachable_households,
        sum(ftth_households) as ftth_households,
        sum(gigabit_capable_households) as gigabit_capable_households,
        '区县合计' as union_basis,
        bool_and(is_synthetic) as is_synthetic
    from per_area
    where area_code in (select area_code from districts)
    group by year

)

select * from per_area where area_code <> '{{ var("city_code") }}'
union all
select * from city
