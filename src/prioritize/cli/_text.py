"""Terminal tables: plain text, aligned columns, figures people read at a glance."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from functools import partial

import pandas as pd

from prioritize._internal.constants import (
    FOUR_FIFTHS,
    MIN_BAND_HITS,
    MIN_BAND_QUERIES,
    SERVICE_TARGET,
    SLA_MINUTES,
)
from prioritize._internal.text import duration_text, flag_text
from prioritize.report import (
    Breakdown,
    baseline_changes,
    breakdowns,
    people_table,
    promise,
    reading,
    summary_table,
)
from prioritize.simulation import SINGLE_POOL, SimulationResult, breakdown

__all__ = ["changes_text", "comparison_text", "count", "minutes", "render", "summary_text"]

#: A measured wait: ``12.3 min`` below two hours, ``5.2 h`` above; ``-`` for NaN.
minutes = partial(duration_text, words=False)


def count(value: float) -> str:
    """A large count shortened: ``950``, ``12,400``, ``2.4M``."""
    if value != value:
        return "-"
    return f"{value / 1e6:.1f}M" if value >= 1e6 else f"{value:,.0f}"


def _pct(value: float) -> str:
    return "-" if value != value else f"{value:.1%}"


def _flag(
    table: pd.DataFrame | pd.Series, policy: str | None, band: str, kind: str = "four_fifths"
) -> str:
    """A band ratio with its interval, the rows behind it and its state."""
    row = table if policy is None else table.loc[policy]
    name = f"{kind}_{band}"
    value = float(row[name])
    if value != value:
        return "-"
    if f"{name}_low" in row.index:
        spread = f" ({float(row[f'{name}_low']):.2f}-{float(row[f'{name}_high']):.2f})"
    elif f"{name}_ci95" in row.index:
        spread = f" ±{float(row[f'{name}_ci95']):.2f}"
    else:
        spread = ""
    queries = row.get(f"{name}_n")
    n = f", n={int(queries):,}" if queries is not None else ""
    state = flag_text(row.get(f"{name}_state"), queries)  # a wait ratio: by its n
    return f"{value:.2f}{spread}{n} {state}".rstrip()


def _share_ci(row: pd.Series, column: str) -> str:
    return (
        f"{_pct(float(row[column]))} ({float(row[f'{column}_low']):.0%}-"
        f"{float(row[f'{column}_high']):.0%})"
    )


def _wait_ci(row: pd.Series, column: str) -> str:
    low, high = float(row[f"{column}_low"]), float(row[f"{column}_high"])
    return f"{minutes(float(row[column]))} ({low:.1f}-{high:.1f})"


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> str:
    """Align ``rows`` under ``headers``: the first column left, the others right."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return indent + "  ".join([first, *rest]).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


#: Beside the bands, the columns a policy block breaks results down by when the records
#: have them with two labels or more (the report's :data:`~prioritize.report.BREAKDOWNS`).
_QUERY_GROUPS = (
    ("skills", "skill"),
    ("topic", "topic"),
    ("language", "language"),
    ("tone", "tone"),
    ("type", "type"),
)


def _band_rows(result: SimulationResult, within_minutes: float) -> list[list[str]]:
    rows = []
    records = result.records
    groups = [
        Breakdown("follower_band", "followers"),
        Breakdown("value_band", "value"),
        # each partition once (every language its own skill queue: one row per queue)
        *breakdowns([records], columns=_QUERY_GROUPS),
    ]
    for part in groups:
        table = breakdown(records, group=part.column, within_minutes=within_minutes)
        for band, row in table.iterrows():
            rows.append(
                [
                    part.named(band),
                    f"{int(row['queries']):,}",
                    _pct(float(row["share"])),
                    _wait_ci(row, "median_wait_answered"),
                    _wait_ci(row, "mean_wait_answered"),
                    _share_ci(row, "within_target"),
                    _share_ci(row, "abandon_rate"),
                    f"{float(row['four_fifths']):.2f} ({float(row['four_fifths_low']):.2f}-"
                    f"{float(row['four_fifths_high']):.2f}) {row['four_fifths_state']}",
                ]
            )
    return rows


