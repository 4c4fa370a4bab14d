"""Signal normalisers and the urgency lexicon."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize.signals import (
    SCALAR,
    VECTOR,
    PurchaseParams,
    SignalParams,
    UrgencyLexicon,
    crm_value,
    follower_reach,
    purchase_history,
    text_urgency,
)

P = SignalParams()
counts = st.integers(0, 10**9)
money = st.floats(0, 1e9, allow_nan=False)
days = st.floats(0, 1e5, allow_nan=False) | st.just(math.nan)


@given(counts, money, counts, money, days)
def test_signals_in_unit_interval_and_scalar_equals_vector(
    followers: int, value: float, count: int, spend: float, d: float
) -> None:
    vals = [
        (follower_reach(followers, P, SCALAR), follower_reach(np.array([followers]), P, VECTOR)),
        (crm_value(value, P, SCALAR), crm_value(np.array([value]), P, VECTOR)),
        (
            purchase_history(count, spend, d, P.purchase, SCALAR),
            purchase_history(
                np.array([count]), np.array([spend]), np.array([d]), P.purchase, VECTOR
            ),
        ),
    ]
    for scalar, vector in vals:
        assert 0.0 <= scalar <= 1.0
        assert math.isclose(scalar, float(vector[0]), rel_tol=1e-12, abs_tol=1e-15)


@given(counts, counts)
def test_reach_is_monotone(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert follower_reach(lo, P, SCALAR) <= follower_reach(hi, P, SCALAR)


@given(st.floats(0, 1e4), st.floats(0, 1e4))
def test_recency_decays(d1: float, d2: float) -> None:
    lo, hi = sorted((d1, d2))
    assert purchase_history(3, 100.0, lo, P.purchase, SCALAR) >= purchase_history(
        3, 100.0, hi, P.purchase, SCALAR
    )


def test_documented_anchor_values() -> None:
    assert follower_reach(100, P, SCALAR) == pytest.approx(0.334, abs=1e-3)
    assert follower_reach(10_000, P, SCALAR) == pytest.approx(0.667, abs=1e-3)
    assert follower_reach(1_000_000, P, SCALAR) == 1.0
    assert crm_value(100, P, SCALAR) == pytest.approx(0.501, abs=1e-3)
    assert crm_value(1000, P, SCALAR) == pytest.approx(0.750, abs=1e-3)
    # recency half-life: 90 days ago counts half of today
    r0 = purchase_history(0, 0.0, 0.0, PurchaseParams(), SCALAR)
    r90 = purchase_history(0, 0.0, 90.0, PurchaseParams(), SCALAR)
    assert r90 == pytest.approx(r0 / 2)
    assert purchase_history(0, 0.0, math.nan, PurchaseParams(), SCALAR) == 0.0


def test_lexicon_cues() -> None:
    assert text_urgency("") == 0.0
    assert text_urgency("Hello, what are your opening hours?") == 0.0
    refund = text_urgency("I want a refund")
    assert refund == pytest.approx(1 - math.exp(-0.6))
    assert text_urgency("I want a refund!!") > refund
    assert text_urgency("I WANT A REFUND NOW") > refund  # 12 letters in long all-caps words
    assert text_urgency("still waiting") == pytest.approx(1 - math.exp(-0.8))
    assert text_urgency("Still... waiting!") == text_urgency("still waiting!")
    assert text_urgency("can't log in") == pytest.approx(1 - math.exp(-0.6))
    # each cue counts once: repetition is not rewarded
    assert text_urgency("refund refund refund refund") == refund


@given(st.text(max_size=200), st.sampled_from(["!!!", "URGENT", "still waiting", "refund"]))
def test_adding_a_cue_never_lowers_urgency(text: str, cue: str) -> None:
    assert text_urgency(text + " " + cue) >= text_urgency(text)


@given(st.text(max_size=200), st.text(max_size=200))
def test_appending_text_never_lowers_urgency(text: str, more: str) -> None:
    assert text_urgency(text + " " + more) >= text_urgency(text)


def test_shouting_needs_long_all_caps_words() -> None:
    assert text_urgency("OK I got it") == 0.0
    assert text_urgency("WHERE IS MY PARCEL") == pytest.approx(1 - math.exp(-0.5))


@given(st.text(max_size=500))
def test_urgency_in_unit_interval(text: str) -> None:
    assert 0.0 <= text_urgency(text) < 1.0


HOSTILE = [
    "!" * 1_000 + "a" * 1_000 + " no" * 500,
    "ABC " * 500,  # many shouted words
    "refund still waiting " * 100,  # many cues and phrases
    "x" * 2_000,  # one long word
    "É! " * 700,  # non-ASCII
]


def _best_seconds(call: Callable[[str], object], text: str, repeat: int = 5) -> float:
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        call(text)
        best = min(best, time.perf_counter() - start)
    return max(best, 1e-7)


def _cost(text: str) -> float:
    """Time of ``text_urgency`` relative to splitting the same text into lowercase words.

    The reference allocates the same tokens, so the machine's load and its memory
    effects (which make even ``str.split`` grow faster than the text) cancel out.
    """
    return _best_seconds(text_urgency, text) / _best_seconds(lambda t: t.lower().split(), text)


@pytest.mark.parametrize("small", HOSTILE)
def test_hostile_text_is_linear_time(small: str) -> None:
    """64 times the text costs about 64 times a linear reference; quadratic work, 4096 times.

    So the relative cost stays flat (measured: at most about 6 under load) or grows
    about 64-fold; the test draws the line at 16.
    """
    big = small * 64
    growth = []
    for _ in range(3):  # a burst of load on the machine gets two more tries
        growth.append(_cost(big) / _cost(small))
        if growth[-1] < 16:
            break
    assert min(growth) < 16, growth


def test_lexicon_is_replaceable_and_validated() -> None:
    lex = UrgencyLexicon(words={"Outage!": 2.0}, phrases={"server down": 1.0})
    assert lex.words == {"outage": 2.0}
    assert lex.score("OUTAGE") > 0.85
    assert lex.score("refund") == 0.0
    with pytest.raises(ValueError, match="single word"):
        UrgencyLexicon(words={"two words": 1.0})
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        UrgencyLexicon(words={"x": -1.0})
