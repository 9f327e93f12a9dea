{#-
    One value of record per figure, area and year. Within a file the adapter refuses a second value; across files the
    newest edition wins (the edition year leads the file name: official_figures_<YYYY>_…), then the later publication.
    The derivations of registry/official_names.yaml are applied in ind_official_figures (indicator
    urbanization_rate_resident_pct from urban_resident_population / resident_population_year_end, indicator
    urban_rural_income_ratio from urban_disposable_income / rural_disposable_income).
-#}
with

source as (

    select * from {{ source('statistics', 'statistics__jinan_official_figures') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by figure_code, area_code, year(period_start)
            order by source_file_name desc, published_on desc nulls last, source_line
        ) as rank_in_figure
    from source

),

final as (

    select
        figure_code,
        figure_kind,
        figure_name_zh,
        area_code,
        year(period_start)::integer as year,
        value,
        declared_unit as unit,
        qualifier_code as qualifier,
        document,
        publisher,
        published_on,
        address,
        quote,
        source_kind,
        confidence,
        note,
        -- how a reader cites the figure: document, publisher, date, clause
        concat_ws('；',
            document,
            publisher,
            strftime(published_on, '%Y-%m-%d'),
            case when quote is not null then '“' || quote || '”' end,
            address
        ) as citation,
        is_synthetic,
        source_file_name,
        source_file_sha256,
        source_line
    from ranked
    where rank_in_figure = 1

)

select * from final
