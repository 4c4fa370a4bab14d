"""Signal values computed by hand, with non-default parameters, and at the thresholds.

Default parameters can hide swapped terms (recency and frequency both weigh 0.4
by default), and examples away from a threshold cannot tell ``>=`` from ``>``.
"""

from __future__ import annotations

import math

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
    half_life_decay,
    linear_clip,
    log_saturation,
    purchase_history,
    text_urgency,
)

SKEWED = PurchaseParams(recency_weight=0.7, frequency_weight=0.2, monetary_weight=0.1)


def both(count: float, spend: float, days: float, params: PurchaseParams) -> tuple[float, float]:
    scalar = purchase_history(count, spend, days, params, SCALAR)
    vector = purchase_history(
        np.array([count]), np.array([spend]), np.array([days]), params, VECTOR
    )
    return scalar, float(vector[0])


@pytest.mark.parametrize(
    ("params", "count", "spend", "days", "expected"),
    [
        # R = 2**-0.5 = 0.70711, F = ln 5 / ln 21 = 0.52863, M = ln 101 / ln 5001 = 0.54185
        (SKEWED, 4, 100.0, 45.0, 0.7 * 0.7071067811865476 + 0.2 * 0.5286339468194481 + 0.1 * 0.5418465983615538),
        # 0.65489: the same query under the default weights 0.4/0.4/0.2
        (PurchaseParams(), 4, 100.0, 45.0, 0.4 * 0.7071067811865476 + 0.4 * 0.5286339468194481 + 0.2 * 0.5418465983615538),
        # never bought (R = 0), F and M saturated: 0.2 + 0.1
        (SKEWED, 20, 5_000.0, math.nan, 0.3),
        # only recency: 180 days with a 90-day half-life is a quarter
        (SKEWED, 0, 0.0, 180.0, 0.7 * 0.25),
        # only frequency, and only spend
        (SKEWED, 20, 0.0, math.nan, 0.2),
        (SKEWED, 0, 5_000.0, math.nan, 0.1),
        # R = 0.25, F = ln 10 / ln 21 = 0.75630, M = ln 51 / ln 5001 = 0.46162
        (
            PurchaseParams(recency_weight=0.1, frequency_weight=0.3, monetary_weight=0.6),
            9, 50.0, 180.0, 0.5288651322516931,
        ),
        # other saturations and half-life: R = 2**-1 = 0.5, F = ln 3 / ln 5, M = ln 11 / ln 101
        (
            PurchaseParams(
                recency_half_life_days=10.0, frequency_saturation=4.0, spend_saturation=100.0,
                recency_weight=0.5, frequency_weight=0.3, monetary_weight=0.2,
            ),
            2, 10.0, 10.0, 0.5 * 0.5 + 0.3 * math.log(3) / math.log(5) + 0.2 * math.log(11) / math.log(101),
        ),
    ],
)  # fmt: skip
def test_purchase_history_by_hand(
    params: PurchaseParams, count: int, spend: float, days: float, expected: float
) -> None:
    scalar, vector = both(count, spend, days, params)
    assert scalar == pytest.approx(expected, rel=1e-12)
    assert vector == pytest.approx(expected, rel=1e-12)


def test_purchase_history_saturates_at_the_saturations() -> None:
    params = PurchaseParams(frequency_saturation=4.0, spend_saturation=100.0)
    assert both(4, 100.0, 0.0, params) == pytest.approx((1.0, 1.0))
    assert both(400, 1e6, 0.0, params) == pytest.approx((1.0, 1.0))
    below = both(3, 99.0, 0.0, params)
    assert below[0] < 1.0 and below[1] < 1.0


weights = st.tuples(st.integers(0, 10), st.integers(0, 10), st.integers(0, 10)).filter(any)


@given(weights, st.integers(0, 10**6), st.floats(0, 1e6), st.floats(0, 1e4) | st.just(math.nan))
def test_purchase_history_is_the_weighted_sum_of_its_three_terms(
    w: tuple[int, int, int], count: int, spend: float, days: float
) -> None:
    total = sum(w)
    params = PurchaseParams(
        recency_weight=w[0] / total, frequency_weight=w[1] / total, monetary_weight=w[2] / total
    )
    recency = 0.0 if math.isnan(days) else 2 ** (-days / params.recency_half_life_days)
    frequency = min(1.0, math.log1p(count) / math.log1p(params.frequency_saturation))
    monetary = min(1.0, math.log1p(spend) / math.log1p(params.spend_saturation))
    expected = (
        params.recency_weight * recency
        + params.frequency_weight * frequency
        + params.monetary_weight * monetary
    )
    for value in both(count, spend, days, params):
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_reach_and_value_with_other_saturations() -> None:
    params = SignalParams(follower_saturation=99.0, value_saturation=9.0)
    # log1p(9) / log1p(99) = ln 10 / ln 100 = 1/2; log1p(2) / log1p(9) = ln 3 / ln 10
    assert follower_reach(9, params, SCALAR) == pytest.approx(0.5, rel=1e-12)
    assert crm_value(2.0, params, SCALAR) == pytest.approx(math.log(3) / math.log(10), rel=1e-12)
    assert follower_reach(99, params, SCALAR) == 1.0
    assert crm_value(9.0, params, SCALAR) == 1.0
    assert follower_reach(1_000, params, SCALAR) == 1.0
    assert follower_reach(0, params, SCALAR) == 0.0


