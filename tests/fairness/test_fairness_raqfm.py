"""RAQFM on hand-computed queues, its closed form, conservation, and bad records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError, SchemaError
from prioritize.fairness import class_discrimination, raqfm


def test_one_agent_two_queries(records_of) -> None:  # type: ignore[no-untyped-def]
    # q0 arrives at 0, served 0-2; q1 arrives at 1, served 2-3.
    # N = 1 on [0,1), 2 on [1,2), 1 on [2,3): entitlement q0 = 1 + 1/2, q1 = 1/2 + 1.
    d = raqfm(records_of([0, 1], [0, 2], [2, 3]), agents=1)
    assert d.name == "discrimination"
    assert d.tolist() == pytest.approx([2 - 1.5, 1 - 1.5], abs=1e-12)


def test_two_agents_three_queries(records_of) -> None:  # type: ignore[no-untyped-def]
    # q0: 0, served 0-3; q1: 0, served 0-1; q2: 0.5, waits, served 1-2 (c = 2).
    # N = 2 on [0,.5), 3 on [.5,1), 2 on [1,2), 1 on [2,3); rate min(1, 2/N) = 1, 2/3, 1, 1.
    d = raqfm(records_of([0, 0, 0.5], [0, 0, 1], [3, 1, 2]), agents=2)
    expected = [3 - (0.5 + 1 / 3 + 1 + 1), 1 - (0.5 + 1 / 3), 1 - (1 / 3 + 1)]
    assert d.tolist() == pytest.approx(expected, abs=1e-12)
    assert d.sum() == pytest.approx(0.0, abs=1e-12)


def test_abandoned_query_is_present_until_it_leaves(records_of) -> None:  # type: ignore[no-untyped-def]
    # One agent. q0: 0, served 0-2; q1: 0.5, gives up after 1 minute; q2: 1, served 2-3.
    # N = 1, 2, 3, 2, 1 on [0,.5), [.5,1), [1,1.5), [1.5,2), [2,3).
    records = records_of([0, 0.5, 1], [0, np.nan, 2], [2, np.nan, 3], wait=[0, 1, 1])
    d = raqfm(records, agents=1)
    assert d.tolist() == pytest.approx([2 - 7 / 6, -5 / 12, 1 - 17 / 12], abs=1e-12)
    assert d.sum() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_simultaneous_arrivals_served_in_turn(records_of, n: int) -> None:  # type: ignore[no-untyped-def]
    # n queries at time 0, one agent, unit service in order: N(t) = n - floor(t), so the
    # k-th (from 1) is entitled to Σ_{m<=k} 1/(n-m+1) = H_n - H_{n-k} and D_k = 1 - that.
    d = raqfm(records_of([0] * n, range(n), range(1, n + 1)), agents=1)
    harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, n + 1))])
    expected = [1 - (harmonic[n] - harmonic[n - k]) for k in range(1, n + 1)]
    assert d.tolist() == pytest.approx(expected, abs=1e-12)
    assert np.all(np.diff(d.to_numpy()) < 0)  # served earlier = favoured more


def test_idle_agent_while_a_query_waits_breaks_conservation(records_of) -> None:  # type: ignore[no-untyped-def]
    # Not work-conserving: the agent idles 1 minute while q0 waits; Σ D = -1.
    d = raqfm(records_of([0, 0], [1, 0], [2, 0.5]), agents=2)
    assert d.sum() == pytest.approx(-1.0, abs=1e-12)
    assert d.tolist() == pytest.approx([1 - 2, 0.5 - 0.5], abs=1e-12)


def test_nobody_waits_means_nobody_is_discriminated(records_of) -> None:  # type: ignore[no-untyped-def]
    arrival = [0, 0.5, 1, 4]
    d = raqfm(records_of(arrival, arrival, [3, 2, 5, 6]), agents=3)
    assert d.tolist() == pytest.approx([0, 0, 0, 0], abs=1e-12)


def test_index_is_kept_and_time_origin_does_not_matter(records_of) -> None:  # type: ignore[no-untyped-def]
    records = records_of([0, 1], [0, 2], [2, 3])
    shifted = records_of([500, 501], [500, 502], [502, 503])
    shifted.index = ["x", "y"]
    d = raqfm(shifted, agents=1)
    assert list(d.index) == ["x", "y"]
    assert d.tolist() == pytest.approx(raqfm(records, agents=1).tolist(), abs=1e-9)


# Minutes as whole numbers, so every event time is exact and ties are common.
queues = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 4), min_size=n, max_size=n),  # gaps between arrivals
        st.lists(st.integers(1, 6), min_size=n, max_size=n),  # service minutes
        st.lists(st.one_of(st.just(np.inf), st.integers(0, 8)), min_size=n, max_size=n),
        st.lists(st.integers(0, 3), min_size=n, max_size=n),  # priority (0 first)
        st.integers(1, 3),  # agents
    )
)


@given(queues)
def test_work_conserving_queues_conserve_and_match_the_integral(
    records_of, schedule, queue
) -> None:  # type: ignore[no-untyped-def]
    gaps, service, patience, priority, agents = queue
    arrival = np.cumsum(gaps).astype(float)
    start, finish, wait = schedule(arrival, service, patience, agents, priority)
    records = records_of(arrival, start, finish, wait=wait)
    d = raqfm(records, agents=agents)
    assert len(d) == len(records)
    assert d.sum() == pytest.approx(0.0, abs=1e-9)
    # Every event falls on a whole minute, so N(t) is constant on each [t, t + 1):
    # integrate the definition minute by minute.
    served = ~np.isnan(start)
    leave = np.where(served, finish, arrival + wait)
    by_minute = np.zeros(len(arrival))
    for t in range(int(leave.max()) if len(leave) else 0):
        present = (arrival <= t) & (t < leave)
        in_service = served & (start <= t) & (t < finish)
        if present.any():
            share = min(1.0, agents / present.sum())
            by_minute += np.where(present, in_service - share, 0.0)
    np.testing.assert_allclose(d.to_numpy(), by_minute, atol=1e-9)


def test_class_discrimination_by_group(records_of, bands) -> None:  # type: ignore[no-untyped-def]
    records = records_of(
        [0, 0.5, 1],
        [0, np.nan, 2],
        [2, np.nan, 3],
        wait=[0, 1, 1],
        follower_band=pd.Categorical(["100k+", "<1k", "<1k"], categories=bands),
    )
    table = class_discrimination(records, agents=1)
    assert list(table.columns) == ["count", "mean", "total"]
    assert list(table.index) == ["<1k", "100k+"]
    assert table["count"].tolist() == [2, 1]
    assert table["total"].tolist() == pytest.approx([-5 / 12 - 5 / 12, 5 / 6], abs=1e-12)
    assert table["mean"].tolist() == pytest.approx([-5 / 12, 5 / 6], abs=1e-12)


def test_bad_records(records_of) -> None:  # type: ignore[no-untyped-def]
    good = records_of([0, 1], [0, 2], [2, 3])
    with pytest.raises(InputError, match="2 queries in service at once .* more than agents=1"):
        raqfm(records_of([0, 0], [0, 0], [1, 1]), agents=1)
    with pytest.raises(SchemaError, match=r"started_at is before received_at: row 1 \(query_id"):
        raqfm(records_of([0, 1], [0, 0.5], [2, 3]), agents=2)
    with pytest.raises(SchemaError, match=r"finished_at is before started_at: row 0"):
        raqfm(records_of([0, 1], [0, 2], [-1, 3]), agents=2)
    with pytest.raises(SchemaError, match=r"served queries \(with started_at\) need finished_at"):
        raqfm(records_of([0, 1], [0, 2], [np.nan, 3]), agents=2)
    with pytest.raises(SchemaError, match="abandoned queries must have no started_at: row 1"):
        raqfm(good.assign(abandoned=[False, True]), agents=1)
    with pytest.raises(SchemaError, match="queries never served need wait_minutes"):
        raqfm(records_of([0, 1], [0, np.nan], [2, np.nan], wait=[0, np.nan]), agents=1)
    with pytest.raises(SchemaError, match=r"missing required column\(s\) \['finished_at'\]"):
        raqfm(good.drop(columns="finished_at"), agents=1)
    with pytest.raises(
        SchemaError, match=r"column 'received_at' has missing timestamps \(NaT\): row 1"
    ):
        raqfm(good.assign(received_at=[good["received_at"][0], pd.NaT]), agents=1)
    naive = good.assign(started_at=good["started_at"].dt.tz_localize(None))
    with pytest.raises(SchemaError, match="column 'started_at' holds naive datetimes"):
        raqfm(naive, agents=1)
    with pytest.raises(SchemaError, match="column 'finished_at' must be timezone-aware"):
        raqfm(good.assign(finished_at=["9:00", "9:01"]), agents=1)
    for agents in (0, 1.5, True, "2"):
        with pytest.raises(InputError, match="agents must be a whole number >= 1"):
            raqfm(good, agents=agents)  # type: ignore[arg-type]
