"""Item 4 of issue 15: boards, reports and alerts paint a status with the colours of urbanmon/status.py only. The served
status_vocabulary is generated from it (dbt_project/models/registry/registry_status_vocabulary.py); no other code
writes a status colour as a literal, so changing a colour there changes it everywhere."""

from __future__ import annotations

import re

from tests.conftest import REPO
from urbanmon.status import COLOUR_HEX, STATUSES, vocabulary_rows

SOURCES = [*(REPO / "urbanmon").glob("*.py"), *(REPO / "superset").glob("*.py"),
           *(REPO / "dbt_project/models").rglob("*.sql"), *(REPO / "dbt_project/models").rglob("*.py")]


def test_no_status_colour_is_written_outside_the_vocabulary():
    colours = {c.lower() for c in COLOUR_HEX.values()}
    found = []
    for path in SOURCES:
        if path == REPO / "urbanmon/status.py":
            continue
        for hit in re.findall(r"#[0-9a-fA-F]{6}\b", path.read_text(encoding="utf-8")):
            if hit.lower() in colours:
                found.append(f"{path.relative_to(REPO)}: {hit}")
    assert not found, found


def test_the_served_vocabulary_and_the_report_use_the_one_definition():
    from urbanmon import reports

    rows = {r["status"]: r for r in vocabulary_rows()}
    assert set(rows) == {s.code for s in STATUSES}
    assert all(rows[s.code]["colour_hex"] == COLOUR_HEX[s.colour] for s in STATUSES)
    assert reports.COLOURS is COLOUR_HEX
