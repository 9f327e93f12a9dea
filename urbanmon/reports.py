"""Evaluation reports (plan chapter 8 §3): a Chinese PDF and DOCX built from a frozen evaluation edition.

``build(year, edition)`` reads the latest frozen version of the edition (``urbanmon.editions``) from the serving
snapshot and writes ``data/reports/<edition_id>/<edition_id>.{pdf,docx,html}``. Everything in the report comes from
the edition's rows and its register entry (creation time, editor, data versions), never from the clock, so
regenerating the report of a frozen edition gives the same content: the DOCX byte for byte, the PDF's text.

``build(..., draft=True)`` reads the current serving snapshot instead (no edition: the draft DAG's preview, written
to ``data/reports/drafts/``); an editor then freezes the edition and issues the final report.

Charts: matplotlib PNGs (deterministic: no software/date metadata) in Noto Sans CJK SC from fonts-noto-cjk. PDF:
headless Chromium prints the HTML (font-family Noto Sans CJK SC, embedded as a subset). DOCX: python-docx.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from urbanmon import editions
from urbanmon.league import load_rule
from urbanmon.progress import METHOD_VERSIONS, running_totals
from urbanmon.settings import paths
from urbanmon.status import COLOUR_HEX, STATUSES

CITY = "370100"
FONT = "Noto Sans CJK SC"
FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
EDITION_ZH = {"annual": "年度评估", "mid-term": "中期评估", "final": "总结评估"}
CATEGORIES = (("smart", "智慧城镇化"), ("green", "绿色城镇化"), ("balanced", "均衡城镇化"), ("two_way", "双向城镇化"))
COLOURS = COLOUR_HEX
# serving table -> the rows a report of year Y reads: exactly what an edition holds (a draft filters the snapshot)
TABLES = editions.EDITION_TABLES


class ReportError(RuntimeError):
    pass


@dataclass
class ReportData:
    edition_id: str
    edition: str
    year: int
    draft: bool
    meta: dict
    headline: list[dict]
    text_targets: list[dict]
    series: dict[str, dict] = field(default_factory=dict)
    league: list[dict] = field(default_factory=list)
    zones: list[dict] = field(default_factory=list)
    reconciliation: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    synthetic: bool = False
    cited: dict[tuple[str, int], dict] = field(default_factory=dict)  # (code, year) -> value_source, citation

    @property
    def title(self) -> str:
        year = f"{self.year}" if self.edition == "annual" else f"{self.year}年"  # 2024年度评估, 2025年中期评估
        return f"济南市新型城镇化规划实施{year}{EDITION_ZH[self.edition]}报告"


def _rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _open(serving: Path, edition: str, year: int, draft: bool) -> tuple[duckdb.DuckDBPyConnection, dict]:
    """An in-memory connection whose views are the report's tables: the edition's rows, or the snapshot's."""
    if not serving.exists():
        raise ReportError(f"no serving snapshot: {serving}")
    con = duckdb.connect()
    con.execute(f"attach '{serving}' as s (read_only)")
    if draft:
        snap = con.execute("select snapshot_id, built_at, git_revision from s.snapshot").fetchone()
        meta = {"edition_id": f"draft-{edition}-{year}-{snap[0]}", "created_at": snap[1], "created_by": "（草稿）",
                "source_snapshot_id": snap[0], "git_revision": snap[2], "note": None, "content_sha256": None,
                "files_loaded": None, "registry_version": None}
        for table, where in TABLES.items():
            filt = f"where {where.format(year=int(year))}" if where else ""
            con.execute(f'create view main."{table}" as select * from s."{table}" {filt}')
    else:
        found = _rows(con, "select * from s.evaluation_editions where edition = ? and year = ? "
                      "order by version desc limit 1", [edition, year])
        if not found:
            con.close()
            raise ReportError(
                f"no frozen {edition} edition of {year}: an editor freezes it first "
                f"(urbanmon freeze-edition --edition {edition} --year {year} --by NAME, or make report ... BY=NAME)")
        meta = found[0]
        for table in TABLES:
            con.execute(f'create view main."{table}" as select * exclude (edition_id) from s."edition_{table}" '
                        f"where edition_id = '{meta['edition_id']}'")
    return con, meta


