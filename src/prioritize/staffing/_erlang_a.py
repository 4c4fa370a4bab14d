"""Erlang A: the M/M/c+M queue, where waiting customers give up.

Queries arrive at rate λ, each agent answers at rate μ = 1/h, and a query
still waiting gives up at rate θ = 1/patience. The number in the system is
a birth–death chain with birth rate λ and death rate

    d_n = min(n, c)·μ + max(n − c, 0)·θ,

which is stable for every load (impatience empties any queue). Its
stationary distribution is computed by products of the ratios ``λ / d_n``
anchored at the mode (weight 1), going down to state 0 and up until the
remaining tail weighs less than 1e-16 of the total, of the queueing states
and of their first moment (so a rare wait keeps full relative precision).
Every weight is thus at most 1 (no overflow for thousands of agents), far
states underflow harmlessly to 0, and no factorial or power is formed; the
figures agree with 60-digit arithmetic to about 1e-15.

Figures for an arriving query (Poisson arrivals see the stationary state):

* waits at all: it finds ``n >= c``;
* gives up: ``θ·E[queue] / λ`` (abandonment rate over arrival rate);
* mean wait (time until answered or gone): ``E[queue] / λ`` (Little's law);
* answered, and its mean wait: found ``j`` waiting, a query outlasts each
  step ``k = 0..j`` ahead with probability ``(c·μ + k·θ) / (c·μ + (k+1)·θ)``
  (so ``c·μ / (c·μ + (j+1)·θ)`` in all), and its wait is then a sum of
  exponentials with rates ``c·μ + (k+1)·θ``;
* answered within ``t``: a query that finds ``j`` others waiting is
  answered if it outlasts the ``j + 1`` departures ahead of it (each at
  rate ``c·μ + k·θ`` while ``k`` wait ahead). With ``x = c·μ/θ`` that time
  ``V`` has ``exp(−θV) ~ Beta(x, j + 1)``, its own patience is independent,
  and so ``P(answered, V <= t) = x/(x + j + 1) · P(N >= j + 1)`` where
  ``N`` is negative binomial with ``x + 1`` "successes" of probability
  ``exp(−θt)`` (a closed form, no numerical integration). Its pmf is formed
  in log space, so its relative error grows like ε times the size of the
  logarithms (about 1e-12 for hundreds of agents).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from prioritize._errors import InputError
from prioritize._internal.checks import check_number
from prioritize._internal.frames import FloatArray
from prioritize.staffing._checks import check_agents, offered_load

__all__ = ["ErlangAResult", "chain_mode", "chain_weights", "erlang_a", "too_many_states"]


#: The stationary tail beyond the last state kept weighs less than this share of the total.
_TAIL = 1e-16
#: More states than this means patience is so long that the queue barely drains.
_MAX_STATES = 5_000_000


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Steady-state figures of an M/M/c+M queue, per offered query.

    Attributes
    ----------
    wait_probability : float
        ``P(wait > 0)``: the share of offered queries that find every agent busy.
    abandon_probability : float
        The share of *offered* queries that give up before an agent answers.
    mean_wait_minutes : float
        Mean time in queue over all offered queries, until answered or gone.
    mean_wait_answered_minutes : float
        Mean wait of the queries that are answered (0 when none are offered).
    service_level : float
        ``P(answered within within_minutes)`` among **offered** queries: a
        query that gives up counts as a failure, whenever it gives up.
    service_level_answered : float
        The same among **answered** queries only: ``service_level /
        (1 − abandon_probability)`` (1.0 when none are offered).
    occupancy : float
        The share of agents' time spent handling queries.
    mean_queue_length : float
        Mean number of queries waiting.
    within_minutes : float
        The answer time the service levels refer to.
    states : int
        Number of states of the birth–death chain that were kept.
    """

    wait_probability: float
    abandon_probability: float
    mean_wait_minutes: float
    mean_wait_answered_minutes: float
    service_level: float
    service_level_answered: float
    occupancy: float
    mean_queue_length: float
    within_minutes: float
    states: int

    @property
    def answered_probability(self) -> float:
        """The share of offered queries an agent answers: ``1 − abandon_probability``."""
        return 1.0 - self.abandon_probability


