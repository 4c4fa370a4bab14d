"""``simulate``: a query frame, a policy and a staffing in; records and figures out."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.checks import SeedLike, check_instance, check_random_state
from prioritize._internal.frames import MAX_TIME, past_time_axis
from prioritize._internal.rows import describe_rows
from prioritize._internal.skills import NO_SKILLS
from prioritize._internal.times import NS_PER_MINUTE, minutes_between
from prioritize.models import canonical_frame, group_labels, public_flags
from prioritize.policy import (
    OrderKeys,
    Policy,
    deadline_minutes,
    heap_key,
    rank_order,
)
from prioritize.routing import Retry, Routes, Team
from prioritize.simulation._engine import NEVER, run_fixed_plain, run_general, waiting_line
from prioritize.simulation._models import (
    ChannelLogNormal,
    Constant,
    DurationModel,
    Exponential,
    LogNormal,
    Patience,
    PatienceLike,
    draw_minutes,
)
from prioritize.simulation._result import (
    CHURN_AFTER_ABANDON,
    RECORD_COLUMNS,
    SimulationResult,
    check_churn,
    query_columns,
)
from prioritize.simulation._schedule import Shift, capacity_changes
from prioritize.simulation._teams import Needs, run_team, team_line, team_plan

__all__ = ["Agents", "simulate"]

#: Staffing: a fixed number of agents, shifts, or a team of agent groups.
Agents = int | Shift | Sequence[Shift] | Team


def _check_agents(agents: Any) -> int | tuple[Shift, ...] | Team:
    if isinstance(agents, Team):
        return agents
    if isinstance(agents, Shift):
        return (agents,)
    if isinstance(agents, int | np.integer) and not isinstance(agents, bool):
        if agents <= 0:
            raise InputError(f"agents must be >= 1; got {agents}")
        return int(agents)
    if isinstance(agents, Sequence) and not isinstance(agents, str):
        shifts = tuple(agents)
        if not shifts:
            raise InputError("agents: an empty schedule never has an agent on duty")
        wrong = [type(s).__name__ for s in shifts if not isinstance(s, Shift)]
        if wrong:
            raise InputError(f"agents: a schedule must hold only Shift objects; got {wrong}")
        return shifts
    raise InputError(
        "agents must be a positive int, a Shift, a list of Shift or a Team; "
        f"got {type(agents).__name__}"
    )


def _rngs(seed: SeedLike) -> list[np.random.Generator]:
    # Handle, patience, retry and select draws get independent streams: changing
    # one model leaves the others' draws (and so a paired comparison) unchanged. A
    # fresh generator of an int seed spawns the children of SeedSequence(seed), so
    # the first two are the same as when there were only two.
    return check_random_state(seed).spawn(4)


def _handle(
    frame: pd.DataFrame,
    model: DurationModel | float | None,
    channels: npt.NDArray[np.object_],
    rng: np.random.Generator,
) -> npt.NDArray[np.float64]:
    if model is None:
        if "handle_minutes" in frame.columns:  # validated (> 0, finite) with the frame
            values: npt.NDArray[np.float64] = frame["handle_minutes"].to_numpy(dtype=np.float64)
            return values
        model = ChannelLogNormal()
    return draw_minutes(model, channels, rng, what="handle", allow_inf=False)


def _share_groups(policy: Policy, frame: pd.DataFrame) -> list[str] | None:
    rule = policy.group_share
    if rule is None:
        return None
    return [str(v) for v in group_labels(frame, group=rule.group).to_numpy(dtype=object)]


def _staffing(agents: int | tuple[Shift, ...], t0_ns: int) -> Iterator[tuple[float, int]]:
    if isinstance(agents, int):
        yield 0.0, agents
        return
    for t_ns, count in capacity_changes(agents, t0_ns):
        yield (t_ns - t0_ns) / NS_PER_MINUTE, count


def simulate(
    frame: pd.DataFrame,
    policy: Policy,
    *,
    agents: Agents,
    routes: Routes | None = None,
    retry: Retry | None = None,
    seed: SeedLike = 0,
    handle: DurationModel | float | None = None,
    patience: PatienceLike = None,
    churn_after_abandon: float = CHURN_AFTER_ABANDON,
) -> SimulationResult:
    """Replay a stream of queries through ``policy`` with the given staffing.

    A discrete-event simulation: queries arrive at ``received_at``; an agent
    serves queries without preemption; a free agent takes the next query in
    the policy's order (scores with aging, ``MaxWait`` overdue queries first,
    ``GroupShare`` between groups), exactly the order of :meth:`Policy.rank`
    and ``TriageQueue``; ties by arrival, then ``query_id``. A query that has
    waited strictly longer than its patience abandons. The run continues
    until every query is served or abandoned.

    With a :class:`~prioritize.Team`, a free agent takes the best waiting
    query *it may take* (its group has the query's required skills, and its
    preferred skills until ``routes.skills_timeout_minutes`` have passed; the
    query's channel fits the agent's free capacity), and an arriving query
    goes to a free agent who may take it, chosen by ``team.select``
    (``"longest_idle"``: the least loaded, then the longest at that load;
    ``"random"``: uniformly, from ``seed``; ``"fewest_skills"``: the group
    with the fewest skills first). A group's ``capacity`` counts
    conversations per channel as capacity weights: with ``{"chat": 3}`` an
    agent holds three chats at once, or one query of another channel. A team
    of one group whose agents may take every query, with the default
    capacity, runs exactly as ``agents=`` its staffing (the same records).

    Parameters
    ----------
    frame
        A canonical query frame (see :mod:`prioritize.models`); its optional
        ``skills`` column holds each query's required skills.
    policy
        The :class:`~prioritize.Policy` deciding the order.
    agents
        An int (that many agents all the time), a :class:`Shift`, a list of
        shifts, or a :class:`~prioritize.Team` of agent groups (each with its
        own skills, capacity and staffing). With shifts, agents come on duty
        when a shift starts and leave when it ends, finishing what they hold
        first; a schedule may leave nobody on duty for a while (queries wait,
        or abandon). An int, a shift or a list is one pool of agents who may
        take any query (the ``skills`` column is recorded, not enforced).
    routes
        :class:`~prioritize.Routes` giving each query its required and
        preferred skills from what it is (channel, type, topic, tone,
        language, any column); replaces the ``skills`` column. Needs a team.
    retry
        :class:`~prioritize.Retry`: a customer who gives up contacts again
        ``after_minutes`` later (a constant, or drawn per retry from a
        distribution) with ``probability`` (on ``channel``, None: the same
        one), keeping their handle time, with their first patience times
        ``patience_factor``; each attempt is a row of the records
        (``attempt`` 2, 3, ...; ``query_id`` ``"<first_query_id>#<attempt>"``).
        Whether a customer retries, and the delays, are drawn from ``seed``
        on streams of their own: two policies given the same seed see the
        same customers willing to retry, after the same delays (common random
        numbers).
    seed
        Seed or ``numpy.random.Generator`` for the drawn handle times,
        patience, retries and ``select="random"`` (independent streams
        spawned from it). The same seed gives the same records; the same
        seed under two policies gives the same draws for every query (common
        random numbers).
    handle
        Handle-time model (or a constant in minutes). Default: the frame's
        ``handle_minutes`` column when present, otherwise
        :class:`ChannelLogNormal` (log-normal per channel). A model given
        here replaces the column.
    patience
        How long customers wait before giving up (:class:`Patience`): None
        (default: the frame's ``patience_minutes`` column when present,
        otherwise abandonment is not modelled), minutes > 0 (exponential
        patience with that mean, as Erlang A), a mapping channel -> mean
        minutes (a ``"default"`` key for the other channels), ``"survey"``
        (:data:`SURVEY_PATIENCE_MINUTES`, documented assumptions), ``"none"``
        (nobody gives up) or a model. An explicit value replaces the column.
        :attr:`SimulationResult.abandonment` says which was used.
    churn_after_abandon
        Probability in [0, 1] that a customer who gave up is lost, for the
        summary's ``expected_loss`` (default :data:`CHURN_AFTER_ABANDON`, an
        assumption).

    Returns
    -------
    SimulationResult
        ``records`` (one row per attempt: first the input rows, in their
        order and with their index, then the retries in arrival order, each
        with the index label of its first attempt) and ``summary``
        (:func:`summarize`).

    Raises
    ------
    SchemaError
        A frame that does not follow the canonical schema (missing columns,
        negative or zero handle/patience minutes, ...), or a ``GroupShare``
        group the frame has no labels for (see
        :func:`~prioritize.models.group_labels`).
    InputError
        ``agents`` <= 0, an empty schedule, a bad seed, a model that draws
        values <= 0, a ``patience`` of no accepted form (or a mapping missing
        a channel of the frame), ``churn_after_abandon`` outside [0, 1],
        ``routes`` without a team, a route naming a skill no group has, a
        query no group may ever take (naming the queries and the skills), or
        a customer retrying more than 1024 times.

    Examples
    --------
    >>> import prioritize as pz
    >>> frame = pz.synthetic.queries(500, seed=1, days=1)
    >>> result = pz.simulate(frame, pz.policies.fifo(), agents=3, seed=0)
    >>> int(result.summary["served"] + result.summary["abandoned"])
    500
    """
    if not isinstance(policy, Policy):
        raise InputError(f"policy must be a prioritize.Policy; got {type(policy).__name__}")
    staff = _check_agents(agents)
    if routes is not None:
        routes = check_instance("routes", routes, Routes)
        if not isinstance(staff, Team):
            raise InputError("routes= needs agents=Team(...): a single pool takes any query")
        staff.check_routes(routes)
    if retry is not None:
        retry = check_instance("retry", retry, Retry)
    patience_model = Patience.of(patience)
    churn = check_churn(churn_after_abandon)
    frame, cols = canonical_frame(frame)  # the one entry check, as rank and push_frame
    handle_rng, patience_rng, retry_rng, select_rng = _rngs(seed)
    channels = frame["channel"].to_numpy(dtype=object)
    service = _handle(frame, handle, channels, handle_rng)
    wait_limit = patience_model.minutes(frame, rng=patience_rng)
    abandonment = patience_model.describe(frame)
    select_seed = int(select_rng.integers(2**63))
    run = _Run(policy, staff, routes, select_seed)
    if retry is None:
        out = run(_Stream(frame, cols.received_ns, service, wait_limit))
    else:
        out = _run_with_retries(run, frame, cols.received_ns, service, wait_limit, retry, retry_rng)
    records = _records(out, policy)
    return SimulationResult(
        records,
        name=policy.name,
        abandonment=abandonment,
        churn_after_abandon=churn,
        agents=agents,
        seed=None if seed is None or isinstance(seed, np.random.Generator) else int(seed),
    )


@dataclass(frozen=True, slots=True)
class _Stream:
    """The rows a run sees: the frame's, then any potential retries (``pred`` >= 0)."""

    frame: pd.DataFrame
    received: npt.NDArray[np.int64]
    service: npt.NDArray[np.float64]
    wait_limit: npt.NDArray[np.float64]
    pred: npt.NDArray[np.int64] | None = None
    attempt: npt.NDArray[np.int64] | None = None
    first_query_id: npt.NDArray[np.object_] | None = None
    index: pd.Index | None = None  # the records' labels, when not the frame's