def load(edition: str, year: int, draft: bool = False, serving: Path | None = None) -> ReportData:
    con, meta = _open(serving or paths().serving_db, edition, year, draft)
    try:
        catalog = _rows(con, "select * from indicator_catalog order by kind, headline_no nulls last, indicator_code")
        ranked = _rows(con, """
            select *, row_number() over (partition by indicator_code order by milestone_year) as milestone_rank
            from indicator_progress where area_code = ? and is_default_method""", [CITY])
        # the status against the nearest milestone; the change required towards the next one when that milestone
        # is the year itself (a mid-term report asks what 2035 now requires)
        progress = {r["indicator_code"]: r for r in ranked if r["milestone_rank"] == 1}
        following = {r["indicator_code"]: r for r in ranked if r["milestone_rank"] == 2}
        latest = {r["indicator_code"]: r for r in _rows(con, """
            select indicator_code, year, value, is_synthetic from indicator_values
            where area_code = ? and is_primary_series
            qualify row_number() over (partition by indicator_code order by year desc) = 1""", [CITY])}
        milestones: dict[str, list[tuple[int, str]]] = {}
        for code, year_, text in con.execute(
                "select indicator_code, milestone_year, target_text from indicator_milestones "
                "where coalesce(is_current, true) order by 1, 2").fetchall():
            milestones.setdefault(code, []).append((year_, text))
        headline, texts = [], []
        for c in catalog:
            c = {**c, "milestones": milestones.get(c["indicator_code"], []), "report_year": year}
            row = {**c, "progress": progress.get(c["indicator_code"]), "latest": latest.get(c["indicator_code"]),
                   "following": following.get(c["indicator_code"])}
            (headline if c["kind"] == "headline" else texts).append(row)
        values = _rows(con, "select indicator_code, year, value from indicator_values where area_code = ? "
                            "and is_primary_series order by indicator_code, year", [CITY])
        path = _rows(con, "select * from indicator_path where area_code = ? order by indicator_code, year", [CITY])
        starts = dict(con.execute("select indicator_code, min(period_start) from indicator_milestones "
                                  "where is_cumulative group by 1").fetchall())
        series = {}
        for c in headline:
            code = c["indicator_code"]
            actual = [(v["year"], v["value"]) for v in values if v["indicator_code"] == code]
            planned = [(p["year"], p["planned_value"]) for p in path if p["indicator_code"] == code]
            if any(p["is_cumulative"] for p in path if p["indicator_code"] == code):
                # the running total 指标详情 draws: indicator_path.actual_value (editions frozen before that column
                # existed: the same function over the annual values)
                served = [(p["year"], p["actual_value"]) for p in path
                          if p["indicator_code"] == code and p.get("actual_value") is not None]
                totals = running_totals(dict(actual), starts.get(code) or min(dict(actual), default=0))
                actual = served or sorted(totals.items())
            series[code] = {"actual": actual, "planned": planned,
                            "milestones": [(p["year"], p["planned_value"]) for p in path
                                           if p["indicator_code"] == code and p["is_milestone"]]}
        league = _rows(con, "select * from district_scores where is_ranked order by rank, area_code")
        zones = _rows(con, "select * from district_scores where not is_ranked order by area_code")
        recon = _rows(con, "select * from indicator_reconciliation order by indicator_code, area_code, year")
        sources = _rows(con, """
            select c.feed, min(c.department) as department, count(*) as n, string_agg(c.name_zh, '、' order by
            c.headline_no nulls last, c.indicator_code) as names, bool_or(v.is_synthetic) as synthetic
            from indicator_catalog c left join (select distinct indicator_code, is_synthetic from indicator_values
                where area_code = '370100') v using (indicator_code)
            group by c.feed order by c.feed""")
        synthetic = bool(con.execute("select bool_or(is_synthetic) from indicator_values").fetchone()[0])
        try:  # editions frozen before the value of record have no value_source: their figures are all computed
            cited = {(r["indicator_code"], r["year"]): r for r in _rows(
                con, "select indicator_code, year, value_source, citation from indicator_values "
                     "where area_code = ? and is_primary_series", [CITY])}
        except duckdb.Error:
            cited = {}
    finally:
        con.close()
    return ReportData(meta["edition_id"], edition, year, draft, meta, headline, texts, series, league, zones, recon,
                      sources, synthetic, cited)