def _death(n: npt.NDArray[np.int64], agents: int, mu: float, theta: float) -> FloatArray:
    busy = np.minimum(n, agents).astype(np.float64)
    waiting = np.maximum(n - agents, 0).astype(np.float64)
    return busy * mu + waiting * theta


def _too_many_states(states: int, patience: float) -> InputError:
    return InputError(
        f"erlang_a would need more than {_MAX_STATES} states ({states} so far): with "
        f"patience_minutes={patience!r} the overloaded queue barely drains; add agents "
        f"or check the patience"
    )


def chain_mode(lam: float, mu: float, agents: int, theta: float) -> int:
    """The most likely number in the system (the last state whose death rate is <= λ)."""
    if lam <= agents * mu:
        return min(math.floor(lam / mu), agents)
    return agents + math.floor((lam - agents * mu) / theta)


def too_many_states(lam: float, mu: float, agents: int, theta: float) -> bool:
    """Whether the chain's mode alone lies beyond the state limit."""
    return chain_mode(lam, mu, agents, theta) > _MAX_STATES


def chain_weights(lam: float, mu: float, agents: int, theta: float, patience: float) -> FloatArray:
    """Unnormalised stationary weights of states 0..N (λ > 0), the largest equal to 1.

    N is the first state past which the tail is below ``_TAIL`` of the total
    weight, of the weight of the queueing states (n >= c) and of their first
    moment, so that small figures (a rare wait, its mean) keep full relative
    precision too.
    """
    mode = chain_mode(lam, mu, agents, theta)
    if mode > _MAX_STATES:
        raise _too_many_states(mode, patience)
    below = np.arange(1, mode + 1, dtype=np.int64)
    # w_{n-1} = w_n · d_n / λ; all factors <= 1 below the mode
    down = np.cumprod((_death(below, agents, mu, theta) / lam)[::-1])[::-1]
    parts = [down, np.ones(1)]
    kept = np.concatenate(parts)
    excess = np.maximum(np.arange(kept.size) - agents, 0).astype(np.float64)
    total = float(kept.sum())
    queued = float(kept[agents:].sum())
    moment = float(np.dot(kept, excess))
    last, top, size = 1.0, mode, max(64, 8 * math.isqrt(mode + 1))
    while True:
        n = np.arange(top + 1, top + size + 2, dtype=np.int64)
        ratio = lam / _death(n, agents, mu, theta)
        up = last * np.cumprod(ratio[:-1])
        following = ratio[1:]
        waiting = np.maximum(n[:-1] - agents, 0).astype(np.float64)
        # ratios never increase with n, so geometric series bound the tail beyond each
        # state: its weight by w·r/(1−r), its first moment by w·(k·r/(1−r) + r/(1−r)²)
        below_one = following < 1.0
        room = np.where(below_one, 1.0 - following, 1.0)
        tail = np.where(below_one, up * following / room, np.inf)
        tail_moment = np.where(below_one, tail * (waiting + 1.0 / room), np.inf)
        queue_up = np.where(n[:-1] >= agents, up, 0.0)
        done = (
            (tail <= _TAIL * (total + np.cumsum(up)))
            & (tail <= _TAIL * (queued + np.cumsum(queue_up)))
            & (tail_moment <= _TAIL * (moment + np.cumsum(up * waiting)))
        )
        if done.any():
            parts.append(up[: int(np.argmax(done)) + 1])
            return np.concatenate(parts)
        parts.append(up)
        last, top, size = float(up[-1]), top + size, 2 * size
        total += float(up.sum())
        queued += float(queue_up.sum())
        moment += float(np.dot(up, waiting))
        if top > _MAX_STATES:
            raise _too_many_states(top, patience)


