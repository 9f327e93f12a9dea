"""Build the compact real air-quality samples shipped in ``sources/<feed>/sample/`` from the shared data.

A fresh machine has no ``../shared``; the project ships a cut of the real CNEMC files instead:

* city feed: all 366 daily files of 2020, cut to ``date,hour,type`` + the Shandong columns present in the header
  (prefecture-level short names and county-level ones with a column of their own, from
  ``areas/shandong_areas.csv``), packed as ``china_cities_2020_shandong.tar.gz``;
* station feed: the two daily files of 2019, cut to Jinan's national stations present in the header plus a
  handful of Qingdao stations, packed as ``china_sites_2019_jinan.tar.gz``.

A cut keeps every row, the original column order, the original bytes of every kept field and the original line
endings (the city files end without a newline, the station files use CRLF). The archives are deterministic
(sorted names, fixed mtime/uid/gid/mode, gzip mtime 0): running the script again gives identical bytes.
Every cut is verified against its original (same rows, same values) before anything is written.

Next to each archive: ``PROVENANCE.md``, ``SHA256SUMS.original`` (the source files, relative to the shared data
folder) and ``SHA256SUMS.cut`` (the files inside the archive).

    .venvs/pipeline/bin/python scripts/make_air_sample.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import re
import sys
import tarfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"

# 2020-01-01T00:00:00Z: the archive members' mtime (any fixed value keeps the output reproducible)
MEMBER_MTIME = 1577836800
KEY_COLUMNS = ("date", "hour", "type")

# Jinan's national control stations (data README): urban core, former Laiwu, Zhangqiu, and later additions
JINAN_STATIONS = (
    "1299A 1300A 1301A 1302A 1303A 1304A 1305A 1306A 1615A 1616A 1617A 3059A 3064A 1961A 1962A 3494A 3495A 3682A"
).split()
# a handful of urban Qingdao stations, so the station feed has a second city to compare with
QINGDAO_STATIONS = "1308A 1309A 1310A 1311A 1312A".split()

LINE = re.compile(rb"([^\r\n]*)(\r\n|\n|\r|$)")


@dataclass
class Cut:
    name: str
    original_rel: str  # path relative to the shared data folder
    original_sha256: str
    original_bytes: int
    cut: bytes
    rows: int  # data rows, header excluded
    kept: list[str]
    locations: int  # location columns of the original

    @property
    def cut_sha256(self) -> str:
        return hashlib.sha256(self.cut).hexdigest()


def split_lines(data: bytes) -> list[tuple[bytes, bytes]]:
    """(content, line ending) for every line, the ending exactly as in the file ('' for a last line without one)."""
    out = []
    pos = 0
    while pos < len(data):
        m = LINE.match(data, pos)
        out.append((m.group(1), m.group(2)))
        pos = m.end()
    return out


def cut_columns(data: bytes, wanted: set[str]) -> tuple[bytes, list[str], int]:
    """Keep the key columns and the ``wanted`` ones present in the header, in the header's order."""
    lines = split_lines(data)
    header = lines[0][0].decode("utf-8").split(",")
    if tuple(header[:3]) != KEY_COLUMNS:
        raise ValueError(f"unexpected header start {header[:3]}")
    keep = [i for i, col in enumerate(header) if i < 3 or col in wanted]
    out = io.BytesIO()
    for number, (content, ending) in enumerate(lines, start=1):
        fields = content.split(b",")
        if len(fields) != len(header):
            raise ValueError(f"line {number}: {len(fields)} fields, header has {len(header)}")
        out.write(b",".join(fields[i] for i in keep) + ending)
    return out.getvalue(), [header[i] for i in keep[3:]], len(header) - 3