# ---------------------------------------------------------------- formatting


def fmt(value, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


def _status(row: dict) -> tuple[str, str]:
    p = row.get("progress")
    if not p:
        # a target without a deadline (milestone year NULL) never passes
        passed = [y for y, _ in row.get("milestones") or [] if y is not None and y < row.get("report_year", 0)]
        if passed and len(passed) == len(row["milestones"]):
            return f"目标年（{max(passed)}年）已过", "grey"
        return "无当年数据", "grey"
    return p["status_zh"], p["status_colour"]


def _target_text(row: dict) -> str:
    p = row.get("progress")
    if p and p.get("milestone_year"):
        for key in (f"target_{p['milestone_year']}_text",):
            if row.get(key):
                return f"{p['milestone_year']}年 {row[key]}"
        return f"{p['milestone_year']}年 {p.get('comparator') or ''} {fmt(p.get('target_value'))}".strip()
    parts = [f"{y}年 {row[f'target_{y}_text']}" for y in (2025, 2035) if row.get(f"target_{y}_text")]
    parts = parts or [f"{y}年 {text}" if y is not None else f"无期限 {text}" for y, text in row.get("milestones") or []]
    return "；".join(parts) or (row.get("milestone_years") or "—")


SOURCE_ZH = {"official": "官方公布", "computed_real": "真实数据计算", "sample": "样例数据"}


def source_note(d: ReportData, rows: list[dict]) -> str:
    """The note under a table: the publication behind each official figure shown, and what the rest are."""
    cited, counts = [], {}
    for r in rows:
        p = r.get("progress") or {}
        year = p.get("year") or (r.get("latest") or {}).get("year")
        source = d.cited.get((r["indicator_code"], year)) if year is not None else None
        if not source:
            continue
        kind = source.get("value_source") or "sample"
        counts[kind] = counts.get(kind, 0) + 1
        if kind == "official" and source.get("citation"):
            cited.append(f"{r['name_zh']}（{year}年）：{source['citation']}")
    others = "，".join(f"{SOURCE_ZH[k]}{n}项" for k, n in sorted(counts.items()) if k != "official")
    text = "数据来源：" + ("；".join(cited) + "。" if cited else "本表无官方公布数值。")
    return text + (f"其余为平台计算值（{others}）。" if others else "")


def indicator_line(row: dict) -> dict:
    """The cells of one indicator's row in the report's tables (shared by the HTML and the DOCX)."""
    p, latest = row.get("progress"), row.get("latest")
    status, colour = _status(row)
    if p:
        value = f"{fmt(p['actual_value'])}（{p['year']}年）"
        required = fmt(p.get("required_annual_change"))
        nxt = row.get("following")
        if p["milestone_year"] == p["year"] and nxt and nxt.get("required_annual_change") is not None:
            required = f"{fmt(nxt['required_annual_change'])}（至{nxt['milestone_year']}年）"
    elif latest:
        value = f"{fmt(latest['value'])}（{latest['year']}年）"
        required = "—"
    else:
        value, required = "无数据", "—"
    return {"no": row.get("headline_no") or "", "name": row["name_zh"], "unit": row.get("unit_zh") or "",
            "value": value, "target": _target_text(row), "status": status, "colour": colour,
            "required": required, "explanation": (p or {}).get("explanation") or (p or {}).get("reason") or ""}


def status_counts(rows: list[dict]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[_status(r)[0]] = counts.get(_status(r)[0], 0) + 1
    order = {s.word_zh: s.order for s in STATUSES}
    order["无当年数据"] = len(STATUSES) + 1
    order.update({zh: 98 for zh in counts if zh.startswith("目标年")})
    return sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))