def policy_block(
    name: str,
    description: str,
    result: SimulationResult,
    within_minutes: float,
    summary: pd.Series | None = None,
) -> str:
    """One policy: its headline figures and who waits how long, by follower and value band.

    ``summary`` is the policy's row of :func:`~prioritize.report.summary_table` at
    ``within_minutes`` (computed when not given).
    """
    s = summary_table({name: result}, within_minutes=within_minutes).iloc[0]
    s = s if summary is None else summary
    head = f"== {name}: {description}" if description else f"== {name}:"
    lines = [
        head,
        f"   {s['served']:,} answered, {s['abandoned']:,} gave up ({s['abandon_rate']:.1%}); "
        f"median wait of those answered {minutes(s['p50_wait_minutes'])}, p90 "
        f"{minutes(s['p90_wait_minutes'])}, longest {minutes(s['max_wait_minutes'])}; "
        f"{_pct(float(s['within_target']))} answered within {within_minutes:g} min",
        *(
            [
                f"   {s['people']:,} people made {s['arrived']:,} contacts ({s['retries']:,} "
                f"retries after giving up); {s['people_unanswered']:,} people never answered"
            ]
            if s["retries"] > 0
            else []
        ),
        f"   lifetime value of those who gave up {count(s['abandoned_lifetime_value'])}, "
        f"expected loss {count(s['expected_loss'])} (churn {result.churn_after_abandon:.0%}) · "
        f"public exposure {count(s['public_exposure'])} followers "
        f"({s['exposed_public_queries']:,} public posts)",
        f"   four-fifths rule within {within_minutes:g} min (95% CI, n of the smaller band "
        f"compared): followers {_flag(s, None, 'follower_band')}; value "
        f"{_flag(s, None, 'value_band')}",
        f"   wait ratio (best band's mean wait over the worst's, answered): followers "
        f"{_flag(s, None, 'follower_band', 'wait_ratio')}; value "
        f"{_flag(s, None, 'value_band', 'wait_ratio')}",
        "",
        render(
            [
                "group",
                "queries",
                "share",
                "median wait answered (95% CI)",
                "mean wait answered (95% CI)",
                f"≤ {within_minutes:g} min (95% CI)",
                "gave up (95% CI)",
                "4/5 (95% CI)",
            ],
            _band_rows(result, within_minutes),
            indent="   ",
        ),
    ]
    teams = breakdown(result, group="agent_group")
    if list(teams.index) != [SINGLE_POOL]:  # a run with a team: what each group did
        rows = [
            [
                str(name),
                f"{int(row['served']):,}",
                _pct(float(row["share"])),
                minutes(float(row["median_wait_answered"])),
                _pct(float(row["occupancy"])),
            ]
            for name, row in teams.iterrows()
        ]
        headers = ["agent group", "answered", "share", "median wait answered", "occupancy"]
        lines += ["", render(headers, rows, indent="   ")]
    return "\n".join(lines)


def _with_ci(table: pd.DataFrame, column: str, text: str, policy: str, fmt: str) -> str:
    ci = f"{column}_ci95"
    if ci not in table.columns:
        return text
    half = float(table.loc[policy, ci])
    if math.isnan(half):
        return text
    return f"{text} ±{format(half, fmt)}"


def _retried(table: pd.DataFrame) -> bool:
    return bool((table["retries"].astype(float) > 0).any()) if "retries" in table else False


def _people_changed(table: pd.DataFrame) -> bool:
    """Whether the side-by-side table shows the change in people answered."""
    return _retried(table) and "people_answered_change" in table.columns and len(table) > 1