def verify(original: bytes, cut: bytes, kept: list[str]) -> int:
    """Independent check with the csv module: same rows, same values in every kept column. Returns data rows."""
    orig_rows = list(csv.reader(io.StringIO(original.decode("utf-8"), newline="")))
    cut_rows = list(csv.reader(io.StringIO(cut.decode("utf-8"), newline="")))
    assert len(orig_rows) == len(cut_rows), (len(orig_rows), len(cut_rows))
    index = [orig_rows[0].index(c) for c in (*KEY_COLUMNS, *kept)]
    assert cut_rows[0] == [*KEY_COLUMNS, *kept]
    for o, c in zip(orig_rows, cut_rows, strict=True):
        assert [o[i] for i in index] == c
    assert original.count(b"\r\n") == cut.count(b"\r\n") and original.count(b"\n") == cut.count(b"\n")
    assert original.endswith(b"\n") == cut.endswith(b"\n")
    return len(orig_rows) - 1


def make_cuts(shared: Path, folder: str, pattern: str, wanted: set[str]) -> list[Cut]:
    cuts = []
    for path in sorted((shared / folder).glob(pattern)):
        data = path.read_bytes()
        cut, kept, locations = cut_columns(data, wanted)
        rows = verify(data, cut, kept)
        cuts.append(Cut(path.name, path.relative_to(shared).as_posix(), hashlib.sha256(data).hexdigest(),
                        len(data), cut, rows, kept, locations))
    if not cuts:
        raise SystemExit(f"no files matching {pattern} in {shared / folder}")
    return cuts


def deterministic_tar_gz(members: list[tuple[str, bytes]]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in sorted(members):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = MEMBER_MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, compresslevel=9, mtime=0) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def shandong_columns(shared: Path) -> set[str]:
    """Short names of Shandong's prefectures and county-level areas (the files use short names: 济南, 章丘)."""
    with open(shared / "areas" / "shandong_areas.csv", encoding="utf-8", newline="") as f:
        return {r["short_name"] for r in csv.DictReader(f) if r["level"] in ("prefecture", "county")}


PROVENANCE = """\
# Provenance of `{archive}`

**Source.** Hourly air-quality data published by the China National Environmental Monitoring Centre (CNEMC,
中国环境监测总站), as republished in daily CSV files by 王晓磊 at quotsoft.net.

**Licence.** No licence is stated for these files. They are public government monitoring data; the project ships
this compact extract as development, test and demonstration data, with this note next to it. Do not read it as a
grant of rights beyond what the publisher allows.

{what}

- Files: {n_files} ({first} … {last}), same file names as the originals.
- Columns kept: `date,hour,type` and {n_kept} of the {n_locations} location columns: {kept}.
- Every row is kept ({rows} data rows in all; each cut file has exactly the rows of its original). Kept fields are
  byte-for-byte the original text (empty = missing), in the original column order, with the original line endings
  ({endings}).
- Original size {orig_mb:.1f} MB; cut files {cut_mb:.1f} MB; archive {tar_kb:.0f} KB.

**Archive.** `{archive}`, SHA-256 `{tar_sha}`. Deterministic: members sorted by name at the archive's top level,
mtime {mtime} (2020-01-01T00:00:00Z), uid/gid 0, mode 0644, gzip mtime 0, so re-running the script gives
identical bytes.

**Checksums.**
- `SHA256SUMS.original`: SHA-256 of every original file, paths relative to the shared data folder
  (check: `cd ../shared/data && sha256sum -c <repo>/sources/{feed}/sample/SHA256SUMS.original`).
- `SHA256SUMS.cut`: SHA-256 of every file inside the archive
  (check: `mkdir /tmp/cut && tar -xzf {archive} -C /tmp/cut && cd /tmp/cut &&
  sha256sum -c <this folder>/SHA256SUMS.cut`).

**Produced by** `scripts/make_air_sample.py` (standard library only; run it with the pipeline environment):

```bash
.venvs/pipeline/bin/python scripts/make_air_sample.py            # reads ../shared/data relative to the repo
.venvs/pipeline/bin/python scripts/make_air_sample.py --shared /path/to/shared/data
```

The script verifies every cut against its original with an independent CSV read (same rows, same values in every
kept column, same line endings) before it writes anything.
"""


