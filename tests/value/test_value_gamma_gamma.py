"""Gamma–Gamma spend model and the BG/NBD × Gamma–Gamma expected value."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.value import (
    BGNBDParams,
    GammaGammaParams,
    expected_purchases,
    expected_spend,
    expected_value,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)

importlib.import_module("scipy")

CDNOW = GammaGammaParams(p=6.25, q=3.74, v=15.44)


def simulate(p: GammaGammaParams, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Repeat customers: frequency, mean spend over those purchases, and one future purchase."""
    rng = np.random.default_rng(seed)
    nu = rng.gamma(p.q, 1.0 / p.v, size=n)
    x = rng.integers(1, 12, size=n)
    # the mean of x Gamma(p, rate nu) values is Gamma(p x, rate x nu)
    m = rng.gamma(p.p * x, 1.0 / (x * nu))
    future = rng.gamma(p.p, 1.0 / nu)
    return x.astype(float), m, future


@pytest.mark.parametrize(
    ("p", "x", "m"),
    [
        (CDNOW, 1, 11.77),
        (CDNOW, 2, 22.35),
        (CDNOW, 14, 80.0),
        (GammaGammaParams(p=0.7, q=1.5, v=3.0), 3, 0.4),
        (GammaGammaParams(p=12.0, q=8.0, v=90.0), 6, 150.0),
    ],
)
def test_log_likelihood_is_the_mixture_density(p: GammaGammaParams, x: int, m: float) -> None:
    # integrate the Gamma(p x, rate x ν) density of the mean over ν ~ Gamma(q, rate v)
    from scipy import integrate, stats

    def integrand(nu: float) -> float:
        return float(
            stats.gamma.pdf(m, p.p * x, scale=1 / (x * nu))
            * stats.gamma.pdf(nu, p.q, scale=1 / p.v)
        )

    density, _ = integrate.quad(integrand, 0, np.inf, limit=200, epsabs=0, epsrel=1e-10)
    got = float(gamma_gamma_log_likelihood(p, [x], [m])[0])
    assert got == pytest.approx(math.log(density), rel=1e-7, abs=1e-7)


def test_fit_recovers_known_parameters_and_is_the_maximum() -> None:
    x, m, _ = simulate(CDNOW, 6000, seed=5)
    fit = fit_gamma_gamma(x, m)
    # Sampling spread of the MLE at n = 6,000, measured over 30 seeds (relative sd):
    # population mean p v / (q - 1) 0.9%, q 2.1%, p 15%, v 16% (p and v trade off).
    mean = lambda g: g.p * g.v / (g.q - 1)  # noqa: E731
    assert mean(fit) == pytest.approx(mean(CDNOW), rel=0.04)
    assert fit.q == pytest.approx(CDNOW.q, rel=0.08)
    assert fit.p == pytest.approx(CDNOW.p, rel=0.5)
    assert fit.v == pytest.approx(CDNOW.v, rel=0.55)
    best = gamma_gamma_log_likelihood(fit, x, m).sum()
    assert best >= gamma_gamma_log_likelihood(CDNOW, x, m).sum()
    for name in ("p", "q", "v"):
        for step in (0.99, 1.01):
            values = {"p": fit.p, "q": fit.q, "v": fit.v}
            values[name] *= step
            assert best > gamma_gamma_log_likelihood(GammaGammaParams(**values), x, m).sum()


def test_expected_spend_predicts_the_next_purchase() -> None:
    x, m, future = simulate(CDNOW, 100_000, seed=9)
    predicted = expected_spend(CDNOW, x, m)
    se = np.std(future - predicted) * math.sqrt(len(x))
    assert abs(future.sum() - predicted.sum()) < 4 * se


@given(st.integers(0, 50), st.floats(0.01, 1e4))
def test_expected_spend_shrinks_own_mean_toward_population_mean(x: int, m: float) -> None:
    p = CDNOW
    population = p.p * p.v / (p.q - 1)
    got = float(expected_spend(p, [x], [m])[0])
    weight = p.p * x / (p.p * x + p.q - 1)  # credibility of the customer's own mean
    assert got == pytest.approx((1 - weight) * population + weight * m, rel=1e-12)
    assert min(population, m) * (1 - 1e-12) <= got <= max(population, m) * (1 + 1e-12)


def test_no_repeat_purchase_gets_the_population_mean() -> None:
    got = expected_spend(CDNOW, [0, 0], [0.0, 123.0])
    np.testing.assert_allclose(got, CDNOW.p * CDNOW.v / (CDNOW.q - 1))


def test_infinite_mean_is_an_error() -> None:
    heavy = GammaGammaParams(p=2.0, q=0.8, v=10.0)
    with pytest.raises(InputError, match=r"infinite.*position 1.*q=0.8"):
        expected_spend(heavy, [3, 0], [10.0, 0.0])
    assert np.isfinite(expected_spend(heavy, [3], [10.0])).all()


def test_expected_value_is_purchases_times_spend() -> None:
    bg = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
    args = ([0, 2, 7], [0.0, 30.4, 36.0], [38.9, 38.9, 38.9])
    money = [0.0, 22.35, 40.0]
    got = expected_value(bg, CDNOW, 39.0, *args, money)
    want = expected_purchases(bg, 39.0, *args) * expected_spend(CDNOW, args[0], money)
    np.testing.assert_allclose(got, want, rtol=1e-15)


@pytest.mark.parametrize(
    ("x", "m", "pattern"),
    [
        ([0, 2], [1.0, 1.0], r"frequency must be > 0.*positions \[0\]"),
        ([1, 2], [1.0, 0.0], r"monetary_value must be > 0.*positions \[1\]"),
        ([1, 2], [1.0], r"monetary_value has 1 values; expected 2"),
    ],
)
def test_fit_inputs_are_checked(x: list[int], m: list[float], pattern: str) -> None:
    with pytest.raises(InputError, match=pattern):
        fit_gamma_gamma(x, m)


def test_fit_needs_customers() -> None:
    with pytest.raises(InputError, match="at least one repeat customer"):
        fit_gamma_gamma([], [])


def test_params_are_checked() -> None:
    with pytest.raises(InputError, match=r"GammaGammaParams.q must be > 0; got -1.0"):
        GammaGammaParams(p=1.0, q=-1.0, v=1.0)
