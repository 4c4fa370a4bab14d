"""Gini, Jain and generalized entropy against their definitions, and their invariances."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from prioritize import InputError, SchemaError
from prioritize.fairness import entropy_decomposition, generalized_entropy, gini, jain

# Zeros are common (waits of queries answered at once); subnormal values only test the
# oracle's arithmetic, so they have their own example test below.
values = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e4)),
    min_size=1,
    max_size=40,
)
positive_values = st.lists(
    st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=40,
)
alphas = st.sampled_from([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0])


def gini_by_definition(x: list[float]) -> float:
    arr = np.asarray(x, dtype=float)
    n = arr.size
    if arr.sum() == 0:
        return 0.0
    return float(np.abs(arr[:, None] - arr[None, :]).sum() / (2 * n * n * arr.mean()))


def ge_by_definition(x: list[float], alpha: float) -> float:
    r = np.asarray(x, dtype=float) / np.mean(x)
    if alpha == 1.0:
        return float(np.mean([v * math.log(v) if v > 0 else 0.0 for v in r]))
    if alpha == 0.0:
        return float(-np.mean(np.log(r)))
    return float(np.sum(r**alpha - 1) / (len(x) * alpha * (alpha - 1)))


# --- Gini ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ([0.0, 0.0, 1.0], 2 / 3),  # Σ|xi-xj| = 4 over 2·9·(1/3)
        ([1.0, 2.0, 3.0], 2 / 9),  # Σ|xi-xj| = 8 over 2·9·2
        ([5.0], 0.0),
        ([0.0, 0.0], 0.0),
        ([3.0, 3.0, 3.0, 3.0], 0.0),
        ([0.0, 10.0], 0.5),
    ],
)
def test_gini_hand_computed(x: list[float], expected: float) -> None:
    assert gini(x) == pytest.approx(expected, abs=1e-15)


@given(values)
def test_gini_matches_mean_absolute_difference(x: list[float]) -> None:
    assert gini(x) == pytest.approx(gini_by_definition(x), abs=1e-12)


@given(values, st.floats(min_value=1e-3, max_value=1e3), st.randoms(use_true_random=False))
def test_gini_scale_and_permutation_invariant(x: list[float], k: float, rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(x)
    rnd.shuffle(shuffled)
    g = gini(x)
    assert gini(shuffled) == pytest.approx(g, abs=1e-12)
    assert gini([k * v for v in x]) == pytest.approx(g, abs=1e-9)


@given(values)
def test_gini_bounds_and_replication(x: list[float]) -> None:
    g = gini(x)
    assert 0.0 <= g <= 1.0 - 1.0 / len(x) + 1e-15
    # The population Gini of a sample repeated twice is unchanged.
    assert gini(x + x) == pytest.approx(g, abs=1e-12)


@given(st.floats(min_value=0.0, max_value=1e6), st.integers(min_value=1, max_value=50))
def test_gini_all_equal_is_exactly_zero(v: float, n: int) -> None:
    assert gini([v] * n) == 0.0


def test_gini_one_holder_takes_the_maximum() -> None:
    assert gini([0.0] * 9 + [7.0]) == pytest.approx(0.9, abs=1e-15)


@pytest.mark.parametrize("fn", [gini, jain, generalized_entropy])
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([1.0, -0.5], "x must be >= 0; got -0.5 at position 1"),
        ([1.0, float("nan")], "x must be finite numbers; got nan at position 1"),
        ([1.0, float("inf")], "x must be finite numbers; got inf at position 1"),
        ([], "x is empty"),
        ([[1.0, 2.0]], "x must be one-dimensional; got shape (1, 2)"),
        (["a"], "x must be numbers"),
    ],
)
def test_bad_samples_are_input_errors(fn, bad: list[float], message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        fn(bad)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_gini_accepts_a_series() -> None:
    assert gini(pd.Series([1.0, 2.0, 3.0], index=[10, 20, 30])) == pytest.approx(2 / 9)


# --- Jain ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ([1.0, 1.0, 1.0, 1.0], 1.0),
        ([1.0, 0.0, 0.0, 0.0], 0.25),
        ([1.0, 2.0, 3.0], 36 / 42),
        ([0.0, 0.0], 1.0),
        ([2.5], 1.0),
    ],
)
def test_jain_hand_computed(x: list[float], expected: float) -> None:
    assert jain(x) == pytest.approx(expected, abs=1e-15)


@given(values, st.floats(min_value=1e-3, max_value=1e3), st.randoms(use_true_random=False))
def test_jain_definition_bounds_and_invariances(x: list[float], k: float, rnd) -> None:  # type: ignore[no-untyped-def]
    arr = np.asarray(x)
    j = jain(x)
    if arr.any():
        assert j == pytest.approx(arr.sum() ** 2 / (arr.size * (arr**2).sum()), rel=1e-12)
    assert 1.0 / len(x) - 1e-12 <= j <= 1.0 + 1e-12
    shuffled = list(x)
    rnd.shuffle(shuffled)
    assert jain(shuffled) == pytest.approx(j, rel=1e-12)
    assert jain([k * v for v in x]) == pytest.approx(j, rel=1e-9)


@given(values)
def test_jain_is_one_exactly_when_all_equal(x: list[float]) -> None:
    if max(x) == min(x):
        assert jain(x) == pytest.approx(1.0, abs=1e-15)
    elif max(x) - min(x) > 1e-6 * max(x):
        assert jain(x) < 1.0


def test_tiny_values_do_not_underflow() -> None:
    x = [0.0, 3.6e-211]
    assert jain(x) == pytest.approx(0.5)
    assert gini(x) == pytest.approx(0.5)
    assert generalized_entropy(x, alpha=2.0) == pytest.approx(0.5)


def test_jain_on_waits_uses_a_benefit() -> None:
    # The documented use for a "less is better" quantity: waits 0, 0, 0, 9.
    waits = np.array([0.0, 0.0, 0.0, 9.0])
    benefit = 1.0 / (1.0 + waits)
    assert jain(benefit) == pytest.approx(3.1**2 / (4 * 3.01))


# --- Generalized entropy -----------------------------------------------------------------


@given(positive_values, alphas)
def test_ge_matches_definition(x: list[float], alpha: float) -> None:
    assert generalized_entropy(x, alpha=alpha) == pytest.approx(
        ge_by_definition(x, alpha), rel=1e-9, abs=1e-12
    )


@given(values)
def test_ge2_is_half_the_squared_coefficient_of_variation(x: list[float]) -> None:
    arr = np.asarray(x)
    assume(arr.mean() > 0)
    cv2 = arr.var() / arr.mean() ** 2
    assert generalized_entropy(x, alpha=2.0) == pytest.approx(cv2 / 2, rel=1e-9, abs=1e-12)


def test_theil_of_one_holder_is_log_n() -> None:
    assert generalized_entropy([0.0, 1.0], alpha=1.0) == pytest.approx(math.log(2))
    assert generalized_entropy([0.0, 0.0, 0.0, 5.0], alpha=1.0) == pytest.approx(math.log(4))


@given(positive_values, alphas, st.floats(min_value=1e-2, max_value=1e2))
def test_ge_is_zero_for_equal_and_scale_invariant(x: list[float], alpha: float, k: float) -> None:
    assert generalized_entropy([x[0]] * len(x), alpha=alpha) == pytest.approx(0.0, abs=1e-12)
    assert generalized_entropy([k * v for v in x], alpha=alpha) == pytest.approx(
        generalized_entropy(x, alpha=alpha), rel=1e-7, abs=1e-10
    )


@pytest.mark.parametrize("alpha", [0.0, -1.0])
def test_ge_with_nonpositive_alpha_needs_positive_values(alpha: float) -> None:
    with pytest.raises(InputError, match=r"x must be > 0 for alpha <= 0; got 0 at position 1"):
        generalized_entropy([1.0, 0.0], alpha=alpha)


@pytest.mark.parametrize("alpha", [float("nan"), float("inf"), True, "2"])
def test_ge_rejects_bad_alpha(alpha: object) -> None:
    with pytest.raises(InputError, match="alpha must be"):
        generalized_entropy([1.0, 2.0], alpha=alpha)  # type: ignore[arg-type]


# --- Decomposition -------------------------------------------------------------------------


def frame_of(x: list[float], labels: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"wait_minutes": x, "band": labels})


@given(
    st.lists(
        st.tuples(st.floats(min_value=1e-3, max_value=1e3), st.integers(0, 3)),
        min_size=1,
        max_size=40,
    ),
    alphas,
)
def test_decomposition_sums_exactly(rows: list[tuple[float, int]], alpha: float) -> None:
    x = [v for v, _ in rows]
    labels = [g for _, g in rows]
    parts = entropy_decomposition(frame_of(x, labels), group="band", alpha=alpha)
    assert parts.total == pytest.approx(generalized_entropy(x, alpha=alpha), rel=1e-12, abs=1e-15)
    assert parts.between + parts.within == pytest.approx(parts.total, rel=1e-9, abs=1e-12)
    means = pd.Series(x).groupby(labels).mean()
    between = generalized_entropy(means.loc[labels].to_numpy(), alpha=alpha)
    assert parts.between == pytest.approx(between, rel=1e-12, abs=1e-15)
    table = parts.by_group
    assert table["contribution"].sum() == pytest.approx(parts.within, rel=1e-12, abs=1e-15)
    assert table["count"].sum() == len(x)
    for label, row in table.iterrows():
        inside = [v for v, g in rows if g == label]
        assert row["ge"] == pytest.approx(generalized_entropy(inside, alpha=alpha), abs=1e-12)
        assert row["mean"] == pytest.approx(np.mean(inside))


def test_decomposition_extremes() -> None:
    # Groups constant inside: all inequality is between groups.
    parts = entropy_decomposition(frame_of([1, 1, 3, 3], [0, 0, 1, 1]), group="band")
    assert parts.within == pytest.approx(0.0, abs=1e-15)
    assert parts.between_share == pytest.approx(1.0)
    # Same mean in every group: all inequality is within groups.
    parts = entropy_decomposition(frame_of([1, 3, 1, 3], [0, 0, 1, 1]), group="band")
    assert parts.between == pytest.approx(0.0, abs=1e-15)
    assert parts.within == pytest.approx(parts.total)
    # All zero waits: no inequality, with alpha > 0.
    parts = entropy_decomposition(frame_of([0, 0, 0], [0, 1, 1]), group="band")
    assert (parts.total, parts.between, parts.within, parts.between_share) == (0, 0, 0, 0)


def test_decomposition_reads_records_and_reports_errors(records_of, bands) -> None:  # type: ignore[no-untyped-def]
    records = records_of(
        [0, 0, 1, 2],
        [0, 1, 5, 2],
        [1, 2, 6, 3],
        follower_band=pd.Categorical(["<1k", "<1k", "100k+", "100k+"], categories=bands),
        channel=["email", "chat", "email", "email"],
    )
    parts = entropy_decomposition(records, group=["follower_band", "channel"])
    assert list(parts.by_group.index) == [("<1k", "chat"), ("<1k", "email"), ("100k+", "email")]
    assert parts.between + parts.within == pytest.approx(parts.total)
    with pytest.raises(SchemaError, match=r"missing required column\(s\) \['nope'\]"):
        entropy_decomposition(records, value="nope")
    records.loc[1, "wait_minutes"] = -1.0
    with pytest.raises(InputError, match=r"column 'wait_minutes' must be >= 0"):
        entropy_decomposition(records)