def _people_change(table: pd.DataFrame, policy: str) -> str:
    """``people_answered_change`` in points, with its paired interval or ± across runs."""
    if policy == table.attrs.get("baseline"):
        return "-"
    row = table.loc[policy]
    change = float(row["people_answered_change"])
    if change != change:
        return "-"
    text = f"{change * 100:+.1f} pts"
    if "people_answered_change_low" in row.index:
        low, high = (
            float(row["people_answered_change_low"]),
            float(row["people_answered_change_high"]),
        )
        return f"{text} ({low * 100:+.1f} to {high * 100:+.1f})"
    half = float(row.get("people_answered_change_ci95", float("nan")))
    return text if half != half else f"{text} ±{half * 100:.1f}"


def summary_text(table: pd.DataFrame, *, within_minutes: float = SLA_MINUTES) -> str:
    """The side-by-side table of headline figures (``compare``'s, or :func:`summary_table`'s).

    When customers tried again (``retries`` > 0), ``people``, ``retries`` and
    ``people_unanswered`` ("never answered") come first, and, when the table has
    ``people_answered_change`` (``compare``'s) and more than one policy, the change
    in the share of people answered on any attempt against ``attrs["baseline"]``,
    in points with its 95% interval (``-`` for the baseline).

    ``≤ <within_minutes> min`` is ``within_target`` when the table has it (a
    :func:`summary_table` at ``within_minutes``), else the summary's 60-minute figure.
    """
    within = "within_target" if "within_target" in table.columns else "within_60_min"
    shown = within_minutes if within == "within_target" else SLA_MINUTES
    retried = _retried(table)
    people = ("people", "retries", "people_unanswered") if retried else ()
    changed = _people_changed(table)
    rows = []
    for policy, s in table.iterrows():
        name = str(policy)
        rows.append(
            [
                name,
                *(_with_ci(table, c, count(float(s[c])), name, ",.0f") for c in people),
                *([_people_change(table, name)] if changed else []),
                _with_ci(table, "p50_wait_minutes", minutes(s["p50_wait_minutes"]), name, ".1f"),
                _with_ci(table, "abandon_rate", _pct(s["abandon_rate"]), name, ".1%"),
                _with_ci(table, within, _pct(s[within]), name, ".1%"),
                _with_ci(table, "expected_loss", count(s["expected_loss"]), name, ",.0f"),
                count(s["public_exposure"]),
                _flag(table, name, "follower_band", "wait_ratio"),
                _flag(table, name, "follower_band"),
                _flag(table, name, "value_band"),
            ]
        )
    headers = [
        "policy",
        *(["people", "retries", "never answered"] if retried else []),
        *([f"people answered vs {table.attrs.get('baseline', 'baseline')}"] if changed else []),
        "median wait",
        "gave up",
        f"≤ {shown:g} min",
        "expected loss",
        "public exposure",
        "wait ratio followers",
        "4/5 followers",
        "4/5 value",
    ]
    return render(headers, rows)


def _spread(row: pd.Series, column: str, scale: float, unit: str) -> str:
    """`` (low to high unit)``: the 95% interval of a change; none when it has none (a band
    with no answered query has no median wait to change)."""
    low, high = (float(row[f"{column}_change_{end}"]) * scale for end in ("low", "high"))
    if low != low or high != high:
        return ""
    return f" ({low:+.1f} to {high:+.1f} {unit})"


