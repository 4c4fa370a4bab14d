"""A one-paragraph reading of a policy comparison, written from the numbers."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np
import pandas as pd

from prioritize._internal.constants import FOUR_FIFTHS, SLA_MINUTES
from prioritize._internal.text import duration_text
from prioritize.report._tables import band_table, summary_table
from prioritize.simulation import SimulationResult

__all__ = ["reading"]

_minutes = partial(duration_text, words=False)
_MIN_SERVED = 5  # a band's mean wait needs a few answered queries to mean anything


def _money(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.1f}M"
    if value >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}"


def _band_gap(
    records: pd.DataFrame, group: str, within_minutes: float
) -> tuple[str, float, str, float] | None:
    table = band_table(records, group=group, within_minutes=within_minutes)
    served = table["queries"] * (1 - table["abandon_rate"])
    table = table[(served >= _MIN_SERVED) & table["mean_wait"].notna()]
    if len(table) < 2:
        return None
    low, high = table.index[0], table.index[-1]
    return (
        str(high),
        float(table.loc[high, "mean_wait"]),
        str(low),
        float(table.loc[low, "mean_wait"]),
    )


def _gap_sentence(
    results: Mapping[str, SimulationResult],
    group: str,
    who: str,
    within_minutes: float,
) -> str | None:
    gaps = {}
    for name, result in results.items():
        gap = _band_gap(result.records, group, within_minutes)
        if gap is not None:
            gaps[name] = gap
    if not gaps:
        return None

    def favour(name: str) -> float:  # how many times longer the lowest band waits
        _, hi_wait, _, lo_wait = gaps[name]
        return (lo_wait + 0.1) / (hi_wait + 0.1)  # +0.1 min: no division by a zero wait

    most = max(gaps, key=favour)
    high, hi_wait, low, lo_wait = gaps[most]
    text = (
        f"{most} answers {who.format(high)} in {_minutes(hi_wait)} on average and "
        f"{who.format(low)} in {_minutes(lo_wait)}"
    )
    least = min(gaps, key=lambda n: abs(np.log(favour(n))))
    if least != most:
        _, h, _, lo = gaps[least]
        text += f"; {least} keeps them at {_minutes(h)} and {_minutes(lo)}"
    return text + "."


def _range_sentence(table: pd.DataFrame, column: str, what: str, unit: str) -> str | None:
    values = table[column].astype(float)
    if values.isna().all() or len(values) < 2:
        return None
    lo, hi = values.idxmin(), values.idxmax()
    if values[hi] == values[lo]:
        return f"{what} is the same under every policy ({_money(values[lo])}{unit})."
    return (
        f"{what} is lowest under {lo} ({_money(values[lo])}{unit}) and highest under "
        f"{hi} ({_money(values[hi])}{unit})."
    )


def _total_sentence(table: pd.DataFrame) -> str | None:
    waits = table["mean_wait_minutes"].astype(float)
    gave_up = table["abandon_rate"].astype(float)
    if len(table) < 2 or waits.isna().any() or gave_up.isna().any():
        return None
    span = f"mean waits of answered queries run from {_minutes(waits.min())} to " + _minutes(
        waits.max()
    )
    if gave_up.max() - gave_up.min() <= 0.15 * gave_up.max():
        return (
            f"About as many give up under every policy ({gave_up.min():.0%} to "
            f"{gave_up.max():.0%}): a policy mostly decides who waits, not how much waiting "
            f"there is; {span}."
        )
    return (
        f"Giving up ranges from {gave_up.min():.0%} under {gave_up.idxmin()} to "
        f"{gave_up.max():.0%} under {gave_up.idxmax()}; {span}."
    )


def _four_fifths_sentence(table: pd.DataFrame) -> str:
    failing = []
    for column, noun in (
        ("four_fifths_follower_band", "follower bands"),
        ("four_fifths_value_band", "value bands"),
    ):
        names = [str(n) for n, v in table[column].astype(float).items() if v < FOUR_FIFTHS]
        if names:
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
            failing.append(f"across {noun} under {listed}")
    rule = (
        "the four-fifths rule (every band answered within 60 min at least 80% as often as "
        "the best-served band)"
    )
    if not failing:
        return f"Every policy passes {rule}."
    return f"{rule[0].upper()}{rule[1:]} fails " + " and ".join(failing) + "."


def reading(results: Mapping[str, SimulationResult], *, within_minutes: float = SLA_MINUTES) -> str:
    """A paragraph on the trade-off between the policies, every figure computed from the runs.

    Says which policy favours the most-followed (and the most valuable)
    customers most and which least, where expected loss and public exposure
    are lowest and highest, whether total waiting moves at all, and which
    policies fail the four-fifths rule. The summaries' ``four_fifths_*``
    figures use the 60-minute service level of :func:`~prioritize.simulation.summarize`.
    It says how abandonment was modelled
    (:attr:`~prioritize.simulation.SimulationResult.abandonment`).
    """
    table = summary_table(results)
    sentences = [
        _gap_sentence(results, "follower_band", "accounts with {} followers", within_minutes),
        _gap_sentence(results, "value_band", "customers worth {}", within_minutes),
    ]
    abandonment = " | ".join(dict.fromkeys(r.abandonment for r in results.values()))
    sentences.append(abandonment[:1].upper() + abandonment[1:] + ".")
    sentences.append(_total_sentence(table))
    sentences.append(
        _range_sentence(
            table, "expected_loss", "Expected loss (churn × value of customers who gave up)", ""
        )
    )
    sentences.append(
        _range_sentence(
            table, "public_exposure", "Public exposure (followers left waiting)", " followers"
        )
    )
    if len(table) > 1:
        sentences.append(_four_fifths_sentence(table))
    return " ".join(s for s in sentences if s)
