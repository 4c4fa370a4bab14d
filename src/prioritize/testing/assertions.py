"""Fairness assertions for any pytest suite, each driven by hypothesis.

Each assertion runs its own property test against a policy: a team writes ::

    from prioritize.testing import assert_blind

    def test_our_policy_is_follower_blind():
        assert_blind(our_policy, "followers")

and a failure is an ``AssertionError`` whose message shows the minimal
counter-example hypothesis found (shrunk): the rows, the column values before
and after, and the scores and ranks that differed.

Every assertion takes ``frames=`` (a strategy of canonical frames; default
:func:`~prioritize.testing.strategies.query_frames` with at most 8 rows, as a
violation rarely needs more and small frames shrink fast), ``max_examples=``
(default :data:`DEFAULT_MAX_EXAMPLES`) and ``settings=`` (a
``hypothesis.settings`` to start from, e.g. your CI profile). Do not call them
inside a test that is itself decorated with ``@given``: hypothesis cannot nest.

Columns and signals. ``column`` is a canonical column (``followers``,
``lifetime_value``, ``purchase_count``, ``total_spend``,
``days_since_last_purchase``, ``urgency``, ``text``) or, where several columns
make sense, a signal name (``follower_reach``, ``crm_value``,
``purchase_history``): all the columns it reads change together. A signal the
policy declares itself (``signals.custom``) is named by its name or its input
column; the default frames then carry that column too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from hypothesis import settings as Settings
from hypothesis import strategies as st
from hypothesis import target

from prioritize._errors import InputError
from prioritize._internal.checks import check_int, check_number
from prioritize.audit import NUMERIC_COLUMNS
from prioritize.policy import Policy
from prioritize.testing._kit import (
    DEFAULT_MAX_EXAMPLES,
    INT_COLUMNS,
    MAX_LATER_MINUTES,
    Frames,
    Verdict,
    Violation,
    assign,
    check_policy,
    draw_now,
    fail,
    redraw,
    resolve_columns,
    run,
    run_on_frames,
    view,
)
from prioritize.testing._starvation import SearchCappedWarning, adversaries, fewest_on_duty
from prioritize.testing.strategies import near_ties, streams

if TYPE_CHECKING:
    from prioritize.simulation import Agents

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "SearchCappedWarning",
    "assert_batch_independent",
    "assert_blind",
    "assert_bounded_influence",
    "assert_bounded_rank_shift",
    "assert_monotone",
    "assert_no_starvation",
]

#: The most queries in one stream of assert_no_starvation's random search
#: (``max_queries`` when smaller): longer streams slow the search more than
#: they find, since the constructed worst case covers long busy periods.
RANDOM_MAX_QUERIES = 40

_MAX_RAISE = {
    "followers": 10_000_000,
    "purchase_count": 500,
    "lifetime_value": 1_000_000.0,
    "total_spend": 1_000_000.0,
    "days_since_last_purchase": 3650.0,
    "urgency": 1.0,
}


def assert_blind(
    policy: Policy,
    column: str | Sequence[str],
    *,
    frames: Frames | None = None,
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
    policy = check_policy(policy)
    columns = resolve_columns(column, policy=policy)

    def check(frame: pd.DataFrame, data: st.DataObject) -> None:
        now = draw_now(data, frame)

        def judge(frame: pd.DataFrame, changed: pd.DataFrame) -> Verdict:
            (before, rank_before), (after, rank_after) = (
                view(policy, frame, now),
                view(policy, changed, now),
            )
            moved = (before != after) | (rank_before != rank_after)
            return moved, {"score": (before, after), "rank": (rank_before, rank_after)}

        changed = redraw(data, frame, columns, policy)
        if judge(frame, changed)[0].any():
            fail(policy, f"is not blind to {list(columns)}", frame, changed, now, columns, judge)

    run_on_frames(check, policy, frames, settings, max_examples)


def assert_monotone(
    policy: Policy,
    column: str,
    *,
    direction: Literal["increasing", "decreasing"] = "increasing",
    frames: Frames | None = None,
    max_examples: int | None = None,
    settings: Settings | None = None,
) -> None:
    """Assert that raising ``column`` never lowers a score (``"decreasing"``: never raises one).

    Every row of a frame gets a higher value, by one drawn amount (missing
    values, e.g. "never bought", stay missing; ``urgency`` stops at 1); every
    score must move the stated way or not at all.

    Raises
    ------
    AssertionError
        With the minimal frame where a score moved the wrong way.
    InputError
        ``column`` is not a numeric canonical column, or a bad ``direction``.
    """
    policy = check_policy(policy)
    if column not in NUMERIC_COLUMNS:
        raise InputError(f"column must be one of {list(NUMERIC_COLUMNS)}; got {column!r}")
    if direction not in ("increasing", "decreasing"):
        raise InputError(f"direction must be 'increasing' or 'decreasing'; got {direction!r}")
    top = _MAX_RAISE[column]
    step = st.integers(0, int(top)) if column in INT_COLUMNS else st.floats(0.0, float(top))

    def check(frame: pd.DataFrame, data: st.DataObject) -> None:
        now = draw_now(data, frame)
        changed = frame.copy()
        if column in frame.columns:
            # One amount for every row: a score depends on its own row only, and a
            # single draw lets the shrinker delete rows without disturbing it.
            raise_by = data.draw(step, label=f"raise {column} by")
            new = frame[column].to_numpy(dtype=np.float64, na_value=np.nan) + raise_by
            if column == "urgency":
                new = np.minimum(new, 1.0)
            assign(changed, column, new)

        def judge(frame: pd.DataFrame, changed: pd.DataFrame) -> Verdict:
            before, after = view(policy, frame, now)[0], view(policy, changed, now)[0]
            slack = 1e-12 * np.maximum(1.0, np.abs(before))
            wrong = after < before - slack if direction == "increasing" else after > before + slack
            return wrong, {"score": (before, after)}

        if judge(frame, changed)[0].any():
            verb = "lowers" if direction == "increasing" else "raises"
            what = f"is not {direction} in {column!r}: raising it {verb} a score"
            fail(policy, what, frame, changed, now, [column], judge)

    run_on_frames(check, policy, frames, settings, max_examples)


def assert_bounded_influence(
    policy: Policy,
    column: str | Sequence[str],
    *,
    max_points: float,
    frames: Frames | None = None,
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
    policy = check_policy(policy)
    columns = resolve_columns(column, policy=policy)
    max_points = check_number("max_points", max_points)

    def check(frame: pd.DataFrame, data: st.DataObject) -> None:
        now = draw_now(data, frame)

        def judge(frame: pd.DataFrame, changed: pd.DataFrame) -> Verdict:
            before, after = view(policy, frame, now)[0], view(policy, changed, now)[0]
            over = np.abs(after - before) > max_points + 1e-9 * np.maximum(1.0, np.abs(before))
            return over, {"score": (before, after)}

        def what(frame: pd.DataFrame, changed: pd.DataFrame, verdict: Verdict) -> str:
            before, after = verdict[1]["score"]
            moved = float(np.abs(after - before).max())
            return f"lets {list(columns)} move a score by {moved:.6g} > {max_points:g} points"

        changed = redraw(data, frame, columns, policy)
        if judge(frame, changed)[0].any():
            fail(policy, what, frame, changed, now, columns, judge)

    run_on_frames(check, policy, frames, settings, max_examples)


def assert_bounded_rank_shift(
    policy: Policy,
    column: str | Sequence[str],
    *,
    max_places: int,
    frames: Frames | None = None,
    max_examples: int | None = None,
    settings: Settings | None = None,
) -> None:
    """Assert that changing ``column`` of one query moves it at most ``max_places`` in the order.

    "Followers never move a query more than 2 places" is
    ``assert_bounded_rank_shift(policy, "follower_reach", max_places=2)``.
    One drawn query gets any other valid values of ``column`` (all the
    columns of a signal change together); its rank among the frame's queries
    (:meth:`Policy.rank`, at a drawn ``now``) must move by at most
    ``max_places``. The others then move by at most one place each. Where
    :func:`assert_bounded_influence` bounds points, this bounds places: a
    small bound in points still moves a query past every query it was
    nearly tied with, so the default frames are
    :func:`~prioritize.testing.strategies.near_ties` (few customer profiles,
    tied urgency levels, arrivals close together), where rank shifts happen.

    Raises
    ------
    AssertionError
        With the minimal frame, the changed query and its rank before and after.
    InputError
        A bad column, or ``max_places`` not an int >= 0.
    """
    policy = check_policy(policy)
    columns = resolve_columns(column, policy=policy)
    max_places = check_int("max_places", max_places, minimum=0)
    strategy = frames if frames is not None else near_ties(policy=policy)

    def check(frame: pd.DataFrame, data: st.DataObject) -> None:
        if len(frame) == 0:
            return
        # Mostly soon after the last arrival: later, a MaxWait rule makes every
        # query overdue and the order is the arrival order, which nothing moves.
        soon = st.sampled_from([0, 1, 15]) | st.integers(0, MAX_LATER_MINUTES)
        later = data.draw(soon, label="now: minutes after last arrival")
        now = frame["received_at"].max().to_pydatetime() + timedelta(minutes=later)
        row = data.draw(st.integers(0, len(frame) - 1), label="changed query (position)")
        redrawn = redraw(data, frame.iloc[[row]], columns, policy)
        changed = frame.copy()
        for c in columns:
            if c in redrawn.columns:
                changed[c] = changed[c].astype(redrawn[c].dtype) if c != "text" else changed[c]
                changed.iloc[row, changed.columns.get_loc(c)] = redrawn[c].iloc[0]

        def judge(frame: pd.DataFrame, changed: pd.DataFrame) -> Verdict:
            differs = np.zeros(len(frame), dtype=bool)
            for c in columns:
                if c in frame.columns:
                    a, b = frame[c].to_numpy(), changed[c].to_numpy()
                    differs |= ~((a == b) | (pd.isna(a) & pd.isna(b)))
            if differs.sum() != 1:  # deleting rows kept the change, or deleted it
                return np.zeros(len(frame), dtype=bool), {}
            _, before = view(policy, frame, now)
            _, after = view(policy, changed, now)
            moved = differs & (np.abs(after - before) > max_places)
            return moved, {"rank": (before, after)}

        def what(frame: pd.DataFrame, changed: pd.DataFrame, verdict: Verdict) -> str:
            before, after = verdict[1]["rank"]
            i = int(np.flatnonzero(verdict[0])[0])
            places = abs(int(after[i]) - int(before[i]))
            return (
                f"lets {list(columns)} move query {frame['query_id'].iat[i]!r} {places} places "
                f"(rank {int(before[i])} -> {int(after[i])}) > max_places {max_places}"
            )

        if judge(frame, changed)[0].any():
            fail(policy, what, frame, changed, now, columns, judge)

    run(check, {"frame": strategy, "data": st.data()}, settings, max_examples)


def assert_batch_independent(
    policy: Policy,
    *,
    frames: Frames | None = None,
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
    policy = check_policy(policy)

    def check(frame: pd.DataFrame, data: st.DataObject) -> None:
        now = draw_now(data, frame)
        if len(frame) == 0:
            return
        positions = data.draw(
            st.lists(st.sampled_from(range(len(frame))), min_size=1, unique=True), label="subset"
        )
        # The subset as a column: its order in the subset, -1 outside it.
        order = np.full(len(frame), -1)
        order[positions] = np.arange(len(positions))
        subset = pd.DataFrame({"order": order}, index=frame.index)

        def judge(frame: pd.DataFrame, subset: pd.DataFrame) -> Verdict:
            wanted = subset["order"].to_numpy()
            chosen = np.flatnonzero(wanted >= 0)
            if chosen.size == 0:
                return np.zeros(len(frame), dtype=bool), {}
            chosen = chosen[np.argsort(wanted[chosen])]
            full, full_rank = (a[chosen] for a in view(policy, frame, now))
            alone, part_rank = view(policy, frame.iloc[chosen], now)
            # Rank within the subset that the full frame implies, and its own.
            implied = np.empty(chosen.size, dtype=np.int64)
            implied[np.argsort(full_rank, kind="stable")] = np.arange(1, chosen.size + 1)
            bad = ~np.isclose(alone, full, rtol=1e-12, atol=1e-12) | (implied != part_rank)
            # Reported on the frame's rows: the subset's rows, in frame order.
            shown = np.zeros(len(frame), dtype=bool)
            shown[chosen[bad]] = True
            score_full, score_alone = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
            rank_implied, rank_alone = (
                np.zeros(len(frame), np.int64),
                np.zeros(len(frame), np.int64),
            )
            score_full[chosen], score_alone[chosen] = full, alone
            rank_implied[chosen], rank_alone[chosen] = implied, part_rank
            return shown, {
                ("score in frame", "score alone"): (score_full, score_alone),
                ("rank implied", "rank alone"): (rank_implied, rank_alone),
            }

        def what(frame: pd.DataFrame, subset: pd.DataFrame, verdict: Verdict) -> str:
            order = subset["order"].to_numpy()
            inside = np.flatnonzero(order >= 0)
            ids = frame["query_id"].to_numpy()[inside[np.argsort(order[inside])]]
            return f"is not batch-independent: the subset {list(ids)} scored on its own differs"

        if judge(frame, subset)[0].any():
            fail(policy, what, frame, subset, now, [], judge)

    run_on_frames(check, policy, frames, settings, max_examples)


def _starved_message(
    policy: Policy,
    frame: pd.DataFrame,
    records: pd.DataFrame,
    within_minutes: float,
    agents: Any,
    shape: str,
) -> str:
    from prioritize.policies import fifo
    from prioritize.simulation import simulate

    wait = records["wait_minutes"].to_numpy(dtype=np.float64)
    worst = int(np.argmax(wait))
    t0 = frame["received_at"].min()
    arrived = ((frame["received_at"] - t0).dt.total_seconds() / 60.0).to_numpy()
    started = arrived + wait
    ahead = int(((arrived > arrived[worst]) & (started < started[worst])).sum())
    fifo_wait = simulate(frame, fifo(), agents=agents, seed=0, patience=math.inf).records[
        "wait_minutes"
    ]
    keep = _around(len(frame), worst)
    shown = pd.DataFrame(
        {
            "query_id": frame["query_id"].to_numpy(),
            "arrived_min": arrived,
            "handle_min": frame["handle_minutes"].to_numpy(),
            "followers": frame["followers"].to_numpy(),
            "lifetime_value": frame["lifetime_value"].to_numpy(),
            **({"urgency": frame["urgency"].to_numpy()} if "urgency" in frame.columns else {}),
            "score_at_start": records["score_at_start"].to_numpy(),
            "wait_min": wait,
        }
    ).iloc[keep]
    starved = frame["query_id"].iat[worst]
    staff = f"{agents} agent(s)" if isinstance(agents, int) else "the shifts given"
    return (
        f"policy {policy.name!r} starves a query: {starved!r} waited {wait[worst]:.1f} min > "
        f"within_minutes {within_minutes:g} min while {ahead} later arrival(s) were served first\n"
        f"stream: {len(frame)} queries, {staff}{shape}; the same stream under FIFO waits at "
        f"most {float(fifo_wait.max()):.1f} min\n"
        + str(shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        + (f"\n… {len(frame) - len(keep)} more row(s) not shown" if len(keep) < len(frame) else "")
    )


def _around(n: int, row: int, each: int = 4) -> list[int]:
    """The first and last few rows and those around ``row``, in order."""
    wanted = {*range(each), *range(row - each, row + each + 1), *range(n - each, n)}
    return sorted(i for i in wanted if 0 <= i < n)


def assert_no_starvation(
    policy: Policy,
    *,
    within_minutes: float,
    agents: Agents = 1,
    load: float = 0.9,
    burst: float = 60.0,
    handle_minutes: tuple[float, float] = (1.0, 30.0),
    max_queries: int = 200,
    frames: Frames | None = None,
    max_examples: int | None = None,
    settings: Settings | None = None,
) -> None:
    """Assert that every query is answered within ``within_minutes`` when capacity suffices.

    Simulation-based, on streams that fit the staffing: the work arriving in
    any ``t`` minutes is at most ``burst + load * agents * t`` (``load`` < 1).
    Each stream is replayed through ``policy`` by
    :func:`prioritize.simulation.simulate` with ``agents`` and infinite
    patience, until every query is served; every wait must be at most
    ``within_minutes``.

    Two searches, in this order:

    1. **The worst case, constructed** (whatever ``max_examples``): one query
       the policy likes less arrives behind enough it likes more to occupy
       every agent, and more of those keep arriving as fast as the envelope
       allows, with the shortest ``handle_minutes`` that fit ``max_queries``.
       Under a policy that
       always prefers them it waits the whole busy period, about
       ``burst / ((1 - load) * agents)`` minutes (FIFO: at most
       ``burst / agents``). Every pair of extreme customers (no evidence,
       all of it, each kind alone, the policy's own signals) the policy
       orders is tried, the widest score gap first, the disfavoured one on the
       channel with the longest ``MaxWait`` limit. A starving policy fails here
       in well under a second.
    2. **A random search** by hypothesis
       (:func:`~prioritize.testing.strategies.streams`, ``against=policy``),
       ``max_examples`` streams of at most :data:`RANDOM_MAX_QUERIES` (or
       ``max_queries``) queries, for what
       the construction misses (group shares, mixed handle times).

    What to expect, with one agent:

    * FIFO: at most ``burst`` (the work already waiting when a query arrives);
    * ``Aging(r)`` points per minute, scores spread over ``Δ`` points: a query
      can only be overtaken by arrivals within ``W = Δ / r`` minutes after
      it, so at most ``burst + load * W + handle_minutes[1]``;
    * ``MaxWait(L)``: at most ``L + burst + handle_minutes[1]``;
    * no aging and no limit: the whole busy period, ``burst / (1 - load)``.

    Parameters
    ----------
    policy
        The policy under test.
    within_minutes
        The promise: the longest wait allowed, in minutes.
    agents
        An int, or shifts (a :class:`~prioritize.Shift` or a list, as
        :func:`~prioritize.simulate` takes): streams are sized for the fewest
        agents on duty during the schedule's first week (from
        :data:`~prioritize.testing.strategies.EPOCH`, when the streams
        start), and nobody on duty at some moment is an error.
    load, burst, handle_minutes
        The envelope of the streams (see
        :func:`~prioritize.testing.strategies.streams`).
    max_queries
        The most queries in the constructed stream, whose handle times are
        the shortest allowed that cover its busy period within this budget.
        When it ends the constructed stream
        before its busy period (or ``within_minutes``) is over, a
        :class:`~prioritize.testing.SearchCappedWarning` says so.
    frames
        A strategy of streams replacing the random search's (frames with
        ``handle_minutes``; keep their load below the staffing). These
        streams are then the whole search: the worst case is constructed
        from ``load``, ``burst`` and ``handle_minutes``, which they replace.
    max_examples, settings
        See the module docstring.

    Raises
    ------
    AssertionError
        With the stream, the starved query, its wait and the stream under
        FIFO for comparison.

    Warns
    -----
    SearchCappedWarning
        If ``max_queries`` cuts the constructed stream short.
    """
    from prioritize.simulation import simulate

    policy = check_policy(policy)
    within_minutes = check_number("within_minutes", within_minutes, positive=True)
    max_queries = check_int("max_queries", max_queries, minimum=3)
    fewest = fewest_on_duty(agents)
    strategy = (
        frames
        if frames is not None
        else streams(
            agents=fewest,
            load=load,
            burst=burst,
            handle_minutes=handle_minutes,
            max_rows=min(max_queries, RANDOM_MAX_QUERIES),
            against=policy,
        )
    )  # validates load, burst and handle_minutes
    envelope = f", load <= {load:g}, burst <= {burst:g} min of work"

    def worst_wait(frame: pd.DataFrame) -> tuple[float, pd.DataFrame]:
        records = simulate(frame, policy, agents=agents, seed=0, patience=math.inf).records
        return (float(records["wait_minutes"].max()) if len(records) else 0.0), records

    constructed = (
        ()
        if frames is not None
        else adversaries(
            policy,
            agents=fewest,
            load=load,
            burst=burst,
            handle_minutes=(float(handle_minutes[0]), float(handle_minutes[1])),
            within_minutes=float(within_minutes),
            max_queries=max_queries,
        )
    )
    for adversary in constructed:
        worst, records = worst_wait(adversary.frame)
        if worst > within_minutes + 1e-9:
            shape = (
                f"{envelope}; constructed worst case: one query with {adversary.disfavoured} "
                f"({adversary.disfavoured_id}) behind a busy period of queries with "
                f"{adversary.favoured}"
            )
            raise AssertionError(
                _starved_message(policy, adversary.frame, records, within_minutes, agents, shape)
            )

    def check(frame: pd.DataFrame) -> None:
        worst, records = worst_wait(frame)
        # Steer the search towards long waits (hypothesis' targeted phase).
        target(worst / within_minutes, label="longest wait / within_minutes")
        if worst > within_minutes + 1e-9:
            shape = "" if frames is not None else envelope
            raise Violation(
                f"a query waited {worst:.1f} min > {within_minutes:g} min",
                lambda: _starved_message(policy, frame, records, within_minutes, agents, shape),
            )

    run(check, {"frame": strategy}, settings, max_examples)