def changes_text(
    results: Mapping[str, SimulationResult],
    *,
    baseline: str | None = None,
    within_minutes: float = SLA_MINUTES,
) -> str:
    """Per policy and follower band, the change against the baseline (paired 95% intervals)."""
    changes = baseline_changes(results, baseline=baseline, within_minutes=within_minutes)
    if changes.empty:
        return ""
    base = changes.attrs["baseline"]
    rows = []
    for (policy, band), row in changes.iterrows():
        rows.append(
            [
                f"{policy} {band}",
                f"{int(row['queries']):,}",
                f"{minutes(row['median_wait_answered_baseline'])} -> "
                f"{minutes(row['median_wait_answered'])}"
                + _spread(row, "median_wait_answered", 1.0, "min"),
                f"{_pct(row['within_target_baseline'])} -> {_pct(row['within_target'])}"
                + _spread(row, "within_target", 100.0, "pts"),
                f"{_pct(row['abandon_rate_baseline'])} -> {_pct(row['abandon_rate'])}"
                + _spread(row, "abandon_rate", 100.0, "pts"),
            ]
        )
    firsts = "; first attempts" if changes.attrs.get("attempts") == "first" else ""
    head = (
        f"Against {base}, by follower band (95% CI of the change; shares paired by query"
        f"{firsts}):\n"
    )
    return head + render(
        [
            "policy, followers",
            "queries",
            "median wait answered",
            f"≤ {within_minutes:g} min",
            "gave up",
        ],
        rows,
    )


def _side_by_side_note(table: pd.DataFrame) -> str:
    """What the side-by-side table's ratios, states and intervals mean, wrapped to 100."""
    people = (
        f" People answered vs {table.attrs['baseline']}: the change in the share of people "
        "answered on any attempt, in points (paired 95% interval; ± across replications)."
        if _people_changed(table)
        else ""
    )
    return textwrap.fill(
        "Side by side. 4/5: the worst band's share answered in time over the best band's, "
        "with its 95% interval and the queries of the smaller band: 'fail' only when the "
        f"whole interval is under {FOUR_FIFTHS:g} and both bands have {MIN_BAND_QUERIES}+ "
        f"queries and {MIN_BAND_HITS}+ answered in time, 'pass' at {FOUR_FIFTHS:g} or more, "
        "'too few to tell' otherwise. Wait ratio: the best band's mean wait of answered "
        "queries over the worst's (1 = equal). With replications, a figure is the mean over "
        f"the runs ± the half-width of its 95% interval.{people}",
        100,
    )


def comparison_text(
    results: Mapping[str, SimulationResult],
    *,
    descriptions: Mapping[str, str] | None = None,
    table: pd.DataFrame | None = None,
    within_minutes: float = SLA_MINUTES,
    target: float = SERVICE_TARGET,
    baseline: str | None = None,
    runs: Mapping[str, Sequence[SimulationResult]] | None = None,
) -> str:
    """Per policy: who waits how long; side by side; against the baseline; the reading and the
    promises. One ``within_minutes`` feeds every figure (``table``, from ``compare`` with
    replications, is shown as it is). ``runs``: each policy's replications, for promises
    that hold in every one (default: the one run in ``results``)."""
    summaries = summary_table(results, within_minutes=within_minutes)
    blocks = [
        policy_block(
            name, (descriptions or {}).get(name, ""), result, within_minutes, summaries.loc[name]
        )
        for name, result in results.items()
    ]
    if table is None:
        table = summaries
        if len(results) > 1 and bool((summaries["retries"].astype(float) > 0).any()):
            # the one run's people answered against the baseline, paired by person (as read)
            people = people_table(results, baseline=baseline)
            changes = people[["answered_change", "answered_change_low", "answered_change_high"]]
            table = pd.concat([table, changes.add_prefix("people_")], axis=1)
            table.attrs["baseline"] = people.attrs["baseline"]
    width = max(len(n) for n in results)
    replicated = runs or {}
    promises = [
        f"   {name.ljust(width)}  {promise(list(replicated.get(name, [result])), target=target)}"
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
    changes = changes_text(results, baseline=baseline, within_minutes=within_minutes)
    return "\n\n".join(
        [
            *blocks,
            _side_by_side_note(table) + "\n" + summary_text(table, within_minutes=within_minutes),
            *([changes] if changes else []),
            textwrap.fill(
                "Reading: " + reading(results, within_minutes=within_minutes, baseline=baseline),
                100,
            ),
            "What each policy lets you promise (from the simulated records; giving up counts "
            "as unanswered):\n" + "\n".join(promises),
        ]
    )
