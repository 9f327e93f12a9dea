{#- The inputs of the telecom indicators (macros/indicator_inputs.sql): each gNB, each 3 km grid cell, each
    district's broadband households (the union over operators, stg_telecom__district_broadband_households). -#}

with

nr_cells as (

    select * from {{ ref('stg_telecom__opencellid_cells') }} where radio = 'NR'

),

five_g_base_stations as (

    -- a gNB in the district of its lowest-numbered cell that lies in a district (ind_five_g_base_stations)
    select
        arg_min(area_code, cell) filter (where area_code is not null) as area_code,
        year,
        'numerator' as role,
        'gnb' as component,
        '在网5G基站（gNB）' as component_zh,
        mcc || '-' || net || '-' || gnb_id as input_key,
        1.0 as value,
        '个' as unit,
        'telecom__opencellid_cells' as source_feed,
        list(distinct source_file_sha256) as source_file_sha256
    from nr_cells
    group by year, mcc, net, gnb_id

),

grid as (

    select * from {{ ref('stg_telecom__coverage_grid') }}

),

five_g_coverage_pct as (
    {{ input_records('grid', 'telecom__coverage_grid', 'grid_id', [
        ('covered_population', 'numerator', 'covered_population', '栅格常住人口 × 5G覆盖比例', '人'),
        ('resident_population', 'denominator', 'resident_population', '栅格常住人口', '人'),
    ]) }}
),

households as (

    select
        households.*,
        files.source_file_sha256
    from {{ ref('stg_telecom__district_broadband_households') }} as households
    inner join (
        select area_code, year, list(distinct source_file_sha256) as source_file_sha256
        from {{ ref('stg_telecom__operator_district_reports') }}
        group by area_code, year
    ) as files on households.area_code = files.area_code and households.year = files.year

),

{% for code, column, component_zh in [
    ('fibre_to_home_coverage_pct', 'ftth_households', '光纤入户户数'),
    ('gigabit_capable_household_pct', 'gigabit_capable_households', '具备千兆接入能力家庭户数'),
] %}
{{ code }} as (

    select
        area_code, year, 'numerator' as role, '{{ column }}' as component,
        '{{ component_zh }}（' || union_basis || '）' as component_zh, area_code || ' ' || year as input_key,
        {{ column }}::double as value, '户' as unit, 'telecom__operator_district_reports' as source_feed,
        source_file_sha256
    from households
    where {{ column }} is not null
    union all
    select
        area_code, year, 'denominator', 'households', '家庭户数', area_code || ' ' || year,
        households::double, '户', 'telecom__operator_district_reports', source_file_sha256
    from households
    where households is not null

){% if not loop.last %},{% endif %}
{% endfor %}

{{ indicator_input_rows('five_g_base_stations', 'five_g_base_stations', city='counties') }}
union all
{{ indicator_input_rows('five_g_coverage_pct', 'five_g_coverage_pct', city='counties') }}
union all
{{ indicator_input_rows('fibre_to_home_coverage_pct', 'fibre_to_home_coverage_pct', city='counties') }}
union all
{{ indicator_input_rows('gigabit_capable_household_pct', 'gigabit_capable_household_pct', city='counties') }}
