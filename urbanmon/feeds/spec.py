"""A feed's contract, read from ``sources/<feed_id>/feed.yaml``."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from urbanmon.settings import SOURCES_DIR


class ReleaseCalendar(BaseModel):
    frequency: str = Field(description="daily, monthly, annual …")
    expected_lag_days: int = Field(description="days after the period ends that the file is due")


class FeedSpec(BaseModel):
    feed_id: str
    title_zh: str
    title_en: str
    publisher: str
    landing_subdir: str = Field(description="folder under data/landing that receives this feed")
    filename_regex: str = Field(description="full-match regex; its group 'period' is the file's date (Beijing)")
    encoding: str = "utf-8"
    adapter: str = Field(description="dotted path of the adapter function parse(path, spec) -> ParsedFile")
    raw_table: str
    location_kind: str
    location_regex: str = Field(description="what a location column header must look like")
    value_types: list[str] = Field(description="the 'type' column's allowed values, in order")
    release: ReleaseCalendar
    sample: str | None = None
    description: str = ""

    def matches(self, name: str) -> re.Match[str] | None:
        return re.fullmatch(self.filename_regex, name)

    @property
    def folder(self) -> Path:
        return SOURCES_DIR / self.feed_id


@cache
def load_specs() -> dict[str, FeedSpec]:
    specs = {}
    for path in sorted(SOURCES_DIR.glob("*/feed.yaml")):
        spec = FeedSpec.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        if spec.feed_id != path.parent.name:
            raise ValueError(f"{path}: feed_id {spec.feed_id!r} differs from its folder name")
        specs[spec.feed_id] = spec
    return specs


def get_spec(feed_id: str) -> FeedSpec:
    try:
        return load_specs()[feed_id]
    except KeyError:
        raise KeyError(f"unknown feed {feed_id!r}; known: {sorted(load_specs())}") from None
