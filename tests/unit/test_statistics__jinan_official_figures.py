"""The official-figures feed (statistics__jinan_official_figures): the template, the real sample, and every rule a
bad file is refused by, each naming its rule and the row (line) it found."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from urbanmon.feeds import official_figures
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec

FEED = "statistics__jinan_official_figures"
HEADER = ["名称", "地区", "年份", "数值", "单位", "限定", "文件", "发布机构", "发布日期", "链接或页码", "原文",
          "来源类型", "可信度"]
DOC = "2022年济南市国民经济和社会发展统计公报"
TODAY = dt.date(2026, 12, 7)


def row(name="常住人口城镇化率", area="370100", year="2022", value="74.3", unit="%", qualifier="", document=DOC):
    return [name, area, year, value, unit, qualifier, document, "济南市统计局", "2023-04-12", "https://example.org/x",
            "常住人口城镇化率为74.3%", "official_text", "high"]


def csv_bytes(*rows, encoding="utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def parse(raw: bytes, name: str = "official_figures_2023_test.csv"):
    return official_figures.parse_bytes(raw, get_spec(FEED), name, TODAY)


def refused(raw: bytes) -> FeedError:
    with pytest.raises(FeedError) as err:
        parse(raw)
    return err.value


def test_a_good_file_loads_with_canonical_names_areas_and_qualifiers():
    parsed = parse(csv_bytes(
        row(),
        row(name="urban_resident_population", area="济南市", value="699.8", unit="万人"),
        row(name="常住人口", area="全市", value="941.5", unit="万人"),
        row(name="轨道交通线网里程", year="2025", value="182", unit="公里", qualifier="超过"),
        row(name="城乡居民收入比", year="2023", value="2.44", unit=""),
        row(name="年末常住人口", area="莱芜市", value="120", unit="万人"),
    ))
    t = parsed.table.to_pylist()
    assert [r["figure_code"] for r in t] == [
        "urbanization_rate_resident_pct", "urban_resident_population", "resident_population_year_end",
        "rail_transit_operating_length", "urban_rural_income_ratio", "resident_population_year_end"]
    assert [r["figure_kind"] for r in t][:4] == ["indicator", "component", "indicator", "context"]
    assert [r["area_code"] for r in t] == ["370100"] * 5 + ["370116"]
    assert t[3]["qualifier_code"] == ">" and t[0]["qualifier_code"] is None
    assert parsed.report_date == dt.date(2023, 1, 1)
    assert not any(r["is_synthetic"] for r in t)


def test_gb18030_and_the_shipped_template_and_sample_parse():
    assert parse(csv_bytes(row(), encoding="gb18030")).rows == 1
    spec = get_spec(FEED)
    for path in [*(spec.folder / "template").glob("official_figures_2*"), *(spec.folder / "sample").glob("*.csv")]:
        assert official_figures.parse(path, spec, path.name, TODAY).rows > 0, path
    for path in (spec.folder / "template").glob("official_figures_YYYY_template.*"):
        with pytest.raises(FeedError) as err:  # the empty template is a header and nothing else
            official_figures.parse(path, spec, "official_figures_2025_x" + path.suffix, TODAY)
        assert err.value.rule == "empty_file"


@pytest.mark.parametrize(("bad", "rule"), [
    (row(unit="万人"), "unit_mismatch"),
    (row(name="年末常住人口", value="9415000", unit="人"), "unit_mismatch"),
    (row(name="城镇居民人均可支配收入", value="6.25", unit="万元"), "unit_mismatch"),
    (row(name="常住人口城镇化水平指数"), "unknown_name"),
    (row(area="济南新区"), "unknown_area"),
    (row(document=""), "missing_document"),
    (row(value="107.4"), "out_of_range"),
    (row(name="年末常住人口", value="-3", unit="万人"), "out_of_range"),
    (row(year="2031"), "future_period"),
    (row(qualifier="大概"), "bad_qualifier"),
])
def test_each_rule_refuses_the_file_naming_rule_and_row(bad, rule):
    err = refused(csv_bytes(row(name="城镇常住人口", value="699.8", unit="万人"), bad))
    assert err.rule == rule, str(err)
    assert err.line == 3, str(err)  # header on line 1, the good row on 2, the bad one on 3
    assert err.file == "official_figures_2023_test.csv" and f"[{rule}]" in str(err)


def test_the_same_figure_twice_with_different_values_is_refused():
    err = refused(csv_bytes(row(), row(name="城镇常住人口", value="699.8", unit="万人"),
                            row(name="urbanization_rate_resident_pct", value="74.2", document="另一文件")))
    assert (err.rule, err.line) == ("conflicting_values", 4)
    assert "line 2" in str(err)


def test_the_same_figure_twice_with_the_same_value_is_refused():
    err = refused(csv_bytes(row(), row(name="城镇化率", document="济南统计年鉴2023")))
    assert (err.rule, err.line) == ("duplicate_figure", 3)


def test_a_bad_file_name_is_refused():
    with pytest.raises(FeedError) as err:
        parse(csv_bytes(row()), name="figures.csv")
    assert err.value.rule == "bad_file_name"


def test_the_sample_is_real_and_holds_the_issue_figures():
    spec = get_spec(FEED)
    (path,) = (spec.folder / "sample").glob("official_figures_*.csv")
    rows = official_figures.parse(path, spec, path.name, TODAY).table.to_pylist()
    assert not any(r["is_synthetic"] for r in rows)
    got = {(r["figure_code"], r["period_start"].year): r["value"] for r in rows}
    assert got[("urbanization_rate_resident_pct", 2022)] == 74.3
    assert got[("urban_rural_income_ratio", 2023)] == 2.44
    assert got[("air_quality_good_days_ratio", 2020)] == 62  # the plan's figure, once the seed
    assert all(r["document"] and r["quote"] for r in rows)
    provenance = (spec.folder / "sample" / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "real" in provenance.lower() and "75.3" in provenance and "75.2" in provenance


def test_names_are_declared_once_and_derivations_name_known_figures():
    figs = official_figures.figures()
    codes = {f.code for f in figs.values()}
    for d in official_figures.derivations():
        assert {d["indicator"], d["numerator"], d["denominator"]} <= codes, d
    model = (get_spec(FEED).folder.parents[1] / "dbt_project/models/marts/indicators/statistics/"
             "ind_official_figures.sql")
    if model.exists():  # dbt keeps the same pairs (a model cannot read the YAML at build time)
        text = model.read_text(encoding="utf-8")
        for d in official_figures.derivations():
            assert all(d[k] in text for k in ("indicator", "numerator", "denominator")), d
