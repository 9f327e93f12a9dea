"""The figure judged is the figure shown: values rounded by GB/T 8170-2008 (数值修约规则) to an indicator's precision.

GB/T 8170 rounds on the decimal digits: below 5 drop, above 5 (or 5 followed by any non-zero digit) carry, exactly 5
carries only when the digit kept is odd (四舍六入五成双, round half to even). A status compares the rounded value with
the target (修约值比较法, GB/T 8170-2008 §4.3), so a reader who sees "100%" next to a target of 100 % never sees a
failing status. The precision is the plan's own (the decimals of its baseline and target cells) or, where finer, the
publisher's; it lives in the registry (``precision``) and nowhere else.

The same rule runs in SQL (dbt macro ``gbt8170_round``); tests/unit/test_precision.py holds the two against each
other on the ties that matter.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal

# A double is first read at this many decimals (as the SQL macro casts to DECIMAL(38, 9)): 13.45 stored as
# 13.4499999999999993 is the 13.45 a publisher wrote, and rounds as that.
READ_DECIMALS = 9


def round_gbt8170(value: float | None, decimals: int) -> float | None:
    """``value`` rounded half to even at ``decimals`` decimals, on its decimal reading (None and NaN stay None)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    read = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-READ_DECIMALS), rounding=ROUND_HALF_EVEN)
    return float(read.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN))


def format_value(value: float | None, decimals: int, empty: str = "—") -> str:
    """The value as shown: rounded by GB/T 8170 and written with exactly ``decimals`` decimals, thousands grouped."""
    shown = round_gbt8170(value, decimals)
    if shown is None:
        return empty
    return f"{shown:,.{decimals}f}"
