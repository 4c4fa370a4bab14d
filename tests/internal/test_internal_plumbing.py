"""The private plumbing: one seed rule, one argument phrasing, one bad-rows description."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize._internal.checks import (
    check_fraction,
    check_instance,
    check_int,
    check_number,
    check_random_state,
)
from prioritize._internal.rows import MAX_SHOWN, describe_rows, listing, repeated
from prioritize._internal.text import duration_text, flag_text

# -- seeds -------------------------------------------------------------------------------


@given(st.integers(0, 2**63 - 1))
def test_an_int_seed_is_reproducible(seed: int) -> None:
    first = check_random_state(seed).random(3)
    assert (check_random_state(seed).random(3) == first).all()
    assert (check_random_state(np.int64(seed)).random(3) == first).all()


def test_a_generator_is_used_as_is_and_none_is_fresh() -> None:
    rng = np.random.default_rng(3)
    assert check_random_state(rng) is rng
    assert isinstance(check_random_state(None), np.random.Generator)
    assert check_random_state(None) is not check_random_state(None)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3", np.random.RandomState(0)])
def test_other_seeds_are_refused_in_one_phrasing(bad: object) -> None:
    with pytest.raises(
        pz.InputError, match=r"seed must be an int >= 0, a numpy.random.Generator or None; got"
    ):
        check_random_state(bad)


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_every_seeded_function_applies_the_same_rule(bad: object) -> None:
    frame = pz.synthetic.queries(20, seed=0)
    calls = [
        lambda: pz.synthetic.queries(5, seed=bad),
        lambda: pz.synthetic.poisson_queries(5, 10.0, seed=bad),
        lambda: pz.simulate(frame, pz.policies.fifo(), agents=1, seed=bad),
        lambda: pz.value.simulate_bgnbd(pz.value.BGNBDParams(r=1, alpha=1, a=1, b=1), 3,
                                        T=5.0, seed=bad),
    ]  # fmt: skip
    for call in calls:
        with pytest.raises(pz.InputError, match="seed must be an int >= 0"):
            call()


def test_an_int_seed_and_its_generator_draw_the_same() -> None:
    by_int = pz.synthetic.queries(50, seed=7)
    by_rng = pz.synthetic.queries(50, seed=np.random.default_rng(7))
    pd.testing.assert_frame_equal(by_int, by_rng)
    frame = pz.synthetic.queries(60, seed=1)
    policy = pz.policies.balanced()
    one = pz.simulate(frame, policy, agents=2, seed=5).records
    two = pz.simulate(frame, policy, agents=2, seed=np.random.default_rng(5)).records
    pd.testing.assert_frame_equal(one, two)
    assert len(pz.simulate(frame, policy, agents=2, seed=None).records) == len(frame)


# -- argument checks ---------------------------------------------------------------------


def test_check_number_boundaries() -> None:
    assert check_number("x", 0) == 0.0
    with pytest.raises(pz.InputError, match=r"^x must be > 0; got 0$"):
        check_number("x", 0, positive=True)
    with pytest.raises(pz.InputError, match=r"^x must be >= 0; got -1e-09$"):
        check_number("x", -1e-9)
    with pytest.raises(pz.InputError, match=r"^x must be a finite number; got inf$"):
        check_number("x", math.inf)
    assert check_number("x", math.inf, allow_inf=True) == math.inf
    with pytest.raises(pz.InputError, match=r"^x must be a finite number; got -inf$"):
        check_number("x", -math.inf, allow_inf=True)
    with pytest.raises(pz.InputError, match=r"^x must be a number; got True$"):
        check_number("x", True)


def test_check_int_boundaries() -> None:
    assert check_int("n", 1, minimum=1) == 1
    assert check_int("n", np.int32(4)) == 4
    for bad, shown in ((0, "0"), (2.0, "2.0"), (True, "True"), ("1", "'1'")):
        with pytest.raises(pz.InputError, match=rf"^n must be a whole number >= 1; got {shown}$"):
            check_int("n", bad, minimum=1)


def test_check_fraction_boundaries() -> None:
    assert check_fraction("t", 1.0, closed_above=True) == 1.0
    with pytest.raises(pz.InputError, match=r"t must be in \(0, 1\); got 1.0"):
        check_fraction("t", 1.0, closed_above=False)
    with pytest.raises(pz.InputError, match=r"t must be in \(0, 1\]; got 0"):
        check_fraction("t", 0, closed_above=True)


def test_check_instance_names_the_public_class() -> None:
    policy = pz.policies.fifo()
    assert check_instance("policy", policy, pz.Policy) is policy
    with pytest.raises(pz.InputError, match=r"policy must be a prioritize.Policy; got function "):
        check_instance("policy", pz.policies.fifo, pz.Policy)


# -- bad rows -----------------------------------------------------------------------------


@given(st.integers(0, 3 * MAX_SHOWN))
def test_listing_shows_at_most_max_shown_and_counts_the_rest(total: int) -> None:
    text = listing((f"r{i}" for i in range(total)), total)
    shown = [part for part in text.split(", ") if part.startswith("r")]
    assert len(shown) == min(total, MAX_SHOWN)
    assert (f"… ({total} rows in all)" in text) == (total > MAX_SHOWN)


def test_describe_rows_names_label_id_and_value() -> None:
    frame = pd.DataFrame({"query_id": ["a", "b"], "x": [np.int64(-3), 2]}, index=[10, 11])
    mask = np.array([True, False])
    assert describe_rows(frame, mask, "x") == "row 10 (query_id='a') = -3"
    assert describe_rows(frame, mask) == "row 10 (query_id='a')"
    assert describe_rows(frame, mask, "x", id_column=None) == "row 10 = -3"
    assert describe_rows(frame, mask, "query_id") == "row 10 = 'a'"


@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "g", 7, np.int64(8)]), max_size=30))
def test_repeated_names_each_value_that_repeats_once(ids: list[object]) -> None:
    index = pd.Index(ids, dtype=object)
    twice = list(dict.fromkeys(v for i, v in enumerate(ids) if v in ids[:i]))
    text = repeated(index)
    assert text == listing(
        (repr(int(v) if isinstance(v, np.integer) else v) for v in twice), len(twice), noun="values"
    )
    assert "np.int64" not in text


def test_every_reader_describes_bad_rows_the_same_way() -> None:
    frame = pz.synthetic.queries(12, seed=0)
    frame.loc[frame.index[:7], "followers"] = -1
    with pytest.raises(pz.SchemaError) as info:
        pz.models.validate_frame(frame)
    message = str(info.value)
    assert message.count("row ") == MAX_SHOWN and "(7 rows in all)" in message


# -- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "words", "short"),
    [
        (1, "1 minute", "1.0 min"),
        (90, "90 minutes", "90.0 min"),
        (119.94, "119.94 minutes", "119.9 min"),
        (120, "2 hours", "2.0 h"),
        (60, "1 hour", "60.0 min"),
        (2880, "2 days", "48.0 h"),
        (math.nan, "-", "-"),
    ],
)
def test_duration_text(minutes: float, words: str, short: str) -> None:
    assert duration_text(minutes) == words
    assert duration_text(minutes, words=False) == short


@pytest.mark.parametrize(
    ("state", "queries", "said"),
    [
        ("fail", 3, "fail"),  # a judged ratio says its own state, whatever its n
        ("pass", 500, "pass"),
        (None, 29, "too few to tell"),  # a wait ratio (no state) of too few rows
        (float("nan"), np.int64(3), "too few to tell"),  # a frame's missing state, numpy n
        (None, 30, ""),
        (None, None, ""),
        ("", float("nan"), ""),
    ],
)
def test_flag_text(state: object, queries: object, said: str) -> None:
    assert flag_text(state, queries) == said
