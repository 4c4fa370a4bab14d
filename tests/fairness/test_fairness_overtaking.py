"""Overtaking against a brute-force count over all pairs, FIFO, and hand-made examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import SchemaError
from prioritize.fairness import overtaking

COLUMNS = ["pairs", "overtakes", "rate", "mean_jump_minutes"]


def brute_force(
    arrival: np.ndarray, start: np.ndarray, leave: np.ndarray, group: list[str]
) -> dict[tuple[str, str], tuple[int, int, float]]:
    """(pairs, overtakes, total jump) per (overtaker, overtaken), straight from the definition."""
    out: dict[tuple[str, str], list[float]] = {}
    for i in range(len(arrival)):
        for j in range(len(arrival)):
            if not arrival[j] < arrival[i] < leave[j]:
                continue
            cell = out.setdefault((group[i], group[j]), [0, 0, 0.0])
            cell[0] += 1
            if start[i] < leave[j]:  # NaN start (never served) compares false
                cell[1] += 1
                cell[2] += arrival[i] - arrival[j]
    return {key: (int(p), int(o), j) for key, (p, o, j) in out.items()}


queries = st.lists(
    st.tuples(
        st.integers(0, 12),  # arrival minute
        st.one_of(st.none(), st.integers(0, 10)),  # minutes to start, None = never served
        st.integers(0, 10),  # wait of a query never served
        st.sampled_from(["a", "b", "c"]),
    ),
    min_size=1,
    max_size=30,
)


@given(queries)
def test_matches_brute_force(records_of, data) -> None:  # type: ignore[no-untyped-def]
    arrival = np.array([a for a, _, _, _ in data], dtype=float)
    start = np.array([np.nan if s is None else a + s for a, s, _, _ in data], dtype=float)
    wait = np.where(np.isnan(start), [w for _, _, w, _ in data], start - arrival)
    group = [g for _, _, _, g in data]
    records = records_of(arrival, start, wait=wait, band=group)
    table = overtaking(records, group="band")
    leave = np.where(np.isnan(start), arrival + wait, start)
    expected = brute_force(arrival, start, leave, group)
    labels = sorted(set(group))
    assert list(table.columns) == COLUMNS
    assert list(table.index) == [(g, h) for g in labels for h in labels]
    assert table.index.names == ["overtaker", "overtaken"]
    for (g, h), row in table.iterrows():
        pairs, overtakes, jump = expected.get((g, h), (0, 0, 0.0))
        assert (row["pairs"], row["overtakes"]) == (pairs, overtakes)
        if pairs:
            assert row["rate"] == pytest.approx(overtakes / pairs)
            assert 0.0 <= row["rate"] <= 1.0
        else:
            assert np.isnan(row["rate"])
        if overtakes:
            assert row["mean_jump_minutes"] == pytest.approx(jump / overtakes, abs=1e-9)
            assert row["mean_jump_minutes"] > 0
        else:
            assert np.isnan(row["mean_jump_minutes"])


fifo_queues = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
        st.lists(st.integers(1, 6), min_size=n, max_size=n),
        st.lists(st.one_of(st.just(np.inf), st.integers(0, 8)), min_size=n, max_size=n),
        st.integers(1, 3),
    )
)


@given(fifo_queues)
def test_first_come_first_served_overtakes_nobody(records_of, schedule, queue) -> None:  # type: ignore[no-untyped-def]
    gaps, service, patience, agents = queue
    arrival = np.cumsum(gaps).astype(float)
    start, finish, wait = schedule(arrival, service, patience, agents, [0] * len(gaps))
    records = records_of(arrival, start, finish, wait=wait, band=(["x", "y"] * 13)[: len(gaps)])
    table = overtaking(records, group="band")
    assert table["overtakes"].sum() == 0


def test_hand_made_queue(records_of, bands) -> None:  # type: ignore[no-untyped-def]
    # q0 (<1k) waits from 0 to 10; q1 (100k+) arrives at 2, served at 3: overtakes q0 by 2 min.
    # q2 (<1k) arrives at 4 and abandons at 6, while q0 still waits: a pair, no overtake.
    # q3 (100k+) arrives at 5, served at 5: overtakes q0 (by 5) and q2 (by 1).
    records = records_of(
        [0, 2, 4, 5],
        [10, 3, np.nan, 5],
        wait=[10, 1, 2, 0],
        follower_band=pd.Categorical(["<1k", "100k+", "<1k", "100k+"], categories=bands),
    )
    table = overtaking(records)
    assert list(table.index.get_level_values(0).unique()) == ["<1k", "100k+"]
    row = table.loc[("100k+", "<1k")]
    assert (row["pairs"], row["overtakes"]) == (3, 3)
    assert row["mean_jump_minutes"] == pytest.approx((2 + 5 + 1) / 3)
    row = table.loc[("<1k", "<1k")]
    assert (row["pairs"], row["overtakes"], row["rate"]) == (1, 0, 0.0)
    assert table.loc[("100k+", "100k+"), "pairs"] == 0  # q1 had started when q3 came
    assert table.loc[("<1k", "100k+"), "pairs"] == 0


def test_simultaneous_arrivals_never_overtake(records_of) -> None:  # type: ignore[no-untyped-def]
    records = records_of([0, 0, 0], [5, 0, 2], wait=[5, 0, 2], band=["a", "b", "b"])
    table = overtaking(records, group="band")
    assert table["pairs"].sum() == 0 and table["overtakes"].sum() == 0


def test_several_group_columns(records_of) -> None:  # type: ignore[no-untyped-def]
    records = records_of(
        [0, 1],
        [5, 1],
        wait=[5, 0],
        band=["a", "b"],
        channel=["email", "chat"],
    )
    table = overtaking(records, group=["band", "channel"])
    overtakes = dict(zip(table.index, table["overtakes"], strict=True))
    assert overtakes == {
        (("a", "email"), ("a", "email")): 0,
        (("a", "email"), ("b", "chat")): 0,
        (("b", "chat"), ("a", "email")): 1,
        (("b", "chat"), ("b", "chat")): 0,
    }


def test_large_records_agree_with_a_direct_count(records_of, schedule) -> None:  # type: ignore[no-untyped-def]
    # A random-priority queue of 20k queries: the counts agree with a direct count for a
    # sample of overtakers, and every row of the records was used.
    rng = np.random.default_rng(3)
    n = 20_000
    arrival = np.cumsum(rng.exponential(1.0, n))
    start, finish, wait = schedule(
        arrival, rng.exponential(2.8, n), np.full(n, np.inf), 3, rng.random(n)
    )
    group = rng.choice(["a", "b"], n)
    table = overtaking(records_of(arrival, start, finish, wait=wait, band=group), group="band")
    leave = np.where(np.isnan(start), arrival + wait, start)
    sample = rng.choice(n, 200, replace=False)
    expected = sum(
        int(np.sum((arrival < arrival[i]) & (start[i] < leave) & (group == "a")))
        for i in sample
        if group[i] == "b"
    )
    assert expected > 0
    # Re-count the same sample through the function on a frame restricted to the
    # sample's overtakers and everyone else who could be overtaken.
    keep = np.isin(np.arange(n), sample[group[sample] == "b"]) | (group == "a")
    part = records_of(arrival[keep], start[keep], finish[keep], wait=wait[keep], band=group[keep])
    assert overtaking(part, group="band").loc[("b", "a"), "overtakes"] == expected
    assert table.loc[("b", "a"), "overtakes"] >= expected


def test_missing_columns(records_of) -> None:  # type: ignore[no-untyped-def]
    records = records_of([0, 1], [1, np.nan], wait=[1, np.nan], band=["a", "b"])
    with pytest.raises(
        SchemaError,
        match=r"queries never served need wait_minutes \(how long they were present\): row 1",
    ):
        overtaking(records, group="band")
    with pytest.raises(
        SchemaError, match=r"cannot group by 'follower_band'.* no 'followers' column to band"
    ):
        overtaking(records)
    with pytest.raises(SchemaError, match=r"missing required column\(s\) \['started_at'\]"):
        overtaking(records.drop(columns="started_at"), group="band")