@dataclass(frozen=True, slots=True)
class _Outcome:
    """Per row of a stream: start minutes (NaN: gave up), seat, group name, skills, score."""

    stream: _Stream
    base: npt.NDArray[np.float64]
    t0: int
    start: npt.NDArray[np.float64]
    seat: npt.NDArray[np.int64]
    group: pd.Categorical  # the agent's group; NaN for an abandoned query or a single pool
    skills: npt.NDArray[np.object_]


@dataclass(frozen=True, slots=True)
class _Run:
    """One pass of the engine over a stream, with the policy, staffing and routes."""

    policy: Policy
    staff: int | tuple[Shift, ...] | Team
    routes: Routes | None
    select_seed: int

    def __call__(self, stream: _Stream) -> _Outcome:
        policy, staff = self.policy, self.staff
        frame, received = stream.frame, stream.received
        base = policy.score_frame(frame, validate="read")["score"].to_numpy(dtype=np.float64)
        n = len(frame)
        channels = frame["channel"].to_numpy(dtype=object)
        groups = _share_groups(policy, frame)
        needs = _needs(frame, self.routes)

        # Index space of the engine: arrival order (ties by query_id); ``prio`` is
        # each query's place in the policy's static order. Ids only break ties
        # between equal arrival times; rank them once (as ints) if there are any.
        id_rank = np.zeros(n, dtype=np.int64)
        if n and (np.diff(np.sort(received)) == 0).any():
            id_rank = pd.factorize(frame["query_id"], sort=True)[0]
        no_key = np.zeros(n)
        not_due = np.zeros(n, dtype=bool)
        order = rank_order(OrderKeys(no_key, received, id_rank, not_due))
        static_key = heap_key(base, received, policy.aging_rate_per_minute)
        policy_order = rank_order(OrderKeys(static_key, received, id_rank, not_due))
        prio_of_row = np.empty(n, dtype=np.int64)
        prio_of_row[policy_order] = np.arange(n)
        prio = prio_of_row[order]
        by_prio = np.empty(n, dtype=np.int64)
        by_prio[prio] = np.arange(n)
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(n)

        t0 = int(received.min()) if n else 0
        arrival = minutes_between(received[order], t0)
        abandon_at = arrival + stream.wait_limit[order]
        pred = None
        if stream.pred is not None:
            pred_row = stream.pred[order]
            pred_j = np.where(pred_row >= 0, position[np.maximum(pred_row, 0)], -1)
            _check_retry_gap(frame, order, arrival, abandon_at, pred_j)
            pred = pred_j.tolist()
        lists = (arrival.tolist(), stream.service[order].tolist(), abandon_at.tolist())
        limits = groups_j = None
        if policy.max_wait is not None:
            limits = deadline_minutes(policy, channels[order]).tolist()
        if groups is not None and policy.group_share is not None:
            groups_j = [groups[r] for r in order.tolist()]
        team = staff if isinstance(staff, Team) else None
        pool = staff if team is None else _one_pool(team, needs, frame)
        if not isinstance(pool, Team):
            plain = policy.max_wait is None and groups is None
            if plain and isinstance(pool, int) and pred is None:
                start, seat = run_fixed_plain(*lists, prio.tolist(), by_prio.tolist(), pool)
            else:
                line, admit = waiting_line(
                    policy,
                    prio.tolist(),
                    lists[0],
                    lists[2],
                    limits,
                    groups_j,
                    by_prio=by_prio.tolist(),
                )
                start, seat = run_general(
                    lists[0], lists[1], line, admit, _staffing(pool, t0), pred
                )
            grp = None
        else:
            plan, codes, row_skills = team_plan(pool, needs, needs.required[order], channels[order])
            waiting = team_line(
                policy,
                prio.tolist(),
                by_prio.tolist(),
                lists[0],
                lists[2],
                limits,
                groups_j,
                row_skills,
                needs.preferred[order].tolist(),
                needs.lapse,
            )
            start, seat, grp = run_team(
                *lists,
                pred,
                needs.klass[order].tolist(),
                codes,
                waiting,
                plan,
                [_staffing(g.agents, t0) for g in pool.groups],
                rnd=Random(self.select_seed),
                book=policy.group_share is not None,
            )
        start_row = np.asarray(start, dtype=np.float64)[position]
        seat_row = np.asarray(seat, dtype=np.int64)[position]
        labels = () if team is None else tuple(g.name for g in team.groups)
        if grp is None:
            codes_row = np.full(n, -1, dtype=np.int64)
            if team is not None:
                codes_row[seat_row >= 0] = 0
        else:
            codes_row = np.asarray(grp, dtype=np.int64)[position]
        group = pd.Categorical.from_codes(codes_row, categories=pd.Index(labels, dtype=object))
        return _Outcome(stream, base, t0, start_row, seat_row, group, needs.texts)