def _answered_within(queue: FloatArray, answer_prob: FloatArray, x: float, theta_t: float) -> float:
    """``Σ_j queue_j · answer_prob_j · P(N >= j + 1)``, N ~ NegBin(x + 1, exp(−θt))."""
    if theta_t == 0.0 or queue.size == 0:
        return 0.0
    k = np.arange(queue.size, dtype=np.float64)
    log_ratio = np.log1p(x / np.maximum(k, 1.0))
    log_ratio[0] = 0.0
    log_pmf = -(x + 1.0) * theta_t + k * math.log(-math.expm1(-theta_t)) + np.cumsum(log_ratio)
    at_least = 1.0 - np.cumsum(np.exp(log_pmf))  # P(N >= j + 1) = 1 − P(N <= j)
    return float(np.dot(queue * answer_prob, np.clip(at_least, 0.0, 1.0)))


def erlang_a(
    arrivals_per_hour: Any,
    handle_minutes: Any,
    agents: Any,
    patience_minutes: Any,
    *,
    within_minutes: Any = 0.0,
) -> ErlangAResult:
    """Erlang A (M/M/c+M): waits, abandonment and service level when customers give up.

    Poisson arrivals, exponential handling times, ``agents`` agents answering
    first come first served, and exponential patience: a query still waiting
    after its patience leaves unanswered. Unlike Erlang C a result exists
    for every load, since impatience keeps the queue finite.

    Parameters
    ----------
    arrivals_per_hour : float
        Mean arrival rate, ``>= 0``.
    handle_minutes : float
        Mean handling time, ``> 0``.
    agents : int
        Number of agents, ``>= 1``.
    patience_minutes : float
        Mean patience of a waiting customer, ``> 0`` and finite. Very long
        patience approaches Erlang C (when that is stable).
    within_minutes : float, default 0
        The answer time the service levels refer to (0: answered at once).

    Returns
    -------
    ErlangAResult
        ``service_level`` is the share of **offered** queries answered within
        ``within_minutes`` (those that give up count as failures);
        ``service_level_answered`` is the share of **answered** ones. See
        the module notes for how each figure is computed.

    Raises
    ------
    InputError
        For an invalid argument, or a queue so overloaded and so patient
        that more than five million states would be needed.
    """
    load = offered_load(arrivals_per_hour, handle_minutes)
    count = check_agents(agents, minimum=1)
    patience = check_number("patience_minutes", patience_minutes, positive=True)
    within = check_number("within_minutes", within_minutes)
    handle = float(handle_minutes)
    lam, mu, theta = load / handle, 1.0 / handle, 1.0 / patience  # per minute

    if lam == 0.0:
        return ErlangAResult(0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, within, 1)
    weights = chain_weights(lam, mu, count, theta, patience)
    pi = weights / weights.sum()
    queue = pi[count:]
    waiting = np.arange(queue.size, dtype=np.float64)
    queue_length = float(np.dot(queue, waiting))
    busy = float(np.dot(pi, np.minimum(np.arange(pi.size), count)))
    at_once = float(pi[:count].sum())

    # a query finding j waiting is answered if it outlasts the j + 1 departures ahead
    service_rate = count * mu
    rates = service_rate + (waiting + 1.0) * theta
    answer_prob = service_rate / rates
    answered_wait = float(np.dot(queue * answer_prob, np.cumsum(1.0 / rates)))
    in_time = _answered_within(queue, answer_prob, service_rate / theta, theta * within)
    # Sums of probabilities may round a hair past their bounds; clipping keeps the
    # orderings that hold exactly (in time <= answered <= 1, abandon <= wait) in floats too.
    wait_probability = min(float(queue.sum()), 1.0)
    answered = min(at_once + float(np.dot(queue, answer_prob)), 1.0)
    within_sl = min(at_once + in_time, answered)
    return ErlangAResult(
        wait_probability=wait_probability,
        abandon_probability=min(theta * queue_length / lam, wait_probability),
        mean_wait_minutes=queue_length / lam,
        mean_wait_answered_minutes=answered_wait / answered,
        service_level=within_sl,
        service_level_answered=within_sl / answered,
        occupancy=min(busy / count, 1.0),
        mean_queue_length=queue_length,
        within_minutes=within,
        states=int(pi.size),
    )
