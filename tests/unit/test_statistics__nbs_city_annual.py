"""The NBS data-API JSON adapter (statistics__nbs_city_annual): the generated sample, the indicator catalogue, and
every kind of bad input, each refused naming the file, the line and the rule."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
import re

import pytest

from urbanmon import synth
from urbanmon.cli import generated_samples
from urbanmon.feeds import nbs_json
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec
from urbanmon.settings import EXPECTATIONS_DIR, REPO_ROOT, SOURCES_DIR

FEED = "statistics__nbs_city_annual"
NAME = "nbs_csnd_jinan_2021.json"
TODAY = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def spec():
    return get_spec(FEED)


def node(zb: str, value, reg: str = "370100", sj: str = "2021", has: bool = True) -> dict:
    return {"code": f"zb.{zb}_reg.{reg}_sj.{sj}",
            "data": {"data": value, "dotcount": 2, "hasdata": has, "strdata": str(value) if has else ""},
            "wds": [{"valuecode": zb, "wdcode": "zb"}, {"valuecode": reg, "wdcode": "reg"},
                    {"valuecode": sj, "wdcode": "sj"}]}


def answer(nodes: list[dict] | None = None, units: dict[str, str] | None = None) -> dict:
    units = {"A030101": "万人", "A030102": "万人", "A030104": "%", "A0A0201": "元", "A0A0301": "元", **(units or {})}
    if nodes is None:
        nodes = [node("A030101", 936.01), node("A030102", 696.99), node("A030104", 74.46, has=False)]
    return {"returncode": 200, "returndata": {
        "datanodes": nodes, "freshsort": 0, "hasdatacount": len(nodes),
        "wdnodes": [
            {"wdcode": "zb", "wdname": "指标", "nodes": [{"code": k, "cname": k, "unit": u} for k, u in units.items()]},
            {"wdcode": "reg", "wdname": "地区", "nodes": [{"code": "370100", "cname": "济南市", "unit": ""}]},
            {"wdcode": "sj", "wdname": "时间", "nodes": [{"code": "2021", "cname": "2021年", "unit": ""}]},
        ]}}


def dumps(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def parse(spec, doc, name=NAME, today=TODAY):
    return nbs_json.parse_bytes(dumps(doc), spec, name, today)


def error(spec, doc=None, name=NAME, raw: bytes | None = None, today=TODAY) -> FeedError:
    with pytest.raises(FeedError) as err:
        nbs_json.parse_bytes(dumps(doc) if raw is None else raw, spec, name, today)
    assert err.value.file == name
    return err.value


def line_of(raw: bytes, text: str, occurrence: int = 1) -> int:
    decoded, at = raw.decode(), -1
    for _ in range(occurrence):
        at = decoded.index(text, at + 1)
    return decoded.count("\n", 0, at) + 1


# --- the generated sample ---------------------------------------------------------------------------------------

def district_tables():
    path = SOURCES_DIR / "statistics__jinan_bureau_district_tables" / "generate.py"
    module_spec = importlib.util.spec_from_file_location("district_tables_generator_for_test", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def test_every_generated_year_parses_flagged_synthetic_and_deterministic(spec):
    files = generated_samples(FEED)
    assert files == generated_samples(FEED)  # byte for byte
    assert sorted(files) == [f"synthetic_nbs_csnd_jinan_{y}.json" for y in synth.YEARS]
    assert sum(len(c) for c in files.values()) < 300_000
    tables = district_tables()
    for name, content in files.items():
        parsed = nbs_json.parse_bytes(content, spec, name)
        year = int(re.search(r"_(\d{4})\.json", name).group(1))
        assert parsed.report_date == dt.date(year, 1, 1)
        table = parsed.table.to_pylist()
        assert {r["is_synthetic"] for r in table} == {True}
        assert {r["area_code"] for r in table} == {"370100"}
        values = {r["raw_column"]: r["value"] for r in table}
        city = tables.year_rows(year)[0]  # the district tables' 全市 row: the same numbers
        assert (values["resident_population_wan"], values["urban_resident_population_wan"]) == (city[1], city[2])
        assert (values["urban_disposable_income_cny"], values["rural_disposable_income_cny"]) == (city[5], city[6])
        assert parsed.values == sum(v is not None for v in values.values())
    last = nbs_json.parse_bytes(files["synthetic_nbs_csnd_jinan_2025.json"], spec, "synthetic_nbs_csnd_jinan_2025.json")
    missing = [r for r in last.table.to_pylist() if not r["has_data"]]
    assert [(r["zb_code"], r["value"]) for r in missing] == [("A030104", None)]  # hasdata false -> NULL


def test_lines_names_and_units_are_kept(spec):
    raw = dumps(answer())
    parsed = nbs_json.parse_bytes(raw, spec, NAME, TODAY)
    rows = parsed.table.to_pylist()
    assert [r["source_line"] for r in rows] == [line_of(raw, '"zb.A030101'), line_of(raw, '"zb.A030102'),
                                                line_of(raw, '"zb.A030104')]
    assert rows[0]["indicator_name"] == "A030101" and rows[0]["region_name"] == "济南市" and rows[0]["unit"] == "万人"
    assert [r["is_synthetic"] for r in rows] == [False] * 3
    assert parsed.values == 2 and parsed.report_date == dt.date(2021, 1, 1)
    assert parsed.table.schema == nbs_json.raw_schema(spec)


def test_the_compact_answer_of_the_api_parses_on_line_one(spec):
    raw = json.dumps(answer(), ensure_ascii=False, separators=(",", ":")).encode()
    parsed = nbs_json.parse_bytes(raw, spec, NAME, TODAY)
    assert parsed.table.column("source_line").to_pylist() == [1, 1, 1]


# --- the contract and its catalogue -------------------------------------------------------------------------------

def test_the_catalogue_the_suite_and_the_staging_model_agree(spec):
    catalogue = nbs_json.catalogue(spec)
    suite = json.loads((EXPECTATIONS_DIR / f"{spec.raw_suite}.json").read_text(encoding="utf-8"))
    pairs = next(e["kwargs"]["value_pairs_set"] for e in suite["expectations"]
                 if e["type"] == "expect_column_pair_values_to_be_in_set")
    assert sorted(map(tuple, pairs)) == sorted((i.zb, i.unit) for i in catalogue.values())
    staging = (REPO_ROOT / "dbt_project/models/staging/statistics/stg_statistics__nbs_city_annual.sql")
    pivoted = re.findall(r"raw_column = '(\w+)'\) as (\w+)", staging.read_text(encoding="utf-8"))
    assert sorted(a for a, _ in pivoted) == sorted(i.column for i in catalogue.values())
    assert all(a == b for a, b in pivoted)


# --- bad input ----------------------------------------------------------------------------------------------------

def with_nodes(*extra: dict) -> dict:
    return answer([node("A030101", 936.01), *extra])


@pytest.mark.parametrize(("doc", "rule", "node_text", "where"), [
    (with_nodes(node("A0B0101", 5.0)), "unknown_indicator", '"zb.A0B0101', "A0B0101"),
    (answer(units={"A030102": "人"}), "unit_mismatch", '"zb.A030102', "'人'"),
    (with_nodes(node("A030102", 696.99, reg="370199")), "unknown_area", '"zb.A030102', "370199"),
    (with_nodes(node("A030102", 696.99, sj="2020")), "period_mismatch", '"zb.A030102', "2020"),
    (with_nodes(node("A030102", 696.99, sj="2031")), "future_period", '"zb.A030102', "2031-01-01"),
    (with_nodes(node("A030102", 696.99, sj="2021Q1")), "bad_period", '"zb.A030102', "2021Q1"),
    (with_nodes(node("A030102", 696.99), node("A030102", 697.5)), "duplicate_key", '"zb.A030102', "datanodes[1]"),
    (with_nodes(node("A030104", 130.0)), "out_of_range", '"zb.A030104', "130"),
    (with_nodes(node("A030102", -5.0)), "out_of_range", '"zb.A030102', "-5"),
    (with_nodes(node("A030102", "六九六")), "not_numeric", '"zb.A030102', "六九六"),
    (with_nodes(node("A030102", None)), "not_numeric", '"zb.A030102', "None"),
])
def test_bad_nodes_are_refused_with_file_line_and_rule(spec, doc, rule, node_text, where):
    raw = dumps(doc)
    err = error(spec, raw=raw)
    assert err.rule == rule, err.describe()
    occurrence = 2 if rule == "duplicate_key" else 1
    assert err.line == line_of(raw, node_text, occurrence), err.describe()
    assert where in err.describe()
    assert err.column.startswith("returndata.datanodes[")


def test_a_node_whose_code_disagrees_with_its_dimensions(spec):
    bad = node("A030102", 696.99)
    bad["code"] = "zb.A030101_reg.370100_sj.2021"
    raw = dumps(with_nodes(bad))
    err = error(spec, raw=raw)
    assert (err.rule, err.line) == ("inconsistent_node", line_of(raw, '"zb.A030101', 2))


@pytest.mark.parametrize(("mutate", "rule", "where"), [
    (lambda d: d["returndata"].update(data_nodes=d["returndata"].pop("datanodes")), "missing_field", "datanodes"),
    (lambda d: d["returndata"]["datanodes"][0].pop("wds"), "missing_field", "wds"),
    (lambda d: d["returndata"]["datanodes"][0]["data"].pop("hasdata"), "missing_field", "hasdata"),
    (lambda d: d["returndata"]["wdnodes"].pop(1), "missing_field", "reg"),
    (lambda d: d.update(returncode=501, returndata="查询条件错误"), "bad_returncode", "501"),
    (lambda d: d.pop("returncode"), "missing_field", "returncode"),
    (lambda d: d["returndata"].update(datanodes=[]), "empty_file", "datanodes is empty"),
])
def test_a_broken_structure_is_refused(spec, mutate, rule, where):
    doc = copy.deepcopy(answer())
    mutate(doc)
    err = error(spec, doc)
    assert err.rule == rule, err.describe()
    assert where in err.describe()


def test_not_json_wrong_encoding_empty_and_truncated_files(spec):
    raw = dumps(answer())
    err = error(spec, raw=raw[: len(raw) // 2])  # truncated download
    assert err.rule == "not_json" and err.line == raw[: len(raw) // 2].count(b"\n") + 1
    err = error(spec, raw=b"<html><body>403 Forbidden</body></html>")
    assert (err.rule, err.line) == ("not_json", 1)
    gb = json.dumps(answer(), ensure_ascii=False, indent=1).encode("gb18030")
    err = error(spec, raw=gb)
    assert err.rule == "encoding" and err.line == line_of(raw, "指标")  # the first character GB18030 spells apart
    assert error(spec, raw=b"").rule == "empty_file"
    assert error(spec, raw=b" \n").rule == "empty_file"


def test_a_file_for_a_future_year_is_refused(spec):
    doc = answer([node("A030101", 990.0, sj="2031")])
    err = error(spec, doc, name="nbs_csnd_jinan_2031.json")
    assert err.rule == "future_period" and "2031-01-01" in err.detail
    parsed = parse(spec, doc, name="nbs_csnd_jinan_2031.json", today=dt.date(2032, 6, 1))
    assert parsed.report_date == dt.date(2031, 1, 1)


def test_a_file_name_outside_the_contract_is_refused(spec):
    assert error(spec, answer(), name="nbs_jinan.json").rule == "bad_file_name"
