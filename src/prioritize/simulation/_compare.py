"""Policies side by side (``compare``) and over a parameter grid (``sweep``).

Both run :func:`~prioritize.simulation.simulate` once per (policy, seed) and
keep only the summaries, so a grid can be spread over any
:class:`concurrent.futures.Executor`: a ``ProcessPoolExecutor`` on one
machine, or ``distributed.Client(...).get_executor()`` on a Dask cluster.
``compare_runs`` builds ``compare``'s table from runs already simulated.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from statistics import NormalDist
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.attempts import first_attempts
from prioritize._internal.checks import check_baseline, check_int, check_number
from prioritize._internal.constants import SLA_MINUTES
from prioritize._internal.progress import check_progress
from prioritize._internal.progress import progress as progress_bar
from prioritize.fairness import BANDS, band_changes, band_ratio_tests, flag_state
from prioritize.policy import Policy
from prioritize.routing import Retry, Routes
from prioritize.simulation._breakdown import AGENT_GROUP, breakdown
from prioritize.simulation._models import DurationModel, Patience, PatienceLike
from prioritize.simulation._people import people_changes, people_records
from prioritize.simulation._result import (
    CHURN_AFTER_ABANDON,
    SUMMARY_FIELDS,
    SimulationResult,
    check_churn,
)
from prioritize.simulation._simulate import Agents, simulate

__all__ = [
    "AGENT_GROUP_CHANGE_FIELDS",
    "BY_CHANGE_FIELDS",
    "CHANGE_FIELDS",
    "RUN_FIELDS",
    "compare",
    "compare_runs",
    "sweep",
    "t_quantile",
]

#: Per run, beside the summary: ``people_answered`` (the share of people answered on any
#: attempt, ``1 - people_unanswered / people``) and
#: :func:`prioritize.fairness.band_ratio_tests` — the share answered within
#: ``within_minutes`` and, for each band, the four-fifths test and the wait ratio's
#: interval, the rows of the smaller band compared and the state.
_RATIOS = ("four_fifths", "wait_ratio")
RUN_FIELDS: tuple[str, ...] = (
    "within_target",
    "people_answered",
    *(
        f"{kind}_{band}_{part}"
        for band in BANDS
        for kind in _RATIOS
        for part in ("low", "high", "n", "state")
        if not (kind == "wait_ratio" and part == "state")  # no rule judges a wait ratio
    ),
)
_AVERAGED = (*SUMMARY_FIELDS, "within_target", "people_answered")
#: Figures ``compare`` states as a change against the baseline policy.
CHANGE_FIELDS: tuple[str, ...] = (
    "p50_wait_minutes",
    "within_target",
    "abandon_rate",
    "people_answered",
)
#: Figures ``compare(by=...)`` states per group as a change against the baseline policy, each
#: with ``<figure>_change``, ``<figure>_change_low`` and ``<figure>_change_high``.
BY_CHANGE_FIELDS: tuple[str, ...] = ("median_wait_answered", "within_target", "abandon_rate")

#: Figures ``compare(by="agent_group")`` states per agent group as a change against the
#: baseline policy's run with the same seed: ``<figure>_change`` (and, with replications,
#: ``<figure>_change_ci95``). What the group did, not a paired change per query.
AGENT_GROUP_CHANGE_FIELDS: tuple[str, ...] = ("served", "occupancy")
#: ``attrs["change_interval"]`` of ``compare(by="agent_group")`` with one run per policy.
NO_INTERVAL_ONE_RUN = (
    "no interval: one run per policy, and an agent group's served count and occupancy "
    "have no within-run interval (the two runs' groups answer different queries); "
    "use replications > 1 for one across runs"
)

FrameSource: TypeAlias = pd.DataFrame | Callable[[int], pd.DataFrame]
_SIM_PARAMS = ("agents", "handle", "patience", "churn_after_abandon")


def t_quantile(p: float, df: int) -> float:
    """Quantile ``p`` of Student's t with ``df`` degrees of freedom.

    Exact for ``df`` 1 and 2; the Cornish–Fisher expansion (Abramowitz &
    Stegun 26.7.5) beyond, within 0.15 % of the exact value at ``p = 0.975``
    for ``df = 3`` and far closer as ``df`` grows.
    """
    if df < 1 or not 0 < p < 1:
        raise InputError(f"t_quantile needs df >= 1 and 0 < p < 1; got df={df}, p={p}")
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return float(z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4)


def _summary_row(
    frame: FrameSource,
    policy: Policy,
    agents: Agents,
    seed: int,
    handle: DurationModel | float | None,
    patience: PatienceLike,
    churn_after_abandon: float,
    within_minutes: float = SLA_MINUTES,
    by: str | None = None,
    routes: Routes | None = None,
    retry: Retry | None = None,
    people: bool = False,
) -> dict[str, Any]:
    # Module level so that process pools and Dask can pickle it.
    data = frame(seed) if callable(frame) else frame
    result = simulate(
        data,
        policy,
        agents=agents,
        routes=routes,
        retry=retry,
        seed=seed,
        handle=handle,
        patience=patience,
        churn_after_abandon=churn_after_abandon,
    )
    return _run_row(result, seed=seed, within_minutes=within_minutes, by=by, people=people)


def _run_row(
    result: SimulationResult, *, seed: int, within_minutes: float, by: str | None, people: bool
) -> dict[str, Any]:
    """What a table reads of one run: the figures of ``compare``, or its ``by`` breakdown."""
    if by is not None:  # the breakdown table reads nothing of the summary
        row: dict[str, Any] = {
            "breakdown": breakdown(result, group=by, within_minutes=within_minutes, seed=seed)
        }
        if by != AGENT_GROUP:  # what the baseline's change is paired on (first attempts)
            keep = list(dict.fromkeys(["query_id", "wait_minutes", "abandoned", by]))
            row["paired"] = first_attempts(result.records)[keep]
        return row | {"abandonment": result.abandonment}
    row = dict(result.summary)
    row |= band_ratio_tests(result.records, within_minutes=within_minutes, seed=seed)
    row["people_answered"] = 1.0 - row["people_unanswered"] / max(1, row["people"])
    if people:  # what the baseline's people change is paired on
        persons = people_records(result.records)
        row["persons"] = persons[["query_id", "received_at", "wait_minutes", "abandoned"]]
    return row | {"abandonment": result.abandonment}


def _abandonment(rows: Sequence[Mapping[str, Any]]) -> str:
    # The one line every table carries; runs that differ list each way once.
    return " | ".join(dict.fromkeys(str(row["abandonment"]) for row in rows))


def _run_all(
    tasks: Sequence[tuple[Any, ...]], executor: Executor | None, *, progress: bool, desc: str
) -> list[dict[str, Any]]:
    bar = functools.partial(progress_bar, enabled=progress, total=len(tasks), desc=desc)
    if executor is None:
        return [_summary_row(*task) for task in bar(tasks)]
    futures = [executor.submit(_summary_row, *task) for task in tasks]
    return [future.result() for future in bar(futures)]


def _seeds(seed: int, replications: int) -> list[int]:
    # Replications need seeds of their own (seed, seed + 1, ...): an int, not a Generator.
    replications = check_int("replications", replications, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    return [seed + r for r in range(replications)]


def compare(
    frame: FrameSource,
    policies: Mapping[str, Policy],
    *,
    agents: Agents,
    routes: Routes | None = None,
    retry: Retry | None = None,
    seed: int = 0,
    replications: int = 1,
    handle: DurationModel | float | None = None,
    patience: PatienceLike = None,
    churn_after_abandon: float = CHURN_AFTER_ABANDON,
    baseline: str | None = None,
    within_minutes: float = SLA_MINUTES,
    by: str | None = None,
    executor: Executor | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Simulate each policy on the same stream and staffing; one row per policy.

    Parameters
    ----------
    frame
        A canonical query frame, or a function ``seed -> frame`` (e.g.
        ``lambda s: pz.synthetic.queries(5_000, seed=s)``) to draw a new
        stream per replication.
    policies
        Name -> policy; the names become the index (``policy``).
    agents, routes, retry, handle, patience, churn_after_abandon
        As for :func:`simulate` (``agents`` may be a :class:`~prioritize.Team`;
        ``patience``: see :class:`~prioritize.simulation.Patience`).
    seed, replications
        Replication ``r`` uses seed ``seed + r``, the same for every policy
        (common random numbers: the policies see the same draws, so their
        differences are not noise between streams). With a fixed frame that
        has ``handle_minutes`` and ``patience_minutes``, nothing is drawn and
        replications are identical; pass a frame function instead.
    baseline
        The policy the others are read against: a name in ``policies``;
        default the one named ``"fifo"`` if any, else the first.
    within_minutes
        The answer-time limit of ``within_target`` and of the four-fifths
        test (``four_fifths_<band>`` is at this limit; the summary's is at 60).
    by
        Break each run down by this column instead (``"agent_group"``,
        ``"skills"``, ``"topic"``, ``"language"``, ``"tone"``, ``"type"``, any
        records column): one row per policy and group, the figures of
        :func:`~prioritize.simulation.breakdown` (see Returns).
    executor
        Optional :class:`concurrent.futures.Executor` to run the simulations.
    progress
        Show a progress bar, one step per run (policies × replications). It
        needs the optional ``tqdm`` (``pip install "prioritize[progress]"``);
        without it the runs are silent. A notebook widget in Jupyter.

    See Also
    --------
    compare_runs : the same table from runs you already simulated (and keep).

    Returns
    -------
    pandas.DataFrame
        The :data:`SUMMARY_FIELDS` per policy. With ``replications > 1`` each
        figure is the mean over replications, and ``<figure>_ci95`` is the
        half-width of its 95 % confidence interval (Student's t with
        ``replications − 1`` degrees of freedom) — the spread *across
        runs*; a ``replications`` column says how many runs each row is.
        ``table.attrs["abandonment"]`` says how abandonment was modelled
        (:attr:`SimulationResult.abandonment`).

        Then ``within_target`` (share answered within ``within_minutes``)
        and, per band (``follower_band``, ``value_band``), the four-fifths
        test (``four_fifths_<band>`` at ``within_minutes``) and the wait
        ratio: with one run ``_low``/``_high`` is the bootstrap interval
        *within the run* (:func:`~prioritize.fairness.band_ratio_tests`);
        with several, the ``_ci95`` *across runs* is the interval. ``_n`` is
        the rows of the smaller band compared (the fewest over the runs) and
        the four-fifths test's ``_state`` is ``"pass"``, ``"fail"`` or ``"too
        few to tell"`` (:func:`~prioritize.fairness.flag_state`).

        ``people_answered``: the share of people (``first_query_id``: a
        customer who retried counts once) answered on any attempt.

        Last, for each of :data:`CHANGE_FIELDS`, ``<figure>_change``: the
        policy's figure minus the baseline's (paired by seed; with
        replications, the mean change and ``<figure>_change_ci95`` across
        runs). With one run, ``people_answered_change_low``/``_high`` is the
        paired 95% interval of ``people_answered_change``, each person
        resampled with their outcome under both policies
        (:func:`~prioritize.simulation.people_changes`). ``attrs["baseline"]``
        names the baseline.

        With ``by``: the :func:`~prioritize.simulation.breakdown` of each
        policy's run, indexed by ``(policy, <by>)``, then, per group and for
        each of :data:`BY_CHANGE_FIELDS` (``median_wait_answered``,
        ``within_target``, ``abandon_rate``), the change against the
        baseline's run with the same seed on the same queries
        ``<figure>_change`` and its paired 95% interval
        ``<figure>_change_low``/``_change_high``
        (:func:`prioritize.fairness.band_changes`, as
        :func:`prioritize.report.baseline_changes`; with retries, of the first
        attempts; 0 for the baseline itself).

        By ``agent_group`` the change is of what the group did, not paired
        per query (a group is who answered a query, not what the query is,
        so the two runs' groups hold different queries): for each of
        :data:`AGENT_GROUP_CHANGE_FIELDS` (``served``, ``occupancy``),
        ``<figure>_change`` against the baseline's run with the same seed.
        With one run per policy it has no interval (a served count or an
        occupancy of one run has none), and ``attrs["change_interval"]``
        says so; with replications, ``<figure>_change_ci95`` across the runs
        (paired by seed) is its interval.

        With ``replications > 1``, each
        figure is its mean over the runs in which the group has rows
        (``runs`` says how many) and ``<figure>_ci95`` the half-width of its
        95 % interval across those runs (NaN from a single run): the change's
        interval is then ``<figure>_change_ci95``; the within-run intervals
        (``_low``/``_high``) and states are left out.
    """
    check_progress(progress)
    if isinstance(policies, Policy) or not isinstance(policies, Mapping):
        raise InputError(
            "compare(frame, policies, ...): policies must be a mapping name -> Policy; "
            f"got {type(policies).__name__}"
        )
    if not policies:
        raise InputError("compare needs at least one policy")
    for name, policy in policies.items():
        if not isinstance(policy, Policy):
            raise InputError(f"policies[{name!r}] must be a Policy; got {type(policy).__name__}")
    base = check_baseline(list(policies), baseline)
    within_minutes = check_number("within_minutes", within_minutes)
    seeds = _seeds(seed, replications)
    patience = Patience.of(patience)
    churn = check_churn(churn_after_abandon)
    if by is not None and not isinstance(by, str):
        raise InputError(f"by must be a column name; got {by!r}")
    simulated = (handle, patience, churn, within_minutes, by, routes, retry, by is None)
    tasks = [(frame, policy, agents, s, *simulated) for policy in policies.values() for s in seeds]
    rows = _run_all(tasks, executor, progress=progress, desc="compare")
    return _tabulate(rows, list(policies), base, seeds, by=by, within_minutes=within_minutes)


