"""Terminal tables: plain text, aligned columns, figures people read at a glance."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from functools import partial

import pandas as pd

from prioritize._internal.constants import FOUR_FIFTHS, SLA_MINUTES
from prioritize._internal.text import duration_text
from prioritize.report import band_table, promise, reading, summary_table
from prioritize.simulation import SimulationResult

__all__ = ["comparison_text", "count", "minutes", "render", "summary_text"]

#: A measured wait: ``12.3 min`` below two hours, ``5.2 h`` above; ``-`` for NaN.
minutes = partial(duration_text, words=False)


def count(value: float) -> str:
    """A large count shortened: ``950``, ``12,400``, ``2.4M``."""
    if value != value:
        return "-"
    return f"{value / 1e6:.1f}M" if value >= 1e6 else f"{value:,.0f}"


def _pct(value: float) -> str:
    return "-" if value != value else f"{value:.1%}"


def _ratio(value: float) -> str:
    if value != value:
        return "-"
    return f"{value:.2f} FAIL" if value < FOUR_FIFTHS else f"{value:.2f} ok"


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """Align ``rows`` under ``headers``: the first column left, the others right."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return indent + "  ".join([first, *rest]).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def _band_rows(result: SimulationResult, within_minutes: float) -> list[list[str]]:
    rows = []
    for group, label in (("follower_band", "followers"), ("value_band", "value")):
        table = band_table(result.records, group=group, within_minutes=within_minutes)
        for band, row in table.iterrows():
            rows.append(
                [
                    f"{label} {band}",
                    f"{int(row['queries']):,}",
                    _pct(float(row["share"])),
                    minutes(float(row["mean_wait"])),
                    minutes(float(row["p90_wait"])),
                    _pct(float(row["within_target"])),
                    _pct(float(row["abandon_rate"])),
                ]
            )
    return rows


def policy_block(
    name: str, description: str, result: SimulationResult, within_minutes: float
) -> str:
    """One policy: its headline figures and who waits how long, by follower and value band."""
    s = result.summary
    head = f"== {name}: {description}" if description else f"== {name}:"
    lines = [
        head,
        f"   {s['served']:,} answered, {s['abandoned']:,} gave up ({s['abandon_rate']:.1%}); "
        f"mean wait {minutes(s['mean_wait_minutes'])}, p90 {minutes(s['p90_wait_minutes'])}, "
        f"longest {minutes(s['max_wait_minutes'])}",
        f"   lifetime value of those who gave up {count(s['abandoned_lifetime_value'])}, "
        f"expected loss {count(s['expected_loss'])} (churn {result.churn_after_abandon:.0%}) · "
        f"public exposure {count(s['public_exposure'])} followers "
        f"({s['exposed_public_queries']:,} public posts) · four-fifths rule: followers "
        f"{_ratio(s['four_fifths_follower_band'])}, value {_ratio(s['four_fifths_value_band'])}",
        "",
        render(
            [
                "group",
                "queries",
                "share",
                "mean wait",
                "p90 wait",
                f"≤ {within_minutes:g} min",
                "gave up",
            ],
            _band_rows(result, within_minutes),
            indent="   ",
        ),
    ]
    return "\n".join(lines)


def _with_ci(table: pd.DataFrame, column: str, text: str, policy: str, fmt: str) -> str:
    ci = f"{column}_ci95"
    if ci not in table.columns:
        return text
    half = float(table.loc[policy, ci])
    if math.isnan(half):
        return text
    return f"{text} ±{format(half, fmt)}"


def summary_text(table: pd.DataFrame) -> str:
    """The side-by-side table of headline figures (``compare``'s, or :func:`summary_table`'s)."""
    rows = []
    for policy, s in table.iterrows():
        name = str(policy)
        rows.append(
            [
                name,
                _with_ci(table, "mean_wait_minutes", minutes(s["mean_wait_minutes"]), name, ".1f"),
                minutes(s["p90_wait_minutes"]),
                _with_ci(table, "abandon_rate", _pct(s["abandon_rate"]), name, ".1%"),
                _pct(s["within_60_min"]),
                _with_ci(table, "expected_loss", count(s["expected_loss"]), name, ",.0f"),
                count(s["public_exposure"]),
                f"{float(s['wait_ratio_follower_band']):.2f}",
                _ratio(float(s["four_fifths_follower_band"])),
                _ratio(float(s["four_fifths_value_band"])),
            ]
        )
    headers = [
        "policy",
        "mean wait",
        "p90 wait",
        "gave up",
        "≤ 60 min",
        "expected loss",
        "public exposure",
        "wait ratio",
        "4/5 followers",
        "4/5 value",
    ]
    return render(headers, rows)


def comparison_text(
    results: Mapping[str, SimulationResult],
    *,
    descriptions: Mapping[str, str] | None = None,
    table: pd.DataFrame | None = None,
    within_minutes: float = SLA_MINUTES,
    target: float = 0.8,
) -> str:
    """Per policy: who waits how long; then side by side, the reading and the promises."""
    blocks = [
        policy_block(name, (descriptions or {}).get(name, ""), result, within_minutes)
        for name, result in results.items()
    ]
    table = summary_table(results) if table is None else table
    width = max(len(n) for n in results)
    promises = [
        f"   {name.ljust(width)}  {promise(result, target=target).text}"
        for name, result in results.items()
    ]
    gave_up = table["abandon_rate"].astype(float)
    if (gave_up > 0).all():
        low, high = _pct(float(gave_up.min())), _pct(float(gave_up.max()))
        spread = low if low == high else f"{low} to {high}"
        promises.append(
            f"   None can promise to answer every message: {spread} gave up waiting "
            "(answer them later too, or add agents)."
        )
    return "\n\n".join(
        [
            *blocks,
            "Side by side (wait ratio: best-served follower band's mean wait over the worst's, "
            "1 = equal;\n4/5: worst band's share answered within 60 min over the best's, "
            "below 0.8 fails):\n" + summary_text(table),
            textwrap.fill("Reading: " + reading(results, within_minutes=within_minutes), 100),
            "What each policy lets you promise (from the simulated records; giving up counts "
            "as unanswered):\n" + "\n".join(promises),
        ]
    )
