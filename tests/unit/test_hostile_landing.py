"""Hostile landing input: nothing escapes the landing folder, nothing is loaded half-written, every entry gets a
clear outcome (archived, or moved to quarantine/_landing with its rule and reason)."""

from __future__ import annotations

import io
import json
import os
import zipfile

import pytest

from tests.conftest import real_city_file
from urbanmon import ingest, landing
from urbanmon.feeds.errors import FeedError
from urbanmon.feeds.spec import get_spec
from urbanmon.settings import paths

CITY = get_spec("air_quality__cnemc_city_hourly")
WASTE = get_spec("environment__household_waste_records")


def _folder(spec=CITY):
    folder = landing.landing_dir(spec)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _rejections() -> dict[str, dict]:
    out = {}
    for reason in (paths().quarantine / "_landing").glob("*/*/reason.json"):
        doc = json.loads(reason.read_text(encoding="utf-8"))
        out[doc["name"]] = doc
    return out


def _outside_untouched(outside):
    assert outside.read_bytes() == b"secret", "a file outside landing was touched"


def test_symlink_is_moved_out_as_a_link_and_its_target_never_read(data_dir, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_bytes(b"secret")
    os.symlink(outside, _folder() / "china_cities_20200105.csv")
    os.symlink("/etc/passwd", _folder() / "china_cities_20200106.csv")
    assert ingest.archive_landing(CITY.feed_id) == []
    rejected = _rejections()
    assert {r["rule"] for r in rejected.values()} == {"symlink"}
    assert set(rejected) == {"china_cities_20200105.csv", "china_cities_20200106.csv"}
    assert not list(_folder().iterdir())
    _outside_untouched(outside)
    assert not (paths().archive).exists() or not list(paths().archive.rglob("receipt.json"))


@pytest.mark.parametrize("raw_name", [b"china_cities_\xff\xfe.csv", b"\xc3\x28report.csv"])
def test_a_name_that_is_not_utf8_is_rejected(data_dir, raw_name):
    with open(os.path.join(os.fsencode(_folder()), raw_name), "wb") as fh:
        fh.write(b"x")
    ingest.archive_landing(CITY.feed_id)
    [doc] = _rejections().values()
    assert doc["rule"] == "unsafe_name" and "UTF-8" in doc["reason"]
    assert not list(os.scandir(_folder()))


def test_dotdot_names_and_unexpected_names_are_rejected_not_followed(data_dir, tmp_path):
    (_folder() / "..china_cities_20200101.csv").write_bytes(b"x")
    (_folder() / ".china_cities_20200101.csv.part").write_bytes(b"x")  # a temp name: being written, left alone
    (_folder() / "china_cities_..csv").write_bytes(b"x")
    (_folder() / "notes.txt").write_bytes(b"x")
    ingest.archive_landing(CITY.feed_id)
    rejected = _rejections()
    assert rejected["china_cities_..csv"]["rule"] == "unsafe_name"
    assert rejected["..china_cities_20200101.csv"]["rule"] == "unsafe_name"
    assert rejected["notes.txt"]["rule"] == "unexpected_name"
    assert [p.name for p in _folder().iterdir()] == [".china_cities_20200101.csv.part"]


def test_archive_file_refuses_unsafe_names_and_symlinks(data_dir, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_bytes(b"secret")
    link = _folder() / "china_cities_20200107.csv"
    os.symlink(outside, link)
    with pytest.raises(OSError, match="not a plain file"):
        landing.archive_file(CITY, link)
    with pytest.raises(OSError, match="not a plain file"):
        landing.archive_file(CITY, _folder() / "..")
    assert landing.safe_name("china_cities_20200101.csv")
    for bad in ("../x.csv", "/etc/passwd", "a/../../b", "..", ".", "", "a\0b", "x\udcff.csv"):
        assert not landing.safe_name(bad), bad
    _outside_untouched(outside)


def test_a_very_large_file_is_rejected_before_it_is_hashed(data_dir, monkeypatch):
    monkeypatch.setenv("URBANMON_MAX_FILE_BYTES", "1000")
    (_folder() / "china_cities_20200108.csv").write_bytes(b"x" * 5000)
    assert ingest.archive_landing(CITY.feed_id) == []
    [doc] = _rejections().values()
    assert doc["rule"] == "too_large" and "5000" in doc["reason"]


def test_a_file_still_being_written_is_not_taken(data_dir, monkeypatch):
    monkeypatch.setenv("URBANMON_SETTLE_SECONDS", "30")
    data = real_city_file("20200102")
    (_folder() / "china_cities_20200102.csv").write_bytes(data[:1000])  # a copy in place, just modified
    (_folder() / "china_cities_20200103.csv.part").write_bytes(data[:10])  # the rename protocol's temp name
    assert ingest.archive_landing(CITY.feed_id) == []
    assert (_folder() / "china_cities_20200102.csv").exists()
    assert (_folder() / "china_cities_20200103.csv.part").exists()
    assert not _rejections()
    old = (_folder() / "china_cities_20200102.csv")
    os.utime(old, (old.stat().st_atime - 60, old.stat().st_mtime - 60))  # settled now
    [receipt] = ingest.archive_landing(CITY.feed_id)
    assert receipt.size == 1000


def test_a_file_changing_while_archived_stays_in_landing(data_dir, monkeypatch):
    path = _folder() / "china_cities_20200102.csv"
    path.write_bytes(real_city_file("20200102"))
    real_copy = landing.shutil.copyfile

    def copy_then_grow(src, dst):
        real_copy(src, dst)
        with open(src, "ab") as fh:
            fh.write(b"more rows\n")
        with open(dst, "ab") as fh:
            fh.write(b"more")  # the copy differs from what was hashed

    monkeypatch.setattr(landing.shutil, "copyfile", copy_then_grow)
    assert ingest.archive_landing(CITY.feed_id) == []
    assert path.exists()
    assert not list(paths().archive.rglob("receipt.json"))
    assert not list(paths().archive.rglob("*.copying"))


def test_an_xlsx_zip_bomb_is_refused_before_it_is_opened():
    from urbanmon.feeds import tabular

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024**2))
    raw = buffer.getvalue()
    assert len(raw) < 200_000
    with pytest.raises(FeedError) as err:
        tabular.parse_bytes(raw, WASTE, "jinan_household_waste_2024.xlsx")
    assert err.value.rule == "zip_bomb"
    assert "jinan_household_waste_2024.xlsx" in str(err.value)


def test_a_zip_bomb_is_quarantined_by_ingest_and_other_files_keep_flowing(data_dir):
    from urbanmon.cli import generated_samples

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024**2))
    good_name, good = sorted(generated_samples(WASTE.feed_id).items())[0]
    (_folder(WASTE) / "jinan_household_waste_2030.xlsx").write_bytes(buffer.getvalue())
    (_folder(WASTE) / good_name).write_bytes(good)
    ingest.archive_landing(WASTE.feed_id)
    result = ingest.ingest_pending(WASTE.feed_id, validate=False)
    assert result.loaded == [good_name]
    assert "[zip_bomb]" in result.quarantined["jinan_household_waste_2030.xlsx"]
