"""A self-contained HTML report of a policy comparison: charts, tables, the reading, promises."""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.attempts import first_attempts
from prioritize._internal.checks import check_baseline
from prioritize._internal.constants import (
    FOUR_FIFTHS,
    MIN_BAND_HITS,
    MIN_BAND_QUERIES,
    SERVICE_TARGET,
    SLA_MINUTES,
)
from prioritize._internal.files import write_text_atomic
from prioritize._internal.optional import require_matplotlib
from prioritize._internal.text import flag_text, listed
from prioritize.fairness import FAIL, PASS, TOO_FEW
from prioritize.report._plots import (
    plot_changes,
    plot_pareto,
    plot_queue,
    plot_service_level,
    plot_wait_distribution,
)
from prioritize.report._promise import promise
from prioritize.report._reading import QUEUE_CHANGES, reading
from prioritize.report._tables import (
    band_table,
    baseline_changes,
    breakdowns,
    people_table,
    summary_table,
)
from prioritize.simulation import (
    AGENT_GROUP,
    AGENT_GROUP_CHANGE_FIELDS,
    SINGLE_POOL,
    SimulationResult,
    breakdown,
    compare_runs,
)

__all__ = ["BREAKDOWNS", "DEFAULT_TITLE", "html_report", "write_report"]

#: The report's default heading.
DEFAULT_TITLE = "Who gets answered first: policy comparison"

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 color:#1d1d1f;margin:0;background:#f6f7f9;line-height:1.45}
main{max-width:1120px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:1.6em;margin:0.2em 0 0.1em}h2{font-size:1.2em;margin:1.8em 0 0.4em;
 border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:1em;margin:1.2em 0 0.3em}
p.meta{color:#666;margin-top:0}.reading{background:#f0f4fa;border-left:4px solid #4477aa;
 padding:10px 14px}figure{margin:8px 0 16px}figure svg{max-width:100%;height:auto}
