"""A one-paragraph reading of a policy comparison, written from the numbers."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import numpy as np
import pandas as pd

from prioritize._internal.checks import SeedLike, check_baseline
from prioritize._internal.constants import (
    FOUR_FIFTHS,
    MIN_BAND_HITS,
    MIN_BAND_QUERIES,
    SLA_MINUTES,
)
from prioritize._internal.text import duration_text, listed
from prioritize.fairness import FAIL, TOO_FEW
from prioritize.report._tables import (
    baseline_changes,
    breakdowns,
    labelled,
    people_table,
    summary_table,
)
from prioritize.simulation import SimulationResult

__all__ = ["reading"]

_minutes = partial(duration_text, words=False)

#: Breakdowns whose material changes against the baseline the reading states: (column, who).
QUEUE_CHANGES: tuple[tuple[str, str], ...] = (("skills", "skill queue"), ("language", "language"))


def _money(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.1f}M"
    if value >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}"


def _pts1(change: float) -> str:
    """A change of a share in points, one decimal; one that rounds to 0 is ``0.0``, unsigned."""
    text = f"{change * 100:+.1f}"
    return "0.0" if text in ("+0.0", "-0.0") else text.replace("-", "\u2212")


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "\u2212") + _minutes(abs(value))


def _band_change(row: pd.Series, who: str, within_minutes: float, waits: str) -> str:
    median = f"median_wait_{waits}"
    before, after = row[f"{median}_baseline"], row[median]
    spread = (row[f"{median}_change_low"], row[f"{median}_change_high"])
    if _minutes(before) == _minutes(after) and all(_signed(x) == _signed(0.0) for x in spread):
        wait = f"median wait {_minutes(after)} under both"  # nothing moved: no row of zeros
    else:
        wait = (
            f"median wait {_minutes(before)} \u2192 {_minutes(after)} "
            f"({_signed(row[f'{median}_change'])}, 95% CI {_signed(spread[0])} to "
            f"{_signed(spread[1])})"
        )
    return (
        f"{who} ({int(row['queries']):,} queries): {wait}, within {within_minutes:g} min "
        f"{row['within_target_baseline']:.1%} \u2192 {row['within_target']:.1%} "
        f"({_pts1(row['within_target_change'])} points, 95% CI "
        f"{_pts1(row['within_target_change_low'])} to {_pts1(row['within_target_change_high'])})"
    )


def _on_firsts(changes: pd.DataFrame) -> str:
    """Say so when a change is of first attempts (customers tried again)."""
    return " on first attempts" if changes.attrs.get("attempts") == "first" else ""


def _change_sentence(
    results: Mapping[str, SimulationResult],
    *,
    baseline: str,
    group: str,
    who: str,
    within_minutes: float,
    seed: SeedLike,
) -> str | None:
    """Against the baseline: the policy that moves the top band's service level most."""
    changes = baseline_changes(
        results, baseline=baseline, group=group, within_minutes=within_minutes, seed=seed
    )
    if changes.empty:
        return None
    sizes = changes.groupby(level=1, sort=False)["queries"].first()
    bands = sizes.index[sizes >= MIN_BAND_QUERIES]  # a band of 3 queries tells nothing
    if len(bands) == 0:
        return None
    top, bottom = bands[-1], bands[0]
    moved = changes.xs(top, level=1)["within_target_change"].astype(float)
    name = str(moved.abs().idxmax()) if moved.notna().any() else str(moved.index[0])
    mine = changes.loc[name]
    text = f"Against {baseline}{_on_firsts(changes)}, {name} gives " + _band_change(
        mine.loc[top], who.format(top), within_minutes, "answered"
    )
    if bottom != top:
        text += "; " + _band_change(
            mine.loc[bottom], who.format(bottom), within_minutes, "answered"
        )
    return text + "."


def _queue_change(row: pd.Series, policy: str, who: str, within_minutes: float) -> str:
    return (
        f"{policy} moves {who} ({int(row['queries']):,} queries) answered within "
        f"{within_minutes:g} min from {row['within_target_baseline']:.1%} to "
        f"{row['within_target']:.1%} ({_pts1(row['within_target_change'])} points, 95% CI "
        f"{_pts1(row['within_target_change_low'])} to "
        f"{_pts1(row['within_target_change_high'])})"
    )


def _queue_sentences(
    results: Mapping[str, SimulationResult],
    *,
    baseline: str,
    within_minutes: float,
    seed: SeedLike,
) -> list[str]:
    """Per skill queue and language: each change of the share answered in time that is material.

    Material: the paired 95% interval of the change excludes 0, in a queue of
    at least :data:`MIN_BAND_QUERIES` queries. A breakdown that splits the
    queries exactly as an earlier one (every language its own skill queue)
    is stated once, under both names (:func:`breakdowns`).
    """
    sentences = []
    for part in breakdowns([r.records for r in results.values()], columns=QUEUE_CHANGES):
        changes = baseline_changes(
            results, baseline=baseline, group=part.column, within_minutes=within_minutes, seed=seed
        )
        if changes.empty:
            continue
        low = changes["within_target_change_low"].astype(float)
        high = changes["within_target_change_high"].astype(float)
        material = changes[((low > 0) | (high < 0)) & (changes["queries"] >= MIN_BAND_QUERIES)]
        parts = [
            _queue_change(row, str(policy), f"{part.who} {part.label(label)}", within_minutes)
            for (policy, label), row in material.iterrows()
        ]
        if parts:
            head = f"By {part.heading}, against {baseline}{_on_firsts(changes)}: "
            sentences.append(head + "; ".join(parts) + ".")
    return sentences