def _one_pool(team: Team, needs: Needs, frame: pd.DataFrame) -> Team | int | tuple[Shift, ...]:
    """Check that the team may take every query; a one-group team that takes all is a pool."""
    needs.check(team, frame["query_id"].to_numpy(dtype=object))
    if len(team.groups) != 1:
        return team
    group = team.groups[0]
    if any(c != 1 for c in group.capacity.values()) or not needs.covered_by(group.skills):
        return team
    return group.agents


def _needs(frame: pd.DataFrame, routes: Routes | None) -> Needs:
    """Required and preferred skills of every row, and when preferred ones lapse (minutes)."""
    if routes is not None:
        required, preferred = routes.resolve_frame(frame)
        timeout = routes.skills_timeout_minutes
        lapse = math.inf if timeout is None else float(timeout)
        return Needs.of(
            np.asarray(required, dtype=object), np.asarray(preferred, dtype=object), lapse
        )
    if "skills" in frame.columns:
        required = frame["skills"].to_numpy(dtype=object)
        return Needs.of(required, np.full(len(frame), NO_SKILLS, dtype=object), math.inf)
    return Needs.none(len(frame))


def _check_retry_gap(
    frame: pd.DataFrame,
    order: npt.NDArray[np.intp],
    arrival: npt.NDArray[np.float64],
    abandon_at: npt.NDArray[np.float64],
    pred: npt.NDArray[np.int64],
) -> None:
    has = pred >= 0
    early = np.zeros(len(frame), dtype=bool)
    early[order[has]] = arrival[has] <= abandon_at[pred[has]]
    if early.any():
        raise InputError(
            "retry: after_minutes is too small to tell a retry from the time its customer "
            f"gave up: {describe_rows(frame, early)}"
        )