figcaption{color:#555;font-size:0.9em}table{border-collapse:collapse;margin:6px 0 14px;
 font-size:0.88em}th,td{padding:4px 9px;border-bottom:1px solid #e5e5e5}
th{background:#fafafa;text-align:left;font-weight:600}tbody th{white-space:nowrap}
td.num{text-align:right;
 font-variant-numeric:tabular-nums;white-space:nowrap}tr:hover td{background:#fbfbfd}
.fail{color:#b2182b;
 font-weight:600}.ok{color:#1a7a3a}.unsure{color:#8a6d00}.promise{margin:4px 0}
.note{color:#777;font-size:0.88em}.ci{color:#555;font-size:0.92em}
.grid{display:grid;grid-template-columns:1fr;gap:4px 24px}
.grid>div{min-width:0;overflow-x:auto}.wide{overflow-x:auto}
"""


#: The headline columns of a run where customers tried again (after ``arrived``).
_PEOPLE_COLUMNS: dict[str, tuple[str, str]] = {
    "people": ("people", "int"),
    "retries": ("retries", "int"),
    "people_unanswered": ("people never answered", "int"),
}


def _summary_columns(within_minutes: float, *, retried: bool) -> dict[str, tuple[str, str]]:
    return {
        "arrived": ("queries" if not retried else "contacts", "int"),
        **(_PEOPLE_COLUMNS if retried else {}),
        "abandon_rate": ("gave up", "pct"),
        "p50_wait_minutes": ("median wait of answered (min)", "f1"),
        "mean_wait_minutes": ("mean wait of answered (min)", "f1"),
        "p90_wait_minutes": ("p90 wait (min)", "f1"),
        "max_wait_minutes": ("longest wait (min)", "f1"),
        "within_target": (f"within {within_minutes:g} min", "pct"),
        "abandoned_lifetime_value": ("lifetime value, gave up", "f0"),
        "expected_loss": ("expected loss", "f0"),
        "public_exposure": ("public exposure", "f0"),
        "wait_ratio_follower_band": ("wait ratio, followers (95% CI, n)", "flag"),
        "four_fifths_follower_band": ("4/5 followers (95% CI, n)", "flag"),
        "four_fifths_value_band": ("4/5 value (95% CI, n)", "flag"),
    }


_PEOPLE_ANSWERED_COLUMNS: dict[str, tuple[str, str]] = {
    "people": ("people", "int"),
    "people_unanswered": ("never answered", "int"),
    "answered": ("answered on any attempt", "pct"),
    "answered_change": ("change against the baseline (95% CI)", "delta_pct"),
}


def _band_columns(within_minutes: float) -> dict[str, tuple[str, str]]:
    """A band table's columns; the target's header says its minutes."""
    return {
        "queries": ("queries", "int"),
        "share": ("share", "pct"),
        "median_wait_answered": ("median wait of answered (min, 95% CI)", "f1ci"),
        "mean_wait_answered": ("mean wait of answered (min)", "f1"),
        "within_target": (f"within {within_minutes:g} min (95% CI)", "pctci"),
        "abandon_rate": ("gave up (95% CI)", "pctci"),
        "four_fifths": ("4/5 (95% CI)", "band_flag"),
    }


_AGENT_GROUP_COLUMNS: dict[str, tuple[str, str]] = {
    "served": ("answered", "int"),
    "share": ("share of answered", "pct"),
    "median_wait_answered": ("median wait of answered (min, 95% CI)", "f1ci"),
    "mean_wait_answered": ("mean wait of answered (min)", "f1"),
    "busy_minutes": ("busy agent-minutes", "f0"),
    "on_duty_minutes": ("on-duty agent-minutes", "f0"),
    "occupancy": ("occupancy", "pct"),
}
#: The change of what each agent group did against the baseline (``compare(by="agent_group")``).
_AGENT_GROUP_CHANGE_COLUMNS: dict[str, tuple[str, str]] = {
    "served": ("answered", "group_count"),
    "occupancy": ("occupancy", "group_pct"),
}
#: The breakdowns the report shows when the records have the column: (column, heading).
BREAKDOWNS: tuple[tuple[str, str], ...] = (
    ("agent_group", "agent group"),
    ("skills", "skill queue"),
    ("topic", "topic"),
    ("language", "language"),
    ("tone", "tone"),
    ("type", "type"),
)


def _change_columns(within_minutes: float) -> dict[str, tuple[str, str]]:
    """A change table's columns; the target's header says its minutes."""
    return {
        "queries": ("queries", "int"),
        "median_wait_answered": ("median wait of answered (min)", "change_min"),
        "within_target": (f"within {within_minutes:g} min", "change_pct"),
        "abandon_rate": ("gave up", "change_pct"),
    }


def _rich_cell(row: pd.Series, column: str, kind: str) -> str:
    """Cells that read several columns of the row: a figure with its interval, a change."""
    v = float(row[column])
    if np.isnan(v):
        return '<td class="num">–</td>'
    if kind in ("flag", "band_flag"):
        low, high = float(row[f"{column}_low"]), float(row[f"{column}_high"])
        queries = row.get(f"{column}_n")
        state = flag_text(row.get(f"{column}_state"), queries)  # a wait ratio: by its n
        n = f", n={int(queries):,}" if queries is not None else ""
        css = {FAIL: " fail", TOO_FEW: " unsure", PASS: " ok"}.get(state, "")
        text = f"{v:.2f} ({low:.2f}–{high:.2f}{n}) {html.escape(state)}".rstrip()
        return f'<td class="num{css}">{text}</td>'
    if kind in ("f1ci", "pctci"):
        low, high = float(row[f"{column}_low"]), float(row[f"{column}_high"])
        fmt = "{:,.1f}" if kind == "f1ci" else "{:.1%}"
        text = f"{fmt.format(v)} ({fmt.format(low)}–{fmt.format(high)})"
        return f'<td class="num">{text}</td>'
    if kind == "delta_pct":  # a change alone, with its interval
        low, high = float(row[f"{column}_low"]), float(row[f"{column}_high"])
        text = f"{_change(v * 100)} pts ({_change(low * 100)} to {_change(high * 100)})"
        return f'<td class="num">{html.escape(text)}</td>'
    return _change_cell(row, column, kind)


#: How a change cell writes its figures: (figure format, scale of the change, its unit).
_CHANGE_KINDS: dict[str, tuple[str, float, str]] = {
    "change_min": ("{:,.1f}", 1.0, ""),  # a band's median wait, minutes
    "change_pct": ("{:.1%}", 100.0, " pts"),  # a band's share
    "group_count": ("{:,.0f}", 1.0, ""),  # an agent group's count (its digits: see below)
    "group_pct": ("{:.1%}", 100.0, " pts"),  # an agent group's share
}


def _change_cell(row: pd.Series, column: str, kind: str) -> str:
    """The baseline's figure → the policy's, then the change with its interval.

    A band's change carries its 95% interval (``<column>_change_low``/``_high``); an
    agent group's, across replications (a ``<column>_change_ci95``), ± the half-width of
    its 95% interval, and with one run none. With no baseline figure (nobody answered)
    there is no change.
    """
    figure, scale, unit = _CHANGE_KINDS[kind]
    replicated = f"{column}_change_ci95" in row.index
    digits = 0 if kind == "group_count" and not replicated else 1
    if kind == "group_count":  # a count of one run, or a mean over the runs
        figure = f"{{:,.{digits}f}}"
    v, base = float(row[column]), float(row[f"{column}_baseline"])
    change = float(row[f"{column}_change"]) * scale
    moved = " → ".join("–" if np.isnan(x) else figure.format(x) for x in (base, v))
    if kind.startswith("change_"):
        low, high = (float(row[f"{column}_change_{end}"]) * scale for end in ("low", "high"))
        interval = f" ({_change(low)} to {_change(high)})"
        if np.isnan([change, low, high]).any():
            return f'<td class="num">{html.escape(moved)}</td>'
    else:
        half = float(row[f"{column}_change_ci95"]) * scale if replicated else float("nan")
        interval = "" if np.isnan(half) else f" (±{half:,.1f})"
        if np.isnan(change):
            return f'<td class="num">{html.escape(moved)}</td>'
    spread = f"{_change(change, digits)}{unit}{interval}"
    # the change and its interval on a line of their own: the table stays narrow
    return (
        f'<td class="num">{html.escape(moved)}<br>'
        f'<span class="ci">{html.escape(spread)}</span></td>'
    )


def _change(value: float, digits: int = 1) -> str:
    """A change with ``digits`` decimals and its sign; one that rounds to 0 is ``0.0`` (``0``)."""
    if round(value, digits) == 0:
        return f"{0:.{digits}f}"
    return f"{value:+,.{digits}f}"


def _cell(value: object, kind: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return '<td class="num">–</td>'
    v = float(value)  # type: ignore[arg-type]
    if kind == "int":
        text = f"{v:,.0f}"
    elif kind == "pct":
        text = f"{v:.1%}"
    elif kind == "f0":
        text = f"{v:,.0f}"
    elif kind == "f1":
        text = f"{v:,.1f}"
    else:
        text = f"{v:.2f}"
    return f'<td class="num">{text}</td>'


def _table(frame: pd.DataFrame, columns: Mapping[str, tuple[str, str]], index: str) -> str:
    shown = [c for c in columns if c in frame.columns]
    head = "".join(f"<th>{html.escape(columns[c][0])}</th>" for c in shown)
    rows = []
    for label, row in frame.iterrows():
        cells = "".join(
            _cell(row[c], columns[c][1])
            if columns[c][1] in _PLAIN
            else _rich_cell(row, c, columns[c][1])
            for c in shown
        )
        name = " · ".join(map(str, label)) if isinstance(label, tuple) else str(label)
        rows.append(f"<tr><th>{html.escape(name)}</th>{cells}</tr>")
    return (
        f"<table><thead><tr><th>{html.escape(index)}</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


_PLAIN = ("int", "pct", "f0", "f1", "f2")


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>"


def _span(results: Mapping[str, SimulationResult]) -> str:
    records = next(iter(results.values())).records
    received = first_attempts(records)["received_at"]
    if received.empty:
        return "no queries"
    first, last = received.min(), received.max()
    tried = "" if len(received) == len(records) else " (customers who gave up tried again)"
    return (
        f"{len(received):,} queries received {first:%Y-%m-%d %H:%M} to "
        f"{last:%Y-%m-%d %H:%M} UTC{tried}"
    )


def _abandonment(results: Mapping[str, SimulationResult]) -> str:
    line = " | ".join(dict.fromkeys(r.abandonment for r in results.values()))
    return line[:1].upper() + line[1:] + "."


def _replications(
    results: Mapping[str, SimulationResult], runs: Mapping[str, Sequence[SimulationResult]] | None
) -> int:
    """How many runs ``runs`` has for every policy of ``results`` (1 unless as many for each)."""
    counts = {len(runs.get(name, ())) for name in results} if runs else {1}
    return counts.pop() if len(counts) == 1 and min(counts) > 1 else 1


def _one_run_note(
    results: Mapping[str, SimulationResult], runs: Mapping[str, Sequence[SimulationResult]] | None
) -> list[str]:
    """With replications: which figures are of one run, which of every run."""
    if not runs:
        return []
    n = _replications(results, runs)
    every = f"each of the {n} runs" if n > 1 else "every run given"
    return [
        '<p class="note">The tables, charts and reading are of one run per policy; the '
        f"promises hold in {every}"
        + (", and the change per agent group is over them" if n > 1 else "")
        + ".</p>"
    ]


def _agent_group_changes(
    results: Mapping[str, SimulationResult],
    runs: Mapping[str, Sequence[SimulationResult]] | None,
    base: str,
) -> list[str]:
    """What each agent group did under each policy against ``base``: answered, occupancy.

    The table of ``compare(by="agent_group")`` (:func:`~prioritize.simulation.compare_runs`):
    of the replications when ``runs`` has as many (two or more) for every policy, with the
    change's 95% interval across them; else of the one run, with no interval, and says why.
    """
    replicated = _replications(results, runs) > 1
    source = {name: list(runs[name]) for name in results} if runs and replicated else results
    table = compare_runs(source, baseline=base, by=AGENT_GROUP)
    fields = list(AGENT_GROUP_CHANGE_FIELDS)
    shown = table.drop(index=base, level="policy")
    baseline = table.loc[base, fields].reindex(shown.index.get_level_values(AGENT_GROUP))
    shown = shown.assign(**{f"{f}_baseline": baseline[f].to_numpy() for f in fields})
    if replicated:
        interval = (
            f"Means over the {_replications(results, runs)} runs of each policy; the change "
            "is paired by seed, ± the half-width of its 95% interval across the runs "
            "(Student's t)."
        )
    else:
        why = str(table.attrs["change_interval"])
        interval = f"{why[:1].upper()}{why[1:]}."
    return [
        f"<h3>Change against {html.escape(base)}</h3>",
        f'<p class="note">Per agent group: {html.escape(base)} → policy, then the change '
        "(occupancy in points). What the group did, not a change paired per query: a group "
        f"is who answered, not what was asked. {html.escape(interval)}</p>",
        '<div class="wide">',
        _table(shown, _AGENT_GROUP_CHANGE_COLUMNS, "policy, agent group"),
        "</div>",
    ]


def _breakdowns(
    results: Mapping[str, SimulationResult],
    *,
    within_minutes: float,
    base: str,
    runs: Mapping[str, Sequence[SimulationResult]] | None,
) -> list[str]:
    """A section per :data:`BREAKDOWNS` column that tells something: one table per policy.

    By agent group when the run had a team; by any other column when the records
    have it with at least two labels (one label would repeat the headline figures),
    once per partition of the queries: a column that splits them exactly as an
    earlier one (every language its own skill queue) shares its section
    (:func:`~prioritize.report.breakdowns`).
    """
    parts: list[str] = []
    teams = {name: breakdown(result, group=AGENT_GROUP) for name, result in results.items()}
    if not all(list(t.index) == [SINGLE_POOL] for t in teams.values()):
        parts += [
            f"<h2>By {html.escape(dict(BREAKDOWNS)[AGENT_GROUP])}</h2>",
            '<p class="note">Per agent group: the queries it answered and their waits; '
            "occupancy is busy time over on-duty time (capacity weights: a chat held "
            "by an agent who holds three counts a third; an agent finishing a query "
            "after the shift ended is on duty until done).</p>",
            '<div class="grid">',
            *(
                f"<div><h3>{html.escape(name)}</h3>"
                f"{_table(table, _AGENT_GROUP_COLUMNS, 'agent group')}</div>"
                for name, table in teams.items()
            ),
            "</div>",
            *(_agent_group_changes(results, runs, base) if len(results) > 1 else []),
        ]
    queries = [(c, label) for c, label in BREAKDOWNS if c != AGENT_GROUP]
    for part in breakdowns([r.records for r in results.values()], columns=queries):
        tables = {
            name: breakdown(result, group=part.column, within_minutes=within_minutes)
            for name, result in results.items()
        }
        parts.append(f"<h2>By {html.escape(part.heading)}</h2>")
        same = (
            f" The {listed(part.same_as)} split{'s' if len(part.same_as) == 1 else ''} the "
            f"queries exactly as the {part.who}: one table."
            if part.same_as
            else ""
        )
        parts.append(
            f'<p class="note">Within target: answered within {within_minutes:g} minutes '
            f"(giving up counts as a miss).{html.escape(same)}</p>"
        )
        retried = any(t.get("retries", pd.Series(dtype=int)).sum() > 0 for t in tables.values())
        shown = {
            **_band_columns(within_minutes),
            **({"retries": ("retries", "int")} if retried else {}),
        }
        parts.append('<div class="grid">')
        for name, table in tables.items():
            table = table.rename(index=part.label)
            parts.append(
                f"<div><h3>{html.escape(name)}</h3>{_table(table, shown, part.heading)}</div>"
            )
        parts.append("</div>")
    return parts


def _queue_changes(
    results: Mapping[str, SimulationResult], base: str, within_minutes: float
) -> list[str]:
    """The change against ``base`` per skill queue and per language, when the records say.

    Once per partition of the queries (every language its own skill queue: one table).
    """
    parts: list[str] = []
    for part in breakdowns([r.records for r in results.values()], columns=QUEUE_CHANGES):
        table = baseline_changes(
            results, baseline=base, group=part.column, within_minutes=within_minutes
        )
        table = table.rename(index=part.label, level=1)
        parts += [
            f"<h3>Per {html.escape(part.heading)}</h3>",
            '<div class="wide">',
            _table(table, _change_columns(within_minutes), f"policy, {part.heading}"),
            "</div>",
        ]
    return parts


def _people_section(results: Mapping[str, SimulationResult], base: str) -> list[str]:
    """With retries: the people answered on any attempt, against ``base``, paired by person."""
    table = people_table(results, baseline=base)
    table.loc[base, "answered_change"] = np.nan  # the baseline has no change: "–"
    return [
        "<h3>People answered at all</h3>",
        f'<p class="note">A person is a customer\'s first query and the attempts after giving '
        f"up; answered at all: on any attempt. The change against {html.escape(base)} is in "
        "points, with its 95% bootstrap interval paired by person (each person resampled "
        "with their outcome under both policies).</p>",
        _table(table, _PEOPLE_ANSWERED_COLUMNS, "policy"),
    ]


def html_report(
    results: Mapping[str, SimulationResult],
    *,
    sweep: pd.DataFrame | None = None,
    within_minutes: float = SLA_MINUTES,
    target: float = SERVICE_TARGET,
    baseline: str | None = None,
    runs: Mapping[str, Sequence[SimulationResult]] | None = None,
    title: str = DEFAULT_TITLE,
    subtitle: str | None = None,
) -> str:
    """A self-contained HTML page comparing simulated policies.

    Charts (inline SVG drawn with matplotlib; nothing is fetched when the
    page opens): the wait distribution by follower band per policy, the
    service level by group against ``target``, the frontier of
    expected loss against the fairness ratio over ``sweep`` (when given;
    see :func:`influence_sweep`), and the number waiting over time. Tables:
    the headline figures per policy and waits by follower and value band.
    Plus a reading of the trade-off and the :func:`promise` each policy
    supports. Then a section per agent group (answered, waits, occupancy,
    and their change against the baseline) when the run had a team, and per
    skill queue, topic, language, tone and type when the records have that
    column with at least two labels
    (:data:`BREAKDOWNS`, :func:`~prioritize.simulation.breakdown`).

    Parameters
    ----------
    results
        Policy name -> :class:`~prioritize.simulation.SimulationResult`, all
        on the same stream and staffing.
    sweep
        Optional weight sweep (a :func:`~prioritize.simulation.sweep` table
        with ``expected_loss`` and ``wait_ratio_follower_band``).
    within_minutes, target
        The service level drawn: ``target`` of queries answered
        within ``within_minutes`` (also the promise's share). The one
        ``within_minutes`` feeds every headline, table, four-fifths figure
        and chart.
    baseline
        The policy the others are read against (default ``"fifo"`` if
        present, else the first): a "change against" table and chart.
    runs
        Optional policy name -> its replications (results of several
        seeds): each promise then holds in every one. Default: the one run
        in ``results``.
    title, subtitle
        Page heading; the subtitle defaults to the stream's size and dates.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install 'prioritize[plot]'``).
    InputError
        If ``results`` is empty.
    """
    if not results:
        raise InputError("html_report needs at least one result")
    require_matplotlib()
    names = list(results)
    summary = summary_table(results, within_minutes=within_minutes)
    retried = bool((summary["retries"].astype(np.int64) > 0).any())
    base = check_baseline(names, baseline)
    text = reading(results, within_minutes=within_minutes, baseline=base)
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{html.escape(subtitle or _span(results))} · '
        f"generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by prioritize</p>",
        f'<p class="reading">{html.escape(text)}</p>',
        *_one_run_note(results, runs),
        "<h2>Headline figures</h2>",
        f'<p class="note">{html.escape(_abandonment(results))}</p>',
        '<div class="wide">',
        _table(summary, _summary_columns(within_minutes, retried=retried), "policy"),
        "</div>",
        '<p class="note">Waits are of answered queries; "gave up" queries left before an agent '
        "reached them. "
        + (
            "Customers who gave up tried again: each attempt is a contact (the figures "
            "are per contact); people counts each customer once, retries the attempts after "
            "the first, people never answered those none of whose attempts was answered. "
            if retried
            else ""
        )
        + "Lifetime value, gave up: of the customers who gave up at least once "
        "(each once); expected loss: that times the churn-after-abandonment probability. Public "
        "exposure: followers of customers whose public post waited over an hour or went "
        "unanswered. Wait ratio: the best-served follower band's mean wait of answered "
        "queries over the worst's (1 = equal). "
        f"4/5: worst band's share answered within {within_minutes:g} min over the "
        "best band's, with its 95% bootstrap interval and the queries of the smaller band: "
        f"fail only when the whole interval is below {FOUR_FIFTHS:g} and both bands have at "
        f"least {MIN_BAND_QUERIES} queries and {MIN_BAND_HITS} answered in time, pass at "
        f"{FOUR_FIFTHS:g} or more, too few to tell otherwise.</p>",
        *(_people_section(results, base) if retried and len(results) > 1 else []),
        "<h2>Who waits how long</h2>",
        _figure(
            plot_wait_distribution(results),
            "For each policy and follower band (n: its queries): the share of queries answered "
            "within 5 min, 15 min, 1 hour, 4 hours, later, or never (gave up).",
        ),
        "<h2>Service level by group</h2>",
        _figure(
            plot_service_level(results, within_minutes=within_minutes, target=target),
            f"Share of each band's queries answered within {within_minutes:g} minutes (giving "
            f"up counts as a miss), with its 95% bootstrap interval; n: the band's queries; "
            f"dashed: the {target:.0%} target.",
        ),
    ]
    if sweep is not None and len(sweep):
        parts += [
            "<h2>What influence buys: expected loss against fairness</h2>",
            _figure(
                plot_pareto(sweep, results),
                "Each dot is one simulated policy: equal treatment plus a weight on follower "
                "reach (colour) and on CRM value (shape). The line joins the frontier: no "
                "other point has both less expected loss and a fairer wait ratio across "
                "follower bands (mean wait of the best-served band over the worst; 1 = equal). "
                "Stars: the compared policies.",
            ),
        ]
    changes = baseline_changes(results, baseline=base, within_minutes=within_minutes)
    if not changes.empty:
        parts += [
            f"<h2>Change against {html.escape(base)}</h2>",
            _figure(
                plot_changes(changes, within_minutes=within_minutes),
                f"For each policy and follower band (n: its queries): the change in the share "
                f"answered within {within_minutes:g} min against {base} on the same queries, "
                "with its paired "
                "95% bootstrap interval (0: no difference).",
            ),
            '<p class="note">Per follower band: baseline → policy, then the change (95% '
            "interval of the change). Shares are paired by query; medians are of answered queries"
            + (
                "; with retries, of the first attempts (the queries both runs have)"
                if changes.attrs.get("attempts") == "first"
                else ""
            )
            + ".</p>",
            '<div class="wide">',
            _table(changes, _change_columns(within_minutes), "policy, followers"),
            "</div>",
        ]
        parts += _queue_changes(results, base, within_minutes)
    parts += [
        "<h2>Queue over time</h2>",
        _figure(
            plot_queue(results),
            "Top: the most queries waiting at once in each interval. Policies that keep "
            "the same agents busy move the same work, so these lines differ only through "
            "who gives up. Bottom: how long the oldest waiting query had waited: where a "
            "policy lets someone starve.",
        ),
        "<h2>Waits by band</h2>",
        f'<p class="note">Within target: answered within {within_minutes:g} minutes.</p>',
        '<div class="grid">',
    ]
    for name in names:
        records = results[name].records
        parts.append(f"<div><h3>{html.escape(name)}</h3>")
        for group, label in (("follower_band", "followers"), ("value_band", "lifetime value")):
            table = band_table(records, group=group, within_minutes=within_minutes)
            parts.append(_table(table, _band_columns(within_minutes), label))
        parts.append("</div>")
    parts.append("</div>")
    parts += _breakdowns(results, within_minutes=within_minutes, base=base, runs=runs)
    parts.append("<h2>What each policy lets you promise</h2>")
    for name in names:
        pledge = promise(list((runs or {}).get(name, [results[name]])), target=target)
        notes = "".join(f"<br><span class='note'>{html.escape(n)}</span>" for n in pledge.notes)
        parts.append(
            f'<p class="promise"><b>{html.escape(name)}</b>: {html.escape(pledge.text)}{notes}</p>'
        )
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style></head><body><main>\n{body}\n</main></body></html>\n"
    )


def write_report(
    path: str | os.PathLike[str],
    results: Mapping[str, SimulationResult],
    *,
    sweep: pd.DataFrame | None = None,
    within_minutes: float = SLA_MINUTES,
    target: float = SERVICE_TARGET,
    baseline: str | None = None,
    runs: Mapping[str, Sequence[SimulationResult]] | None = None,
    title: str = DEFAULT_TITLE,
    subtitle: str | None = None,
) -> Path:
    """Write :func:`html_report` to ``path`` (UTF-8, atomically) and return the path.

    The arguments after ``path`` are those of :func:`html_report`.
    """
    page = html_report(
        results,
        sweep=sweep,
        within_minutes=within_minutes,
        target=target,
        baseline=baseline,
        runs=runs,
        title=title,
        subtitle=subtitle,
    )
    return write_text_atomic(path, page)  # a failed write leaves an existing file intact
