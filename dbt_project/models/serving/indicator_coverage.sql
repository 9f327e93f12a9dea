-- Coverage: per indicator of the registry, its feed, the years and areas it has values for, and whether they are
-- real (published or computed from real data), only sample data, or none at all
with

catalog as (

    select * from {{ ref('indicator_catalog') }}

),

feeds as (

    select * from {{ ref('registry_feeds') }}

),

values_of_record as (

    -- the areas of the registry (Jinan, districts, functional zones); the air feed's other cities are left out
    select *
    from {{ ref('indicator_values') }}
    where is_primary_series and area_code in (select area_code from {{ ref('area_catalog') }})

),

per_indicator as (

    select
        indicator_code,
        min(year) as first_year,
        max(year) as last_year,
        count(distinct year) as years_with_values,
        count(distinct area_code) as areas_with_values,
        bool_or(area_code = '{{ var("city_code") }}') as has_city_values,
        min(year) filter (where value_source <> 'sample') as real_first_year,
        max(year) filter (where value_source <> 'sample') as real_last_year,
        count(*) filter (where value_source = 'official') as official_values,
        count(*) filter (where value_source = 'computed_real') as computed_real_values,
        count(*) filter (where value_source = 'sample') as sample_values
    from values_of_record
    group by indicator_code

),

final as (

    select
        catalog.indicator_code::varchar as indicator_code,
        catalog.kind::varchar as kind,
        catalog.headline_no::integer as headline_no,
        catalog.name_zh::varchar as name_zh,
        catalog.feed::varchar as feed,
        coalesce(feeds.has_spec, false)::boolean as has_feed_spec,
        (case
            when per_indicator.official_values + per_indicator.computed_real_values > 0 then 'real'
            when per_indicator.sample_values > 0 then 'sample'
            else 'none'
        end)::varchar as coverage,
        (case
            when per_indicator.official_values + per_indicator.computed_real_values > 0 then '有真实数据'
            when per_indicator.sample_values > 0 then '仅有样例数据'
            when coalesce(feeds.has_spec, false) then '数据源已接入，尚无数据'
            else '尚无数据源'
        end)::varchar as coverage_zh,
        per_indicator.first_year::integer as first_year,
        per_indicator.last_year::integer as last_year,
        per_indicator.real_first_year::integer as real_first_year,
        per_indicator.real_last_year::integer as real_last_year,
        coalesce(per_indicator.years_with_values, 0)::integer as years_with_values,
        coalesce(per_indicator.areas_with_values, 0)::integer as areas_with_values,
        coalesce(per_indicator.has_city_values, false)::boolean as has_city_values,
        coalesce(per_indicator.official_values, 0)::integer as official_values,
        coalesce(per_indicator.computed_real_values, 0)::integer as computed_real_values,
        coalesce(per_indicator.sample_values, 0)::integer as sample_values
    from catalog
    left join feeds on catalog.feed = feeds.feed_id
    left join per_indicator on catalog.indicator_code = per_indicator.indicator_code

)

select * from final