#: When a policy's longest or p99 wait (of answered queries) differs materially from the
#: baseline's, the reading says so: at least this many times larger (or smaller) ...
STARVATION_RATIO = 1.5
#: ... and at least this many minutes apart.
STARVATION_MINUTES = 10.0
#: Who waited longest: the answered queries at or past the policy's p99 wait, told by
#: their most common label of each of these columns (``language`` when it splits them).
_WHO = (
    ("channel", "on {}"),
    ("follower_band", "from accounts with {} followers"),
    ("language", "in language {}"),
)


def _material(value: float, base: float) -> bool:
    if np.isnan(value) or np.isnan(base) or abs(value - base) < STARVATION_MINUTES:
        return False
    low, high = sorted((value, base))
    return high >= STARVATION_RATIO * low


def _who_waited(records: pd.DataFrame, threshold: float) -> str:
    """The most common channel, follower band (and language) of the answered queries waiting
    at least ``threshold``, each with its share of them and of every answered query."""
    answered = records.loc[~records["abandoned"].to_numpy(dtype=bool)]
    longest = answered["wait_minutes"].to_numpy(dtype=np.float64) >= threshold
    parts = []
    for column, words in _WHO:
        if column not in answered.columns or (
            column == "language" and not labelled(answered, column)
        ):
            continue
        labels = answered[column].astype(object)
        top = labels[longest].value_counts()
        if top.empty:
            continue
        label = top.index[0]
        mine = top.iloc[0] / int(longest.sum())
        overall = float((labels == label).mean())
        parts.append(f"{mine:.0%} {words.format(label)} ({overall:.0%} of all answered)")
    return listed(parts) if parts else ""


def _starvation_sentences(results: Mapping[str, SimulationResult], *, baseline: str) -> list[str]:
    """Per policy, its longest and p99 wait when either differs materially from the baseline's.

    Material: :data:`STARVATION_RATIO` times apart and at least
    :data:`STARVATION_MINUTES` minutes. When the policy's are the longer, who
    waited: the answered queries at or past its p99 wait, by channel,
    follower band and language.
    """

    def waits(result: SimulationResult) -> tuple[float, float]:
        records = result.records
        served = records.loc[~records["abandoned"].to_numpy(dtype=bool), "wait_minutes"]
        if served.empty:
            return float("nan"), float("nan")
        values = served.to_numpy(dtype=np.float64)
        return float(values.max()), float(np.quantile(values, 0.99))

    longest_b, p99_b = waits(results[baseline])
    sentences = []
    for name, result in results.items():
        if name == baseline:
            continue
        longest, p99 = waits(result)
        if not (_material(longest, longest_b) or _material(p99, p99_b)):
            continue
        text = (
            f"Under {name} the longest wait of an answered query is {_minutes(longest)} "
            f"({baseline}: {_minutes(longest_b)}) and the p99 wait {_minutes(p99)} "
            f"({baseline}: {_minutes(p99_b)})"
        )
        if longest > longest_b or p99 > p99_b:
            records = result.records
            answered = records.loc[~records["abandoned"].to_numpy(dtype=bool), "wait_minutes"]
            n = int((answered.to_numpy(dtype=np.float64) >= p99).sum())
            who = _who_waited(records, p99)
            if who:
                text += f"; the {n:,} queries that waited {_minutes(p99)} or more were {who}"
        sentences.append(text + ".")
    return sentences


def _people_sentence(
    results: Mapping[str, SimulationResult], *, baseline: str, seed: SeedLike
) -> str | None:
    """With retries: people answered on any attempt, against the baseline, paired by person."""
    if not any(int(r.summary["retries"]) > 0 for r in results.values()) or len(results) < 2:
        return None
    table = people_table(results, baseline=baseline, seed=seed)
    base = table.loc[baseline]
    clauses = [
        f"{name} answers {row['answered']:.1%} ({int(row['people_unanswered']):,} never "
        f"answered; {_pts1(row['answered_change'])} points, paired 95% CI "
        f"{_pts1(row['answered_change_low'])} to {_pts1(row['answered_change_high'])})"
        for name, row in table.iterrows()
        if name != baseline
    ]
    return (
        f"Counting people, not contacts (customers who gave up tried again): of the "
        f"{int(base['people']):,} people, {baseline} answers {base['answered']:.1%} on some "
        f"attempt ({int(base['people_unanswered']):,} never answered); " + "; ".join(clauses) + "."
    )


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


