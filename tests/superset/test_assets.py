"""The Superset assets as code, checked without a server: they parse, reference each other by UUID, use only columns of
the serving contract (dbt_project/models/serving/*.yml, plus the publisher's snapshot_id), and speak Chinese."""

from __future__ import annotations

import importlib.util
import json
import re
import uuid
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

SUPERSET_DIR = REPO / "superset"
ASSETS = SUPERSET_DIR / "assets"
CONTRACT_DIR = REPO / "dbt_project" / "models" / "serving"
OPERATIONS_URI_END = "/operations.duckdb"
PUBLISHER_COLUMNS = {"snapshot_id"}  # urbanmon/publish.py adds it to every served table
CJK = re.compile(r"[\u4e00-\u9fff]")
SQL_WORDS = {
    "sum",
    "max",
    "min",
    "avg",
    "count",
    "case",
    "when",
    "then",
    "else",
    "end",
    "nullif",
    "cast",
    "extract",
    "from",
    "as",
    "integer",
    "make_date",
    "like",
    "and",
    "or",
    "not",
    "null",
    "is",
    "in",
    "true",
    "false",
    "year",
}


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_assets = _load("urbanmon_superset_render_assets", SUPERSET_DIR / "render_assets.py")


def _configs() -> dict[str, dict]:
    # the source YAML as committed (placeholders are plain strings to YAML)
    return {
        p.relative_to(ASSETS).as_posix(): yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in render_assets.asset_files()
    }


CONFIGS = _configs()


def _of(kind: str) -> dict[str, dict]:
    return {name: c for name, c in CONFIGS.items() if name.startswith(f"{kind}/")}


DATABASES, DATASETS, CHARTS, DASHBOARDS = _of("databases"), _of("datasets"), _of("charts"), _of("dashboards")
DATASET_BY_UUID = {c["uuid"]: c for c in DATASETS.values()}
CHART_BY_UUID = {c["uuid"]: c for c in CHARTS.values()}


