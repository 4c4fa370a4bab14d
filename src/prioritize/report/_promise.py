"""``promise``: the service a team can honestly publish, read off simulated (or real) records.

A promise is a handful of clauses such as "80% of public mentions within
1 hour" and "every message within 24 hours". Each clause is checked against
the records before it is written: the share answered within the stated
time, where a query that gave up counts as *not* answered, is at least the
share claimed. When the target share is out of reach, the clause falls back
to the share that was achieved, rounded *down* to 5 %; a segment with too
few queries gets no clause at all. Nothing is extrapolated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.checks import check_fraction, check_int
from prioritize._internal.constants import SERVICE_TARGET
from prioritize._internal.frames import read_float, require_columns
from prioritize._internal.text import duration_text, listed
from prioritize.models import group_labels

__all__ = [
    "DEFAULT_WITHIN",
    "Promise",
    "PromiseClause",
    "percent_text",
    "promise",
]

#: Answer times a promise may state, in minutes: round figures a customer reads at a glance.
DEFAULT_WITHIN: tuple[float, ...] = (5, 10, 15, 30, 60, 120, 240, 480, 1440, 2880)

_ALL = "every message"
_PUBLIC_LABELS = {True: "public mentions", False: "private messages"}
_STEPS = 20  # fallback shares are multiples of 1/20 = 5 %


@dataclass(frozen=True, slots=True)
class PromiseClause:
    """One claim of a :class:`Promise`: ``share`` of ``segment`` answered within ``within_minutes``.

    Attributes
    ----------
    segment
        Who the clause is about, e.g. ``"public mentions"`` or ``"every message"``.
    share
        The share claimed, in (0, 1]; 1 reads "every".
    within_minutes
        The answer time claimed.
    achieved
        The share of the segment's queries answered within ``within_minutes``
        in the records (>= ``share``); over several runs, the lowest.
    queries
        Queries in the segment; over several runs, the fewest in one run.
    runs
        How many runs (records) the clause holds in: every one given.
    """

    segment: str
    share: float
    within_minutes: float
    achieved: float
    queries: int
    runs: int = 1

    @property
    def text(self) -> str:
        """The clause in words, e.g. ``"80% of public mentions within 1 hour"``."""
        if self.share >= 1.0:
            subject = "every message" if self.segment == _ALL else f"all {self.segment}"
        else:
            segment = "all messages" if self.segment == _ALL else self.segment
            subject = f"{percent_text(self.share)} of {segment}"
        return f"{subject} within {duration_text(self.within_minutes)}"


@dataclass(frozen=True)
class Promise:
    """A service promise and the figures behind it (see :func:`promise`).

    Attributes
    ----------
    text
        The promise in one or two plain sentences.
    clauses
        The claims, each checked against the records.
    figures
        One row per segment (the last is ``every message``): ``queries``,
        ``gave_up`` (share abandoned) and the share answered within each
        candidate time (columns ``within_<minutes>``).
    notes
        Why a segment, or "every message", got no clause.
    """

    text: str
    clauses: tuple[PromiseClause, ...]
    figures: pd.DataFrame
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text


def percent_text(share: float) -> str:
    """``share`` as a percentage rounded *down* (0.875 -> ``"87.5%"``, 0.8 -> ``"80%"``)."""
    tenths = math.floor(share * 1000 + 1e-9)
    # the tolerance only absorbs binary noise (0.7 * 1000 = 699.99...); a share is
    # never shown above itself by more than that
    if tenths / 1000 > share:
        tenths -= 1
    whole, rest = divmod(tenths, 10)
    return f"{whole}%" if rest == 0 else f"{whole}.{rest}%"


def _records_of(source: Any) -> pd.DataFrame:
    records = getattr(source, "records", source)
    if not isinstance(records, pd.DataFrame):
        raise InputError(
            f"promise needs a SimulationResult or a records DataFrame; got {type(source).__name__}"
        )
    return records


def _segments(
    records: pd.DataFrame, group: str | None, labels: Mapping[Any, str] | None
) -> npt.NDArray[np.object_] | None:
    if group is None:
        return None
    names = dict(_PUBLIC_LABELS if group == "is_public" and labels is None else labels or {})
    values = group_labels(records, group=group).astype(object)
    words: npt.NDArray[np.object_] = values.map(lambda v: names.get(v, f"{v} queries")).to_numpy(
        dtype=object
    )
    return words


class _Count(NamedTuple):
    segment: str
    queries: int
    gave_up: int
    answered: dict[float, int]  # answer time -> queries answered within it


def _counts(
    wait: npt.NDArray[np.float64],
    abandoned: npt.NDArray[np.bool_],
    labels: npt.NDArray[np.object_] | None,
    within: Sequence[float],
) -> list[_Count]:
    # "Answered within t" is fairness' share_within: not abandoned and wait <= t.
    out = []
    for label in [] if labels is None else sorted(set(labels.tolist())):
        mine = labels == label
        answered = np.sort(wait[mine & ~abandoned])
        hits = np.searchsorted(answered, within, side="right").tolist()
        answered_by = dict(zip(within, hits, strict=True))
        out.append(_Count(str(label), int(mine.sum()), int(abandoned[mine].sum()), answered_by))
    hits = np.searchsorted(np.sort(wait[~abandoned]), within, side="right").tolist()
    out.append(_Count(_ALL, wait.size, int(abandoned.sum()), dict(zip(within, hits, strict=True))))
    return out


def _figures(counts: Sequence[_Count], within: Sequence[float]) -> pd.DataFrame:
    size = np.array([c.queries for c in counts], dtype=np.float64)
    size[size == 0] = np.nan
    table = (
        np.array([[c.gave_up, *(c.answered[m] for m in within)] for c in counts], dtype=np.float64)
        / size[:, None]
    )
    columns = ["gave_up", *(f"within_{m:g}" for m in within)]
    figures = pd.DataFrame(table, columns=columns, index=[c.segment for c in counts])
    figures.insert(0, "queries", [c.queries for c in counts])
    figures.index.name = "segment"
    return figures


def _clause(
    counts: Sequence[_Count], within: Sequence[float], share: float
) -> PromiseClause | None:
    """The clause that holds in every run of ``counts`` (one segment's counts per run)."""
    # Counts, not rounded shares, decide: k answered of n meets a share s when
    # k >= s * n, compared exactly (a float product may round below the truth).
    need = Fraction(str(share))  # the share as written (0.4 is 2/5, not its binary double)
    meets = [m for m in within if all(c.answered[m] >= need * c.queries for c in counts)]
    if meets:
        claimed = share
    else:
        steps = min((_STEPS * c.answered[within[-1]]) // c.queries for c in counts)
        if steps == 0:  # exact: steps / 20 <= best / n in every run
            return None
        claimed = steps / _STEPS
        meets = [
            m for m in within if all(_STEPS * c.answered[m] >= steps * c.queries for c in counts)
        ]
    first = meets[0]
    achieved = min(c.answered[first] / c.queries for c in counts)
    fewest = min(c.queries for c in counts)
    return PromiseClause(counts[0].segment, claimed, float(first), achieved, fewest, len(counts))


def _run_counts(
    source: Any,
    group: str | None,
    labels: Mapping[Any, str] | None,
    times: Sequence[float],
) -> list[_Count]:
    records = _records_of(source)
    require_columns(records, ("wait_minutes", "abandoned"))
    wait = read_float(records, "wait_minutes", minimum=0.0)
    abandoned = records["abandoned"]
    if not pd.api.types.is_bool_dtype(abandoned.dtype) or abandoned.isna().any():
        raise SchemaError(f"column 'abandoned' must be boolean without gaps; got {abandoned.dtype}")
    return _counts(wait, abandoned.to_numpy(dtype=bool), _segments(records, group, labels), times)


def _by_segment(runs: Sequence[Sequence[_Count]], times: Sequence[float]) -> list[list[_Count]]:
    """Each segment's counts in every run (a run without the segment has 0 queries in it)."""
    order = list(dict.fromkeys(c.segment for run in runs for c in run if c.segment != _ALL))
    order.append(_ALL)
    out = []
    for label in order:
        mine = []
        for run in runs:
            found = [c for c in run if c.segment == label]
            mine.append(found[0] if found else _Count(label, 0, 0, dict.fromkeys(times, 0)))
        out.append(mine)
    return out


def promise(
    records: Any,
    *,
    target: float = SERVICE_TARGET,
    group: str | None = "is_public",
    labels: Mapping[Any, str] | None = None,
    within_minutes: Sequence[float] = DEFAULT_WITHIN,
    min_queries: int = 30,
) -> Promise:
    """The service promise that simulated (or historical) records support, in every run given.

    For each segment of the records (public mentions and private messages by
    default) the promise states the shortest time in ``within_minutes`` by
    which at least ``target`` of the segment's queries were answered; then the
    shortest time by which *every* query was answered, if there is one. A
    query that gave up (``abandoned``) was never answered and counts against
    every clause, so "every message within 24 hours" is claimed only when
    nobody gave up and nobody waited longer. When ``target`` is out of reach,
    the clause claims the share that was reached within the longest time,
    rounded down to a multiple of 5 %. A segment with fewer than
    ``min_queries`` queries gets no clause (too few to promise anything).

    The typical input is a simulation of a policy on a stream with a
    staffing plan::

        result = pz.simulation.simulate(frame, policy, agents=shifts, seed=0)
        print(pz.report.promise(result))
        # We answer 80% of public mentions within 30 minutes and 80% of
        # private messages within 1 hour. ...

    A promise holds for the stream simulated: simulate a busy week, and
    several seeds, and pass every run (a list of results or records): a
    clause is then claimed only when it holds in *every* run (the lowest
    share achieved over the runs decides), and the text says how many runs
    back it ("... (holds in each of 5 runs)"); a promise from one run says
    so ("(based on one run)"). A share that sits on the edge (0.799 in one
    run, 0.8 in the next) thus gives the safer clause, not one that flips
    with the seed.

    Parameters
    ----------
    records
        Records (or history) with ``wait_minutes``, ``abandoned`` and the
        ``group`` column, or a :class:`~prioritize.simulation.SimulationResult`
        (its records); or a list or tuple of them, one per run (replications).
    target
        The share to promise, in (0, 1].
    group
        The groups that split the records into segments
        (:func:`~prioritize.models.group_labels`: a column, or
        ``follower_band``/``value_band``); None for no segments (only the
        "every message" clause and the overall share).
    labels
        Segment value -> words (default for ``is_public``: "public mentions",
        "private messages"; otherwise ``"<value> queries"``).
    within_minutes
        Candidate answer times in minutes, ascending.
    min_queries
        Least number of queries in a segment for a clause about it.

    Returns
    -------
    Promise
        ``text``, the ``clauses`` (each with the share achieved), the
        ``figures`` behind them (pooled over the runs) and ``notes`` on what
        was not claimed.

    Raises
    ------
    InputError
        A bad argument.
    SchemaError
        Records without ``wait_minutes`` / ``abandoned``, with NaN waits, or
        without a label of ``group`` for some row.

    Examples
    --------
    Two days of a synthetic stream, three agents, the balanced preset:

    >>> import prioritize as pz
    >>> frame = pz.synthetic.queries(1_000, seed=0, days=2)
    >>> result = pz.simulate(frame, pz.policies.balanced(), agents=3, seed=0)
    >>> print(pz.report.promise(result))
    We answer 80% of private messages within 1 hour and 80% of public mentions
    within 2 hours (based on one run).
    """
    sources = list(records) if isinstance(records, list | tuple) else [records]
    if not sources:
        raise InputError("promise needs records: a result, a records frame, or a list of them")
    share = check_fraction("target", target, closed_above=True)
    times = [float(m) for m in within_minutes]
    if not times or any(not math.isfinite(m) or m < 0 for m in times) or times != sorted(times):
        raise InputError(
            f"within_minutes must be ascending finite minutes >= 0; got {list(within_minutes)}"
        )
    min_queries = check_int("min_queries", min_queries, minimum=1)
    runs = [_run_counts(source, group, labels, times) for source in sources]
    segments = _by_segment(runs, times)

    clauses: list[PromiseClause] = []
    notes: list[str] = []
    for counts in segments:
        label = counts[0].segment
        n = min(c.queries for c in counts)
        if label == _ALL:
            if group is None and n >= min_queries:
                clause = _clause(counts, times, share)
                if clause is not None and clause.share < 1.0:
                    clauses.append(clause)
            full = [m for m in times if n > 0 and all(c.answered[m] == c.queries for c in counts)]
            if full:
                clauses.append(PromiseClause(label, 1.0, full[0], 1.0, n, len(counts)))
            else:
                pooled = _pooled(counts, times)
                notes.append(_not_every(pooled.gave_up, pooled.queries, times[-1]))
            continue
        if n < min_queries:
            where = "" if len(counts) == 1 else " in the smallest run"
            notes.append(f"no promise for {label}: {n} queries{where}, fewer than {min_queries}")
            continue
        clause = _clause(counts, times, share)
        if clause is None:
            notes.append(
                f"no promise for {label}: under 5% answered within {duration_text(times[-1])}"
            )
        else:
            if clause.share < share:
                notes.append(
                    f"{label}: {percent_text(share)} within {duration_text(times[-1])} "
                    f"was not reached; the promise states what was"
                )
            clauses.append(clause)
    figures = _figures([_pooled(counts, times) for counts in segments], times)
    return Promise(_sentence(clauses, notes, len(sources)), tuple(clauses), figures, tuple(notes))


def _pooled(counts: Sequence[_Count], times: Sequence[float]) -> _Count:
    """One segment's counts summed over the runs."""
    return _Count(
        counts[0].segment,
        sum(c.queries for c in counts),
        sum(c.gave_up for c in counts),
        {m: sum(c.answered[m] for c in counts) for m in times},
    )


def _not_every(gave_up: int, n: int, longest: float) -> str:
    if n == 0:
        return "no queries: nothing to promise"
    if gave_up > 0:
        return (
            f"not every message is answered: {percent_text(gave_up / n)} gave up waiting "
            f"(answer them too, or promise less)"
        )
    return f"not every message was answered within {duration_text(longest)}"


def _sentence(clauses: Sequence[PromiseClause], notes: Sequence[str], runs: int) -> str:
    if not clauses:
        return "No promise is supported by these records: " + "; ".join(notes) + "."
    parts = [c.text for c in clauses]
    body = listed(parts)
    backing = "based on one run" if runs == 1 else f"holds in each of {runs} runs"
    return f"We answer {body} ({backing})."
