"""Alerts against a local SMTP server (aiosmtpd): a dropped file that flips a status makes exactly one alert and one
e-mail with the explanation, a re-run none; a quarantined file, a failed run and an overdue feed each one.

Real components: the project's ingest (landing -> archive -> parse, Great Expectations), dbt on the sample build,
the atomic publication, and an SMTP server on a local port.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import io
import shutil
import socket

import duckdb
import openpyxl
import pytest

from tests.dbt.conftest import data_dir_env, run_dbt
from urbanmon import ingest, landing, pipeline, publish
from urbanmon.cli import generated_samples
from urbanmon.feeds.spec import get_spec

FEED = "departments__jinan_department_reports"
REVISED = "synthetic_jinan_department_reports_2025.csv"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(monkeypatch):
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("URBANMON_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("URBANMON_SMTP_PORT", str(port))
    monkeypatch.setenv("URBANMON_SMTP_FROM", "urbanmon@example.org")
    yield inbox
    controller.stop()


def revised_department_report() -> bytes:
    """The 2025 department report again, as CSV, with 1500 fewer physicians in 历下区 (a correction)."""
    data = generated_samples(FEED)["synthetic_jinan_department_reports_2025.xlsx"]
    rows = [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([rows[0][0]])
    for row in rows[1:]:
        if row[1] == "历下区" and row[3] == "执业（助理）医师数":
            row[5] -= 1500
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def drop(data, name: str, content: bytes) -> dict:
    """A file arrives in landing and goes through the project's own archive and ingest (with its GX suite)."""
    spec = get_spec(FEED)
    folder = landing.landing_dir(spec)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    ingest.archive_landing(FEED)
    return ingest.ingest_pending(FEED, run_id="test").as_dict()


def alerts(data) -> list[tuple]:
    with duckdb.connect(str(data / "serving" / "operations.duckdb"), read_only=True) as con:
        return con.execute("select kind, subject, body, recipients, sent_at is not null, error from alerts "
                           "order by created_at, alert_id").fetchall()


def test_a_file_that_flips_a_status_alerts_once(dbt_build, scratch, smtp, monkeypatch):
    assert dbt_build.returncode == 0, dbt_build.output[-4000:]
    data = scratch / "data"
    shutil.copytree(dbt_build.data, data)
    with data_dir_env(data):
        publish.publish_snapshot()
        # freshness is judged in every operations publish: at a fixed as-of moment, where this feed is on time
        monkeypatch.setenv("URBANMON_AS_OF", "2026-12-01")
        pipeline.publish_operations("first")
        # the first load: every status is new, none has changed; only feeds already late at the as-of alert
        initial = alerts(data)
        assert all(r[0] == "feed_overdue" and FEED not in r[1] for r in initial), initial
        assert len(smtp.messages) == len(initial)
        mails = len(smtp.messages)

        def new_alerts() -> list[tuple]:
            return [r for r in alerts(data) if r not in initial]

        result = drop(data, REVISED, revised_department_report())
        assert not result["quarantined"], result
        code, output, _ = run_dbt(data, dbt_build.target.parent, *pipeline.dbt_selection([FEED]))
        assert code == 0, output[-4000:]
        snapshot_id = publish.publish_snapshot()
        pipeline.publish_operations("revised")

        rows = new_alerts()
        assert [r[0] for r in rows] == ["status_change"], rows
        kind, subject, body, recipients, sent, error = rows[0]
        assert "每千人口拥有执业（助理）医师" in subject and sent and error is None
        assert "jiance@example.org" in recipients and "wjw-yizheng@example.org" in recipients
        assert "由“已实现”（2025年" in body and "变为“未实现”" in body and REVISED in body
        assert "判断依据：2025年目标达到 5" in body and "基期 2020年" in body and snapshot_id in body
        with duckdb.connect(str(data / "serving" / "operations.duckdb"), read_only=True) as con:
            changes = con.execute(
                "select indicator_code, area_code, old_status, new_status, file_name, new_snapshot_id "
                "from status_changes order by area_code").fetchall()
        assert ("physicians_per_1000", "370100", "achieved", "not_achieved", REVISED, snapshot_id) in changes
        assert {c[0] for c in changes} == {"physicians_per_1000"}

        assert len(smtp.messages) == mails + 1
        to, message = smtp.messages[-1]
        assert sorted(to) == sorted(recipients)
        assert message["Subject"] == subject and message["Message-ID"].endswith("@urbanmon>")
        assert REVISED in message.get_content() and "变为“未实现”" in message.get_content()

        # a re-run (the same snapshot, the same ledger) never alerts twice
        pipeline.publish_operations("again")
        assert len(new_alerts()) == 1 and len(smtp.messages) == mails + 1

        # a broken file: quarantined, one alert to the feed's recipients with the reason
        result = drop(data, "synthetic_jinan_department_reports_2026.csv", "这不是一张报表\n".encode())
        assert len(result["quarantined"]) == 1, result
        pipeline.publish_operations("broken")
        rows = new_alerts()
        assert [r[0] for r in rows] == ["status_change", "file_quarantined"]
        assert "synthetic_jinan_department_reports_2026.csv" in rows[1][1] and "原因：" in rows[1][2]
        assert "fgw-baobiao@example.org" in rows[1][3] and rows[1][4]

        # a failed run, and the as-of moment past this feed's next due date (2026's report, due by 2027-07-01)
        pipeline.record_run("run-9", "transform_validate_publish", "failed", dt.datetime.now(dt.UTC),
                            "dbt build failed (exit 1)", dag_id="transform_validate_publish")
        monkeypatch.setenv("URBANMON_AS_OF", "2027-08-01")
        pipeline.publish_operations("late")
        pipeline.publish_operations("late-again")
        rows = new_alerts()
        assert [r[0] for r in rows].count("run_failed") == 1 and [r[0] for r in rows].count("status_change") == 1
        failed = next(r for r in rows if r[0] == "run_failed")
        assert "dbt build failed" in failed[2] and "yunwei@example.org" in failed[3]
        late = [r for r in rows if r[0] == "feed_overdue" and FEED in r[1]]
        assert len(late) == 1, rows
        assert "济南市新型城镇化监测部门统一报表：最新期 2025" in late[0][2] and "已逾期" in late[0][2]
        assert "fgw-baobiao@example.org" in late[0][3]
        assert len(smtp.messages) == mails + len(rows) and all(r[4] for r in rows)


def test_without_smtp_alerts_are_rows_only(tmp_path, monkeypatch):
    from urbanmon import alerts as alerts_module

    monkeypatch.delenv("URBANMON_SMTP_HOST", raising=False)
    monkeypatch.setenv("URBANMON_DATA_DIR", str(tmp_path))
    pipeline.record_run("run-1", "ingest", "failed", dt.datetime.now(dt.UTC), "boom")
    assert list(alerts_module.run("run-1")) == ["run_failed"]
    assert alerts_module.run("run-1") == {}
    pipeline.publish_operations("run-1")
    rows = alerts(tmp_path)
    assert len(rows) == 1 and not rows[0][4] and rows[0][5].startswith("SMTP not configured")
