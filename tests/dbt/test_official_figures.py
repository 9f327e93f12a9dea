"""The value of record (issue 14): with the shipped real sample of official figures, indicator_values gives Jinan's
primary series from the published figures, cited, with the computed values beside them; context statistics are
served; indicator_reconciliation compares official figures with real computed values only."""

from __future__ import annotations


def _rows(con, sql, *params):
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_official_figures_are_the_primary_series_with_computed_values_beside(dbt_build):
    assert dbt_build.returncode == 0, dbt_build.output[-5000:]
    with dbt_build.connect() as con:
        for code, year, value in [("urbanization_rate_resident_pct", 2022, 74.3),
                                  ("urban_rural_income_ratio", 2023, 2.44)]:
            rows = _rows(con, "select * from serving.indicator_values where indicator_code = ? and area_code = "
                              "'370100' and year = ?", code, year)
            primary = [r for r in rows if r["is_primary_series"]]
            assert len(primary) == 1, rows
            assert primary[0]["value"] == value and primary[0]["value_source"] == "official"
            # cited: the document (also the row's standard), then publisher, date and the quoted clause
            assert primary[0]["citation"].startswith(primary[0]["standard"]) and "“" in primary[0]["citation"]
            assert not primary[0]["is_synthetic"]
            beside = [r for r in rows if not r["is_primary_series"]]
            assert beside and all(r["value_source"] in ("computed_real", "sample") for r in beside), rows
        # derived where only the components are published: none for 2022 (the rate itself is), so no derived row
        derived = _rows(con, "select * from serving.indicator_values where method = '官方公布数据推算'")
        assert all(r["derived_from"].startswith("derived from ") for r in derived)
        dupes = con.execute("select indicator_code, area_code, year, count(*) from serving.indicator_values "
                            "where is_primary_series and area_code is not null group by all having count(*) > 1"
                            ).fetchall()  # cities outside Shandong have no code (one row each by name)
        assert dupes == []


def test_progress_sees_one_primary_value_per_indicator_area_year(dbt_build):
    from urbanmon.assessment import primary_series

    with dbt_build.connect() as con:
        values = _rows(con, "select * from serving.indicator_values")
    series = primary_series(values)
    assert series[("urbanization_rate_resident_pct", "370100")][2022] == 74.3
    assert series[("urban_rural_income_ratio", "370100")][2023] == 2.44


def test_context_statistics_are_served_and_reconciliation_uses_real_values_only(dbt_build):
    with dbt_build.connect() as con:
        context = _rows(con, "select * from serving.context_statistics")
        recon = _rows(con, "select * from serving.indicator_reconciliation")
    by_code = {(r["statistic_code"], r["year"]): r for r in context}
    assert by_code[("urban_new_jobs", 2022)]["value"] == 17.4
    assert by_code[("rail_transit_operating_length", 2025)]["qualifier"] == ">"
    assert by_code[("all_residents_disposable_income", 2023)]["citation"]
    assert not any(r["is_synthetic"] for r in context)
    air = [r for r in recon if r["indicator_code"] == "air_quality_good_days_ratio" and r["year"] == 2020]
    assert len(air) == 1 and air[0]["published_value"] == 62 and air[0]["computed_value"] is not None
    # the statistics feeds' sample is synthetic: never set beside a published figure
    urban = [r for r in recon if r["indicator_code"] == "urbanization_rate_resident_pct"]
    assert urban and all(r["computed_value"] is None for r in urban)
    assert all(r["tolerance"] == 0.05 for r in urban)


def test_a_revised_official_figure_supersedes_keeps_its_history_and_leaves_an_edition_unchanged(dbt_build, scratch):
    """The bureau publishes a revision (常住人口城镇化率 2022: 74.3 -> 74.4, a later publication): the new file of the
    same period supersedes the earlier one, the value of record follows, the earlier figure stays queryable with who
    published what when, and a frozen edition keeps what it froze."""
    import shutil

    import duckdb

    from tests.dbt.conftest import data_dir_env, ingest_files, run_dbt
    from urbanmon import editions, pipeline, publish
    from urbanmon.settings import SOURCES_DIR

    feed = "statistics__jinan_official_figures"
    sample = SOURCES_DIR / feed / "sample" / "official_figures_2025_jinan_published.csv"
    original = sample.read_bytes()
    old_row = next(line for line in original.decode("utf-8").splitlines()
                   if line.startswith("常住人口城镇化率,370100,2022,"))
    revised_row = (old_row.replace(",74.3,", ",74.4,", 1).replace("2023-04-12", "2024-04-20")
                   .replace("2022年济南市国民经济和社会发展统计公报", "济南统计年鉴2024（修订）"))
    revised = original.decode("utf-8").replace(old_row, revised_row).encode("utf-8")
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)

    def primary(con):
        return con.execute("select value, citation from indicator_values where indicator_code = "
                           "'urbanization_rate_resident_pct' and area_code = '370100' and year = 2022 "
                           "and is_primary_series").fetchone()

    with data_dir_env(data):
        publish.publish_snapshot()
        pipeline.publish_operations()
        frozen = editions.freeze("annual", 2022, "编辑甲")
        result = ingest_files(data, feed, {"official_figures_2025_revised.csv": revised})
        assert result["superseded"], result
        code, output, _ = run_dbt(data, dbt_build.target.parent, *pipeline.dbt_selection([feed]))
        assert code == 0, output[-4000:]
        publish.publish_snapshot()
        with duckdb.connect(str(data / "serving" / "warehouse.duckdb"), read_only=True) as con:
            value, citation = primary(con)
            edition = con.execute(
                "select value from edition_indicator_values where edition_id = ? and indicator_code = "
                "'urbanization_rate_resident_pct' and area_code = '370100' and year = 2022 and is_primary_series",
                [frozen["edition_id"]]).fetchone()[0]
        assert (value, edition) == (74.4, 74.3) and "济南统计年鉴2024（修订）" in citation
        assert all(c["ok"] for c in editions.verify())
        with duckdb.connect(str(data / "build" / "warehouse.duckdb"), read_only=True) as con:
            history = con.execute(
                f"select value, document, superseded_by_sha256 is not null from history.{feed} where figure_code = "
                "'urbanization_rate_resident_pct' and area_code = '370100' and year::varchar like '2022%'").fetchall()
            revisions = con.execute("select old_name, new_name from ops.file_revisions where feed_id = ?",
                                    [feed]).fetchall()
        # who published what, when: the earlier figure with its document, and which file replaced it
        assert history == [(74.3, "2022年济南市国民经济和社会发展统计公报", True)]
        assert revisions == [("official_figures_2025_jinan_published.csv", "official_figures_2025_revised.csv")]
