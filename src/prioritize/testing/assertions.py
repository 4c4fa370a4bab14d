"""Fairness assertions for any pytest suite, each driven by hypothesis.

Each assertion runs its own property test against a policy: a team writes ::

    from prioritize.testing import assert_blind

    def test_our_policy_is_follower_blind():
        assert_blind(our_policy, "followers")

and a failure is an ``AssertionError`` whose message shows the minimal
counter-example hypothesis found (shrunk): the rows, the column values before
and after, and the scores and ranks that differed.

Every assertion takes ``frames=`` (a strategy of canonical frames; default
:func:`~prioritize.testing.strategies.query_frames`), ``max_examples=``
(default :data:`DEFAULT_MAX_EXAMPLES`) and ``settings=`` (a
``hypothesis.settings`` to start from, e.g. your CI profile). Do not call them
inside a test that is itself decorated with ``@given``: hypothesis cannot nest.

Columns and signals. ``column`` is a canonical column (``followers``,
``lifetime_value``, ``purchase_count``, ``total_spend``,
``days_since_last_purchase``, ``urgency``, ``text``) or, where several columns
make sense, a signal name (``follower_reach``, ``crm_value``,
``purchase_history``): all the columns it reads change together.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from hypothesis import HealthCheck, Phase, given, target
from hypothesis import settings as Settings
from hypothesis import strategies as st

from prioritize._errors import InputError
from prioritize.audit import NUMERIC_COLUMNS, SIGNAL_COLUMNS, snapshot
from prioritize.policy import Policy
from prioritize.testing.strategies import column_values, query_frames, streams

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "assert_batch_independent",
    "assert_blind",
    "assert_bounded_influence",
    "assert_monotone",
    "assert_no_starvation",
]

#: Examples each assertion tries unless told otherwise: enough to find the
#: usual violations in a second or two, few enough for a fast suite.
DEFAULT_MAX_EXAMPLES = 50
#: ``now`` is drawn up to this many minutes after a frame's last arrival, so
#: aging and ``MaxWait`` act too.
MAX_LATER_MINUTES = 2 * 1440
_SHOWN_ROWS = 12
_INT_COLUMNS = frozenset({"followers", "purchase_count"})
_MAX_RAISE = {
    "followers": 10_000_000,
    "purchase_count": 500,
    "lifetime_value": 1_000_000.0,
    "total_spend": 1_000_000.0,
    "days_since_last_purchase": 3650.0,
    "urgency": 1.0,
}
_Frames = st.SearchStrategy[pd.DataFrame]


# ----------------------------------------------------------------- plumbing
def _policy(policy: Any) -> Policy:
    if isinstance(policy, Policy):
        return policy
    name = getattr(policy, "__name__", None)
    hint = f" (did you mean {name}()?)" if callable(policy) and isinstance(name, str) else ""
    raise InputError(f"policy must be a prioritize.Policy; got {type(policy).__name__}{hint}")


class _Violation(AssertionError):
    """A failed check whose full description is built once, for the shrunk example only."""

    def __init__(self, summary: str, describe: Callable[[], str]) -> None:
        super().__init__(summary)
        self.describe = describe


def _run(
    test: Callable[..., None],
    strategies: dict[str, st.SearchStrategy[Any]],
    settings: Settings | None,
    max_examples: int | None,
) -> None:
    """Run ``test`` under hypothesis; a failure re-raises the shrunk example's error."""
    if max_examples is not None and (isinstance(max_examples, bool) or max_examples < 1):
        raise InputError(f"max_examples must be an int >= 1; got {max_examples!r}")
    if settings is None:
        base = Settings(
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        count = DEFAULT_MAX_EXAMPLES if max_examples is None else max_examples
    else:
        base = settings
        count = settings.max_examples if max_examples is None else max_examples
    # One readable error, not a group of every distinct failure seen while searching;
    # no "explain" phase: it re-runs the policy hundreds of times to annotate the
    # falsifying example, and our message already says what differed.
    phases = tuple(p for p in base.phases if p is not Phase.explain)
    chosen = Settings(base, max_examples=count, report_multiple_bugs=False, phases=phases)
    try:
        chosen(given(**strategies)(test))()
    except _Violation as exc:
        error = AssertionError(exc.describe())
        for note in getattr(exc, "__notes__", ()):
            error.add_note(note)
        raise error from None


def _now(data: st.DataObject, frame: pd.DataFrame) -> datetime | None:
    if len(frame) == 0:
        return None
    later = data.draw(st.integers(0, MAX_LATER_MINUTES), label="now: minutes after last arrival")
    latest: datetime = frame["received_at"].max().to_pydatetime()
    return latest + timedelta(minutes=later)


def _columns(column: str | Sequence[str], *, signals: bool = True) -> tuple[str, ...]:
    names = [column] if isinstance(column, str) else list(column)
    allowed = (*NUMERIC_COLUMNS, "text")
    out: list[str] = []
    for name in names:
        if name in allowed:
            out.append(name)
        elif signals and name in SIGNAL_COLUMNS:
            out.extend(SIGNAL_COLUMNS[name])
        else:
            extra = f" or a signal {sorted(SIGNAL_COLUMNS)}" if signals else ""
            raise InputError(f"column must be one of {list(allowed)}{extra}; got {name!r}")
    if not out:
        raise InputError("give at least one column")
    return tuple(dict.fromkeys(out))


def _assign(frame: pd.DataFrame, column: str, values: Any) -> None:
    dtype = np.int64 if column in _INT_COLUMNS else None if column == "text" else np.float64
    frame[column] = np.asarray(values, dtype=dtype) if dtype is not None else list(values)


def _redraw(data: st.DataObject, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy of ``frame`` with ``columns`` replaced by any valid values."""
    changed = frame.copy()
    for column in columns:
        if column == "text" and "text" not in frame.columns:
            continue
        allow_nan = column != "urgency" or "text" in frame.columns
        values = data.draw(column_values(column, len(frame), allow_nan=allow_nan), label=column)
        _assign(changed, column, values)
    return changed


def _view(
    policy: Policy, frame: pd.DataFrame, now: datetime | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Scores and ranks (1 = first, :meth:`Policy.rank`'s order) of every row, by position."""
    view = snapshot(policy, frame, now)
    scores: npt.NDArray[np.float64] = view.scores["score"].to_numpy()
    return scores, view.rank


def _table(
    frame: pd.DataFrame,
    changed: pd.DataFrame,
    columns: Sequence[str],
    rows: npt.NDArray[np.bool_],
    **pairs: tuple[npt.NDArray[Any], npt.NDArray[Any]],
) -> str:
    """The offending rows: id, each column before -> after, each figure before -> after."""
    where = np.flatnonzero(rows)[:_SHOWN_ROWS]
    shown: dict[str, Any] = {"query_id": frame["query_id"].to_numpy()[where]}
    for column in columns:
        if column in changed.columns:
            old = frame[column].to_numpy()[where] if column in frame.columns else ["(absent)"]
            shown[f"{column} before"] = old
            shown[f"{column} after"] = changed[column].to_numpy()[where]
    for name, (before, after) in pairs.items():
        shown[f"{name} before"] = before[where]
        shown[f"{name} after"] = after[where]
    text = str(pd.DataFrame(shown).to_string(index=False))
    more = int(rows.sum()) - len(where)
    return text + (f"\n… and {more} more row(s)" if more > 0 else "")


def _headline(policy: Policy, what: str, frame: pd.DataFrame, now: datetime | None) -> str:
    at = "at arrival" if now is None else f"now={now.isoformat()}"
    return f"policy {policy.name!r} {what}\ncounter-example: {len(frame)} row(s), {at}:\n"


# --------------------------------------------------------------- assertions
def assert_blind(
    policy: Policy,
    column: str | Sequence[str],
    *,
    frames: _Frames | None = None,
    max_examples: int | None = None,
    settings: Settings | None = None,
) -> None:
    """Assert that changing ``column`` (to any valid values) never changes a score or the order.

    Parameters
    ----------
    policy
        The policy under test.
    column
        A column or signal (see the module docstring), or several.
    frames, max_examples, settings
        See the module docstring.

    Raises
    ------
    AssertionError
        With the minimal frame whose scores or order changed.
    """
    policy = _policy(policy)
    columns = _columns(column)

    def check(frame: pd.DataFrame, data: st.DataObject) -> None:
        now = _now(data, frame)
        changed = _redraw(data, frame, columns)
        (before, rank_before), (after, rank_after) = (
            _view(policy, frame, now),
            _view(policy, changed, now),
        )
        moved = (before != after) | (rank_before != rank_after)
        if moved.any():
            raise AssertionError(
                _headline(policy, f"is not blind to {list(columns)}", frame, now)
                + _table(
                    frame,
                    changed,
                    columns,
                    moved,
                    score=(before, after),
                    rank=(rank_before, rank_after),
                )
            )

    _run(check, {"frame": frames or query_frames(), "data": st.data()}, settings, max_examples)


def assert_monotone(
    policy: Policy,
    column: str,
    direction: Literal["increasing", "decreasing"] = "increasing",
    *,
    frames: _Frames | None = None,
    max_examples: int | None = None,
    settings: Settings | None = None,
) -> None:
    """Assert that raising ``column`` never lowers a score (``"decreasing"``: never raises one).

    Some rows of a frame get a higher value (missing values, e.g. "never
    bought", stay missing; ``urgency`` stops at 1); every score must move the
    stated way or not at all.

    Raises
    ------
    AssertionError
        With the minimal frame where a score moved the wrong way.
    InputError
        ``column`` is not a numeric canonical column, or a bad ``direction``.
    """
    policy = _policy(policy)
    if column not in NUMERIC_COLUMNS:
        raise InputError(f"column must be one of {list(NUMERIC_COLUMNS)}; got {column!r}")
    if direction not in ("increasing", "decreasing"):
        raise InputError(f"direction must be 'increasing' or 'decreasing'; got {direction!r}")
    top = _MAX_RAISE[column]
    step = st.integers(0, int(top)) if column in _INT_COLUMNS else st.floats(0.0, float(top))

    def check(frame: pd.DataFrame, data: st.DataObject) -> None:
        now = _now(data, frame)
        changed = frame.copy()
        if column in frame.columns:
            raise_by = data.draw(st.lists(step, min_size=len(frame), max_size=len(frame)))
            new = frame[column].to_numpy(dtype=np.float64, na_value=np.nan) + np.asarray(raise_by)
            if column == "urgency":
                new = np.minimum(new, 1.0)
            _assign(changed, column, new)
        before, after = _view(policy, frame, now)[0], _view(policy, changed, now)[0]
        slack = 1e-12 * np.maximum(1.0, np.abs(before))
        wrong = after < before - slack if direction == "increasing" else after > before + slack
        if wrong.any():
            verb = "lowers" if direction == "increasing" else "raises"
            raise AssertionError(
                _headline(
                    policy,
                    f"is not {direction} in {column!r}: raising it {verb} a score",
                    frame,
                    now,
                )
                + _table(frame, changed, [column], wrong, score=(before, after))
            )

    _run(check, {"frame": frames or query_frames(), "data": st.data()}, settings, max_examples)


def assert_bounded_influence(
    policy: Policy,
    column: str | Sequence[str],
    max_points: float,
    *,
    frames: _Frames | None = None,
    max_examples: int | None = None,
    settings: Settings | None = None,
) -> None:
    """Assert that changing only ``column`` moves any score by at most ``max_points``.

    Raises
    ------
    AssertionError
        With the minimal frame where a score moved further.
    InputError
        A bad column, or ``max_points`` not a finite number >= 0.
    """
    policy = _policy(policy)
    columns = _columns(column)
    if isinstance(max_points, bool) or not isinstance(max_points, int | float):
        raise InputError(f"max_points must be a number; got {type(max_points).__name__}")
    if not math.isfinite(max_points) or max_points < 0:
        raise InputError(f"max_points must be a finite number >= 0; got {max_points!r}")

    def check(frame: pd.DataFrame, data: st.DataObject) -> None:
        now = _now(data, frame)
        changed = _redraw(data, frame, columns)
        before, after = _view(policy, frame, now)[0], _view(policy, changed, now)[0]
        change = np.abs(after - before)
        over = change > max_points + 1e-9 * np.maximum(1.0, np.abs(before))
        if over.any():
            raise AssertionError(
                _headline(
                    policy,
                    f"lets {list(columns)} move a score by {change.max():.6g} > {max_points:g} "
                    "points",
                    frame,
                    now,
                )
                + _table(frame, changed, columns, over, score=(before, after))
            )

    _run(check, {"frame": frames or query_frames(), "data": st.data()}, settings, max_examples)


def assert_batch_independent(
    policy: Policy,
    *,
    frames: _Frames | None = None,
    max_examples: int | None = None,
    settings: Settings | None = None,
) -> None:
    """Assert that any subset of a frame scores and orders its queries as in the full frame.

    Scores must be equal (to 1e-12) and the subset's order must be the full
    order restricted to it. Useful for policies that subclass ``Policy`` and
    override scoring (e.g. normalising by the batch maximum breaks this).

    Raises
    ------
    AssertionError
        With the minimal frame and subset where a score or order differed.
    """
    policy = _policy(policy)

    def check(frame: pd.DataFrame, data: st.DataObject) -> None:
        now = _now(data, frame)
        if len(frame) == 0:
            return
        positions = data.draw(
            st.lists(st.sampled_from(range(len(frame))), min_size=1, unique=True), label="subset"
        )
        part = frame.iloc[positions]
        full, full_rank = (a[positions] for a in _view(policy, frame, now))
        alone, part_rank = _view(policy, part, now)
        differ = ~np.isclose(alone, full, rtol=1e-12, atol=1e-12)
        order_full = np.argsort(full_rank, kind="stable")
        order_part = np.argsort(part_rank, kind="stable")
        if differ.any() or not np.array_equal(order_full, order_part):
            # Rank within the subset that the full frame implies.
            implied = np.empty(len(positions), dtype=np.int64)
            implied[order_full] = np.arange(1, len(positions) + 1)
            bad = differ | (implied != part_rank)
            raise AssertionError(
                _headline(policy, "is not batch-independent", frame, now)
                + f"subset (row positions) {positions}:\n"
                + _table(
                    part,
                    part,
                    [],
                    bad,
                    **{
                        "score (full→subset)": (full, alone),
                        "rank in subset (implied→actual)": (implied, part_rank),
                    },
                )
            )

    _run(check, {"frame": frames or query_frames(), "data": st.data()}, settings, max_examples)


def _starved_message(
    policy: Policy,
    frame: pd.DataFrame,
    records: pd.DataFrame,
    max_wait: float,
    agents: int,
    load: float,
    burst: float,
) -> str:
    from prioritize.policies import fifo
    from prioritize.simulation import simulate

    wait = records["wait_minutes"].to_numpy(dtype=np.float64)
    worst = int(np.argmax(wait))
    t0 = frame["received_at"].min()
    arrived = ((frame["received_at"] - t0).dt.total_seconds() / 60.0).to_numpy()
    started = arrived + wait
    ahead = int(((arrived > arrived[worst]) & (started < started[worst])).sum())
    fifo_wait = simulate(frame, fifo(), agents, seed=0, patience=math.inf).records["wait_minutes"]
    table = pd.DataFrame(
        {
            "query_id": frame["query_id"].to_numpy(),
            "arrived_min": arrived,
            "handle_min": frame["handle_minutes"].to_numpy(),
            "followers": frame["followers"].to_numpy(),
            "lifetime_value": frame["lifetime_value"].to_numpy(),
            "score_at_start": records["score_at_start"].to_numpy(),
            "wait_min": wait,
        }
    )
    starved = frame["query_id"].iat[worst]
    return (
        f"policy {policy.name!r} starves a query: {starved!r} waited {wait[worst]:.1f} min > "
        f"max_wait {max_wait:g} min while {ahead} later arrival(s) were served first\n"
        f"stream: {len(frame)} queries, {agents} agent(s), load <= {load:g}, burst <= "
        f"{burst:g} min of work; the same stream under FIFO waits at most "
        f"{float(fifo_wait.max()):.1f} min\n"
        + str(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    )


def assert_no_starvation(
    policy: Policy,
    max_wait: float,
    *,
    agents: int = 1,
    load: float = 0.9,
    burst: float = 60.0,
    handle: tuple[float, float] = (1.0, 30.0),
    max_queries: int = 40,
    frames: _Frames | None = None,
    max_examples: int | None = None,
    settings: Settings | None = None,
) -> None:
    """Assert that no query waits longer than ``max_wait`` minutes when capacity suffices.

    Simulation-based: hypothesis draws streams that fit the staffing
    (:func:`~prioritize.testing.strategies.streams`: the work arriving in any
    ``t`` minutes is at most ``burst + load * agents * t``, ``load`` < 1) and
    each is replayed through ``policy`` by
    :func:`prioritize.simulation.simulate` with ``agents`` agents and
    infinite patience, until every query is served. Every wait must be at
    most ``max_wait``: a query still waiting when the stream ends counts with
    its whole wait, so nothing can be left behind.

    What to expect: with one agent, FIFO never waits more than ``burst``; a
    ``MaxWait(L)`` policy about ``L + burst + handle[1]`` (the query becomes
    overdue after ``L``, then waits for the query in service and for older
    overdue ones); a policy without aging or a wait limit can make a
    low-priority query wait for the whole busy period.

    Parameters
    ----------
    policy
        The policy under test.
    max_wait
        The promise, in minutes.
    agents, load, burst, handle, max_queries
        The streams drawn (see :func:`~prioritize.testing.strategies.streams`).
    frames
        A strategy of streams replacing the default (frames with
        ``handle_minutes``; keep their load below the staffing).
    max_examples, settings
        See the module docstring.

    Raises
    ------
    AssertionError
        With the minimal stream, the starved query, its wait and the stream
        under FIFO for comparison.
    """
    from prioritize.simulation import simulate

    policy = _policy(policy)
    if isinstance(max_wait, bool) or not isinstance(max_wait, int | float) or max_wait <= 0:
        raise InputError(f"max_wait must be a number of minutes > 0; got {max_wait!r}")
    strategy = frames or streams(
        agents=agents, load=load, burst=burst, handle=handle, max_rows=max_queries
    )

    def check(frame: pd.DataFrame) -> None:
        records = simulate(frame, policy, agents, seed=0, patience=math.inf).records
        worst = float(records["wait_minutes"].max()) if len(records) else 0.0
        # Steer the search towards long waits (hypothesis' targeted phase).
        target(worst / max_wait, label="longest wait / max_wait")
        if worst > max_wait + 1e-9:
            raise _Violation(
                f"a query waited {worst:.1f} min > {max_wait:g} min",
                lambda: _starved_message(policy, frame, records, max_wait, agents, load, burst),
            )

    _run(check, {"frame": strategy}, settings, max_examples)
