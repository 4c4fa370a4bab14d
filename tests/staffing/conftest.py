"""Brute-force oracles for the staffing tests, written independently of the library.

* ``exact_erlang_c`` — Erlang C by its factorial formula in exact rational arithmetic.
* ``log_erlang_b`` — Erlang B from log-space Poisson terms (``lgamma``), for large systems.
* ``ctmc`` — the stationary distribution of a truncated M/M/c+M chain (M/M/c when
  ``theta = 0``) built as a generator matrix and solved with numpy linear algebra.
* ``answered_within`` — P(answered within t) from that distribution, by the matrix
  exponential of the tagged customer's position chain (scipy).
"""

from __future__ import annotations

import math
from fractions import Fraction
from types import SimpleNamespace

import numpy as np
import pytest


def exact_erlang_c(load: Fraction, agents: int) -> Fraction:
    terms = [load**k / math.factorial(k) for k in range(agents)]
    last = load**agents / math.factorial(agents) * agents / (agents - load)
    return last / (sum(terms, Fraction(0)) + last)


def log_erlang_b(load: float, agents: int) -> float:
    logs = np.array([k * math.log(load) - math.lgamma(k + 1) for k in range(agents + 1)])
    top = logs.max()
    return float(math.exp(logs[-1] - top) / np.exp(logs - top).sum())


def ctmc(lam: float, mu: float, agents: int, theta: float, states: int) -> np.ndarray:
    """Stationary distribution over 0..states-1 of the birth-death chain, by solving pi Q = 0."""
    q = np.zeros((states, states))
    for n in range(states - 1):
        q[n, n + 1] = lam
    for n in range(1, states):
        q[n, n - 1] = min(n, agents) * mu + max(n - agents, 0) * theta
    np.fill_diagonal(q, -q.sum(axis=1))
    # replace one balance equation by the normalisation
    a = q.T.copy()
    a[-1, :] = 1.0
    b = np.zeros(states)
    b[-1] = 1.0
    return np.linalg.solve(a, b)


def answered_within(
    pi: np.ndarray, mu: float, agents: int, theta: float, within: float
) -> tuple[float, float]:
    """(P(answered within t), P(answered)) for an arrival seeing ``pi`` (PASTA), FIFO.

    A query that finds j others waiting is at position j; from position k it moves
    on at rate agents*mu + k*theta (service ahead, or someone ahead giving up), and
    gives up itself at rate theta. States: positions 0..J, then answered, gone.
    """
    from scipy.linalg import expm

    queue = pi[agents:]
    size = queue.size
    if size == 0:
        return 1.0, 1.0
    answered, gone = size, size + 1
    g = np.zeros((size + 2, size + 2))
    for k in range(size):
        g[k, answered if k == 0 else k - 1] += agents * mu + k * theta
        g[k, gone] += theta
        g[k, k] = -(agents * mu + k * theta + theta)
    at_once = float(pi[:agents].sum())
    within_t = float(queue @ expm(g * within)[:size, answered]) if within > 0 else 0.0
    # eventually answered: the product of "move on" probabilities
    move_on = np.array(
        [(agents * mu + k * theta) / (agents * mu + (k + 1) * theta) for k in range(size)]
    )
    ever = float(queue @ np.cumprod(move_on))
    return at_once + within_t, at_once + ever


@pytest.fixture(scope="session")
def oracle() -> SimpleNamespace:
    return SimpleNamespace(
        exact_erlang_c=exact_erlang_c,
        log_erlang_b=log_erlang_b,
        ctmc=ctmc,
        answered_within=answered_within,
    )
