"""Render the Superset assets under superset/assets/ into an importable bundle (directory or zip).

The YAML files follow Superset's export layout. Two things are filled in here, so that the committed files hold no
machine-specific value and stay readable:

* ``{{ NAME }}`` placeholders (only the names in ``PLACEHOLDERS``), e.g. the absolute path of the serving database
  in a database's ``sqlalchemy_uri``;
* a chart's ``query_context`` may be written as a YAML mapping; Superset stores it as a JSON string. The datasource
  id in it is a placeholder: the importer replaces it with the dataset's id on this server.

Runs under either environment (stdlib + PyYAML):
    python superset/render_assets.py --zip /tmp/assets.zip      # or --dir /tmp/assets
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import zipfile
from pathlib import Path

import yaml

ASSETS = Path(__file__).resolve().parent / "assets"
REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLE_ROOT = "urbanmon_assets"  # Superset expects one top-level folder inside the zip
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Z_]+)\s*\}\}")


def placeholders() -> dict[str, str]:
    data_dir = Path(os.environ.get("URBANMON_DATA_DIR") or REPO_ROOT / "data").resolve()
    return {"URBANMON_DATA_DIR": data_dir.as_posix()}


def asset_files(root: Path = ASSETS) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if p.is_file())


def render_text(text: str, values: dict[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"unknown placeholder {{{{ {name} }}}}")
        return values[name]

    return _PLACEHOLDER.sub(substitute, text)


def render(root: Path = ASSETS, values: dict[str, str] | None = None) -> dict[str, str]:
    """{relative path: rendered YAML text} for every asset file."""
    values = placeholders() if values is None else values
    out: dict[str, str] = {}
    for path in asset_files(root):
        rel = path.relative_to(root).as_posix()
        config = yaml.safe_load(render_text(path.read_text(encoding="utf-8"), values))
        if rel.startswith("charts/") and isinstance(config.get("query_context"), dict):
            config["query_context"] = json.dumps(config["query_context"], ensure_ascii=False)
        out[rel] = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    return out


def write_zip(files: dict[str, str], target: Path) -> None:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for rel, text in sorted(files.items()):
            bundle.writestr(f"{BUNDLE_ROOT}/{rel}", text)


def write_dir(files: dict[str, str], target: Path) -> None:
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--zip", type=Path, help="write a zip bundle (for POST /api/v1/assets/import/)")
    group.add_argument("--dir", type=Path, help="write a directory (for `superset import-directory`)")
    args = parser.parse_args(argv)
    files = render()
    if args.zip:
        write_zip(files, args.zip)
    else:
        write_dir(files, args.dir)
    print(f"rendered {len(files)} asset files -> {args.zip or args.dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
