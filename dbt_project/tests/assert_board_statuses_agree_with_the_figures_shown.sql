-- 总览 shows a value, a target and a status colour side by side: no red status where the value shown (rounded to the
-- indicator's precision) meets the milestone's target as the plan words it (>=, <=, reach, about: inclusive and
-- one-sided in the indicator's direction). The cockpit's tiles (board_indicator_tiles) show the value as text: that
-- text must be the judged value itself, its status and colour those of the overview, and the same rule holds for it;
-- the scorecard's cells (board_district_scorecard) likewise.
with

milestones as (

    select * from {{ ref('indicator_milestones') }}
    where is_current

),

catalog as (

    select * from {{ ref('indicator_catalog') }}

),

overview as (

    select * from {{ ref('board_indicator_overview') }}

),

tiles as (

    select * from {{ ref('board_indicator_tiles') }}

),

vocabulary as (

    select * from {{ ref('status_vocabulary') }}

)

select
    'overview: red although the value shown meets the target' as failure,
    overview.indicator_code,
    overview.as_of_year as year,
    overview.actual_value::varchar as shown,
    overview.status
from overview
inner join catalog using (indicator_code)
inner join milestones
    on overview.indicator_code = milestones.indicator_code
    and overview.milestone_year = milestones.milestone_year
where overview.status_colour = 'red'
    and overview.actual_value is not null
    and {{ meets_target('overview.actual_value', 'overview.target_value', 'milestones.comparator', 'catalog.direction') }}

union all

select
    'tile: red although the value shown meets the target',
    tiles.indicator_code,
    tiles.as_of_year,
    tiles.value_text,
    tiles.status
from tiles
inner join overview using (indicator_code, as_of_year)
inner join catalog using (indicator_code)
inner join milestones
    on overview.indicator_code = milestones.indicator_code
    and overview.milestone_year = milestones.milestone_year
where tiles.colour_hex in (select colour_hex from vocabulary where status_colour = 'red')
    and tiles.value_text != '—'
    and {{ meets_target('tiles.value_text::double', 'overview.target_value', 'milestones.comparator',
        'catalog.direction') }}

union all

select
    'tile: the text shown is not the value judged, or its status differs from the overview',
    tiles.indicator_code,
    tiles.as_of_year,
    tiles.value_text,
    tiles.status
from tiles
inner join overview using (indicator_code, as_of_year)
where tiles.status != overview.status
    or tiles.status_zh != overview.status_zh
    or (overview.actual_value is null) != (tiles.value_text = '—')
    or (overview.actual_value is not null and tiles.value_text::double != overview.actual_value)

union all

-- a scorecard cell: its colour is its status's, and the text shown is the value judged
select
    'scorecard: the cell text is not the value judged, or its colour is not its status''s',
    cells.indicator_code,
    cells.year,
    cells.cell_text,
    cells.status
from {{ ref('board_district_scorecard') }} as cells
left join vocabulary on cells.status = vocabulary.status
where not cells.is_header
    and (
        cells.colour_hex is distinct from vocabulary.colour_hex
        or (cells.value is null) != (cells.cell_text = '—')
        or (cells.value is not null and rtrim(cells.cell_text, '*')::double != cells.value)
    )