#: Attempts past which a customer who keeps giving up is an error (the load never drains).
MAX_ATTEMPTS = 1025
_FIRST_DEPTH = 8


#: A drawn retry delay is at least this many minutes (one second): a retry then always
#: arrives after its customer gave up, however the time axis rounds.
MIN_DRAWN_DELAY_MINUTES = 1.0 / 60.0
_DELAY_MODELS: dict[str, Any] = {
    "constant": Constant,
    "exponential": Exponential,
    "lognormal": LogNormal,
}


def _delay_model(after: Any) -> float | DurationModel:
    """``Retry.after_minutes`` as minutes (a constant) or the model its delays are drawn from."""
    if isinstance(after, float):
        return after
    if isinstance(after, dict):
        params = {k: v for k, v in after.items() if k != "kind"}
        model: DurationModel = _DELAY_MODELS[str(after["kind"])](**params)
        return model
    assert isinstance(after, DurationModel)  # Retry checked it has draw()
    return after


class _Delays:
    """Each customer's delays before attempts 2, 3, ... (minutes), drawn in blocks.

    A constant is never drawn; a model draws one block of ``depth`` delays per
    frame row at a time from its own stream, so deepening the chains keeps the
    delays already drawn (and two policies with one seed see the same delays).
    """

    def __init__(self, retry: Retry, channels: npt.NDArray[np.object_], rng: np.random.Generator):
        self.model = _delay_model(retry.after_minutes)
        self.channels = np.array([retry.channel_after(c) for c in channels.tolist()], dtype=object)
        self.rng = rng.spawn(1)[0] if not isinstance(self.model, float) else rng
        self.drawn = np.empty((len(channels), 0))

    def block(self, depth: int) -> npt.NDArray[np.float64]:
        n = len(self.channels)
        if isinstance(self.model, float):
            return np.full((n, depth), self.model)
        while self.drawn.shape[1] < depth:
            more = self.drawn.shape[1] or depth
            values = draw_minutes(
                self.model,
                np.tile(self.channels, more),
                self.rng,
                what="retry after_minutes",
                allow_inf=False,
            )
            block = np.maximum(values.reshape(more, n).T, MIN_DRAWN_DELAY_MINUTES)
            self.drawn = np.concatenate([self.drawn, block], axis=1)
        return self.drawn[:, :depth]