def summary_paragraphs(d: ReportData) -> list[str]:
    counts = "，".join(f"{k}{v}项" for k, v in status_counts(d.headline))
    out = [f"本报告依据评估版本 {d.edition_id} 编制，评估年度为{d.year}年。规划《济南市新型城镇化规划（2021—2035年）》"
           f"专栏1共{len(d.headline)}项主要指标：{counts}。规划文本中的量化目标共{len(d.text_targets)}项："
           + "，".join(f"{k}{v}项" for k, v in status_counts(d.text_targets)) + "。"]
    lagging = [r["name_zh"] for r in d.headline if r.get("progress") and r["progress"]["status_colour"] in
               ("orange", "red")]
    if lagging:
        out.append("需重点关注的指标：" + "、".join(lagging) + "。")
    commended = [r["area_name"] for r in d.league if r.get("is_commended")]
    if d.league:
        out.append(f"区县综合评价共{len(d.league)}个区县参加排名；建议表扬的区县："
                   + ("、".join(commended) if commended else "本年度无区县达到表扬条件") + "。")
    if d.synthetic:
        out.append("说明：本报告所用数据含项目自带的合成样例数据（is_synthetic），仅用于演示平台功能，不代表官方统计数据。")
    if d.draft:
        out.append("本稿为自动生成的草稿，尚未冻结评估版本，数据可能随新文件到达而变化。")
    return out


def notes_paragraphs(d: ReportData) -> dict[str, list[str]]:
    m = d.meta
    sources = [f"{s['feed'] or '未接入数据源'}：{s['department'] or ''}，{s['n']}项指标（{s['names']}）"
               + ("，含合成样例数据" if s.get("synthetic") else "") for s in d.sources]
    rule = load_rule()
    methods = [
        "规划路径：以规划基期值为起点，按线性或复合增长插值至各目标年（indicator_path）；累计性目标自期初从零累计。",
        f"进展判断：默认方法按登记表选择——距离法（完成进度与时序进度之比，{METHOD_VERSIONS['distance']}）、"
        f"速度法（实际与所需年均增速之比，{METHOD_VERSIONS['pace']}）或趋势外推法（ESCAP预期进展法："
        f"近年权重较大的加权趋势，{METHOD_VERSIONS['projection']}）；状态及阈值见 docs/progress-methods.md。",
        "数值按各指标精度（规划表列数值的小数位数）依GB/T 8170修约后与目标比较（修约值比较法），"
        "所示数值即判断所用数值。",
        "“年均所需变化”指自评估年度起到目标年每年还需实现的平均变化量（已实现时为0）。",
        f"区县排名：按智慧、绿色、均衡、双向四类等权，水平分占{rule.level_weight:.0%}、改进分占"
        f"{rule.improvement_weight:.0%}（{rule.scoring_version}）；区县目标参照全市目标，仅供参考。"
        + rule.attribution_zh,
    ]
    quality = [f"评估版本：{m['edition_id']}，冻结人：{m.get('created_by')}，冻结时间："
               f"{_when(m.get('created_at'))}。",
               f"数据版本：服务快照 {m.get('source_snapshot_id')}，代码版本 {m.get('git_revision')}，"
               f"登记表版本 {m.get('registry_version') or '—'}，入库文件 {fmt(m.get('files_loaded'))} 个"
               + (f"，内容校验值 {m['content_sha256'][:16]}…" if m.get("content_sha256") else "") + "。"]
    na = [r["name_zh"] + "（" + (r["progress"].get("reason") or "") + "）" for r in d.headline + d.text_targets
          if r.get("progress") and r["progress"]["status"] == "not_assessable"]
    missing = [r["name_zh"] for r in d.headline if not r.get("progress")]
    if na:
        quality.append("无法评估的指标：" + "；".join(na) + "。")
    if missing:
        quality.append(f"{d.year}年无数据的主要指标：" + "、".join(missing) + "。")
    recon = [r["note"] or f"{r['area_name']} {r['year']}年 计算值{fmt(r['computed_value'])} 公布值"
             f"{fmt(r['published_value'])}" for r in d.reconciliation]
    recon = [f"{r['area_name']}{r['year']}年：{n}（来源：{r.get('published_source') or ''}）"
             for r, n in zip(d.reconciliation, recon, strict=True)] or ["本年度无可比对的官方公布数值。"]
    return {"数据来源": sources, "计算方法": methods, "数据质量与版本": quality, "与官方公布数据的核对": recon}


