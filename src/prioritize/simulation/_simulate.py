"""``simulate``: a query frame, a policy and a staffing in; records and figures out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.checks import SeedLike, check_random_state
from prioritize._internal.frames import MAX_TIME, past_time_axis
from prioritize._internal.rows import describe_rows
from prioritize._internal.times import NS_PER_MINUTE, minutes_between
from prioritize.models import canonical_frame, group_labels, public_flags
from prioritize.policy import (
    OrderKeys,
    Policy,
    deadline_minutes,
    heap_key,
    rank_order,
)
from prioritize.simulation._engine import run_fixed_plain, run_general, waiting_line
from prioritize.simulation._models import (
    ChannelLogNormal,
    DurationModel,
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

__all__ = ["Agents", "simulate"]

#: Staffing: a fixed number of agents, or shifts.
Agents = int | Shift | Sequence[Shift]


def _check_agents(agents: Any) -> int | tuple[Shift, ...]:
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
        f"agents must be a positive int, a Shift or a list of Shift; got {type(agents).__name__}"
    )


def _rngs(seed: SeedLike) -> list[np.random.Generator]:
    # Handle and patience draws get independent streams: changing one model
    # leaves the other's draws (and so a paired comparison) unchanged. A fresh
    # generator of an int seed spawns the children of SeedSequence(seed).
    return check_random_state(seed).spawn(2)


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
    seed: SeedLike = 0,
    handle: DurationModel | float | None = None,
    patience: PatienceLike = None,
    churn_after_abandon: float = CHURN_AFTER_ABANDON,
) -> SimulationResult:
    """Replay a stream of queries through ``policy`` with the given staffing.

    A discrete-event simulation: queries arrive at ``received_at``; an agent
    serves one query at a time, without preemption; a free agent takes the
    next query in the policy's order (scores with aging, ``MaxWait`` overdue
    queries first, ``GroupShare`` between groups), exactly the order of
    :meth:`Policy.rank` and ``TriageQueue``; ties by arrival, then
    ``query_id``. A query that has waited strictly longer than its patience
    abandons. The run continues until every query is served or abandoned.

    Parameters
    ----------
    frame
        A canonical query frame (see :mod:`prioritize.models`).
    policy
        The :class:`~prioritize.Policy` deciding the order.
    agents
        An int (that many agents all the time), a :class:`Shift` or a list of
        shifts. With shifts, agents come on duty when a shift starts and leave
        when it ends, finishing the query in hand first; a schedule may leave
        nobody on duty for a while (queries wait, or abandon).
    seed
        Seed or ``numpy.random.Generator`` for the drawn handle times and
        patience (two independent streams spawned from it). The same seed
        gives the same records; the same seed under two policies gives the
        same draws for every query (common random numbers).
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
        :attr:`SimulationResult.abandonment` says which was used. A customer
        who gives up is not modelled as re-contacting (a later issue).
    churn_after_abandon
        Probability in [0, 1] that a customer who gave up is lost, for the
        summary's ``expected_loss`` (default :data:`CHURN_AFTER_ABANDON`, an
        assumption).

    Returns
    -------
    SimulationResult
        ``records`` (one row per input row, same order and index) and
        ``summary`` (:func:`summarize`).

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
        a channel of the frame), or ``churn_after_abandon`` outside [0, 1].

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
    patience_model = Patience.of(patience)
    churn = check_churn(churn_after_abandon)
    frame, cols = canonical_frame(frame)  # the one entry check, as rank and push_frame
    base = policy.score_frame(frame, validate="read")["score"].to_numpy(dtype=np.float64)
    n = len(frame)
    received = cols.received_ns
    channels = frame["channel"].to_numpy(dtype=object)
    handle_rng, patience_rng = _rngs(seed)
    service = _handle(frame, handle, channels, handle_rng)
    wait_limit = patience_model.minutes(frame, rng=patience_rng)
    abandonment = patience_model.describe(frame)
    groups = _share_groups(policy, frame)

    # Index space of the engine: arrival order (ties by query_id); ``prio`` is
    # each query's place in the policy's static order. Ids only break ties
    # between equal arrival times; rank them once (as ints) if there are any.
    id_rank = np.zeros(n, dtype=np.int64)
    if n and (np.diff(np.sort(received)) == 0).any():
        id_rank = pd.factorize(frame["query_id"], sort=True)[0]
    no_key = np.zeros(n)
    not_due = np.zeros(n, dtype=bool)
    arrival_order = rank_order(OrderKeys(no_key, received, id_rank, not_due))
    static_key = heap_key(base, received, policy.aging_rate_per_minute)
    policy_order = rank_order(OrderKeys(static_key, received, id_rank, not_due))
    prio_of_row = np.empty(n, dtype=np.int64)
    prio_of_row[policy_order] = np.arange(n)
    prio = prio_of_row[arrival_order]
    by_prio = np.empty(n, dtype=np.int64)
    by_prio[prio] = np.arange(n)

    t0 = int(received.min()) if n else 0
    arrival = minutes_between(received[arrival_order], t0)
    abandon_at = arrival + wait_limit[arrival_order]
    lists = (arrival.tolist(), service[arrival_order].tolist(), abandon_at.tolist())
    plain = policy.max_wait is None and groups is None
    if plain and isinstance(staff, int):
        start, seat = run_fixed_plain(*lists, prio.tolist(), by_prio.tolist(), staff)
    else:
        limits = groups_j = None
        if policy.max_wait is not None:
            limits = deadline_minutes(policy, channels[arrival_order]).tolist()
        if groups is not None and policy.group_share is not None:
            groups_j = [groups[r] for r in arrival_order.tolist()]
        line, admit = waiting_line(
            policy, prio.tolist(), lists[0], lists[2], limits, groups_j, by_prio=by_prio.tolist()
        )
        start, seat = run_general(lists[0], lists[1], line, admit, _staffing(staff, t0))

    start_row = np.empty(n)
    start_row[arrival_order] = start
    seat_row = np.empty(n, dtype=np.int64)
    seat_row[arrival_order] = seat
    records = _records(frame, policy, base, received, t0, start_row, seat_row, service, wait_limit)
    return SimulationResult(
        records,
        name=policy.name,
        abandonment=abandonment,
        churn_after_abandon=churn,
        agents=agents,
    )


def _records(
    frame: pd.DataFrame,
    policy: Policy,
    base: npt.NDArray[np.float64],
    received: npt.NDArray[np.int64],
    t0: int,
    start: npt.NDArray[np.float64],
    seat: npt.NDArray[np.int64],
    service: npt.NDArray[np.float64],
    patience: npt.NDArray[np.float64],
) -> pd.DataFrame:
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
        "started_at": _utc(t0, start, abandoned),
        "finished_at": _utc(t0, start + service, abandoned),
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
    }
    query = query_columns(frame)  # what a query is (type, topic, ...), when the frame says
    return pd.DataFrame(data | query, index=frame.index, columns=[*RECORD_COLUMNS, *query])


def _utc(t0: int, minutes: npt.NDArray[np.float64], missing: npt.NDArray[np.bool_]) -> Any:
    ns = t0 + np.round(np.where(missing, 0.0, minutes) * NS_PER_MINUTE).astype(np.int64)
    values = ns.view("datetime64[ns]")
    values[missing] = np.datetime64("NaT")
    return pd.DatetimeIndex(values).tz_localize("UTC").array