def write_sample(out: Path, feed: str, archive: str, cuts: list[Cut], what: str) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    tar_bytes = deterministic_tar_gz([(c.name, c.cut) for c in cuts])
    (out / archive).write_bytes(tar_bytes)
    (out / "SHA256SUMS.original").write_text(
        "".join(f"{c.original_sha256}  {c.original_rel}\n" for c in cuts), encoding="utf-8")
    (out / "SHA256SUMS.cut").write_text("".join(f"{c.cut_sha256}  {c.name}\n" for c in cuts), encoding="utf-8")
    kept = sorted({tuple(c.kept) for c in cuts})
    if len(kept) != 1:
        raise SystemExit(f"{feed}: the kept columns differ between files: {kept}")
    endings = "CRLF" if b"\r\n" in cuts[0].cut else "LF"
    endings += ", last line with a newline" if cuts[0].cut.endswith(b"\n") else ", no newline after the last line"
    what = textwrap.fill("**What was cut.** " + what, width=116, break_on_hyphens=False)
    text = PROVENANCE.format(
        archive=archive,
        feed=feed,
        what=what,
        n_files=len(cuts),
        first=cuts[0].name,
        last=cuts[-1].name,
        n_kept=len(kept[0]),
        n_locations=cuts[0].locations,
        kept=" ".join(kept[0]),
        rows=f"{sum(c.rows for c in cuts):,}",
        endings=endings,
        orig_mb=sum(c.original_bytes for c in cuts) / 1e6,
        cut_mb=sum(len(c.cut) for c in cuts) / 1e6,
        tar_kb=len(tar_bytes) / 1e3,
        tar_sha=hashlib.sha256(tar_bytes).hexdigest(),
        mtime=MEMBER_MTIME,
    )
    (out / "PROVENANCE.md").write_text(text, encoding="utf-8")
    return {"feed": feed, "archive": str((out / archive).relative_to(REPO)), "files": len(cuts),
            "columns": len(kept[0]), "bytes": len(tar_bytes)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder (../shared/data)")
    args = parser.parse_args(argv)
    shared = args.shared.resolve()
    if not (shared / "air_quality").is_dir():
        parser.error(f"{shared} has no air_quality/ folder")

    city = make_cuts(shared, "air_quality/china_cities_2020", "china_cities_2020????.csv", shandong_columns(shared))
    station = make_cuts(shared, "air_quality/china_sites_2019", "china_sites_2019????.csv",
                        set(JINAN_STATIONS) | set(QINGDAO_STATIONS))
    missing_jinan = [s for s in JINAN_STATIONS if s not in station[0].kept]
    results = [
        write_sample(
            REPO / "sources/air_quality__cnemc_city_hourly/sample", "air_quality__cnemc_city_hourly",
            "china_cities_2020_shandong.tar.gz", city,
            "The 366 daily city files of 2020 (`air_quality/china_cities_2020/`), cut to the Shandong cities: every "
            "column whose header is the short name of a Shandong prefecture-level city or county-level area "
            "(from `areas/shandong_areas.csv`); 章丘 has its own column in these files."),
        write_sample(
            REPO / "sources/air_quality__cnemc_station_hourly/sample", "air_quality__cnemc_station_hourly",
            "china_sites_2019_jinan.tar.gz", station,
            "The two daily station files of 2019 (`air_quality/china_sites_2019/`), cut to Jinan's national control "
            "stations present in the header (1299A–1306A urban core, 1615A–1617A, 3059A, 3064A former Laiwu, "
            "1961A, 1962A Zhangqiu; " + (", ".join(missing_jinan) or "none") + " not yet in these 2019 files) and "
            "five urban Qingdao stations (" + ", ".join(QINGDAO_STATIONS) + "). The other stations are dropped."),
    ]
    for r in results:
        print(f"{r['archive']}: {r['files']} files, {r['columns']} location columns, {r['bytes']:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
