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
