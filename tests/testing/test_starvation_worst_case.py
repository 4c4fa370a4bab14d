"""assert_no_starvation constructs the worst stream: a starving policy fails fast, by default."""

from __future__ import annotations

import re
import time
import warnings

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize.testing import SearchCappedWarning, assert_no_starvation
from prioritize.testing._starvation import adversaries, fewest_on_duty

P = pz.policies
ONE_SEARCH = settings(max_examples=1, database=None, deadline=None)


@pytest.mark.parametrize("preset", [P.influencer_weighted, P.value_weighted])
def test_a_starving_preset_fails_by_default_and_fast(preset) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with pytest.raises(AssertionError) as info:
        assert_no_starvation(preset(), within_minutes=240, load=0.8)
    elapsed = time.perf_counter() - started
    message = str(info.value)
    assert "constructed worst case: one query with" in message
    waited = float(re.search(r"waited ([\d.]+) min > within_minutes 240", message).group(1))
    # The whole busy period, burst / (1 - load) = 300 min, less at most a few handle times.
    assert 240 < waited <= 300
    fifo = float(re.search(r"under FIFO waits at most ([\d.]+) min", message).group(1))
    assert fifo <= 60.0
    assert elapsed < 5.0  # well under a second on a quiet machine; CI shares its cores


@pytest.mark.parametrize(
    "policy",
    [
        P.fifo(),
        P.equal_treatment(),
        P.influencer_weighted().with_changes(rules=[pz.rules.MaxWait(minutes=120)]),
        P.value_weighted().with_changes(
            rules=[*P.value_weighted().rules, pz.rules.MaxWait(minutes=120)]
        ),
    ],
    ids=["fifo", "equal_treatment", "influencer+MaxWait", "value+MaxWait"],
)
def test_fair_policies_pass_the_worst_case(policy: pz.Policy) -> None:
    # MaxWait(120): overdue after 120, then the burst and one handle time at most.
    assert_no_starvation(policy, within_minutes=240, load=0.8, settings=ONE_SEARCH)


def test_every_constructed_stream_fits_the_envelope() -> None:
    """The construction obeys the same bound as the random streams: work in t <= burst + load t."""
    load, burst = 0.8, 60.0
    for agents in (1, 3):
        for adversary in adversaries(
            P.influencer_weighted(),
            agents=agents,
            load=load,
            burst=burst,
            handle_minutes=(1.0, 30.0),
            within_minutes=240.0,
            max_queries=400,
        ):
            frame = adversary.frame
            t = (frame["received_at"] - frame["received_at"].min()).dt.total_seconds() / 60
            work = frame["handle_minutes"].to_numpy()
            for i in range(0, len(frame), 7):
                for j in range(i, len(frame), 11):
                    span = t.iloc[j] - t.iloc[i]
                    window = work[i : j + 1].sum()
                    assert window <= burst + load * agents * span + 1e-6
            # The disfavoured query is the one after enough favoured ones to occupy every agent.
            assert adversary.disfavoured_id == f"Q{agents:04d}"


@given(
    load=st.floats(0.5, 0.9),
    burst=st.floats(30.0, 90.0),
    within=st.floats(30.0, 400.0),
)
@example(load=0.75, burst=30.0, within=116.0)  # the promise binds: the stream ends near it
@example(load=0.75, burst=31.0, within=219.0)
@settings(max_examples=8, deadline=None)
def test_without_aging_or_limit_the_wait_is_the_busy_period(
    load: float, burst: float, within: float
) -> None:
    """A strict-priority policy fails exactly when the busy period outlasts the promise."""
    busy = burst / (1 - load)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SearchCappedWarning)
        adversary = next(
            adversaries(
                P.influencer_weighted(),
                agents=1,
                load=load,
                burst=burst,
                handle_minutes=(1.0, 30.0),
                within_minutes=within,
                max_queries=1000,
            )
        )
    records = pz.simulate(
        adversary.frame, P.influencer_weighted(), agents=1, seed=0, patience=float("inf")
    ).records
    waited = records.set_index("query_id").loc[adversary.disfavoured_id, "wait_minutes"]
    handle = float(adversary.frame["handle_minutes"].iloc[0])
    # It waits while favoured work is queued: the burst less its own handle time,
    # drained at 1 - load (or until the stream ends, past the promise). Arrivals are
    # discrete: up to one handle time of favoured work may be missing from the busy
    # period, and each missing minute of work shortens it by 1 / (1 - load) minutes.
    assert waited >= min((burst - handle) / (1 - load), within) - 2 * handle - handle / (1 - load)
    assert waited <= busy + handle


def test_a_cap_that_bounds_the_search_warns() -> None:
    with pytest.warns(SearchCappedWarning, match="max_queries=10 caps the worst-case stream"):
        assert_no_starvation(
            P.fifo(), within_minutes=240, load=0.8, max_queries=10, settings=ONE_SEARCH
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", SearchCappedWarning)
        assert_no_starvation(P.fifo(), within_minutes=240, load=0.8, settings=ONE_SEARCH)


def test_shift_schedules_are_accepted() -> None:
    day = pz.Shift(start="08:00", end="20:00", count=2)
    night = pz.Shift(start="20:00", end="08:00", count=1)
    assert fewest_on_duty([day, night]) == 1
    assert fewest_on_duty(pz.Shift(start="00:00", end="24:00", count=3)) == 3
    assert_no_starvation(P.fifo(), within_minutes=120, agents=[day, night], settings=ONE_SEARCH)
    with pytest.raises(AssertionError, match="(?s)starves a query.*the shifts given"):
        assert_no_starvation(P.influencer_weighted(), within_minutes=240, agents=[day, night])


def test_a_schedule_with_nobody_on_duty_is_an_error() -> None:
    office = pz.Shift(start="09:00", end="17:00", count=4)
    with pytest.raises(pz.InputError, match="nobody is on duty at"):
        assert_no_starvation(P.fifo(), within_minutes=120, agents=office)
    with pytest.raises(pz.InputError, match="max_queries must be a whole number >= 3"):
        assert_no_starvation(P.fifo(), within_minutes=120, max_queries=2)