def _contract() -> dict[str, dict[str, dict]]:
    tables = {}
    for path in CONTRACT_DIR.rglob("*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            tables[model["name"]] = {c["name"]: c for c in model.get("columns", [])}
    return tables


CONTRACT = _contract()


def _ops_contract() -> dict[str, dict[str, dict]]:
    """The operations record's tables (urbanmon/warehouse.py OPS_DDL), published into operations.duckdb's main."""
    ddl = (REPO / "urbanmon" / "warehouse.py").read_text(encoding="utf-8")
    tables = {}
    for name, body in re.findall(r"create table if not exists ops\.(\w+) \((.*?)\n\);", ddl, re.S):
        tables[name] = {m: {} for m in re.findall(r"^\s+(\w+) ", body, re.M) if m != "primary"}
    return tables


OPS_CONTRACT = _ops_contract()


def _is_operations(ds: dict) -> bool:
    db = next(c for c in DATABASES.values() if c["uuid"] == ds["database_uuid"])
    return db["sqlalchemy_uri"].endswith(OPERATIONS_URI_END)


def _table_contract(ds: dict) -> dict[str, dict]:
    return (OPS_CONTRACT if _is_operations(ds) else CONTRACT)[ds["table_name"]]


def _accepted_values(table: str, column: str) -> list | None:
    for test in CONTRACT[table].get(column, {}).get("data_tests", []) or []:
        if isinstance(test, dict) and "accepted_values" in test:
            spec = test["accepted_values"]
            return spec.get("arguments", spec)["values"]
    return None


def _identifiers(sql: str) -> set[str]:
    sql = re.sub(r"'[^']*'", "", sql)  # string literals
    return {w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", sql) if w.lower() not in SQL_WORDS} | set(
        re.findall(r'"([^"]+)"', sql)
    )


# --- structure ----------------------------------------------------------------------------------------------------
def test_layout_and_file_names():
    assert set(CONFIGS) >= {"metadata.yaml"}
    assert CONFIGS["metadata.yaml"]["type"] == "assets"
    assert DATABASES and DATASETS and CHARTS and DASHBOARDS
    for name in CONFIGS:
        assert name.split("/")[0] in {"metadata.yaml", "databases", "datasets", "charts", "dashboards"}, name
        assert not re.search(r"\d{2,}", Path(name).stem), f"numeric id in file name: {name}"


def test_every_yaml_parses_and_has_a_unique_uuid():
    seen = {}
    for name, config in CONFIGS.items():
        assert isinstance(config, dict), name
        if name == "metadata.yaml":
            continue
        assert config["version"] == "1.0.0", name
        u = str(uuid.UUID(config["uuid"]))
        assert u not in seen, f"{name} reuses the uuid of {seen.get(u)}"
        seen[u] = name


def test_datasets_are_the_contract_tables_in_schema_main():
    serving_tables = {c["table_name"] for c in DATASETS.values() if not _is_operations(c)}
    assert serving_tables >= {
        "air_quality_daily",
        "air_quality_monthly",
        "air_quality_annual",
        "indicator_values",
        "board_indicator_overview",
        "board_indicator_path",
        "board_district_map",
        "board_district_values",
        "district_scores",
    }
    assert {c["table_name"] for c in DATASETS.values() if _is_operations(c)} >= {"files", "validations", "runs"}
    database_uuids = {c["uuid"] for c in DATABASES.values()}
    for name, ds in DATASETS.items():
        assert ds["schema"] == "main", name
        assert ds["sql"] in (None, ""), f"{name} must be a physical table"
        assert ds["database_uuid"] in database_uuids, name


def test_dataset_columns_and_metrics_exist_in_the_serving_contract():
    assert {"files", "feed_freshness", "validations", "runs"} <= set(OPS_CONTRACT)
    for name, ds in DATASETS.items():
        table = ds["table_name"]
        contract = OPS_CONTRACT if _is_operations(ds) else CONTRACT
        assert table in contract, f"{table} is not in the serving contract ({CONTRACT_DIR}) or the operations record"
        physical = set(contract[table]) | PUBLISHER_COLUMNS
        for col in ds["columns"]:
            if col.get("expression"):
                unknown = _identifiers(col["expression"]) - physical
                assert not unknown, f"{name}: calculated column {col['column_name']} uses {unknown}"
            else:
                assert col["column_name"] in physical, f"{name}: {col['column_name']} is not in the contract"
        for metric in ds["metrics"]:
            unknown = _identifiers(metric["expression"]) - physical
            assert not unknown, f"{name}: metric {metric['metric_name']} uses {unknown}"
        if ds.get("main_dttm_col"):
            assert ds["main_dttm_col"] in {c["column_name"] for c in ds["columns"] if c["is_dttm"]}, name


def _dataset_names(ds: dict) -> tuple[set[str], set[str]]:
    return {c["column_name"] for c in ds["columns"]}, {m["metric_name"] for m in ds["metrics"]}


def _column_name(col) -> str:
    return col if isinstance(col, str) else col.get("sqlExpression") or col.get("column_name") or col["label"]


def test_charts_reference_existing_datasets_columns_metrics_and_values():
    for name, chart in CHARTS.items():
        ds = DATASET_BY_UUID.get(chart["dataset_uuid"])
        assert ds, f"{name}: dataset {chart['dataset_uuid']} not in the bundle"
        columns, metrics = _dataset_names(ds)
        params = chart["params"]
        assert params["viz_type"] == chart["viz_type"], name
        used_metrics = list(params.get("metrics", [])) + [
            params[k] for k in ("metric", "timeseries_limit_metric") if params.get(k)
        ]
        for metric in used_metrics:
            if isinstance(metric, str):
                assert metric in metrics, f"{name}: metric {metric} not in {ds['table_name']}"
            else:  # adhoc metric
                assert not (_identifiers(metric.get("sqlExpression") or "") - columns), name
        used_columns = list(params.get("groupby", [])) + list(params.get("all_columns", []))
        if params.get("x_axis"):
            used_columns.append(params["x_axis"])
        for col in used_columns:
            assert _column_name(col) in columns, f"{name}: column {col} not in {ds['table_name']}"
        for f in params.get("adhoc_filters", []):
            if f["expressionType"] == "SIMPLE":
                assert f["subject"] in columns, f"{name}: filter on unknown column {f['subject']}"
                accepted = (
                    _accepted_values(ds["table_name"], f["subject"])
                    if not _is_operations(ds) and f["subject"] in CONTRACT[ds["table_name"]]
                    else None
                )
                values = f["comparator"] if isinstance(f["comparator"], list) else [f["comparator"]]
                if accepted:
                    assert set(values) <= set(accepted), f"{name}: {f['subject']} in {values}, contract {accepted}"
            else:
                assert not (_identifiers(f["sqlExpression"]) - columns), f"{name}: {f['sqlExpression']}"


def test_charts_carry_a_saved_query_matching_their_params():
    """GET /api/v1/chart/<id>/data/ needs a saved query context; it must ask for what the chart shows."""
    for name, chart in CHARTS.items():
        qc = chart["query_context"]
        assert isinstance(qc, dict), f"{name}: query_context missing (the chart data API would answer 400)"
        ds = DATASET_BY_UUID[chart["dataset_uuid"]]
        columns, metrics = _dataset_names(ds)
        (query,) = qc["queries"]
        assert set(query["metrics"] or []) <= metrics, name
        assert {_column_name(c) for c in query["columns"]} <= columns, name
        for f in query["filters"]:
            assert f["col"] in columns, name
        simple = {
            (f["subject"], f["comparator"]) for f in chart["params"]["adhoc_filters"] if f["expressionType"] == "SIMPLE"
        }
        assert {(f["col"], f["val"]) for f in query["filters"]} == simple, f"{name}: filters differ from params"
        assert qc["form_data"] == chart["params"], name


def test_the_five_boards_exist():
    assert {d["slug"]: d["dashboard_title"] for d in DASHBOARDS.values()} == {
        "overview": "总览",
        "indicator-detail": "指标详情",
        "districts": "区县对比",
        "air-quality": "环境空气质量",
        "data-quality": "数据质量与时效",
    }


def test_every_chart_is_on_a_dashboard():
    on_dashboards = set()
    for dash in DASHBOARDS.values():
        on_dashboards |= {n["meta"]["uuid"] for n in dash["position"].values()
                          if isinstance(n, dict) and n.get("type") == "CHART"}
    assert on_dashboards == set(CHART_BY_UUID), "every chart is on a dashboard and every dashboard chart exists"


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_dashboard_references_resolve(name):
    dash = DASHBOARDS[name]
    position = dash["position"]
    for node_id, node in position.items():
        if not isinstance(node, dict):
            continue
        assert node.get("id", node_id) == node_id
        for child in node.get("children", []):
            assert child in position, f"{node_id} -> missing {child}"
    for nf in dash["metadata"]["native_filter_configuration"]:
        for target in nf["targets"]:
            ds = DATASET_BY_UUID[target["datasetUuid"]]
            assert target["column"]["name"] in _dataset_names(ds)[0]
        for root in nf["scope"]["rootPath"]:
            assert root in position, f"filter {nf['name']} scoped to missing {root}"
        # a filter applies its column to every chart in scope: each of them must have the column
        excluded = {n["meta"]["uuid"] for n in position.values() if isinstance(n, dict) and n.get("type") == "CHART"
                    and n["meta"]["chartId"] in nf["scope"].get("excluded", [])}
        scoped = _charts_under(position, nf["scope"]["rootPath"]) - excluded
        for chart_uuid in scoped:
            ds = DATASET_BY_UUID[CHART_BY_UUID[chart_uuid]["dataset_uuid"]]
            assert nf["targets"][0]["column"]["name"] in _dataset_names(ds)[0], (nf["name"], ds["table_name"])


def _charts_under(position: dict, roots: list[str]) -> set[str]:
    found, queue = set(), list(roots)
    while queue:
        node = position[queue.pop()]
        if node["type"] == "CHART":
            found.add(node["meta"]["uuid"])
        queue += node.get("children", [])
    return found


def test_jinan_annual_chart_shows_the_plan_baseline_and_target():
    chart = next(
        c
        for c in CHARTS.values()
        if c["params"].get("annotation_layers")
        and DATASET_BY_UUID[c["dataset_uuid"]]["table_name"] == "indicator_values"
    )
    lines = {float(a["value"]) for a in chart["params"]["annotation_layers"] if a["annotationType"] == "FORMULA"}
    assert lines == {62.0, 65.2}
    # a line needs two years to show: the reference values are also bars beside the actual value
    ds = DATASET_BY_UUID[chart["dataset_uuid"]]
    constants = {
        m["metric_name"]: float(m["expression"]) for m in ds["metrics"] if m["metric_name"].startswith("plan_")
    }
    assert set(chart["params"]["metrics"]) == {"indicator_value", *constants}
    assert sorted(constants.values()) == [62.0, 65.2]
    filters = {f["subject"]: f["comparator"] for f in chart["params"]["adhoc_filters"]}
    assert filters == {
        "indicator_code": "air_quality_good_days_ratio",
        "area_code": "370100",
        "standard": "HJ 633-2012",
    }


def test_api_client_knows_the_chart_uuids():
    api_client = _load("urbanmon_superset_api_client", SUPERSET_DIR / "api_client.py")
    air_quality = {n: c["uuid"] for n, c in CHARTS.items() if not Path(n).stem.startswith("board_")}
    assert {f"charts/{name}.yaml": u for name, u in api_client.CHARTS.items()} == air_quality
    assert api_client.SERVING_DATABASE in {c["database_name"] for c in DATABASES.values()}
    assert api_client.OPERATIONS_DATABASE in {c["database_name"] for c in DATABASES.values()}


# --- labels -------------------------------------------------------------------------------------------------------
def test_labels_are_chinese():
    labels = [c["database_name"] for c in DATABASES.values()]
    labels += [c["slice_name"] for c in CHARTS.values()] + [d["dashboard_title"] for d in DASHBOARDS.values()]
    for ds in DATASETS.values():
        labels += [c["verbose_name"] for c in ds["columns"]] + [m["verbose_name"] for m in ds["metrics"]]
    for chart in CHARTS.values():
        p = chart["params"]
        labels += [a["name"] for a in p.get("annotation_layers", [])]
        labels += [p[k] for k in ("x_axis_title", "y_axis_title") if p.get(k)]
    for dash in DASHBOARDS.values():
        labels += [nf["name"] for nf in dash["metadata"]["native_filter_configuration"]]
        labels += [
            n["meta"]["text"]
            for n in dash["position"].values()
            if isinstance(n, dict) and n.get("type") in ("HEADER", "MARKDOWN") and n.get("meta", {}).get("text")
        ]
    missing = [label for label in labels if not label or not CJK.search(label)]
    assert not missing, f"labels without Chinese: {missing}"


# --- databases: read-only and sealed ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(DATABASES))
def test_databases_are_read_only_and_cannot_reach_files(name):
    db = DATABASES[name]
    assert db["sqlalchemy_uri"].startswith("duckdb:///{{ URBANMON_DATA_DIR }}/serving/")
    assert db["allow_dml"] is False and db["allow_ctas"] is False and db["allow_cvas"] is False
    assert db["allow_file_upload"] is False
    assert db["expose_in_sqllab"] is True
    connect_args = db["extra"]["engine_params"]["connect_args"]
    assert connect_args["read_only"] is True
    config = connect_args["config"]
    assert config["enable_external_access"] is False
    assert config["lock_configuration"] is True
    assert config["autoinstall_known_extensions"] is False


def test_serving_database_name():
    assert {c["database_name"] for c in DATABASES.values()} >= {"城镇化监测（服务快照）"}
    # the live tests pick the serving database as the one whose name starts with 城镇化监测: keep it unique
    assert sum(c["database_name"].startswith("城镇化监测") for c in DATABASES.values()) == 1


# --- rendering ----------------------------------------------------------------------------------------------------
def test_render_fills_the_path_and_serialises_query_contexts(tmp_path, monkeypatch):
    monkeypatch.setenv("URBANMON_DATA_DIR", str(tmp_path / "data"))
    files = render_assets.render()
    assert set(files) == set(CONFIGS)
    for name, text in files.items():
        assert not render_assets._PLACEHOLDER.search(text), name  # (Handlebars' own {{field}} stay)
        config = yaml.safe_load(text)
        if name.startswith("databases/"):
            assert config["sqlalchemy_uri"].startswith(f"duckdb:///{(tmp_path / 'data').as_posix()}/serving/")
        if name.startswith("charts/"):
            assert isinstance(config["query_context"], str)
            assert json.loads(config["query_context"])["queries"]
    bundle = tmp_path / "assets.zip"
    render_assets.write_zip(files, bundle)
    with zipfile.ZipFile(bundle) as z:
        assert all(n.startswith(f"{render_assets.BUNDLE_ROOT}/") for n in z.namelist())
        assert f"{render_assets.BUNDLE_ROOT}/metadata.yaml" in z.namelist()


def test_render_rejects_unknown_placeholders():
    with pytest.raises(KeyError):
        render_assets.render_text("x: {{ SOMETHING_ELSE }}", {"URBANMON_DATA_DIR": "/d"})


# --- configuration ------------------------------------------------------------------------------------------------
def _config(monkeypatch, tmp_path, **env):
    monkeypatch.setenv("URBANMON_DATA_DIR", str(tmp_path / "data"))
    for key in ("SUPERSET_SECRET_KEY", "URBANMON_MODE", "SUPERSET_METADATA_URI"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return _load("urbanmon_superset_config", SUPERSET_DIR / "superset_config.py")


def test_config_needs_a_secret_key(monkeypatch, tmp_path):
    with pytest.raises(RuntimeError, match="SUPERSET_SECRET_KEY"):
        _config(monkeypatch, tmp_path)


@pytest.mark.parametrize("key", ["CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET", "thisISaSECRET_1234", "short"])
def test_config_refuses_default_keys_in_production(monkeypatch, tmp_path, key):
    with pytest.raises(RuntimeError, match="default"):
        _config(monkeypatch, tmp_path, SUPERSET_SECRET_KEY=key, URBANMON_MODE="production")


def test_config_defaults(monkeypatch, tmp_path):
    key = "Zq8vT3nLw0Rk5yHc2GmJ7pXs4dBf9aUe"
    cfg = _config(monkeypatch, tmp_path, SUPERSET_SECRET_KEY=key, URBANMON_MODE="production",
                  SUPERSET_ADMIN_PASSWORD="vR7-kq2Lw9xPz4Tn")
    assert cfg.SECRET_KEY == key
    assert cfg.SQLALCHEMY_DATABASE_URI == f"sqlite:///{(tmp_path / 'data').resolve()}/superset/superset.db"
    assert cfg.BABEL_DEFAULT_LOCALE == "zh" and {"zh", "en"} <= set(cfg.LANGUAGES)
    assert cfg.WTF_CSRF_ENABLED is True
    # chart data cached per snapshot: tests/superset/test_snapshot_cache.py
    assert cfg.DATA_CACHE_CONFIG["CACHE_TYPE"] == "urbanmon_snapshot_cache.factory"
    serving = (tmp_path / "data").resolve() / "serving"
    assert cfg.DATA_CACHE_CONFIG["CACHE_OPTIONS"]["watched"] == [serving / "warehouse.duckdb",
                                                                 serving / "operations.duckdb"]
    csp = cfg.TALISMAN_CONFIG["content_security_policy"]
    for directive in ("default-src", "img-src", "connect-src", "font-src", "style-src"):
        assert all(not src.startswith("http") for src in csp[directive]), (directive, csp[directive])


# --- the boards' generated assets ---------------------------------------------------------------------------------
board_assets = _load("urbanmon_superset_board_assets", SUPERSET_DIR / "board_assets.py")


def test_board_assets_are_up_to_date_with_their_generator():
    generated = board_assets.generate()
    for rel, text in generated.items():
        assert (ASSETS / rel).read_text(encoding="utf-8") == text, f"run superset/board_assets.py: {rel} is stale"


def test_air_quality_board_marks_synthetic_years_and_links_the_others():
    (dash,) = [d for d in DASHBOARDS.values() if d["slug"] == "air-quality"]
    nodes = [n for n in dash["position"].values() if isinstance(n, dict)]
    notes = [n["meta"]["code"] for n in nodes if n.get("type") == "MARKDOWN"]
    assert any("2021—2025年为合成样例数据" in note for note in notes)
    for slug in ("overview", "indicator-detail", "districts", "data-quality"):
        assert any(f"/superset/dashboard/{slug}/" in note for note in notes), slug


def test_every_board_links_to_the_air_quality_board():
    for dash in DASHBOARDS.values():
        if dash["slug"] == "air-quality":
            continue
        notes = " ".join(n["meta"].get("code", "") for n in dash["position"].values()
                         if isinstance(n, dict) and n.get("type") == "MARKDOWN")
        assert "/superset/dashboard/air-quality/" in notes, dash["slug"]


def test_overview_shows_status_explanation_targets_and_trend():
    chart = CHARTS["charts/board_overview_table.yaml"]
    assert {"status_badge", "explanation_zh", "target_2025_text", "target_2035_text", "trend_arrow",
            "actual_value", "unit_zh", "value_year", "category_zh"} <= set(chart["params"]["all_columns"])
    (dash,) = [d for d in DASHBOARDS.values() if d["slug"] == "overview"]
    assert {nf["name"] for nf in dash["metadata"]["native_filter_configuration"]} == {"年份", "类别"}


def test_district_map_draws_svg_from_the_outlines_without_tiles():
    chart = CHARTS["charts/board_district_map.yaml"]
    assert chart["viz_type"] == "handlebars"
    template = chart["params"]["handlebarsTemplate"]
    assert "<svg" in template and "{{svg_path}}" in template and "{{fill_colour}}" in template
    assert "http://" not in template.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_district_shapes_project_all_twelve_districts():
    from urbanmon.board import district_shape_rows

    rows = district_shape_rows()
    assert len(rows) == 12 and {r["area_code"][:4] for r in rows} == {"3701"}
    width, height = (float(v) for v in rows[0]["viewbox"].split()[2:])
    for r in rows:
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", r["svg_path"])]
        xs, ys = numbers[0::2], numbers[1::2]
        assert min(xs) >= 0 and max(xs) <= width + 0.1 and min(ys) >= 0 and max(ys) <= height + 0.1, r["name_zh"]
        assert r["svg_path"].startswith("M") and r["svg_path"].endswith("Z")


# --- the boards a leader reads (issue 15) --------------------------------------------------------------------------
HANDLEBARS = {name: c for name, c in CHARTS.items() if c["viz_type"] == "handlebars"}


def _dashboard(slug: str) -> dict:
    (dash,) = [d for d in DASHBOARDS.values() if d["slug"] == slug]
    return dash


def _dashboard_charts(slug: str) -> set[str]:
    position = _dashboard(slug)["position"]
    return {Path(name).stem for name, c in CHARTS.items()
            if c["uuid"] in {n["meta"]["uuid"] for n in position.values() if isinstance(n, dict)
                             and n.get("type") == "CHART"}}


def test_no_board_shows_a_boolean_as_true_or_false():
    """是/否 (or words) everywhere: no table chart lists a BOOLEAN column, so Superset never prints true/false."""
    for name, chart in CHARTS.items():
        if chart["viz_type"] != "table":
            continue
        ds = DATASET_BY_UUID[chart["dataset_uuid"]]
        types = {c["column_name"]: c["type"] for c in ds["columns"]}
        shown = list(chart["params"].get("all_columns", [])) + list(chart["params"].get("groupby", []))
        booleans = [c for c in shown if types.get(_column_name(c)) == "BOOLEAN"]
        assert not booleans, f"{name} shows {booleans} as true/false"


def test_the_overview_is_a_cockpit_coloured_by_the_served_status():
    assert {"board_overview_tiles", "board_overview_category_summary"} <= _dashboard_charts("overview")
    assert "board_overview_status_counts" not in _dashboard_charts("overview")  # the pie with the cut legend
    tiles = CHARTS["charts/board_overview_tiles.yaml"]
    assert DATASET_BY_UUID[tiles["dataset_uuid"]]["table_name"] == "board_indicator_tiles"
    template = tiles["params"]["handlebarsTemplate"]
    for field in ("{{value_text}}", "{{unit_zh}}", "{{value_year}}", "{{target_2025_text}}", "{{status_zh}}",
                  "{{colour_hex}}", "{{trend_arrow}}", "{{data_nature_zh}}"):
        assert field in template, field
    # the year and category filters reach the cockpit
    filters = _dashboard("overview")["metadata"]["native_filter_configuration"]
    tile_ids = [n["meta"]["chartId"] for n in _dashboard("overview")["position"].values()
                if isinstance(n, dict) and n.get("type") == "CHART" and n["meta"]["uuid"] == tiles["uuid"]]
    assert all(tile_ids[0] not in f["scope"]["excluded"] for f in filters)


def test_handlebars_boards_take_colours_from_the_data_and_render_as_one_html_block():
    """No status colour is written into a chart: cells, tiles and bars are coloured by the served colour_hex. Superset
    renders a Handlebars chart's output as Markdown: a template on one line starting with a tag stays one HTML block
    (an indented or blank line would turn the rest into code or text)."""
    from urbanmon.status import COLOUR_HEX

    for name, chart in HANDLEBARS.items():
        template = chart["params"]["handlebarsTemplate"]
        assert "\n" not in template and template.startswith("<div"), name
        assert "\n" not in chart["params"]["styleTemplate"], name
        if "board_district_map" not in name:  # the map is filled by rank band (fill_colour), not by status
            assert not set(re.findall(r"#[0-9a-fA-F]{6}", template)) & set(COLOUR_HEX.values()), name


def test_the_district_board_has_a_scorecard_the_city_as_a_line_and_sample_notices():
    charts = _dashboard_charts("districts")
    assert {"board_district_scorecard", "board_district_zones", "board_district_values"} <= charts
    scorecard = CHARTS["charts/board_district_scorecard.yaml"]["params"]
    assert {"clause": "WHERE", "subject": "panel", "comparator": "districts"}.items() <= \
        scorecard["adhoc_filters"][0].items()
    zones = CHARTS["charts/board_district_zones.yaml"]["params"]
    assert zones["adhoc_filters"][0]["comparator"] == "zones"  # beside the matrix, not in it
    bars = CHARTS["charts/board_district_values.yaml"]["params"]["handlebarsTemplate"]
    assert "{{#unless is_city}}" in bars and "refline" in bars  # the city is a line, never a bar
    for name in ("board_district_scorecard", "board_district_values", "board_district_commended",
                 "board_district_map"):
        assert "样例（合成）数据计算" in CHARTS[f"charts/{name}.yaml"]["params"]["handlebarsTemplate"], name


def test_the_legend_colours_come_from_the_status_vocabulary():
    from urbanmon.status import COLOUR_HEX

    for slug in ("overview", "districts"):
        notes = " ".join(n["meta"]["code"] for n in _dashboard(slug)["position"].values()
                         if isinstance(n, dict) and n.get("type") == "MARKDOWN")
        assert set(re.findall(r"#[0-9a-fA-F]{6}", notes)) == set(COLOUR_HEX.values()), slug