def _run_with_retries(
    run: _Run,
    frame: pd.DataFrame,
    received: npt.NDArray[np.int64],
    service: npt.NDArray[np.float64],
    wait_limit: npt.NDArray[np.float64],
    retry: Retry,
    rng: np.random.Generator,
) -> _Outcome:
    """Run with every retry that may happen known in advance, deeper until none is missing.

    A customer's attempt ``k + 1`` may happen if attempt ``k`` gives up and the
    ``k``-th coin (drawn per frame row, in blocks from ``rng``) says so; its
    arrival is then fixed: its delay after giving up (``after_minutes``, or
    the ``k``-th delay drawn for the row, in blocks from a stream spawned from
    ``rng``), with the first patience times ``patience_factor``. Chains of
    potential attempts up to a depth are added as rows; if a customer gives up
    at the deepest one, the depth doubles and the run is repeated (the draws
    of the first blocks do not change).
    """
    n = len(frame)
    coins = rng.random((n, _FIRST_DEPTH))
    delays = _Delays(retry, frame["channel"].to_numpy(dtype=object), rng)
    while True:
        depth = coins.shape[1]
        stream, late_next = _with_retries(
            frame,
            received,
            service,
            wait_limit,
            coins < retry.probability,
            delays.block(depth),
            retry,
        )
        out = run(stream)
        assert stream.attempt is not None
        gave_up = np.isnan(out.start) & (out.seat != NEVER)
        late = late_next & gave_up
        if late.any():  # a retry that really happens, past the last representable instant
            raise InputError(
                f"retry: a retry would arrive past the time axis ({MAX_TIME.isoformat()}) for "
                f"{describe_rows(stream.frame, late)}"
            )
        deepest = (stream.attempt == depth + 1) & gave_up
        if not deepest.any():
            return out
        if 2 * depth + 1 > MAX_ATTEMPTS:
            raise InputError(
                f"retry: a customer gave up {depth + 1} times; the queue never catches up "
                f"(probability={retry.probability}): {describe_rows(stream.frame, deepest)}"
            )
        coins = np.concatenate([coins, rng.random((n, depth))], axis=1)


