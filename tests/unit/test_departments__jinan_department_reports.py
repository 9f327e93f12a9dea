"""The unified department report form (departments__jinan_department_reports): the generated sample, the item
catalogue, and every kind of bad input, each refused naming the file, the line and the rule."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from urbanmon import registry, synth
from urbanmon.cli import generated_samples
from urbanmon.feeds import department_reports
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec
from urbanmon.settings import EXPECTATIONS_DIR, REPO_ROOT

FEED = "departments__jinan_department_reports"
NAME = "jinan_department_reports_2021.csv"
HEADER = ["年度", "地区", "填报单位", "指标项目", "计量单位", "数值"]
HOSPITALS = [2021, "历下区", "历下区卫生健康局", "二级以上医院数", "家", 10]
SMART = [2021, "历下区", "历下区卫生健康局", "智慧医院数", "家", 4]
TRAINING = [2021, "历下区", "历下区人力资源社会保障局", "职业技能培训人次", "万人次", 1.62]


@pytest.fixture(scope="module")
def spec():
    return get_spec(FEED)


def parse(spec, rows, name=NAME, encoding="utf-8", **kw):
    return department_reports.parse_bytes(synth.csv_bytes(rows, encoding), spec, name, **kw)


def error(spec, rows, name=NAME, raw: bytes | None = None, **kw) -> FeedError:
    with pytest.raises(FeedError) as err:
        if raw is not None:
            department_reports.parse_bytes(raw, spec, name, **kw)
        else:
            parse(spec, rows, name, **kw)
    assert err.value.file == name
    return err.value


# --- the generated sample ---------------------------------------------------------------------------------------

def test_every_generated_year_parses_flagged_synthetic_and_deterministic(spec):
    files = generated_samples(FEED)
    assert files == generated_samples(FEED)  # byte for byte
    assert len(files) == len(synth.YEARS)
    assert {n.rsplit(".", 1)[1] for n in files} == {"csv", "xlsx"}
    assert sum(len(c) for c in files.values()) < 300_000
    items = set(department_reports.catalogue(spec))
    for name, content in files.items():
        parsed = department_reports.parse_bytes(content, spec, name)
        year = int(re.search(r"_(\d{4})\.", name).group(1))
        assert parsed.report_date == dt.date(year, 1, 1)
        assert set(parsed.table.column("is_synthetic").to_pylist()) == {True}
        pairs = set(zip(parsed.table.column("area_code").to_pylist(), parsed.table.column("item_code").to_pylist(),
                        strict=True))
        assert {(d, i) for d in synth.DISTRICTS for i in items} <= pairs  # every district reports every item
        areas = {a for a, _ in pairs}
        assert areas - set(synth.DISTRICTS) <= {synth.CITY}
        assert parsed.values == parsed.rows


def test_a_city_row_where_sent_is_the_district_sum(spec):
    """The sample's 全市 rows (some years) add up the districts: the city value is the same either way."""
    seen = 0
    for name, content in generated_samples(FEED).items():
        rows = department_reports.parse_bytes(content, spec, name).table.to_pylist()
        city = {r["item_code"]: r["value"] for r in rows if r["area_code"] == synth.CITY}
        for code, value in city.items():
            total = sum(r["value"] for r in rows if r["item_code"] == code and r["area_code"] in synth.DISTRICTS)
            assert value == pytest.approx(total, abs=1e-6), (name, code)
            seen += 1
    assert seen > 0


def test_the_sample_gives_the_plan_baselines_in_2020(spec):
    """City = sum of the 12 districts; per-capita items over the district tables' 全市 population."""
    content = generated_samples(FEED)["synthetic_jinan_department_reports_2020.csv"]
    rows = department_reports.parse_bytes(content, spec, "synthetic_jinan_department_reports_2020.csv").table
    total: dict[str, float] = {}
    for r in rows.to_pylist():
        if r["area_code"] in synth.DISTRICTS:
            total[r["item_code"]] = total.get(r["item_code"], 0) + r["value"]
    population = round(synth.population(synth.CITY, 2020), 2)
    assert round(total["licensed_physicians"] / (population * 10), 1) == 4.4
    assert round(100 * total["smart_campus_schools"] / total["primary_secondary_schools"], 1) == 95.1
    assert round(100 * total["hd_video_covered_key_areas"] / total["key_public_areas"], 1) == 70.0
    assert round(100 * total["villages_collective_income_100k"] / total["administrative_villages"], 1) == 66.5


