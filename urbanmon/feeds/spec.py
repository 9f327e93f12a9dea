"""A feed's contract, read from ``sources/<feed_id>/feed.yaml``."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from urbanmon.settings import SOURCES_DIR


class ReleaseCalendar(BaseModel):
    frequency: str = Field(description="daily, monthly, annual …")
    expected_lag_days: int = Field(description="days after the period ends that the file is due")


class ColumnSpec(BaseModel):
    """One column of a tabular feed: how its header reads in the file and what its values must be."""

    name: str = Field(description="raw column name (snake_case, unit suffix), e.g. resident_population_wan")
    header: str = Field(description="header label without the unit, e.g. 常住人口")
    aliases: list[str] = Field(default_factory=list, description="other labels the same column has been sent with")
    unit: str | None = Field(default=None, description="the unit the header must state, e.g. 万人 in 常住人口(万人)")
    type: Literal["double", "bigint", "varchar", "date"] = "double"
    required: bool = True
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    description: str = ""


class TabularContract(BaseModel):
    """The contract of a table-shaped feed (CSV or XLSX as agencies send them, or a JSON/CSV registry)."""

    format: Literal["csv", "xlsx", "csv_or_xlsx"]
    encodings: list[str] = Field(default_factory=lambda: ["utf-8"], description="tried in order (CSV)")
    columns: list[ColumnSpec]
    area_column: str | None = Field(default=None, description="name of the column naming the area (mapped to "
                                                              "area_code through registry/areas.yaml)")
    period_grain: Literal["year", "month", "day"] = "year"
    period_column: str | None = Field(default=None, description="column holding the period; else the file name's")
    key_columns: list[str] = Field(default_factory=list, description="unique within a file (with the period)")
    footnote_prefixes: list[str] = Field(default_factory=lambda: ["注", "说明", "资料来源", "数据来源", "备注"])
    strict_columns: bool = True


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
    location_kind: str | None = None
    location_regex: str | None = Field(default=None, description="what a location column header must look like")
    value_types: list[str] = Field(default_factory=list, description="the 'type' column's allowed values")
    tabular: TabularContract | None = None
    raw_suite: str | None = Field(default=None, description="GX suite (expectations/<name>.json) run on each batch")
    generator: str | None = Field(default=None, description="sample generator (a file in the feed's folder with "
                                  "generate(seed) -> {file name: bytes}); its files are named synthetic_<name>")
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
