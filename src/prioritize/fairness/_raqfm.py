r"""RAQFM: the Resource Allocation Queueing Fairness Measure.

Raz, Levy and Avi-Itzhak (SIGMETRICS 2004) judge a queue by how its service
is shared *while queries are present*: at every moment each query in the
system is entitled to an equal share of the servers, and a query's
discrimination is the service it received minus the service it was entitled
to. Serving a late, short query first is not unfair in itself; what counts is
who held the servers while whom was waiting.

The multi-agent form used here: with ``c`` agents and ``N(t)`` queries in the
system at time ``t`` (waiting or in service), each present query is entitled
to service at rate ``min(1, c / N(t))``: an equal share of the ``c`` agents,
but never more than one agent, since a query is served by one agent at a time.
A query in service receives service at rate 1. Query ``i``, present from
arrival ``a_i`` to departure ``d_i``, has discrimination

.. math::

    D_i = \int_{a_i}^{d_i} \big(\sigma_i(t) - \min(1, c / N(t))\big)\,dt

in minutes, where :math:`\sigma_i(t)` is 1 while ``i`` is in service, else 0.
``D_i > 0``: ``i`` got more than its share (favoured); ``D_i < 0``: less.

Conservation: ``Σ_i D_i = Σ_i S_i - ∫ min(N(t), c) dt``, with ``S_i`` the
service received. A work-conserving queue (no agent idle while a query
waits) has ``min(N(t), c)`` agents busy at every moment, so ``Σ D = 0``;
otherwise ``Σ D`` is minus the agent-minutes left idle while queries waited.
The paper's system-level unfairness is the variance of ``D``.

A query that abandons, or is still waiting when the records end, is present
for its ``wait_minutes`` and receives no service: its ``D`` is minus what it
was entitled to while it waited.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.checks import check_int
from prioritize.fairness._columns import (
    Events,
    FloatArray,
    GroupSpec,
    encode_groups,
    read_events,
)

__all__ = ["class_discrimination", "raqfm"]


def _check_agents(agents: int) -> int:
    return check_int("agents", agents, minimum=1)


def _present(starts: FloatArray, ends: FloatArray, times: FloatArray) -> FloatArray:
    """How many intervals ``[start, end)`` hold each moment of ``times``."""
    opened = np.searchsorted(np.sort(starts), times, side="right")
    closed = np.searchsorted(np.sort(ends), times, side="right")
    return np.asarray(opened - closed, dtype=np.float64)


def _check_capacity(events: Events, agents: int) -> None:
    start = events.start[events.served]
    if start.size == 0:
        return
    moments = np.unique(start)  # the count in service only rises at a start
    busy = _present(start, events.departure[events.served], moments)
    if busy.max() > agents:
        at = int(np.argmax(busy))
        moment = pd.Timestamp(events.origin_ns, tz="UTC") + pd.Timedelta(minutes=float(moments[at]))
        raise InputError(
            f"records have {int(busy[at])} queries in service at once (at {moment}), "
            f"more than agents={agents}"
        )


def _entitlement(arrival: FloatArray, departure: FloatArray, agents: int) -> FloatArray:
    """``∫ min(1, c / N(t)) dt`` over each query's stay, by one sweep over the event times."""
    times = np.unique(np.concatenate([arrival, departure]))
    present = _present(arrival, departure, times[:-1])
    # The rate is the same for every present query, so one running integral serves all.
    rate = np.where(present > 0, np.minimum(1.0, agents / np.maximum(present, 1.0)), 0.0)
    running = np.concatenate([[0.0], np.cumsum(rate * np.diff(times))])
    after = running[np.searchsorted(times, departure)]
    before = running[np.searchsorted(times, arrival)]
    return np.asarray(after - before, dtype=np.float64)


def raqfm(records: Any, *, agents: int) -> pd.Series:
    """Each query's RAQFM discrimination ``D_i``, in minutes (see the module notes).

    Parameters
    ----------
    records
        One row per query with ``received_at``, ``started_at`` (NaT if never
        served), ``finished_at`` for served queries, and ``wait_minutes`` for
        queries never served (how long they were present). ``abandoned``, if
        present, is checked against ``started_at``.
    agents
        The number of agents ``c`` serving the queue throughout.

    Returns
    -------
    pandas.Series
        ``discrimination`` with the index of ``records``: > 0 favoured, < 0
        disfavoured. Sums to 0 when the queue was work-conserving.

    Raises
    ------
    SchemaError
        A missing column, a NaT arrival, a start before arrival, a finish
        before start, a served query without ``finished_at``, a query never
        served without ``wait_minutes``.
    InputError
        If ``agents`` is not a whole number >= 1, or the records have more
        than ``agents`` queries in service at once.
    """
    c = _check_agents(agents)
    events = read_events(records, departures=True)
    _check_capacity(events, c)
    service = np.where(events.served, events.departure - np.nan_to_num(events.start), 0.0)
    entitled = _entitlement(events.arrival, events.departure, c)
    return pd.Series(service - entitled, index=records.index, name="discrimination")


def class_discrimination(
    records: Any, *, agents: int, group: GroupSpec = "follower_band"
) -> pd.DataFrame:
    """RAQFM discrimination by group: positive means the group was favoured.

    Returns a frame indexed by group (groups without rows left out) with
    ``count``, ``mean`` (the class discrimination of Raz et al.: mean ``D``
    per query, in minutes) and ``total`` (sum of ``D``, in minutes; the
    totals sum to 0 for a work-conserving queue).
    """
    groups = encode_groups(records, group)
    d = raqfm(records, agents=agents).to_numpy(dtype=np.float64)
    sizes = groups.sizes
    total = np.bincount(groups.codes, weights=d, minlength=sizes.size)
    return pd.DataFrame(
        {"count": sizes, "mean": total / sizes, "total": total}, index=groups.labels
    )
