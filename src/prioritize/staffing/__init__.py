"""Staffing: how many agents, and what service can a team honestly promise?

Pure functions of the arrival rate, the handling time and the staffing,
exact to floating point. Rates are **per hour** and durations in
**minutes**; the offered load ``a = arrivals_per_hour × handle_minutes / 60``
is in Erlangs (the number of agents the work keeps busy).

* :func:`erlang_b`, :func:`erlang_c` — the probability of finding every
  agent busy (lost, or waiting), by the Erlang B recursion: no factorials,
  stable for hundreds of thousands of agents; a count so far above the load
  that the probability rounds to 0 is recognised at once.
* :func:`service_level`, :func:`mean_wait_minutes`,
  :func:`wait_quantile_minutes`, :func:`occupancy` — the M/M/c (FIFO)
  figures a service promise is made of.
* :func:`agents_needed` — the least number of agents meeting a service
  level (and an occupancy ceiling), with or without abandonment.
* :func:`erlang_a` — M/M/c+M, where customers give up: waits, abandonment
  and service level (of offered and of answered queries), from the
  birth–death chain.
* :func:`cobham_mean_waits` — mean wait per class under non-preemptive
  priorities in M/M/c (Cobham 1954), for checking priority policies.
* :func:`agents_for` — the least team meeting a target at a query
  stream's own load (Erlang A with its patience, else Erlang C), with a
  one-line explanation of the choice.
* :func:`arrivals_per_interval`, :func:`plan_intervals` — a day in 15/30/60
  minute intervals on the team's local clock, and the agents each needs.
* :func:`independent_pools`, :func:`pooled` — a team with skills: each agent
  group as its own Erlang C/A queue, or every agent taking every query;
  exact for disjoint skills / full flexibility, the two sides of the truth
  with overlapping skills (which the simulator measures).

An unstable M/M/c queue (``a >= agents``) has no steady state: probabilities
are given as their limits (:func:`erlang_c` 1, :func:`service_level` 0,
:func:`occupancy` 1) and the mean wait and quantiles raise
:class:`~prioritize.InputError`. Invalid arguments (negative or non-finite
rates, non-positive handling times, fewer than one agent, a target outside
(0, 1)) raise :class:`~prioritize.InputError` naming the argument; a bad
planning frame raises :class:`~prioritize.SchemaError` naming the column and
rows.

Work is bounded for any input: an offered load above :data:`MAX_OFFERED_LOAD`
(a million Erlangs: a million agents busy at once, far beyond any team and
usually a slip of units) or more than
:data:`MAX_AGENTS` agents raises :class:`~prioritize.InputError` at once, as
do infinite and NaN arguments; within the bounds every call returns in
about a second at most.
"""

from prioritize.staffing._agents import agents_needed
from prioritize.staffing._checks import MAX_AGENTS, MAX_OFFERED_LOAD, offered_load
from prioritize.staffing._erlang import (
    cobham_mean_waits,
    erlang_b,
    erlang_c,
    mean_wait_minutes,
    occupancy,
    service_level,
    wait_quantile_minutes,
)
from prioritize.staffing._erlang_a import ErlangAResult, erlang_a
from prioritize.staffing._intervals import PLAN_COLUMNS, arrivals_per_interval, plan_intervals
from prioritize.staffing._stream import StaffingChoice, agents_for
from prioritize.staffing._teams import POOL_COLUMNS, independent_pools, pooled

__all__ = [
    "MAX_AGENTS",
    "MAX_OFFERED_LOAD",
    "PLAN_COLUMNS",
    "POOL_COLUMNS",
    "ErlangAResult",
    "StaffingChoice",
    "agents_for",
    "agents_needed",
    "arrivals_per_interval",
    "cobham_mean_waits",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "independent_pools",
    "mean_wait_minutes",
    "occupancy",
    "offered_load",
    "plan_intervals",
    "pooled",
    "service_level",
    "wait_quantile_minutes",
]