def _when(value) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value or "—")


def league_line(r: dict) -> list[str]:
    return [fmt(r.get("rank")), r["area_name"], fmt(r.get("overall_score")), fmt(r.get("level_score")),
            fmt(r.get("improvement_score")), r.get("rating") or "—", "是" if r.get("is_commended") else ""]


LEAGUE_HEAD = ["排名", "区县", "综合得分", "水平分", "改进分", "等级", "建议表扬"]
INDICATOR_HEAD = ["序号", "指标", "单位", "实际值", "目标", "状态", "年均所需变化"]


# ---------------------------------------------------------------- charts


def _font_setup():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    for path in FONT_FILES:
        if os.path.exists(path):
            font_manager.fontManager.addfont(path)
    matplotlib.rcParams.update({"font.family": FONT, "axes.unicode_minus": False, "svg.hashsalt": "urbanmon",
                                "path.simplify": False})


def chart_png(row: dict, series: dict) -> bytes:
    """Actual values against the planned path of one indicator (PNG, the same bytes for the same input)."""
    _font_setup()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 2.6), dpi=110)
    try:
        if series["planned"]:
            ax.plot(*zip(*series["planned"], strict=True), color="#90a4ae", linestyle="--", label="规划路径")
        if series["milestones"]:
            ax.scatter(*zip(*series["milestones"], strict=True), color="#546e7a", marker="D", s=22, label="目标值",
                       zorder=3)
        if series["actual"]:
            ax.plot(*zip(*series["actual"], strict=True), color="#1565c0", marker="o", label="实际值", zorder=4)
        ax.set_title(f"{row.get('headline_no') or ''} {row['name_zh']}（{row.get('unit_zh') or ''}）", fontsize=10)
        ax.grid(True, color="#eeeeee")
        ax.xaxis.get_major_locator().set_params(integer=True)
        if not (series["planned"] or series["actual"]):
            ax.text(0.5, 0.5, "暂无数据", transform=ax.transAxes, ha="center", va="center", color=COLOURS["grey"])
        else:
            ax.legend(fontsize=8, loc="best", frameon=False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        plt.close(fig)


# ---------------------------------------------------------------- HTML -> PDF

CSS = f"""
@page {{ size: A4; margin: 16mm 14mm; }}
body {{ font-family: "{FONT}", sans-serif; font-size: 10.5pt; line-height: 1.5; color: #212121; }}
h1 {{ font-size: 20pt; text-align: center; margin: 40mm 0 6mm; }}
h2 {{ font-size: 14pt; border-bottom: 2px solid #1565c0; padding-bottom: 2px; margin-top: 8mm; }}
h3 {{ font-size: 11.5pt; margin: 4mm 0 1mm; }}
.meta {{ text-align: center; color: #555; }}
table {{ border-collapse: collapse; width: 100%; font-size: 9pt; margin: 2mm 0; }}
th, td {{ border: 1px solid #bdbdbd; padding: 2px 4px; vertical-align: top; }}
th {{ background: #eceff1; }}
.chip {{ color: #fff; padding: 0 4px; border-radius: 3px; white-space: nowrap; }}
.chart {{ page-break-inside: avoid; margin: 2mm 0 4mm; }}
.chart img {{ width: 100%; }}
.expl {{ font-size: 8.5pt; color: #424242; }}
.cover {{ page-break-after: always; }}
"""


def _table(head: list[str], rows: list[list[str]]) -> str:
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for r in rows:
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>")
    return "".join(out) + "</table>"


def _indicator_rows(rows: list[dict]) -> list[list[str]]:
    out = []
    for r in rows:
        line = indicator_line(r)
        chip = f'<span class="chip" style="background:{COLOURS[line["colour"]]}">{html.escape(line["status"])}</span>'
        out.append([html.escape(str(line["no"])), html.escape(line["name"]), html.escape(line["unit"]),
                    html.escape(line["value"]), html.escape(line["target"]), chip, html.escape(line["required"])])
    return out


def render_html(d: ReportData, charts: dict[str, bytes]) -> str:
    e = html.escape
    m = d.meta
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{e(d.title)}</title>"
             f"<style>{CSS}</style></head><body>",
             f"<div class='cover'><h1>{e(d.title)}</h1><p class='meta'>评估版本 {e(d.edition_id)}"
             f"{'（草稿）' if d.draft else ''}</p><p class='meta'>冻结：{e(str(m.get('created_by')))}，"
             f"{e(_when(m.get('created_at')))}</p></div>",
             "<h2>一、总体情况</h2>", *[f"<p>{e(p)}</p>" for p in summary_paragraphs(d)],
             "<h2>二、主要指标完成情况</h2>", _table(INDICATOR_HEAD, _indicator_rows(d.headline)),
             f"<p class='expl'>{e(source_note(d, d.headline))}</p>",
             "<h2>三、分类评估</h2>"]
    for cat, zh in CATEGORIES:
        rows = [r for r in d.headline if r["category"] == cat]
        texts = [r for r in d.text_targets if r["category"] == cat]
        parts.append(f"<h3>{e(zh)}</h3><p>主要指标{len(rows)}项："
                     + e("，".join(f"{k}{v}项" for k, v in status_counts(rows))) + "。</p>")
        for r in rows:
            line = indicator_line(r)
            img = base64.b64encode(charts[r["indicator_code"]]).decode()
            parts.append(f"<div class='chart'><img src='data:image/png;base64,{img}' alt='{e(r['name_zh'])}'>"
                         f"<p class='expl'>{e(line['name'])}：{e(line['explanation'] or line['status'])}</p></div>")
        if texts:
            parts.append(f"<p>规划文本目标（{len(texts)}项）：</p>" + _table(INDICATOR_HEAD, _indicator_rows(texts))
                         + f"<p class='expl'>{e(source_note(d, texts))}</p>")
    parts.append("<h2>四、规划文本中的量化目标</h2>" + _table(INDICATOR_HEAD, _indicator_rows(d.text_targets))
                 + f"<p class='expl'>{e(source_note(d, d.text_targets))}</p>")
    parts.append("<h2>五、区县综合评价与表扬建议</h2>")
    if d.league:
        parts.append(_table(LEAGUE_HEAD, [[e(c) for c in league_line(r)] for r in d.league]))
        commended = [r["area_name"] for r in d.league if r.get("is_commended")]
        parts.append("<p>建议表扬的区县：" + e("、".join(commended) if commended else "无") + "。</p>")
        parts.append(f"<p class='expl'>{e(load_rule().attribution_zh)}</p>")
    else:
        parts.append(f"<p>{d.year}年无区县评价数据。</p>")
    if d.zones:
        parts.append("<p>功能区（不参加排名，仅供参考）：</p>" + _table(LEAGUE_HEAD, [[e(c) for c in league_line(r)]
                                                                       for r in d.zones]))
    parts.append("<h2>六、说明</h2>")
    for head, paras in notes_paragraphs(d).items():
        parts.append(f"<h3>{e(head)}</h3>" + "".join(f"<p>{e(p)}</p>" for p in paras))
    parts.append("</body></html>")
    return "\n".join(parts)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ReportError("no Chromium found: scripts/bootstrap.sh installs it (system package chromium)")