# --- the contract and its catalogue -------------------------------------------------------------------------------

def test_the_catalogue_the_suite_the_dbt_pivot_and_the_registry_agree(spec):
    items = department_reports.catalogue(spec)
    suite = json.loads((EXPECTATIONS_DIR / f"{spec.raw_suite}.json").read_text(encoding="utf-8"))
    pairs = next(e["kwargs"]["value_pairs_set"] for e in suite["expectations"]
                 if e["type"] == "expect_column_pair_values_to_be_in_set")
    assert sorted(map(tuple, pairs)) == sorted((i.code, i.unit) for i in items.values())
    pivot = (REPO_ROOT / "dbt_project/models/staging/departments/stg_departments__department_report_counts.sql")
    listed = re.search(r"set items = \[(.*?)\]", pivot.read_text(encoding="utf-8"), re.S).group(1)
    assert sorted(re.findall(r"'(\w+)'", listed)) == sorted(items)
    indicators = registry.load().indicators
    fed = {code for code, ind in indicators.items() if ind.feed == FEED}
    assert {code for i in items.values() for code in i.indicators} == fed
    for code in fed:
        assert (REPO_ROOT / f"dbt_project/models/marts/indicators/departments/ind_{code}.sql").exists()
    for item in items.values():
        for code in item.indicators:
            assert item.department in indicators[code].department, (item.code, code)


def test_title_rows_footnotes_aliases_zones_and_gb18030(spec):
    rows = [["济南市新型城镇化监测部门统一报表（2021年度）"], HEADER,
            ["2021年", "章丘市", "章丘区卫生健康局", "二级及以上医院数", "家", 13],
            [2021, "高新区", "高新区卫生健康部", "执业(助理)医师数", "人", 2100],
            [2021, "全市", "市卫生健康委", "二级以上医院数", "家", 110],
            [], ["注：全市数为各区县合计。"], ["资料来源：市卫生健康委"]]
    parsed = parse(spec, rows, encoding="gb18030")
    table = parsed.table
    assert table.column("area_code").to_pylist() == ["370114", "370100F01", "370100"]
    assert table.column("item_code").to_pylist() == ["hospitals_grade_2_plus", "licensed_physicians",
                                                     "hospitals_grade_2_plus"]
    assert table.column("source_line").to_pylist() == [3, 4, 5]  # lines of the file, title included
    assert table.column("is_synthetic").to_pylist() == [False] * 3
    assert parsed.report_date == dt.date(2021, 1, 1)


def test_xlsx_is_read_like_csv(spec):
    raw = synth.xlsx_bytes([HEADER, HOSPITALS, SMART, TRAINING])
    parsed = department_reports.parse_bytes(raw, spec, "jinan_department_reports_2021.xlsx")
    assert parsed.table.column("value").to_pylist() == [10, 4, 1.62]