def test_formula_building_blocks_by_hand() -> None:
    assert log_saturation(3.0, 15.0, SCALAR) == pytest.approx(0.5, rel=1e-12)  # ln 4 / ln 16
    assert log_saturation(30.0, 15.0, SCALAR) == 1.0
    assert half_life_decay(0.0, 7.0, SCALAR) == 1.0
    assert half_life_decay(14.0, 7.0, SCALAR) == pytest.approx(0.25, rel=1e-12)
    assert half_life_decay(7.0, 7.0, VECTOR) == pytest.approx(0.5, rel=1e-12)
    assert linear_clip(3.0, 2.0, 6.0, SCALAR) == pytest.approx(0.25, rel=1e-12)
    assert linear_clip(1.0, 2.0, 6.0, SCALAR) == 0.0
    assert linear_clip(9.0, 2.0, 6.0, SCALAR) == 1.0
    assert linear_clip(3.0, 6.0, 2.0, SCALAR) == pytest.approx(0.75, rel=1e-12)  # reversed
    out = linear_clip(np.array([1.0, 3.0, 9.0]), 2.0, 6.0, VECTOR)
    assert out.tolist() == pytest.approx([0.0, 0.25, 1.0])


# ------------------------------------------------------------------ shouting

SHOUT = 1 - math.exp(-0.5)


@pytest.mark.parametrize(
    ("text", "shouted"),
    [
        ("HELLO WORLD", True),  # exactly 10 capitals in long words
        ("HELLO WORL", False),  # 9
        ("please HELLO WORLD ok", True),
        ("please HELLO WORL ok", False),
        ("ABCDEFGHIJ", True),  # one word of 10
        ("ABCDEFGHI", False),
        ("AB CD EF GH IJ KL", False),  # 12 capitals, but in words of two letters
        ("ABC DEF GHIJ", True),  # three-letter words count: 3 + 3 + 4
        ("ABC DEF GHI", False),  # 9
        ("HELLO, WORLD", True),  # punctuation separates words, it is not a capital
        ("HÉLLO WÖRLD", True),  # non-ASCII capitals count the same
        ("HÉLLO WÖRL", False),
    ],
)
def test_shouting_threshold_is_ten_capitals_inclusive(text: str, shouted: bool) -> None:
    assert text_urgency(text) == pytest.approx(SHOUT if shouted else 0.0)


@given(st.integers(1, 40), st.integers(3, 12))
def test_shouting_at_any_threshold(threshold: int, word: int) -> None:
    """Shouted exactly when the capitals in long words reach ``caps_min_letters``."""
    lexicon = UrgencyLexicon(words={}, phrases={}, caps_min_letters=threshold, caps_points=1.0)
    for letters in (threshold - 1, threshold, threshold + 1):
        words, rest = divmod(letters, word)
        parts = ["Q" * word] * words + (["Q" * rest] if rest >= 3 else [])
        counted = word * words + (rest if rest >= 3 else 0)
        text = "x " + " ".join(parts)
        assert lexicon.points(text) == (1.0 if counted >= threshold else 0.0), text


def test_exclamation_needs_two_in_a_row() -> None:
    lexicon = UrgencyLexicon(words={}, phrases={}, exclamation_points=0.25)
    assert lexicon.points("help!!") == 0.25
    assert lexicon.points("help! now!") == 0.0
    assert lexicon.points("help!!! now!!") == 0.25  # counts once


def test_points_add_each_cue_once() -> None:
    lexicon = UrgencyLexicon(
        words={"refund": 0.5, "late": 0.25},
        phrases={"still waiting": 1.0},
        exclamation_points=0.125,
        caps_points=2.0,
        caps_min_letters=6,
    )
    assert lexicon.points("refund late") == 0.75
    assert lexicon.points("late late refund refund") == 0.75
    assert lexicon.points("still waiting for my refund!!") == 1.0 + 0.5 + 0.125
    assert lexicon.points("STILL WAITING") == 1.0 + 2.0
    assert lexicon.points("still, waiting") == 1.0  # punctuation between words is ignored
    assert lexicon.points("still-waiting") == 1.0
    assert lexicon.points("waiting still") == 0.0  # a phrase is in order
    assert lexicon.points("stillwaiting") == 0.0  # and made of whole words
    assert lexicon.points("refunds") == 0.0
    assert lexicon.score("refund late") == pytest.approx(1 - math.exp(-0.75))
