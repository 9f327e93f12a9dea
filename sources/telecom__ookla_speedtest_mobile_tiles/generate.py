"""Synthetic Ookla mobile speed-test tiles around Jinan, Q4 of 2019-2025: the fixed feed's generator
(sources/telecom__ookla_speedtest_fixed_tiles/generate.py) with the mobile speeds."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_path = Path(__file__).resolve().parent.parent / "telecom__ookla_speedtest_fixed_tiles" / "generate.py"
_spec = importlib.util.spec_from_file_location("urbanmon_ookla_fixed_generator", _path)
_fixed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixed)


def generate(seed: int) -> dict[str, bytes]:
    return _fixed.files_for("mobile")
