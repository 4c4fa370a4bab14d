"""Each fairness assertion fails, with a readable shrunk counter-example, exactly when it should."""

from __future__ import annotations

import re
from typing import ClassVar

import pandas as pd
import pytest
from hypothesis import settings

import prioritize as pz
from prioritize.testing import (
    assert_batch_independent,
    assert_blind,
    assert_bounded_influence,
    assert_monotone,
    assert_no_starvation,
)
from prioritize.testing import strategies as pst

P = pz.policies
# Failures are searched for deterministically, so these tests cannot flake.
FIXED = settings(derandomize=True, database=None, deadline=None, max_examples=50)


def _rows(message: str) -> int:
    return int(re.search(r"counter-example: (\d+) row", message).group(1))


def test_blind_failure_shows_the_minimal_counter_example() -> None:
    with pytest.raises(AssertionError) as info:
        assert_blind(P.influencer_weighted(), "followers", settings=FIXED)
    message = str(info.value)
    assert "policy 'influencer_weighted' is not blind to ['followers']" in message
    assert _rows(message) == 1  # shrunk to one query
    for column in ("followers before", "followers after", "score before", "score after"):
        assert column in message


def test_blind_to_a_signal_means_all_its_columns() -> None:
    assert_blind(P.equal_treatment(), "purchase_history", max_examples=20)
    with pytest.raises(AssertionError, match="days_since_last_purchase"):
        assert_blind(P.value_weighted(), "purchase_history", settings=FIXED)


def test_blind_to_text_only_where_urgency_comes_from_it() -> None:
    given_only = pst.query_frames(max_rows=6, urgency="given")
    assert_blind(P.equal_treatment(), "text", frames=given_only, max_examples=20)
    with pytest.raises(AssertionError, match="text before"):
        assert_blind(P.equal_treatment(), "text", settings=FIXED)


def test_monotone_failure_and_direction() -> None:
    with pytest.raises(AssertionError) as info:
        assert_monotone(P.value_weighted(), "days_since_last_purchase", settings=FIXED)
    message = str(info.value)
    assert "is not increasing in 'days_since_last_purchase': raising it lowers a score" in message
    assert _rows(message) == 1


def test_bounded_influence_failure_names_the_excess() -> None:
    with pytest.raises(AssertionError) as info:
        assert_bounded_influence(
            P.influencer_weighted(), "followers", max_points=0.1, settings=FIXED
        )
    message = str(info.value)
    moved = float(re.search(r"move a score by ([\d.]+) > 0.1 points", message).group(1))
    assert 0.1 < moved <= 0.6  # the follower weight bounds what it can move
    assert _rows(message) == 1


class _Normalised(pz.Policy):
    """Scores relative to the batch's best: not batch-independent."""

    def score_frame(self, frame, now=None, *, validate="full"):
        scores = super().score_frame(frame, now=now, validate=validate)
        top = scores["score"].max()
        if top > 0:
            scores = scores / top
        return scores


def test_batch_independence_failure_on_a_normalising_policy() -> None:
    assert_batch_independent(P.balanced(), max_examples=20)
    weird = _Normalised(weights={"urgency": 1.0})
    with pytest.raises(AssertionError) as info:
        assert_batch_independent(weird, settings=FIXED)
    message = str(info.value)
    assert "is not batch-independent" in message
    assert re.search(r"the subset \['Q\d+'(, 'Q\d+')*\] scored on its own differs", message)
    assert _rows(message) == 2  # one other query is enough to move the maximum


class _Counting(pz.Policy):
    calls: ClassVar[list[int]] = []

    def score_frame(self, frame, now=None, *, validate="full"):
        self.calls.append(len(frame))
        return super().score_frame(frame, now=now, validate=validate)


