"""``prioritize compare``: policies side by side on a stream, with a team; optional HTML report."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from prioritize._internal.constants import SERVICE_TARGET, SLA_MINUTES
from prioritize._internal.optional import require_matplotlib
from prioritize._internal.progress import progress
from prioritize.cli._common import (
    CLIError,
    ReadOptions,
    check_output,
    load_model,
    load_policy,
    load_queries,
    load_schedule,
    synthetic_week,
)
from prioritize.cli._demo import DEMO_QUERIES
from prioritize.cli._patience import default_team, parse_patience
from prioritize.cli._text import comparison_text
from prioritize.policies import PRESETS
from prioritize.policy import Policy
from prioritize.routing import Retry, Routes, Team
from prioritize.simulation import SimulationResult, compare_runs, simulate

__all__ = ["CompareOptions", "run_compare"]


@dataclass(frozen=True)
class CompareOptions:
    """The options of ``prioritize compare`` (see ``prioritize compare --help``)."""

    queries: str | None = None
    synthetic: int = DEMO_QUERIES
    policies: Sequence[str] = ()
    agents: int | None = None
    schedule: str | None = None
    team: str | None = None
    routes: str | None = None
    retry: str | None = None
    seed: int = 0
    replications: int = 1
    report: str | None = None
    force: bool = False
    within_minutes: float = SLA_MINUTES
    target: float = SERVICE_TARGET
    progress: bool | None = None
    patience: str | None = None
    baseline: str | None = None
    read: ReadOptions | None = None


def _policies(specs: Sequence[str]) -> dict[str, Policy]:
    if not specs:
        return {name: make() for name, make in PRESETS.items()}
    out: dict[str, Policy] = {}
    source: dict[str, str] = {}
    for spec in specs:
        policy = load_policy(spec)
        if policy.name in out:
            raise CLIError(
                f"two policies are named {policy.name!r} ({source[policy.name]} and {spec}); "
                "give each a different name"
            )
        out[policy.name] = policy
        source[policy.name] = spec
    return out


def _check_numbers(opts: CompareOptions) -> None:
    if opts.seed < 0:
        raise CLIError(f"--seed must be >= 0; got {opts.seed}")
    if opts.replications < 1:
        raise CLIError(f"--replications must be >= 1; got {opts.replications}")
    if opts.agents is not None and opts.agents < 1:
        raise CLIError(f"--agents must be >= 1; got {opts.agents}")
    if not opts.within_minutes > 0:
        raise CLIError(f"--within-minutes must be > 0; got {opts.within_minutes}")
    if not 0 < opts.target <= 1:
        raise CLIError(f"--target must be in (0, 1]; got {opts.target}")
    given = [o for o, v in (("--agents", opts.agents), ("--schedule", opts.schedule),
                            ("--team", opts.team)) if v is not None]  # fmt: skip
    if len(given) > 1:
        raise CLIError(f"give one of --agents, --schedule and --team, not {' and '.join(given)}")
    if opts.routes is not None and opts.team is None:
        raise CLIError("--routes needs --team (the agent groups the routes send queries to)")


def _size(agents: Any) -> str:
    return f"{agents} agents" if isinstance(agents, int) else f"{len(agents)} shift(s)"


def run_compare(opts: CompareOptions) -> str:
    """Simulate the policies and return the comparison text; write the report if asked."""
    _check_numbers(opts)
    if opts.report is not None:
        try:
            require_matplotlib()
        except ImportError as exc:
            raise CLIError(str(exc)) from exc
        inputs = (opts.queries, opts.schedule, opts.team, opts.routes, opts.retry, *opts.policies)
        check_output(opts.report, "--report", inputs=inputs, force=opts.force)
    policies = _policies(opts.policies)
    patience = parse_patience(opts.patience)
    if opts.baseline is not None and opts.baseline not in policies:
        raise CLIError(f"--baseline {opts.baseline}: not among the policies {list(policies)}")
    if opts.queries is not None:
        frame = load_queries(opts.queries, opts.read)
        source: pd.DataFrame | Callable[[int], pd.DataFrame] = frame
        stream = f"{len(frame):,} queries from {opts.queries}"
        fixed = "handle_minutes" in frame.columns and (
            patience.form == "none"
            or (patience.form == "frame" and "patience_minutes" in frame.columns)
        )
        if opts.replications > 1 and fixed:
            print(
                "prioritize: note: the file gives handle_minutes and patience is not drawn, "
                "so every replication replays the same run",
                file=sys.stderr,
            )
    else:
        frame = synthetic_week(opts.synthetic, opts.seed, option="--synthetic")
        n = opts.synthetic
        source = lambda s: synthetic_week(n, s, option="--synthetic")  # noqa: E731 - a week per replication
        stream = f"a synthetic week of {n:,} queries (seed {opts.seed})"
    staffing: Any
    routes = None if opts.routes is None else load_model(Routes, opts.routes, "--routes")
    retry = None if opts.retry is None else load_model(Retry, opts.retry, "--retry")
    if opts.team is not None:
        staffing = load_model(Team, opts.team, "--team")
        sizes = ", ".join(f"{g.name} ({_size(g.agents)})" for g in staffing.groups)
        team = f"the team in {opts.team}: {sizes}"
    elif opts.schedule is not None:
        staffing = load_schedule(opts.schedule)
        team = f"the shifts in {opts.schedule}"
    elif opts.agents is None:
        choice = default_team(
            frame, target=opts.target, within_minutes=opts.within_minutes, patience=patience
        )
        staffing = choice.agents
        team = f"{staffing} agents around the clock ({choice})"
    else:
        staffing = opts.agents
        team = f"{staffing} agents around the clock (workload {default_team(frame).load:.1f})"

    # Each long step shows its own bar (tqdm, when installed) on stderr.
    bars = sys.stderr.isatty() if opts.progress is None else opts.progress
    # the one setup every run shares: the runs of every seed and the report's sweep
    setup: dict[str, Any] = {
        "agents": staffing,
        "routes": routes,
        "retry": retry,
        "patience": patience,
    }
    # every run once (policies × replications, seed, seed + 1, ...): the first seed's runs
    # are the tables and the report; all of them the replicated table and the promises
    seeds = range(opts.seed, opts.seed + opts.replications)
    tasks = [(name, s) for s in seeds for name in policies]
    runs: dict[str, list[SimulationResult]] = {name: [] for name in policies}
    streams = {opts.seed: frame}
    for name, s in progress(tasks, enabled=bars, total=len(tasks), desc="simulate"):
        if s not in streams:  # a replication's stream, drawn once for every policy
            streams = {s: source(s) if callable(source) else source}
        runs[name].append(simulate(streams[s], policies[name], seed=s, **setup))
    results = {name: runs[name][0] for name in policies}
    table = None
    if opts.replications > 1:
        table = compare_runs(
            runs,
            seed=opts.seed,
            baseline=opts.baseline,
            within_minutes=opts.within_minutes,
            progress=bars,
        )
    written = None
    if opts.report is not None:
        replicated = runs if opts.replications > 1 else None
        written = _write_report(opts, results, frame, setup, bars, stream, team, replicated)
    reps = (
        f". The side-by-side figures are means over {opts.replications} replications (seeds "
        f"{opts.seed} to {opts.seed + opts.replications - 1}) ± their 95% CI and the promises "
        f"hold in each; the other tables and the reading are of the run with seed {opts.seed}"
        if opts.replications > 1
        else ""
    )
    abandonment = next(iter(results.values())).abandonment
    lines = [
        f"Compared {len(policies)} policies on {stream} with {team}{reps}.",
        abandonment[:1].upper() + abandonment[1:] + ".",
        "",
        comparison_text(
            results,
            descriptions={n: p.description for n, p in policies.items()},
            table=table,
            within_minutes=opts.within_minutes,
            target=opts.target,
            baseline=opts.baseline,
            runs=runs if opts.replications > 1 else None,
        ),
    ]
    if written is not None:
        lines += ["", f"Report written to {written}"]
    return "\n".join(lines)


def _write_report(
    opts: CompareOptions,
    results: dict[str, SimulationResult],
    frame: pd.DataFrame,
    setup: dict[str, Any],
    bars: bool,
    stream: str,
    team: str,
    runs: dict[str, list[SimulationResult]] | None = None,
) -> Path:
    from prioritize.report import influence_sweep, write_report

    assert opts.report is not None
    sweep = influence_sweep(frame, seed=opts.seed, progress=bars, **setup)
    try:
        return write_report(
            opts.report,
            results,
            sweep=sweep,
            within_minutes=opts.within_minutes,
            target=opts.target,
            baseline=opts.baseline,
            runs=runs,
            subtitle=f"{stream[0].upper()}{stream[1:]}; {team}",
        )
    except OSError as exc:
        raise CLIError(f"--report {opts.report}: {exc.strerror or exc}") from exc
