"""The evaluation report of a frozen edition, from the sample build: real dbt, real headless Chromium, poppler.

The PDF's pages are rendered to images (pdftoppm); its text (pdftotext) names every headline indicator and every
district; every font is embedded with a Unicode map, and Chinese is drawn as glyphs: the four characters 评估版本 on
the cover, cut out of the rendered page, are four different ink shapes (a missing glyph draws the same empty box
for each). Regenerating the report of the same edition gives the same bytes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.dbt.conftest import data_dir_env
from urbanmon import editions, pipeline, publish, registry, reports

pytestmark = pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("pdftoppm")),
                                reason="needs chromium and poppler-utils (scripts/bootstrap.sh installs them)")


def flat(text: str) -> str:
    return "".join(text.split())


def word_box(pdf: Path, page: int, word: str) -> tuple[float, float, float, float, float, float]:
    """(xMin, yMin, xMax, yMax) of ``word`` on ``page`` and the page's width and height, in points."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', out)
    match = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">' + word + "<", out)
    assert match, f"{word!r} not on page {page}"
    return (*map(float, match.groups()), float(size.group(1)), float(size.group(2)))


def test_mid_term_report_from_a_frozen_edition(dbt_build, scratch, tmp_path):
    from PIL import Image, ImageChops

    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    with data_dir_env(data):
        publish.publish_snapshot()
        pipeline.publish_operations()
        with pytest.raises(reports.ReportError, match="no frozen mid-term edition of 2025"):
            reports.build(2025, "mid-term")
        first = reports.build(2025, "mid-term", freeze_by="编辑甲")
        assert first["frozen"]["edition_id"] == "mid-term-2025-v1"
        pdf, docx = Path(first["pdf"]), Path(first["docx"])
        assert pdf.parent == data / "reports" / "mid-term-2025-v1" and docx.stat().st_size > 10_000
        pdf_bytes, docx_bytes = pdf.read_bytes(), docx.read_bytes()

        # regenerating the frozen edition's report gives the same bytes (and does not freeze again)
        again = reports.build(2025, "mid-term", freeze_by="编辑乙")
        assert again["frozen"] is None and again["edition_id"] == "mid-term-2025-v1"
        assert pdf.read_bytes() == pdf_bytes and docx.read_bytes() == docx_bytes

        # the draft DAG's step: no draft for a year without data; a draft once per snapshot for a complete year
        empty = reports.completeness(2031)
        assert not empty["complete"] and sum(len(v) for v in empty["missing"].values()) == 22
        state = reports.draft_if_complete()  # the sample has every headline indicator for 2025
        assert state["complete"] and state["year"] == 2025 and state["missing"] == {}
        draft = Path(state["draft"]["pdf"])
        assert draft.parent.parent == data / "reports" / "drafts" and draft.exists()
        assert "草稿" in subprocess.run(["pdftotext", str(draft), "-"], capture_output=True, text=True,
                                        check=True).stdout
        assert reports.draft_if_complete()["already"]

        # a cumulative target ([100] 万人次 over 2021-2025): the report plots the running total 指标详情 draws
        report = reports.load("mid-term", 2025)
        report_series = report.series["vocational_training_attendances"]["actual"]
        with duckdb.connect(str(data / "serving" / "warehouse.duckdb"), read_only=True) as con:
            drawn = con.execute(
                "select year, actual_value from board_indicator_path where indicator_code = "
                "'vocational_training_attendances' and is_running_total and actual_value is not null "
                "order by year").fetchall()
        assert len(drawn) >= 2 and [tuple(p) for p in report_series] == drawn
        assert all(b[1] > a[1] for a, b in zip(drawn, drawn[1:], strict=False))  # a running total only grows

    text = flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    reg = registry.load()
    headline = [i.name_zh for i in reg.indicators.values() if i.kind == "headline"]
    assert len(headline) == 22
    assert [n for n in headline if flat(n) not in text] == []
    import docx as python_docx

    document = python_docx.Document(str(docx))
    docx_text = flat("".join(p.text for p in document.paragraphs) +
                     "".join(c.text for t in document.tables for row in t.rows for c in row.cells))
    assert [n for n in headline if flat(n) not in docx_text] == []
    assert len(document.inline_shapes) == 22  # a chart per headline indicator
    with duckdb.connect(str(data / "serving" / "warehouse.duckdb"), read_only=True) as con:
        districts = [r[0] for r in con.execute(
            "select area_name from edition_district_scores where edition_id = 'mid-term-2025-v1' and is_ranked "
            "order by rank").fetchall()]
        counties = [r[0] for r in con.execute(
            "select short_name from area_catalog where area_kind = 'county'").fetchall()]
    assert sorted(districts) == sorted(counties) and len(counties) == 12
    assert [d for d in districts if d not in text] == []
    assert [d for d in districts if d not in docx_text] == []
    # a source note under each table: the publication of every official figure shown, and what the rest are
    assert "数据来源：" in text and "数据来源：" in docx_text and "样例数据" in text
    for (code, year), source in report.cited.items():
        shown = next((r for r in report.headline if r["indicator_code"] == code
                      and (r.get("progress") or {}).get("year") == year), None)
        if shown and source["value_source"] == "official":
            assert flat(source["citation"].split("；")[0]) in text, (code, year)
    for heading in ("一、总体情况", "二、主要指标完成情况", "智慧城镇化", "绿色城镇化", "均衡城镇化", "双向城镇化",
                    "四、规划文本中的量化目标", "五、区县综合评价与表扬建议", "建议表扬的区县", "与官方公布数据的核对"):
        assert heading in text

    # every font embedded, each with a Unicode map (pdffonts: emb and uni columns)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert rows and all(r[-5] == "yes" and r[-3] == "yes" for r in rows), fonts

    # every page rendered to an image, none blank
    pages = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(pages)], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) >= 8
    for image in images:
        with Image.open(image) as im:
            assert im.convert("L").getextrema()[0] < 128, f"{image.name} is blank"

    # Chinese as glyphs: the cover's 评估版本 cut into its four full-width cells, four different ink shapes
    x0, y0, x1, y1, width, _ = word_box(pdf, 1, "评估版本")
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "cover")],
                   check=True)
    with Image.open(next(tmp_path.glob("cover-*.png"))) as im:
        scale = im.width / width
        word = im.convert("L").crop((round(x0 * scale), round(y0 * scale), round(x1 * scale), round(y1 * scale)))
    step = word.width / 4
    cells = [word.crop((round(i * step), 0, round((i + 1) * step), word.height)).point(lambda v: 255 if v > 128 else 0)
             for i in range(4)]
    ink = [c.histogram()[0] for c in cells]
    assert all(n > 40 for n in ink), ink
    for i in range(4):
        for j in range(i + 1, 4):
            diff = ImageChops.difference(cells[i], cells[j].resize(cells[i].size))
            assert sum(diff.histogram()[1:]) > 40, f"cells {i} and {j} look the same (a missing glyph?)"


def test_an_edition_register_is_required(tmp_path, monkeypatch):
    monkeypatch.setenv("URBANMON_DATA_DIR", str(tmp_path))
    with pytest.raises(reports.ReportError, match="no serving snapshot"):
        reports.build(2024, "annual")
    with pytest.raises(reports.ReportError, match="mid-term edition is the evaluation of 2025"):
        reports.build(2024, "mid-term")
    assert editions.EDITIONS["final"] == 2035