# --- bad input ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("rows", "rule", "line", "where"), [
    # a renamed and a missing column
    ([["年度", "地区", "填报单位", "指标项目", "计量单位", "数量"], HOSPITALS], "missing_column", 1, "数值"),
    ([HEADER[:4] + HEADER[5:], HOSPITALS[:4] + HOSPITALS[5:]], "missing_column", 1, "计量单位"),
    ([HEADER + ["备注栏"], HOSPITALS + ["x"]], "unknown_column", 1, "备注栏"),
    # a unit in the header where the form has none, and an item's unit other than the catalogue's
    ([HEADER[:5] + ["数值（万人）"], HOSPITALS], "unit_mismatch", 1, "万人"),
    ([HEADER, HOSPITALS, [2021, "历下区", "历下区人力资源社会保障局", "职业技能培训人次", "人次", 16200]],
     "unit_mismatch", 3, "'人次'"),
    ([HEADER, [2021, "历下区", "历下区卫生健康局", "执业（助理）医师数", "万人", 0.42]], "unit_mismatch", 2, "万人"),
    # areas, items, keys
    ([HEADER, HOSPITALS, [2021, "火星区", "火星区卫生健康局", "二级以上医院数", "家", 3]], "unknown_area", 3, "火星区"),
    ([HEADER, HOSPITALS, [2021, "历下区", "历下区卫生健康局", "三甲医院数", "家", 3]], "unknown_item", 3, "三甲医院数"),
    ([HEADER, HOSPITALS, SMART, HOSPITALS], "duplicate_key", 4, "line 2"),
    ([HEADER, HOSPITALS, [2021, "历下区", "历下区卫生健康局", "二级及以上医院数", "家", 11]], "duplicate_key", 3,
     "line 2"),
    # impossible values: negative, above the item's bound, a fraction of a count, a coverage of 130 %
    ([HEADER, [2021, "历下区", "历下区卫生健康局", "二级以上医院数", "家", -5]], "out_of_range", 2, "-5"),
    ([HEADER, [2021, "历下区", "历下区卫生健康局", "二级以上医院数", "家", 25000]], "out_of_range", 2, "25000"),
    ([HEADER, [2021, "历下区", "历下区卫生健康局", "二级以上医院数", "家", 10.5]], "not_integer", 2, "10.5"),
    ([HEADER, HOSPITALS, [2021, "历下区", "历下区卫生健康局", "智慧医院数", "家", 13]], "exceeds_total", 3, "13"),
    ([HEADER, [2021, "历下区", "历下区卫生健康局", "二级以上医院数", "家", "十"]], "not_numeric", 2, "十"),
    ([HEADER, [2021, "历下区", "历下区卫生健康局", "二级以上医院数", "家", ""]], "missing_value", 2, "数值"),
    # periods
    ([HEADER, [2020, "历下区", "历下区卫生健康局", "二级以上医院数", "家", 10]], "period_mismatch", 2, "2020"),
    # empty
    ([HEADER], "empty_file", None, "no data row"),
])
def test_bad_input_is_refused_with_file_line_and_rule(spec, rows, rule, line, where):
    err = error(spec, rows)
    assert err.rule == rule, err.describe()
    assert err.line == line, err.describe()
    assert where in err.describe()


def test_the_130_percent_is_found_whichever_row_comes_first(spec):
    err = error(spec, [HEADER, [2021, "历下区", "历下区卫生健康局", "智慧医院数", "家", 13], HOSPITALS])
    assert (err.rule, err.line, err.column) == ("exceeds_total", 2, "数值")


def test_wrong_encoding_empty_and_truncated_files(spec):
    good = synth.csv_bytes([HEADER, HOSPITALS])
    err = error(spec, None, raw=good.decode().encode("utf-16"))
    assert err.rule == "encoding"
    err = error(spec, None, raw=good + "注：".encode() + b"\xff\xfe\x80")  # neither UTF-8 nor GB18030
    assert err.rule == "encoding"
    assert error(spec, None, raw=b"").rule == "empty_file"
    assert error(spec, None, raw=b"\r\n\r\n").rule == "empty_file"
    xlsx = synth.xlsx_bytes([HEADER, HOSPITALS])
    err = error(spec, None, "jinan_department_reports_2021.xlsx", raw=xlsx[: len(xlsx) // 2])
    assert err.rule == "unreadable_xlsx" and "truncated" in err.detail


def test_a_future_period_is_refused(spec):
    rows = [HEADER, [2031, "历下区", "历下区卫生健康局", "二级以上医院数", "家", 10]]
    err = error(spec, rows, "jinan_department_reports_2031.csv")
    assert (err.rule, err.line) == ("future_period", 2) and "2031-01-01" in err.detail
    parsed = parse(spec, rows, "jinan_department_reports_2031.csv", today=dt.date(2032, 6, 1))
    assert parsed.report_date == dt.date(2031, 1, 1)


def test_the_raw_schema_is_the_tabular_one_plus_the_item_code(spec):
    schema = department_reports.raw_schema(spec)
    assert schema.names[:4] == ["period_start", "source_line", "is_synthetic", "area_code"]
    assert schema.names[-1] == "item_code"
    parsed = parse(spec, [HEADER, HOSPITALS])
    assert parsed.table.schema == schema
