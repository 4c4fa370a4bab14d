"""BG/NBD: likelihood against the closed form, recovery from simulated data, expectations."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.value import (
    BGNBDParams,
    bgnbd_log_likelihood,
    expected_purchases,
    fit_bgnbd,
    probability_alive,
    simulate_bgnbd,
)

importlib.import_module("scipy")

CDNOW = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


def lbeta(x: float, y: float) -> float:
    return math.lgamma(x) + math.lgamma(y) - math.lgamma(x + y)


def likelihood(p: BGNBDParams, x: int, tx: float, T: float) -> float:
    """Fader, Hardie & Lee (2005) eq. 6, written directly (not in logs)."""
    common = math.exp(math.lgamma(p.r + x) - math.lgamma(p.r)) * p.alpha**p.r
    alive = math.exp(lbeta(p.a, p.b + x) - lbeta(p.a, p.b)) * common / (p.alpha + T) ** (p.r + x)
    if x == 0:
        return alive
    dropped = (
        math.exp(lbeta(p.a + 1, p.b + x - 1) - lbeta(p.a, p.b))
        * common
        / (p.alpha + tx) ** (p.r + x)
    )
    return alive + dropped


params = st.builds(
    BGNBDParams,
    r=st.floats(0.05, 5),
    alpha=st.floats(0.1, 50),
    a=st.floats(0.05, 5),
    b=st.floats(0.05, 10),
)
customer = st.tuples(st.integers(0, 25), st.floats(0, 1), st.floats(0.1, 80)).map(
    lambda c: (c[0], 0.0 if c[0] == 0 else c[1] * c[2], c[2])
)


@given(params, customer)
def test_log_likelihood_matches_the_closed_form(
    p: BGNBDParams, c: tuple[int, float, float]
) -> None:
    x, tx, T = c
    got = float(bgnbd_log_likelihood(p, [x], [tx], [T])[0])
    assert got == pytest.approx(math.log(likelihood(p, x, tx, T)), rel=1e-9, abs=1e-9)


def test_private_gradient_matches_finite_differences() -> None:
    from prioritize.value._bgnbd import _Cohort, _evaluate

    sim = simulate_bgnbd(CDNOW, 500, T=39.0, seed=3)
    cohort = _Cohort.build(
        *(sim[k].to_numpy(float) for k in ("frequency", "recency", "T")), collapse=True
    )
    p = BGNBDParams(0.5, 3.0, 1.2, 1.7)
    _, grad = _evaluate(p, cohort, gradient=True)
    assert grad is not None
    for j, name in enumerate(("r", "alpha", "a", "b")):
        h = 1e-6 * getattr(p, name)
        values = [p.r, p.alpha, p.a, p.b]
        values[j] += h
        hi = cohort.weight @ _evaluate(BGNBDParams(*values), cohort, gradient=False)[0]
        values[j] -= 2 * h
        lo = cohort.weight @ _evaluate(BGNBDParams(*values), cohort, gradient=False)[0]
        assert grad[j] == pytest.approx((hi - lo) / (2 * h), rel=1e-5, abs=1e-7)


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    rng = np.random.default_rng(20240601)
    n = 12_000
    return simulate_bgnbd(CDNOW, n, T=rng.uniform(26, 39, n), seed=rng)


def test_fit_recovers_known_parameters(simulated: pd.DataFrame) -> None:
    fit = fit_bgnbd(simulated["frequency"], simulated["recency"], simulated["T"])
    # Sampling spread of the MLE at n = 12,000, measured over 30 seeds (relative sd):
    # r 2.2%, alpha 4.2%, a 9.3%, b 12.4%, a/(a+b) 3.3%, r/alpha 3.0%; allow ~3.5 sd.
    assert fit.r == pytest.approx(CDNOW.r, rel=0.08)
    assert fit.alpha == pytest.approx(CDNOW.alpha, rel=0.15)
    assert fit.a == pytest.approx(CDNOW.a, rel=0.33)
    assert fit.b == pytest.approx(CDNOW.b, rel=0.45)
    assert fit.a / (fit.a + fit.b) == pytest.approx(CDNOW.a / (CDNOW.a + CDNOW.b), rel=0.12)
    assert fit.r / fit.alpha == pytest.approx(CDNOW.r / CDNOW.alpha, rel=0.1)


def test_fit_is_the_maximum(simulated: pd.DataFrame) -> None:
    data = (simulated["frequency"], simulated["recency"], simulated["T"])
    fit = fit_bgnbd(*data)
    best = bgnbd_log_likelihood(fit, *data).sum()
    assert best >= bgnbd_log_likelihood(CDNOW, *data).sum()
    for name in ("r", "alpha", "a", "b"):
        for step in (0.99, 1.01):
            moved = BGNBDParams(**{**_as_dict(fit), name: getattr(fit, name) * step})
            assert best > bgnbd_log_likelihood(moved, *data).sum()
    # from another start, the same optimum
    again = fit_bgnbd(*data, initial=BGNBDParams(2.0, 0.5, 3.0, 0.2))
    for name in ("r", "alpha", "a", "b"):
        assert getattr(again, name) == pytest.approx(getattr(fit, name), rel=1e-3)


def _as_dict(p: BGNBDParams) -> dict[str, float]:
    return {"r": p.r, "alpha": p.alpha, "a": p.a, "b": p.b}


def test_fit_is_invariant_to_customer_order(simulated: pd.DataFrame) -> None:
    head = simulated.iloc[:2000]
    shuffled = head.sample(frac=1.0, random_state=1)
    f1 = fit_bgnbd(head["frequency"], head["recency"], head["T"])
    f2 = fit_bgnbd(shuffled["frequency"], shuffled["recency"], shuffled["T"])
    assert _as_dict(f1) == pytest.approx(_as_dict(f2), rel=1e-9)


def test_unconditional_expectation_matches_simulation() -> None:
    n, t = 200_000, 39.0
    sim = simulate_bgnbd(CDNOW, n, T=t, seed=7)
    expected = float(expected_purchases(CDNOW, t, [0], [0.0], [0.0])[0])
    se = sim["frequency"].std() / math.sqrt(n)
    assert abs(sim["frequency"].mean() - expected) < 4 * se


def test_conditional_expectation_matches_simulated_holdout() -> None:
    # E[holdout purchases] = E[E[Y(t) | x, t_x, T]]: the sums agree up to sampling error.
    n = 100_000
    sim = simulate_bgnbd(CDNOW, n, T=39.0, holdout=39.0, seed=11)
    predicted = expected_purchases(CDNOW, 39.0, sim["frequency"], sim["recency"], sim["T"])
    actual = sim["holdout_frequency"].to_numpy()
    se = np.std(actual - predicted) * math.sqrt(n)
    assert abs(actual.sum() - predicted.sum()) < 4 * se
    # and they rank customers: those predicted above the median buy more
    top = predicted > np.median(predicted)
    assert actual[top].mean() > 3 * actual[~top].mean()


@given(params, customer)
def test_expectation_starts_at_rate_times_alive(
    p: BGNBDParams, c: tuple[int, float, float]
) -> None:
    # dE/dt at t = 0 is P(alive) * E[λ | x, T] = P(alive) * (r + x) / (alpha + T);
    # estimated from E(h) and E(2h) by Richardson extrapolation (error O(h²)).
    x, tx, T = c
    h = 1e-3 * (p.alpha + T) / (p.r + x + 1)
    e1, e2 = expected_purchases(p, [h, 2 * h], [x, x], [tx, tx], [T, T])
    slope = 2 * e1 / h - e2 / (2 * h)
    alive = float(probability_alive(p, [x], [tx], [T])[0])
    assert slope == pytest.approx(alive * (p.r + x) / (p.alpha + T), rel=1e-4)


@given(params, customer, st.floats(0.1, 100), st.floats(0.1, 100))
def test_expectation_grows_with_horizon(
    p: BGNBDParams, c: tuple[int, float, float], t1: float, t2: float
) -> None:
    x, tx, T = c
    lo, hi = sorted((t1, t2))
    e_lo, e_hi = expected_purchases(p, [lo, hi], [x, x], [tx, tx], [T, T])
    assert 0 <= e_lo <= e_hi * (1 + 1e-9)


def test_a_near_one_is_continuous() -> None:
    args = (39.0, [0, 3, 10], [0.0, 20.0, 35.0], [39.0, 39.0, 39.0])
    at_one = expected_purchases(BGNBDParams(0.3, 4.0, 1.0, 2.0), *args)
    assert np.isfinite(at_one).all()
    for a in (1 - 2e-6, 1 + 2e-6, 1 - 1e-4, 1 + 1e-4):
        near = expected_purchases(BGNBDParams(0.3, 4.0, a, 2.0), *args)
        np.testing.assert_allclose(at_one, near, rtol=1e-3)


def test_probability_alive() -> None:
    p = CDNOW
    got = probability_alive(p, [0, 2, 2], [0.0, 38.0, 5.0], [39.0, 39.0, 39.0])
    assert got[0] == 1.0
    # closed form, FHL 2005 eq. 13
    for k, (x, tx) in enumerate([(2, 38.0), (2, 5.0)], start=1):
        odds = p.a / (p.b + x - 1) * ((p.alpha + 39.0) / (p.alpha + tx)) ** (p.r + x)
        assert got[k] == pytest.approx(1 / (1 + odds), rel=1e-12)
    assert got[1] > got[2]  # a recent repeat buyer is more likely alive


def test_simulation_is_reproducible_and_shaped() -> None:
    a = simulate_bgnbd(CDNOW, 300, T=np.linspace(1, 50, 300), holdout=10.0, seed=1)
    b = simulate_bgnbd(
        CDNOW, 300, T=np.linspace(1, 50, 300), holdout=10.0, seed=np.random.default_rng(1)
    )
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["frequency", "recency", "T", "holdout_frequency"]
    assert (a["recency"] <= a["T"]).all()
    assert (a.loc[a["frequency"] == 0, "recency"] == 0).all()
    assert len(simulate_bgnbd(CDNOW, 0, T=5.0, seed=0)) == 0


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (([1, -1], [1.0, 0.0], [2.0, 2.0]), r"frequency must be >= 0.*positions \[1\]"),
        (([1.5], [1.0], [2.0]), r"frequency must be whole numbers"),
        (([1], [np.nan], [2.0]), r"recency must be finite"),
        (([1], [3.0], [2.0]), r"recency must be <= T.*position 0"),
        (([0], [1.0], [2.0]), r"recency must be 0 when frequency is 0"),
        (([1, 2], [1.0], [2.0, 2.0]), r"recency has 1 values; expected 2"),
        ((pd.Series([1, 2], index=["u", "v"]), [1.0, 1.0], [2.0, -2.0]), r"T must be >= 0"),
        ((pd.Series([1, -2], index=["u", "v"]), [1.0, 1.0], [2.0, 2.0]), r"labels \['v'\]"),
    ],
)
def test_bad_customers_are_named(args: tuple[object, object, object], pattern: str) -> None:
    with pytest.raises(InputError, match=pattern):
        bgnbd_log_likelihood(CDNOW, *args)


def test_fit_needs_a_repeat_purchase() -> None:
    with pytest.raises(InputError, match="at least one customer with a repeat purchase"):
        fit_bgnbd([0, 0], [0.0, 0.0], [5.0, 6.0])


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, True])
def test_params_are_checked(bad: float) -> None:
    with pytest.raises(
        InputError, match=r"BGNBDParams.alpha must be (a number|a finite number|> 0); got"
    ):
        BGNBDParams(r=1.0, alpha=bad, a=1.0, b=1.0)


def test_simulate_rejects_bad_arguments() -> None:
    with pytest.raises(InputError, match="n must be"):
        simulate_bgnbd(CDNOW, -1, T=1.0, seed=0)
    with pytest.raises(InputError, match="holdout must be"):
        simulate_bgnbd(CDNOW, 2, T=1.0, holdout=[1.0, 2.0], seed=0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="T has 3 values; expected 2"):
        simulate_bgnbd(CDNOW, 2, T=[1.0, 2.0, 3.0], seed=0)