def compare_runs(
    runs: Mapping[str, SimulationResult | Sequence[SimulationResult]],
    *,
    seed: int | None = None,
    baseline: str | None = None,
    within_minutes: float = SLA_MINUTES,
    by: str | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """The table of :func:`compare` from runs already simulated, simulating nothing.

    For a script that keeps each run (to draw it, report it or check a
    promise in every one) and wants ``compare``'s table too, without
    simulating twice: ``compare_runs(runs, seed=s, ...)`` equals
    ``compare(frame, policies, seed=s, replications=r, ...)`` when
    ``runs[name][k]`` is ``simulate(<the frame of seed s + k>,
    policies[name], seed=s + k, ...)`` with ``compare``'s other arguments.

    Parameters
    ----------
    runs
        Policy name -> its runs, one per replication and as many for every
        policy (run ``k`` of each policy with seed ``seed + k``: the
        changes against the baseline are paired by it), or one
        :class:`SimulationResult` per policy.
    seed
        The seed of each policy's first run: run ``k``'s bootstrap
        intervals use ``seed + k``, as in :func:`compare`. None (the
        default): the seed the first run records
        (:attr:`SimulationResult.seed`), or 0 when it records none. A run
        whose recorded seed is not ``seed + k`` is refused: its changes
        against the baseline would pair different streams.
    baseline, within_minutes, by
        As for :func:`compare`.
    progress
        Show a progress bar, one step per run (the figures and their
        bootstrap intervals); needs the optional ``tqdm``.

    Returns
    -------
    pandas.DataFrame
        :func:`compare`'s table (see there), with ``replications`` the
        number of runs per policy.
    """
    check_progress(progress)
    if not isinstance(runs, Mapping) or not runs:
        raise InputError(
            "compare_runs(runs, ...): runs must be a non-empty mapping policy name -> "
            f"its SimulationResults; got {runs!r:.80}"
        )
    listed: dict[str, list[SimulationResult]] = {}
    for name, value in runs.items():
        if isinstance(value, SimulationResult):
            value = [value]
        elif not isinstance(value, Sequence) or isinstance(value, str):
            raise InputError(
                f"runs[{name!r}] must be a SimulationResult or a sequence of them; "
                f"got {type(value).__name__}"
            )
        for k, run in enumerate(value):
            if not isinstance(run, SimulationResult):
                raise InputError(
                    f"runs[{name!r}][{k}] must be a SimulationResult; got {type(run).__name__}"
                )
        listed[name] = list(value)
    counts = {name: len(value) for name, value in listed.items()}
    if len(set(counts.values())) != 1 or 0 in counts.values():
        raise InputError(
            "compare_runs needs as many runs (at least one) for every policy, paired by seed; "
            f"got {counts}"
        )
    names = list(listed)
    base = check_baseline(names, baseline)
    within_minutes = check_number("within_minutes", within_minutes)
    if seed is None:
        first = listed[names[0]][0].seed
        seed = 0 if first is None else first
    seeds = _seeds(seed, counts[names[0]])
    _check_pairing(listed, seeds)
    if by is not None and not isinstance(by, str):
        raise InputError(f"by must be a column name; got {by!r}")
    pairs = [(run, seeds[k]) for name in names for k, run in enumerate(listed[name])]
    bar = progress_bar(pairs, enabled=progress, total=len(pairs), desc="compare")
    rows = [
        _run_row(run, seed=s, within_minutes=within_minutes, by=by, people=by is None)
        for run, s in bar
    ]
    return _tabulate(rows, names, base, seeds, by=by, within_minutes=within_minutes)


def _check_pairing(runs: Mapping[str, Sequence[SimulationResult]], seeds: list[int]) -> None:
    """Run ``k`` of every policy was simulated with ``seeds[k]``, where the run says its seed."""
    for name, listed in runs.items():
        for k, run in enumerate(listed):
            if run.seed is not None and run.seed != seeds[k]:
                raise InputError(
                    f"runs[{name!r}][{k}] was simulated with seed={run.seed}, but compare_runs "
                    f"pairs run {k} of every policy with seed {seeds[k]} (seed + {k}, seed="
                    f"{seeds[0]}): simulate run k of each policy with seed + k, in that order"
                )


def _tabulate(
    rows: list[dict[str, Any]],
    names: list[str],
    base: str,
    seeds: list[int],
    *,
    by: str | None,
    within_minutes: float,
) -> pd.DataFrame:
    """The table of ``compare`` from its runs' rows (policy by policy, seed by seed)."""
    abandonment = _abandonment(rows)
    if by is not None:
        tables = [row["breakdown"] for row in rows]
        if by != AGENT_GROUP:
            tables = _with_changes(tables, rows, names, base, by, within_minutes, seeds)
        else:
            tables = _group_changes(tables, names, base, len(seeds))
        table = _broken_down(tables, names, seeds, by)
        table.attrs["baseline"] = base
        if by == AGENT_GROUP:
            table.attrs["change_interval"] = (
                NO_INTERVAL_ONE_RUN
                if len(seeds) == 1
                else f"across {len(seeds)} runs (Student's t, paired by seed): <figure>_change_ci95"
            )
        table.attrs["abandonment"] = abandonment
        return table
    fields = [*SUMMARY_FIELDS, *RUN_FIELDS]
    runs = pd.DataFrame(rows, columns=fields)
    runs.insert(0, "policy", [name for name in names for _ in seeds])
    changes = _changes(runs, base, len(seeds))
    if len(seeds) == 1:
        out = runs.set_index("policy")
        people = _people_intervals(rows, names, base, seeds[0])
        out = pd.concat([out, changes.set_index(out.index), people.set_index(out.index)], axis=1)
        out.attrs["baseline"] = base
        out.attrs["abandonment"] = abandonment
        return out
    numeric = runs.astype({f: np.float64 for f in _AVERAGED})
    grouped = numeric.groupby("policy", sort=False)
    factor = t_quantile(0.975, len(seeds) - 1) / math.sqrt(len(seeds))
    mean = grouped[list(_AVERAGED)].mean()
    half = grouped[list(_AVERAGED)].std(ddof=1) * factor
    out = pd.concat([mean, half.add_suffix("_ci95")], axis=1)
    order = [c for f in _AVERAGED for c in (f, f"{f}_ci95")]
    out = out[order]
    out.insert(0, "replications", len(seeds))
    for band in BANDS:
        for kind in _RATIOS:
            name = f"{kind}_{band}"
            # the fewest rows of a run, and the spread across runs as the interval
            out[f"{name}_n"] = grouped[f"{name}_n"].min().astype(np.int64)
            if kind == "wait_ratio":
                continue
            high = out[name] + out[f"{name}_ci95"].fillna(0.0)
            out[f"{name}_state"] = [
                flag_state(float(r), float(h), int(n))
                for r, h, n in zip(out[name], high, out[f"{name}_n"], strict=True)
            ]
    change = changes.assign(policy=runs["policy"].to_numpy()).groupby("policy", sort=False)
    out = pd.concat([out, change.mean(), (change.std(ddof=1) * factor).add_suffix("_ci95")], axis=1)
    out.attrs["baseline"] = base
    out.attrs["abandonment"] = abandonment
    return out


def _people_intervals(
    rows: list[dict[str, Any]], names: list[str], baseline: str, seed: int
) -> pd.DataFrame:
    """One run per policy: the paired 95% interval of ``people_answered_change``.

    :func:`~prioritize.simulation.people_changes` of each run's people against
    the baseline's (the same people, paired by person).
    """
    base = rows[names.index(baseline)]["persons"]
    low, high = [], []
    for row in rows:
        change = people_changes(row["persons"], base, seed=seed).iloc[0]
        low.append(float(change["answered_change_low"]))
        high.append(float(change["answered_change_high"]))
    return pd.DataFrame(
        {"people_answered_change_low": low, "people_answered_change_high": high},
        index=pd.Index(names, name="policy"),
    )


def _with_changes(
    tables: list[pd.DataFrame],
    rows: list[dict[str, Any]],
    names: list[str],
    baseline: str,
    by: str,
    within_minutes: float,
    seeds: list[int],
) -> list[pd.DataFrame]:
    """Each run's breakdown with its change against the baseline's run of the same seed.

    The change and its paired 95% interval are
    :func:`prioritize.fairness.band_changes`' (the one definition, also behind
    ``pz.report.baseline_changes``), of the first attempts; the baseline's own
    rows change by 0.
    """
    out = []
    base_at = names.index(baseline) * len(seeds)
    columns = [f"{f}_change{p}" for f in BY_CHANGE_FIELDS for p in ("", "_low", "_high")]
    for i, (table, row) in enumerate(zip(tables, rows, strict=True)):
        k = i % len(seeds)
        if i // len(seeds) == names.index(baseline):
            changes = pd.DataFrame(0.0, index=table.index, columns=columns)
        else:
            changes = band_changes(
                row["paired"],
                rows[base_at + k]["paired"],
                group=by,
                within_minutes=within_minutes,
                seed=seeds[k],
            )[columns]
            changes.index = changes.index.astype(object)
        labels = table.index.astype(object)
        out.append(pd.concat([table, changes.reindex(labels).set_axis(table.index)], axis=1))
    return out


def _group_changes(
    tables: list[pd.DataFrame], names: list[str], baseline: str, per_policy: int
) -> list[pd.DataFrame]:
    """Each run's agent groups with :data:`AGENT_GROUP_CHANGE_FIELDS` minus the baseline's.

    Against the baseline's run with the same seed, group by group (a group
    that answered nothing in one run counts 0 served; NaN occupancy stays NaN).
    """
    base_at = names.index(baseline) * per_policy
    out = []
    for i, table in enumerate(tables):
        base = tables[base_at + i % per_policy].reindex(table.index)
        change = table[list(AGENT_GROUP_CHANGE_FIELDS)] - base[list(AGENT_GROUP_CHANGE_FIELDS)]
        out.append(pd.concat([table, change.add_suffix("_change")], axis=1))
    return out


def _broken_down(
    tables: list[pd.DataFrame], names: list[str], seeds: list[int], by: str
) -> pd.DataFrame:
    """The breakdowns of every run, by (policy, group); averaged over replications."""
    if len(seeds) == 1:
        return pd.concat(tables, keys=names, names=["policy", by])
    keys = [(name, s) for name in names for s in seeds]
    runs = pd.concat(tables, keys=keys, names=["policy", "seed", by])
    figures = [
        c
        for c in runs.columns
        if pd.api.types.is_numeric_dtype(runs[c]) and not c.endswith(("_low", "_high"))
    ]
    grouped = runs[figures].astype(np.float64).groupby(level=["policy", by], sort=False)
    count = grouped.size()
    factor = pd.Series(
        [t_quantile(0.975, int(k) - 1) / math.sqrt(k) if k > 1 else np.nan for k in count],
        index=count.index,
    )
    mean = grouped.mean()
    half = grouped.std(ddof=1).mul(factor, axis=0).add_suffix("_ci95")
    out = pd.concat([mean, half], axis=1)[[c for f in figures for c in (f, f"{f}_ci95")]]
    out.insert(0, "runs", count.astype(np.int64))
    return out


def _changes(runs: pd.DataFrame, baseline: str, per_policy: int) -> pd.DataFrame:
    """Each run's :data:`CHANGE_FIELDS` minus the baseline's run with the same seed."""
    values = runs[list(CHANGE_FIELDS)].to_numpy(dtype=np.float64)
    base = values[(runs["policy"] == baseline).to_numpy()]
    tiled = np.tile(base, (len(runs) // per_policy, 1))
    return pd.DataFrame(
        values - tiled, columns=[f"{f}_change" for f in CHANGE_FIELDS], index=runs.index
    )


def _policy_at(policy: Policy | Callable[..., Policy], params: Mapping[str, Any]) -> Policy:
    if callable(policy) and not isinstance(policy, Policy):
        made = policy(**params)
        if not isinstance(made, Policy):
            raise InputError(f"the policy factory returned {type(made).__name__}, not a Policy")
        return made
    names = policy.signal_names
    weights = {k: v for k, v in params.items() if k in names}
    other = {k: v for k, v in params.items() if k not in names}
    if not params:
        return policy
    return policy.with_changes(**other, **({"weights": weights} if weights else {}))


def _grid_values(name: Any, values: Any) -> list[Any]:
    """A grid entry's values as a list: a lone number or a string is an error, not its items."""
    if not isinstance(name, str):
        raise InputError(f"grid keys must be parameter names (str); got {name!r}")
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise InputError(
            f"grid[{name!r}] must be a list of values to try; got {type(values).__name__} "
            f"{values!r} (write [{values!r}] for one value)"
        )
    return list(values)


def sweep(
    frame: FrameSource,
    policy: Policy | Callable[..., Policy],
    *,
    grid: Mapping[str, Iterable[Any]],
    agents: Agents | None = None,
    routes: Routes | None = None,
    retry: Retry | None = None,
    seeds: Iterable[int] = (0,),
    handle: DurationModel | float | None = None,
    patience: PatienceLike = None,
    churn_after_abandon: float = CHURN_AFTER_ABANDON,
    executor: Executor | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Simulate every point of a parameter grid for every seed; one tidy row per run.

    Parameters
    ----------
    frame
        A canonical query frame, or a function ``seed -> frame`` (built in
        the worker, so only the seed travels to a cluster).
    policy
        A base :class:`~prioritize.Policy`, whose grid parameters are weight
        names (``follower_reach=0.3`` changes that weight) or policy fields
        (passed to :meth:`Policy.with_changes`); or a function
        ``(**params) -> Policy`` called with the grid's policy parameters.
    grid
        Parameter name -> values. ``agents``, ``handle``, ``patience`` and
        ``churn_after_abandon`` go to :func:`simulate`; every other name is a
        policy parameter. The grid is the cartesian product, in the order
        given.
    agents, handle, patience, churn_after_abandon
        Defaults for the simulation parameters not in ``grid`` (as for
        :func:`simulate`).
    routes, retry
        As for :func:`simulate`, the same at every grid point.
    seeds
        Seeds to run at every grid point.
    executor
        Any :class:`concurrent.futures.Executor`; None runs here, one after
        another. With a process pool, a ``Policy`` (preset, declared
        signals or a module-level subclass) travels as it is, and ``policy``
        and ``frame`` *functions* must be module-level functions (tested with
        ``ProcessPoolExecutor``); a Dask
        ``distributed.Client(...).get_executor()`` pickles lambdas too.
    progress
        Show a progress bar, one step per run (grid points × seeds); needs
        the optional ``tqdm``, silent without it (see :func:`compare`).

    Returns
    -------
    pandas.DataFrame
        One row per grid point × seed: the grid parameters, ``policy`` (its
        name), ``seed``, then the :data:`SUMMARY_FIELDS` and :data:`RUN_FIELDS`,
        then ``abandonment`` (how that run modelled it, see
        :attr:`SimulationResult.abandonment`); ``table.attrs["abandonment"]``
        lists the distinct lines.

    Examples
    --------
    >>> import prioritize as pz
    >>> table = pz.sweep(lambda s: pz.synthetic.queries(300, seed=s, days=1),
    ...                  pz.policies.influencer_weighted(),
    ...                  grid={"follower_reach": [0.0, 0.6], "agents": [2, 3]}, seeds=[0, 1])
    >>> len(table)
    8
    """
    check_progress(progress)
    if not isinstance(grid, Mapping):
        raise InputError(f"grid must be a mapping name -> values; got {type(grid).__name__}")
    names = list(grid)
    values = [_grid_values(name, v) for name, v in grid.items()]
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise InputError(f"seeds must be a list of seeds; got {type(seeds).__name__} {seeds!r}")
    seed_list = list(seeds)
    if not seed_list:
        raise InputError("sweep needs at least one seed")
    for s in seed_list:
        _seeds(s, 1)
    if agents is None and "agents" not in grid:
        raise InputError("sweep needs agents=... or an 'agents' entry in grid")
    defaults: dict[str, Any] = {
        "agents": agents,
        "handle": handle,
        "patience": Patience.of(patience),
        "churn_after_abandon": check_churn(churn_after_abandon),
    }
    points: list[dict[str, Any]] = []
    tasks: list[tuple[Any, ...]] = []
    for combo in itertools.product(*values):
        point = dict(zip(names, combo, strict=True))
        sim = defaults | {k: v for k, v in point.items() if k in _SIM_PARAMS}
        built = _policy_at(policy, {k: v for k, v in point.items() if k not in _SIM_PARAMS})
        for s in seed_list:
            points.append(point | {"policy": built.name, "seed": s})
            runs = (sim["agents"], s, sim["handle"], sim["patience"], sim["churn_after_abandon"])
            tasks.append((frame, built, *runs, SLA_MINUTES, None, routes, retry))
    rows = _run_all(tasks, executor, progress=progress, desc="sweep")
    out = pd.DataFrame(points, columns=[*names, "policy", "seed"])
    summary = pd.DataFrame(rows, columns=[*SUMMARY_FIELDS, *RUN_FIELDS, "abandonment"])
    table = pd.concat([out, summary], axis=1)
    table.attrs["abandonment"] = _abandonment(rows)
    return table