def test_max_examples_and_settings_are_passed_through() -> None:
    policy = _Counting(weights={"urgency": 1.0}, rules=[pz.rules.Blind(signals=["follower_reach"])])
    assert_blind(policy, "followers", max_examples=3)
    assert 0 < len(policy.calls) <= 2 * 3
    policy.calls.clear()
    assert_blind(policy, "followers", settings=settings(max_examples=4, database=None))
    assert 0 < len(policy.calls) <= 2 * 4
    policy.calls.clear()
    assert_blind(policy, "followers", settings=settings(max_examples=50), max_examples=2)
    assert 0 < len(policy.calls) <= 2 * 2


def test_starvation_found_and_shown_with_fifo_for_comparison() -> None:
    with pytest.raises(AssertionError) as info:
        assert_no_starvation(P.influencer_weighted(), within_minutes=150, settings=FIXED)
    message = str(info.value)
    assert "policy 'influencer_weighted' starves a query" in message
    fifo_wait = float(re.search(r"under FIFO waits at most ([\d.]+) min", message).group(1))
    assert fifo_wait <= 60.0  # the burst: FIFO would not have starved it
    waited = float(re.search(r"waited ([\d.]+) min > within_minutes 150", message).group(1))
    assert waited > 150
    # The same policy with a wait limit keeps its promise on the same streams.
    limited = P.influencer_weighted().with_changes(rules=[pz.rules.MaxWait(minutes=60)])
    assert_no_starvation(limited, within_minutes=60 + 60 + 30, max_examples=30)


def test_fifo_bound_is_the_burst() -> None:
    assert_no_starvation(
        P.fifo(), within_minutes=20.0, burst=20.0, handle_minutes=(1.0, 10.0), max_examples=30
    )
    with pytest.raises(AssertionError, match="policy 'fifo' starves a query"):
        assert_no_starvation(
            P.fifo(), within_minutes=10.0, burst=20.0, handle_minutes=(1.0, 10.0), settings=FIXED
        )


def test_several_agents() -> None:
    assert_no_starvation(P.fifo(), within_minutes=60.0, agents=3, max_examples=15)


def test_custom_streams() -> None:
    burst = pst.streams(burst=30.0, handle_minutes=(5.0, 10.0), max_rows=10)
    # balanced() has MaxWait(240): overdue after 240, then the burst and one handle time.
    assert_no_starvation(P.balanced(), within_minutes=240 + 30 + 10, frames=burst, max_examples=15)
    # Urgent arrivals overtake, so it does not keep FIFO's bound (the burst).
    with pytest.raises(
        AssertionError, match=r"starves a query.*\n.*stream: \d+ queries, 1 agent\(s\);"
    ):
        assert_no_starvation(P.balanced(), within_minutes=30.0, frames=burst, settings=FIXED)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: assert_blind(P.balanced, "followers"), r"did you mean balanced\(\)"),
        (lambda: assert_blind(P.balanced(), "shoe_size"), "column must be one of"),
        (lambda: assert_blind(P.balanced(), []), "at least one column"),
        (lambda: assert_monotone(P.balanced(), "text"), "column must be one of"),
        (lambda: assert_monotone(P.balanced(), "followers", direction="up"), "direction"),
        (lambda: assert_bounded_influence(P.balanced(), "followers", max_points=-1), "max_points"),
        (lambda: assert_bounded_influence(P.balanced(), "followers", max_points="x"), "max_points"),
        (lambda: assert_blind(P.balanced(), "followers", max_examples=0), "max_examples"),
        (lambda: assert_no_starvation(P.balanced(), within_minutes=0), "within_minutes"),
        (lambda: assert_no_starvation(P.balanced(), within_minutes=60, load=1.2), "load"),
    ],
)
def test_bad_arguments(call, match) -> None:
    with pytest.raises(pz.InputError, match=match):
        call()


def test_frames_left_untouched() -> None:
    frame = pz.synthetic.queries(5, seed=0)
    before = frame.copy(deep=True)
    seen: list[pd.DataFrame] = []

    def strategy_frames():
        from hypothesis import strategies as st

        return st.just(frame).map(lambda f: (seen.append(f), f)[1])

    assert_blind(P.equal_treatment(), "followers", frames=strategy_frames(), max_examples=5)
    assert seen
    pd.testing.assert_frame_equal(frame, before)
