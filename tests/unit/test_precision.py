"""GB/T 8170 rounding: worked examples from the standard's rule, and the Python and SQL twins held together."""

from __future__ import annotations

import duckdb
import jinja2
import pytest

from urbanmon.precision import format_value, round_gbt8170
from urbanmon.settings import DBT_PROJECT_DIR

# (value, decimals, rounded): GB/T 8170-2008 §3 — below 5 drop, above 5 carry, 5 followed by non-zero digits carry,
# a bare 5 carries only to make the kept digit even
WORKED = [
    (12.1498, 1, 12.1),    # 4 is dropped
    (1268.0, -2, 1300.0),  # (not used by indicators; the rule holds for tens too)
    (10.5002, 0, 11.0),    # 5 followed by a non-zero digit carries
    (1.050, 1, 1.0),       # bare 5, kept digit 0 even: dropped
    (0.35, 1, 0.4),        # bare 5, kept digit 3 odd: carried
    (2.5, 0, 2.0),
    (3.5, 0, 4.0),
    (13.45, 1, 13.4),      # the double 13.4499999… is read as the 13.45 that was written
    (99.9991, 1, 100.0),   # the 5G coverage of the sample: shown 100.0, compared as 100.0
    (13.49, 1, 13.5),
    (79.97, 0, 80.0),
    (34.9, 0, 35.0),
    (-2.5, 0, -2.0),
]


@pytest.mark.parametrize(("value", "decimals", "expected"), WORKED)
def test_worked_examples(value, decimals, expected):
    assert round_gbt8170(value, decimals) == expected


def test_format_shows_exactly_the_precision():
    assert format_value(99.9991, 1) == "100.0"
    assert format_value(1040.04, 1) == "1,040.0"
    assert format_value(2.445, 2) == "2.44"
    assert format_value(None, 1) == "—"


def _sql_macro():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(DBT_PROJECT_DIR / "macros"))
    return env.get_template("gbt8170_round.sql").module.gbt8170_round


@pytest.mark.parametrize("decimals", [0, 1, 2, 3, 4])
def test_sql_macro_agrees_with_python(decimals):
    """The dbt macro and the Python function round the same values the same way, with the precision as a column."""
    values = [x / 1000 for x in range(-2000, 2000, 7)] + [v for v, d, _ in WORKED if d >= 0]
    values += [k + 0.5 * 10 ** -decimals for k in range(-5, 6)]  # exact ties at this precision
    con = duckdb.connect()
    con.execute("create table t (x double, d integer)")
    con.executemany("insert into t values (?, ?)", [(v, decimals) for v in values])
    sql = f"select x, {_sql_macro()('x', 'd')} from t"
    for x, rounded in con.execute(sql).fetchall():
        assert rounded == round_gbt8170(x, decimals), (x, decimals)