def print_pdf(html_path: Path, pdf_path: Path, stamp: dt.datetime | None = None) -> None:
    """Print the HTML with headless Chromium; the PDF's creation and modification dates (the only bytes that
    change between two prints of the same HTML) are set to ``stamp``, same length, so the bytes repeat."""
    with tempfile.TemporaryDirectory(prefix="urbanmon-chromium-") as profile:
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", "--print-to-pdf-no-header",
               f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180,
                              env={**os.environ, "TZ": "UTC", "LANG": "zh_CN.UTF-8"})
    if proc.returncode != 0 or not pdf_path.exists():
        raise ReportError(f"chromium failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    if stamp is not None:
        fixed = stamp.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%S").encode()
        data = re.sub(rb"(/(?:CreationDate|ModDate) \()D:\d{14}", lambda m: m.group(1) + fixed,
                      pdf_path.read_bytes())
        pdf_path.write_bytes(data)


# ---------------------------------------------------------------- DOCX


def render_docx(d: ReportData, charts: dict[str, bytes], out: Path) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[style_name]
        style.font.name = FONT
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    created = d.meta.get("created_at")
    created = created.astimezone(dt.UTC).replace(tzinfo=None) if isinstance(created, dt.datetime) else None
    core = doc.core_properties
    core.title, core.author, core.last_modified_by = d.title, str(d.meta.get("created_by")), "urbanmon"
    core.identifier, core.subject = d.edition_id, d.title
    core.created = core.modified = created or dt.datetime(2000, 1, 1)
    core.revision = 1

    def table(head, rows):
        t = doc.add_table(rows=1, cols=len(head))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, head, strict=True):
            cell.text = text
        for r in rows:
            for cell, text in zip(t.add_row().cells, r, strict=True):
                cell.text = str(text)

    def indicator_rows(rows):
        return [[str(line["no"]), line["name"], line["unit"], line["value"], line["target"], line["status"],
                 line["required"]] for line in map(indicator_line, rows)]

    doc.add_heading(d.title, level=0)
    doc.add_paragraph(f"评估版本 {d.edition_id}{'（草稿）' if d.draft else ''}；冻结：{d.meta.get('created_by')}，"
                      f"{_when(d.meta.get('created_at'))}")
    doc.add_heading("一、总体情况", level=1)
    for p in summary_paragraphs(d):
        doc.add_paragraph(p)
    doc.add_heading("二、主要指标完成情况", level=1)
    table(INDICATOR_HEAD, indicator_rows(d.headline))
    doc.add_paragraph(source_note(d, d.headline))
    doc.add_heading("三、分类评估", level=1)
    for cat, zh in CATEGORIES:
        rows = [r for r in d.headline if r["category"] == cat]
        texts = [r for r in d.text_targets if r["category"] == cat]
        doc.add_heading(zh, level=2)
        doc.add_paragraph(f"主要指标{len(rows)}项：" + "，".join(f"{k}{v}项" for k, v in status_counts(rows)) + "。")
        for r in rows:
            line = indicator_line(r)
            doc.add_picture(io.BytesIO(charts[r["indicator_code"]]), width=Cm(16))
            doc.add_paragraph(f"{line['name']}：{line['explanation'] or line['status']}")
        if texts:
            doc.add_paragraph(f"规划文本目标（{len(texts)}项）：")
            table(INDICATOR_HEAD, indicator_rows(texts))
            doc.add_paragraph(source_note(d, texts))
    doc.add_heading("四、规划文本中的量化目标", level=1)
    table(INDICATOR_HEAD, indicator_rows(d.text_targets))
    doc.add_paragraph(source_note(d, d.text_targets))
    doc.add_heading("五、区县综合评价与表扬建议", level=1)
    if d.league:
        table(LEAGUE_HEAD, [league_line(r) for r in d.league])
        commended = [r["area_name"] for r in d.league if r.get("is_commended")]
        doc.add_paragraph("建议表扬的区县：" + ("、".join(commended) if commended else "无") + "。")
        doc.add_paragraph(load_rule().attribution_zh)
    else:
        doc.add_paragraph(f"{d.year}年无区县评价数据。")
    if d.zones:
        doc.add_paragraph("功能区（不参加排名，仅供参考）：")
        table(LEAGUE_HEAD, [league_line(r) for r in d.zones])
    doc.add_heading("六、说明", level=1)
    for head, paras in notes_paragraphs(d).items():
        doc.add_heading(head, level=2)
        for p in paras:
            doc.add_paragraph(p)
    buffer = io.BytesIO()
    doc.save(buffer)
    out.write_bytes(_fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed member timestamps (zipfile stamps the current time), so the bytes repeat."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- entry point


def build(year: int, edition: str = "annual", out_dir: Path | None = None, draft: bool = False,
          freeze_by: str | None = None) -> dict:
    """Write the report of ``edition``/``year``; with ``freeze_by`` and no frozen edition yet, freeze it first
    (the editor's act, named). Returns the paths written."""

    if edition not in editions.EDITIONS:
        raise ReportError(f"unknown edition {edition!r}: one of {sorted(editions.EDITIONS)}")
    if editions.EDITIONS[edition] is not None and year != editions.EDITIONS[edition]:
        raise ReportError(f"the {edition} edition is the evaluation of {editions.EDITIONS[edition]}, not {year}")
    frozen = None
    if not draft and freeze_by:
        try:
            load(edition, year)
        except ReportError:
            frozen = editions.freeze(edition, year, freeze_by, "为生成评估报告冻结")
    d = load(edition, year, draft=draft)
    if not d.headline:
        raise ReportError("the edition has no headline indicators")
    base = out_dir or (paths().data / "reports" / ("drafts" if draft else ""))
    folder = base / d.edition_id
    folder.mkdir(parents=True, exist_ok=True)
    charts = {r["indicator_code"]: chart_png(r, d.series[r["indicator_code"]]) for r in d.headline}
    html_path = folder / f"{d.edition_id}.html"
    html_path.write_text(render_html(d, charts), encoding="utf-8")
    pdf_path, docx_path = folder / f"{d.edition_id}.pdf", folder / f"{d.edition_id}.docx"
    created = d.meta.get("created_at")
    print_pdf(html_path, pdf_path, created if isinstance(created, dt.datetime) else None)
    render_docx(d, charts, docx_path)
    return {"edition_id": d.edition_id, "pdf": str(pdf_path), "docx": str(docx_path), "html": str(html_path),
            "frozen": frozen, "draft": draft}


def draft_edition(year: int) -> str:

    return next((e for e, y in editions.EDITIONS.items() if y == year), "annual")


def completeness(year: int | None = None, serving: Path | None = None) -> dict:
    """Whether every feed the year needs has delivered: each headline indicator has Jinan's value of ``year``
    (default: the latest year assessed) in the published snapshot, which holds only validated data."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{serving or paths().serving_db}' as s (read_only)")
        if year is None:
            year = con.execute("select max(year) from s.indicator_progress where area_code = ?", [CITY]).fetchone()[0]
        missing = con.execute("""
            select c.feed, string_agg(c.indicator_code, ',' order by c.headline_no) from s.indicator_catalog c
            where c.kind = 'headline' and not exists (select 1 from s.indicator_values v where v.indicator_code =
                c.indicator_code and v.area_code = ? and v.year = ? and v.is_primary_series)
            group by c.feed order by c.feed""", [CITY, year]).fetchall()
        snapshot_id = con.execute("select snapshot_id from s.snapshot").fetchone()[0]
    finally:
        con.close()
    return {"year": year, "complete": not missing, "snapshot_id": snapshot_id,
            "missing": {feed: codes.split(",") for feed, codes in missing}}


def draft_if_complete(year: int | None = None) -> dict:
    """The draft DAG's step: when the year is complete, a draft report from the current snapshot (once per
    snapshot) under data/reports/drafts/; an editor then freezes the edition and issues the report."""
    state = completeness(year)
    if not state["complete"]:
        return {**state, "draft": None}
    edition = draft_edition(state["year"])
    folder = paths().data / "reports" / "drafts" / f"draft-{edition}-{state['year']}-{state['snapshot_id']}"
    if folder.exists() and any(folder.glob("*.pdf")):
        return {**state, "draft": str(folder), "already": True}
    return {**state, "draft": build(state["year"], edition, draft=True)}