def _total_sentence(table: pd.DataFrame, within_minutes: float) -> str | None:
    within = table["within_target"].astype(float)
    gave_up = table["abandon_rate"].astype(float)
    if len(table) < 2 or within.isna().any() or gave_up.isna().any():
        return None
    low, high = _shares(within.min(), within.max())
    span = (
        f"answered within {within_minutes:g} min is {low} under every policy"
        if low == high  # not "from 11% under fifo to 11% under fifo"
        else f"answered within {within_minutes:g} min ranges from {low} under "
        f"{within.idxmin()} to {high} under {within.idxmax()}"
    )
    low, high = _shares(gave_up.min(), gave_up.max())
    if gave_up.max() - gave_up.min() <= 0.15 * gave_up.max():
        many = (
            f"As many give up under every policy ({low})"
            if low == high
            else (f"About as many give up under every policy ({low} to {high})")
        )
        return f"{many}: a policy mostly decides who waits, not how much waiting there is; {span}."
    return (
        f"Giving up ranges from {low} under {gave_up.idxmin()} to "
        f"{high} under {gave_up.idxmax()}; {span}."
    )


def _shares(low: float, high: float) -> tuple[str, str]:
    """Two shares as percentages, with a decimal when whole percents would read as equal."""
    for digits in (0, 1, 2):
        a, b = f"{low:.{digits}%}", f"{high:.{digits}%}"
        if a != b:
            return a, b
    return f"{low:.0%}", f"{high:.0%}"  # equal: whole percents say so


def _four_fifths_sentence(table: pd.DataFrame, within_minutes: float) -> str:
    rule = (
        f"The four-fifths rule (every band answered within {within_minutes:g} min at least "
        f"{FOUR_FIFTHS:.0%} as often as the best-served band)"
    )
    said = []
    why = (
        f" (a ratio under {FOUR_FIFTHS:g} whose 95% interval reaches {FOUR_FIFTHS:g}, or one "
        f"from a band of fewer than {MIN_BAND_QUERIES} queries or {MIN_BAND_HITS} answered in "
        "time)"
    )
    passed = 0
    for band, noun in (("follower_band", "follower bands"), ("value_band", "value bands")):
        states = table[f"four_fifths_{band}_state"]
        failing = [str(n) for n, v in states.items() if v == FAIL]
        unsure = [str(n) for n, v in states.items() if v == TOO_FEW]
        passed += len(states) - len(failing) - len(unsure)
        if failing:
            said.append(f"fails across {noun} under {listed(failing)}")
        if unsure:
            # why a verdict is "too few to tell": said once, at its first use
            said.append(f"is too few to tell across {noun} under {listed(unsure)}{why}")
            why = ""
    if not said:
        return f"{rule} passes under every policy."
    rest = "; every other verdict is a pass." if passed else "."
    return f"{rule} " + "; it ".join(said) + rest


def reading(
    results: Mapping[str, SimulationResult],
    *,
    within_minutes: float = SLA_MINUTES,
    baseline: str | None = None,
    seed: SeedLike = 0,
) -> str:
    """A paragraph on the trade-off between the policies, every figure computed from the runs.

    Reads every policy against ``baseline`` (default: the one named
    ``"fifo"``, else the first): for the policy that moves the
    most-followed (and the most valuable) customers' service level most, the
    change in their median wait and in the share answered within
    ``within_minutes``, with paired 95% intervals, and the same for the
    least-followed band. Then, by skill queue and by language (when the
    records have ``skills`` / ``language`` with two labels or more), every
    change of the share answered within ``within_minutes`` whose paired 95%
    interval excludes 0, in a queue of at least ``MIN_BAND_QUERIES`` (30)
    queries: "By skill queue, against fifo: influencer moves skill queue es
    (1,245 queries) answered within 60 min from 75.4% to 62.6% (−12.9
    points, 95% CI −15.4 to −10.0)." (with retries, of first attempts; see
    :func:`baseline_changes`). Then how abandonment was modelled
    (:attr:`~prioritize.simulation.SimulationResult.abandonment`), how many
    give up and how many are answered in time under each policy, where
    expected loss and public exposure are lowest and highest, and the
    four-fifths rule at ``within_minutes`` as ``pass``, ``fail`` or ``too
    few to tell`` (a ratio is failed only when its interval is under 0.8 and
    its band is large enough). One value of ``within_minutes`` feeds every
    figure.
    """
    table = summary_table(results, within_minutes=within_minutes, seed=seed)
    base = check_baseline(list(results), baseline)
    sentences = [
        _change_sentence(
            results,
            baseline=base,
            group=group,
            who=who,
            within_minutes=within_minutes,
            seed=seed,
        )
        for group, who in (
            ("follower_band", "accounts with {} followers"),
            ("value_band", "customers worth {}"),
        )
    ]
    sentences += _queue_sentences(results, baseline=base, within_minutes=within_minutes, seed=seed)
    sentences += _starvation_sentences(results, baseline=base)
    sentences.append(_people_sentence(results, baseline=base, seed=seed))
    abandonment = " | ".join(dict.fromkeys(r.abandonment for r in results.values()))
    sentences.append(abandonment[:1].upper() + abandonment[1:] + ".")
    sentences.append(_total_sentence(table, within_minutes))
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
        sentences.append(_four_fifths_sentence(table, within_minutes))
    return " ".join(s for s in sentences if s)