def _with_retries(
    frame: pd.DataFrame,
    received: npt.NDArray[np.int64],
    service: npt.NDArray[np.float64],
    wait_limit: npt.NDArray[np.float64],
    willing: npt.NDArray[np.bool_],
    delay: npt.NDArray[np.float64],
    retry: Retry,
) -> tuple[_Stream, npt.NDArray[np.bool_]]:
    """The frame's rows and their potential retries, and which rows' next retry is past the axis.

    A potential attempt that would arrive, or give up, past the time axis (a
    customer with centuries of patience) is not added; the second array marks the rows
    whose next attempt that is, so the caller can refuse the run only if such
    a retry really happens (the row gives up).
    """
    n = len(frame)
    depth = willing.shape[1]
    # Attempt k + 2 of row i arrives gap_0 + ... + gap_k after the first, gap_j = the patience
    # of attempt j + 1 (the first's, then times patience_factor) + the j-th delay.
    retry_patience = wait_limit * retry.patience_factor
    with np.errstate(invalid="ignore", over="ignore"):
        gaps = np.concatenate([wait_limit[:, None], np.tile(retry_patience, (depth - 1, 1)).T], 1)
        gaps += delay
        offset = np.cumsum(gaps, axis=1)
        # equal gaps (a constant delay, the same patience): k × gap exactly, as a sum may drift
        equal = (gaps == gaps[:, :1]).all(axis=1)
        offset[equal] = np.arange(1, depth + 1)[None, :] * gaps[equal, :1]
        arrive = received[:, None] + offset * NS_PER_MINUTE
    # ... and the attempt's own giving-up time (arrival + patience) must be on the axis too
    in_time = ~past_time_axis(arrive + retry_patience[:, None] * NS_PER_MINUTE)
    chain = np.logical_and.accumulate(willing, axis=1) & np.isfinite(wait_limit)[:, None]
    # exists[i, k]: attempt k + 2 of row i may happen (patience finite, coins 1..k+1 say yes,
    # and it arrives before the end of the time axis).
    exists = chain & np.logical_and.accumulate(in_time, axis=1)
    rows_k = [np.flatnonzero(exists[:, k]) for k in range(depth)]
    sizes = [len(r) for r in rows_k]
    total = n + sum(sizes)
    where = np.full((n, depth + 1), -1, dtype=np.int64)
    where[:, 0] = np.arange(n)
    src = np.concatenate([np.arange(n), *rows_k]).astype(np.int64)
    attempt = np.concatenate(
        [
            np.ones(n, dtype=np.int64),
            *[np.full(s, k + 2, dtype=np.int64) for k, s in enumerate(sizes)],
        ]
    )
    pred = np.full(total, -1, dtype=np.int64)
    at = n
    for k, rows in enumerate(rows_k):
        where[rows, k + 1] = np.arange(at, at + len(rows))
        pred[at : at + len(rows)] = where[rows, k]
        at += len(rows)
    extra = src[n:]
    retry_ns = received[extra] + offset[extra, attempt[n:] - 2] * NS_PER_MINUTE
    # late_next[j]: stream row j's customer would try again (chain and coin say so) but
    # after the end of the time axis.
    late_next = np.zeros(total, dtype=bool)
    for k in range(depth):
        before = exists[:, k - 1] if k else np.ones(n, dtype=bool)  # attempt k + 1 may happen
        prev = where[chain[:, k] & ~exists[:, k] & before, k]
        late_next[prev] = True
    ids = frame["query_id"].to_numpy(dtype=object)
    first = ids[src]
    more = frame.iloc[extra].copy()
    more["query_id"] = [
        f"{q}#{a}" for q, a in zip(first[n:].tolist(), attempt[n:].tolist(), strict=True)
    ]
    more["received_at"] = pd.DatetimeIndex(
        np.round(retry_ns).astype(np.int64).view("datetime64[ns]")
    ).tz_localize("UTC")
    if retry.channel is not None:
        more["channel"] = [retry.channel_after(c) for c in more["channel"].astype(str).tolist()]
    if "handle_minutes" in more.columns:
        more["handle_minutes"] = service[extra]
    full = (
        pd.concat([frame, more], ignore_index=True) if len(more) else frame.reset_index(drop=True)
    )
    full, cols = canonical_frame(full)
    stream = _Stream(
        full,
        cols.received_ns,
        service[src],
        np.concatenate([wait_limit, retry_patience[extra]]),
        pred=pred,
        attempt=attempt,
        first_query_id=first,
        index=frame.index[src],
    )
    return stream, late_next


