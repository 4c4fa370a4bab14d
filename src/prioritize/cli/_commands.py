"""``prioritize score``, ``audit`` and ``staff``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from prioritize._internal.constants import SERVICE_TARGET
from prioritize.cli._common import (
    STAFF_WITHIN_MINUTES,
    CLIError,
    ReadOptions,
    check_output,
    load_policy,
    load_queries,
    load_schedule,
    load_table,
    one_line,
    parse_now,
    write_table,
)
from prioritize.cli._patience import default_team
from prioritize.cli._text import render
from prioritize.signals import SIGNALS

__all__ = ["AUDIT_BACKLOG_HOURS", "StaffOptions", "run_audit", "run_score", "run_staff"]

#: The default audit backlog: synthetic queries received over the last few hours.
AUDIT_BACKLOG_HOURS = 4.0
_CONTRIBUTIONS = (*SIGNALS, "aging")


# ---------------------------------------------------------------- score
def run_score(
    queries: str,
    policy_spec: str,
    *,
    now: str | None = None,
    top: int = 20,
    out: str | None = None,
    force: bool = False,
    raw_csv: bool = False,
    read: ReadOptions | None = None,
) -> str:
    """Rank the queries of a file with a policy; the top ``top`` with each contribution.

    ``out`` is written atomically, never over an input (``queries``, the
    policy file) and over an existing file only with ``force``; CSV cells a
    spreadsheet would run as formulas are neutralised unless ``raw_csv``.
    """
    if top < 0:
        raise CLIError(f"--top must be >= 0; got {top}")
    target = (
        None
        if out is None
        else check_output(out, "--out", inputs=(queries, policy_spec), force=force)
    )
    policy = load_policy(policy_spec)
    frame = load_queries(queries, read)
    if len(frame) == 0:
        raise CLIError(f"{queries}: no queries to rank")
    if now is None:
        moment = frame["received_at"].max().to_pydatetime()
        when = f"{moment:%Y-%m-%d %H:%M} UTC (the newest arrival)"
    else:
        moment = parse_now(now)
        when = moment.isoformat()
    try:
        ranked = policy.rank(frame, now=moment)
    except ValueError as exc:
        raise CLIError(f"{queries}: {one_line(exc)}") from exc
    waited = (pd.Timestamp(moment) - ranked["received_at"]).dt.total_seconds() / 60.0
    info = frame.loc[ranked.index]
    rows = []
    for label in ranked.index[:top]:
        r, q = ranked.loc[label], info.loc[label]
        rows.append(
            [
                str(int(r["rank"])),
                str(q["query_id"]),
                str(q["channel"]),
                f"{int(q['followers']):,}",
                f"{float(q['lifetime_value']):,.0f}",
                f"{float(waited.loc[label]):.0f} min",
                f"{float(r['score']):.3f}",
                *(f"{float(r[c]):.3f}" for c in _CONTRIBUTIONS),
                "overdue" if bool(r["overdue"]) else "",
            ]
        )
    headers = [
        "rank",
        "query_id",
        "channel",
        "followers",
        "value",
        "waited",
        "score",
        *_CONTRIBUTIONS,
        "",
    ]
    lines = [
        f"{len(frame):,} queries from {queries} ranked by {policy.name!r} at {when}.",
        "Score = sum of the contributions (points); overdue queries (past MaxWait) go first.",
        "",
        render(headers, rows),
    ]
    if target is not None:
        extra = [c for c in frame.columns if c not in ranked.columns]
        table = ranked.join(frame[extra])
        table.insert(3, "waited_minutes", waited)
        path = write_table(table, target, "--out", raw_csv=raw_csv)
        lines += ["", f"All {len(table):,} ranked queries written to {path}"]
    return "\n".join(lines)


# ---------------------------------------------------------------- audit
def run_audit(
    policy_spec: str,
    *,
    queries: str | None = None,
    synthetic: int = 1000,
    simulate: bool = False,
    agents: int | None = None,
    schedule: str | None = None,
    seed: int = 0,
    derive_urgency: bool = False,
    read: ReadOptions | None = None,
) -> str:
    """The counterfactual, gaming and (with ``simulate``) fairness audit of a policy."""
    try:
        from prioritize.audit import audit
    except ImportError as exc:  # pragma: no cover - the audit ships with the package
        raise CLIError("prioritize.audit is not available in this install") from exc
    from prioritize import synthetic as make

    if (agents is not None or schedule is not None) and not simulate:
        raise CLIError("--agents and --schedule only apply with --simulate")
    if agents is not None and agents < 1:
        raise CLIError(f"--agents must be >= 1; got {agents}")
    if seed < 0:
        raise CLIError(f"--seed must be >= 0; got {seed}")
    policy = load_policy(policy_spec)
    if queries is not None:
        frame = load_queries(queries, read)
        stream = queries
    else:
        if synthetic < 1:
            raise CLIError(f"--synthetic must be >= 1; got {synthetic}")
        frame = make.queries(synthetic, seed=seed, days=AUDIT_BACKLOG_HOURS / 24.0)
        stream = f"a synthetic backlog of {synthetic:,} queries over {AUDIT_BACKLOG_HOURS:g} hours"
    staffing: Any = None
    note = ""
    if simulate:
        if schedule is not None:
            staffing = load_schedule(schedule)
        elif agents is not None:
            staffing = agents
        else:
            choice = default_team(frame)
            staffing, note = choice.agents, f" (simulated with {choice})"
    try:
        report = audit(
            frame,
            policy,
            simulate=simulate,
            agents=staffing,
            seed=seed,
            derive_urgency=derive_urgency,
        )
    except ValueError as exc:
        raise CLIError(f"{stream}: {one_line(exc)}") from exc
    return f"Audit of {stream}{note}.\n\n" + report.to_text()


# ---------------------------------------------------------------- staff
@dataclass(frozen=True)
class StaffOptions:
    """The options of ``prioritize staff`` (see ``prioritize staff --help``)."""

    arrivals_per_hour: float | None = None
    handle_minutes: float | None = None
    target: float = SERVICE_TARGET
    within_minutes: float = STAFF_WITHIN_MINUTES
    max_occupancy: float | None = None
    patience_minutes: float | None = None
    intervals: str | None = None
    interval_minutes: int = 30
    out: str | None = None
    force: bool = False
    raw_csv: bool = False


def _figures(opts: StaffOptions, rate: float, handle: float, agents: int) -> dict[str, float]:
    from prioritize import staffing

    if opts.patience_minutes is not None:
        result = staffing.erlang_a(
            rate, handle, agents, opts.patience_minutes, within_minutes=opts.within_minutes
        )
        return {
            "service_level": result.service_level,
            "occupancy": result.occupancy,
            "mean_wait": result.mean_wait_minutes,
            "wait_probability": result.wait_probability,
            "abandon": result.abandon_probability,
        }
    if rate * handle / 60.0 >= agents:
        return {"service_level": 0.0, "occupancy": 1.0, "mean_wait": math.inf}
    return {
        "service_level": staffing.service_level(
            rate, handle, agents, within_minutes=opts.within_minutes
        ),
        "occupancy": staffing.occupancy(rate, handle, agents),
        "mean_wait": staffing.mean_wait_minutes(rate, handle, agents),
        "wait_probability": staffing.erlang_c(rate, handle, agents),
    }


def _staff_one(opts: StaffOptions) -> str:
    from prioritize import staffing

    if opts.arrivals_per_hour is None:
        raise CLIError("staff needs --arrivals-per-hour (or --intervals FILE.csv)")
    if opts.handle_minutes is None:
        raise CLIError("staff needs --handle-minutes (the mean handling time)")
    rate, handle = opts.arrivals_per_hour, opts.handle_minutes
    agents = staffing.agents_needed(
        rate,
        handle,
        target=opts.target,
        within_minutes=opts.within_minutes,
        max_occupancy=opts.max_occupancy,
        patience_minutes=opts.patience_minutes,
    )
    model = (
        f"Erlang A: customers give up after {opts.patience_minutes:g} min on average"
        if opts.patience_minutes is not None
        else "Erlang C: nobody gives up"
    )
    load = rate * handle / 60.0
    lines = [
        f"{rate:g} queries an hour × {handle:g} min each = {load:.2f} agents of work ({model}).",
        f"Agents needed: {agents} to answer {opts.target:.0%} within {opts.within_minutes:g} min"
        + (f" at most {opts.max_occupancy:.0%} busy" if opts.max_occupancy is not None else ""),
    ]
    if agents == 0:
        return "\n".join([*lines, "   no queries arrive: nobody is needed"])
    f = _figures(opts, rate, handle, agents)
    lines += [
        f"   service level  {f['service_level']:.1%} answered within {opts.within_minutes:g} min",
        f"   occupancy      {f['occupancy']:.1%}",
        f"   mean wait      {f['mean_wait']:.2f} min ({f['wait_probability']:.1%} wait at all)",
    ]
    if "abandon" in f:
        lines.append(f"   give up        {f['abandon']:.1%}")
    if agents > 1:
        fewer = _figures(opts, rate, handle, agents - 1)
        lines.append(
            f"   with {agents - 1} agents: {fewer['service_level']:.1%} within "
            f"{opts.within_minutes:g} min, {fewer['occupancy']:.1%} busy"
        )
    return "\n".join(lines)


def _staff_intervals(opts: StaffOptions) -> str:
    from prioritize import staffing

    assert opts.intervals is not None
    path = Path(opts.intervals)
    target = (
        None
        if opts.out is None
        else check_output(opts.out, "--out", inputs=(opts.intervals,), force=opts.force)
    )
    frame = load_table(opts.intervals)
    handle: float | str
    if opts.handle_minutes is not None:
        handle = opts.handle_minutes
    elif "handle_minutes" in frame.columns:
        handle = "handle_minutes"
    else:
        raise CLIError(f"{path}: no handle_minutes column; give --handle-minutes")
    try:
        plan = staffing.plan_intervals(
            frame,
            handle_minutes=handle,
            target=opts.target,
            within_minutes=opts.within_minutes,
            interval_minutes=opts.interval_minutes,
            max_occupancy=opts.max_occupancy,
            patience_minutes=opts.patience_minutes,
        )
    except ValueError as exc:
        raise CLIError(f"{path}: {one_line(exc)}") from exc
    label = frame.columns[0] if frame.columns[0] != "arrivals" else None
    rows = []
    for i, row in plan.iterrows():
        rows.append(
            [
                str(row[label]) if label is not None else str(i),
                f"{float(row['arrivals']):g}",
                f"{float(row['arrivals_per_hour']):.1f}",
                str(int(row["agents"])),
                f"{float(row['service_level']):.1%}",
                f"{float(row['occupancy']):.1%}",
                *([f"{float(row['abandon_probability']):.1%}"] if opts.patience_minutes else []),
            ]
        )
    headers = [label or "interval", "arrivals", "per hour", "agents", "service level", "occupancy"]
    if opts.patience_minutes is not None:
        headers.append("give up")
    hours = float(np.sum(plan["agents"].to_numpy(dtype=np.float64))) * opts.interval_minutes / 60
    lines = [
        f"Agents per {opts.interval_minutes}-minute interval to answer {opts.target:.0%} within "
        f"{opts.within_minutes:g} min ({path}):",
        "",
        render(headers, rows),
        "",
        f"{hours:g} agent-hours in all; at most {int(plan['agents'].max())} agents at once.",
    ]
    if target is not None:
        written = write_table(plan, target, "--out", raw_csv=opts.raw_csv)
        lines.append(f"Plan written to {written}")
    return "\n".join(lines)


def run_staff(opts: StaffOptions) -> str:
    """Agents needed for a service target: one rate, or every interval of a CSV."""
    if opts.intervals is not None:
        if opts.arrivals_per_hour is not None:
            raise CLIError("give --arrivals-per-hour or --intervals, not both")
        return _staff_intervals(opts)
    if opts.out is not None:
        raise CLIError(
            "--out writes the plan of --intervals FILE.csv; a single rate has no plan to write"
        )
    return _staff_one(opts)