def _records(out: _Outcome, policy: Policy) -> pd.DataFrame:
    """One row per attempt that happened: the frame's rows, then retries in arrival order."""
    stream = out.stream
    frame, received, t0 = stream.frame, stream.received, out.t0
    start, seat, base = out.start, out.seat, out.base
    service, patience = stream.service, stream.wait_limit
    group, skills = out.group, out.skills
    n = len(frame)
    index = frame.index if stream.index is None else stream.index
    attempt = np.ones(n, dtype=np.int64) if stream.attempt is None else stream.attempt
    first = frame["query_id"].to_numpy(dtype=object)
    if stream.first_query_id is not None:
        first = stream.first_query_id
    if stream.pred is not None:
        firsts = int((attempt == 1).sum())
        later = firsts + np.flatnonzero(seat[firsts:] != NEVER)
        later = later[np.argsort(received[later], kind="stable")]
        rows = np.concatenate([np.arange(firsts), later])
        frame = frame.iloc[rows]
        received, start, seat, base = received[rows], start[rows], seat[rows], base[rows]
        service, patience, group, skills = service[rows], patience[rows], group[rows], skills[rows]
        index, attempt, first = index[rows], attempt[rows], first[rows]
    abandoned = np.isnan(start)
    wait = np.where(abandoned, patience, start - minutes_between(received, t0))
    over = past_time_axis(t0 + np.where(abandoned, 0.0, start + service) * NS_PER_MINUTE)
    if over.any():
        raise InputError(
            f"finished_at would run past the time axis ({MAX_TIME.isoformat()}): handle times "
            f"too long for {describe_rows(frame, over)}"
        )
    channel = frame["channel"]
    public = public_flags(frame)
    followers = frame["followers"].to_numpy()
    value = frame["lifetime_value"].to_numpy(dtype=np.float64)
    data = {
        "query_id": frame["query_id"].array,
        "customer_id": frame["customer_id"].array,
        "channel": channel.array,
        "is_public": public,
        "received_at": frame["received_at"].dt.tz_convert("UTC").array,
        "started_at": _utc(t0, start, abandoned, at_least=received),
        "finished_at": _utc(t0, start + service, abandoned, at_least=received),
        "wait_minutes": wait,
        "handle_minutes": service,
        "patience_minutes": patience,
        "abandoned": abandoned,
        "agent": pd.arrays.IntegerArray(np.where(abandoned, 0, seat), abandoned.copy()),
        "score_at_start": np.where(abandoned, np.nan, base + policy.aging_rate_per_minute * wait),
        "followers": followers,
        "follower_band": group_labels(frame, group="follower_band").array,
        "lifetime_value": value,
        "value_band": group_labels(frame, group="value_band").array,
        "agent_group": group,
        "skills": skills,
        "attempt": attempt,
        "first_query_id": first,
    }
    query = query_columns(frame)  # what a query is (type, topic, ...), when the frame says
    out_frame = pd.DataFrame(data | query, columns=[*RECORD_COLUMNS, *query])
    out_frame.index = index
    return out_frame


def _utc(
    t0: int,
    minutes: npt.NDArray[np.float64],
    missing: npt.NDArray[np.bool_],
    *,
    at_least: npt.NDArray[np.int64],
) -> Any:
    # Minutes since t0 back to ns, rounded the same way for every time of a run (so a
    # start is never before the previous finish of its agent), and never before the
    # query's own arrival (float minutes far from t0 can round it 1 ns earlier).
    ns = t0 + np.round(np.where(missing, 0.0, minutes) * NS_PER_MINUTE).astype(np.int64)
    ns = np.maximum(ns, at_least)
    values = ns.view("datetime64[ns]")
    values[missing] = np.datetime64("NaT")
    return pd.DatetimeIndex(values).tz_localize("UTC").array
