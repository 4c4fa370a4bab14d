"""Staffing a team with skills: independent pools and the fully pooled team, in closed form.

Two queueing models bracket a team whose agents have skills:

* **independent pools** (:func:`independent_pools`): every skill queue is
  answered by one agent group only, and each group is its own M/M/c queue
  (Erlang C, or Erlang A with patience). Exact when the groups' skills do
  not overlap: a query of a queue only one group can take waits for that
  group alone;
* **fully pooled** (:func:`pooled`): every agent may take every query, one
  M/M/c over the total load and all the agents. Exact when every group has
  every skill the queries need.

What is approximate. With **overlapping skills** (a bilingual group beside
an English one, generalists beside specialists) neither is exact: the
simulator (``pz.simulate(frame, policy, agents=team)``) is the model of
record. :func:`independent_pools` then gives each skill queue to the
eligible group with the fewest skills (ties: the first in the team) and
ignores the help the others give, so it overstates the waits of the
specialists' queues; :func:`pooled` ignores that agents lack skills, so it
understates them. Pooling helps: with equal handle times the pooled mean
wait is at most the arrival-weighted mean of the pools' waits (Smith &
Whitt 1981, "Resource sharing for efficiency in traffic systems", Bell
System Technical Journal 60(1)); and a few cross-trained agents already
get most of the way to pooled (the "chaining" result: Jordan & Graves 1995;
Wallace & Whitt 2005, "A staffing algorithm for call centers with
skill-based routing", M&SOM 7(4)). Also outside the closed forms: a pool
with several handle times is M/M/c with their arrival-weighted mean
(exact when they are equal), and capacity weights (a chat agent holding
three chats) are not modelled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.checks import check_fraction, check_number
from prioritize._internal.skills import Skills, skill_set, skills_text
from prioritize.routing import Team
from prioritize.staffing._agents import agents_needed
from prioritize.staffing._checks import offered_load
from prioritize.staffing._erlang import erlang_c, mean_wait_minutes, occupancy, service_level
from prioritize.staffing._erlang_a import erlang_a

__all__ = ["POOL_COLUMNS", "independent_pools", "pooled"]

#: Columns of :func:`independent_pools` and :func:`pooled`, in order.
POOL_COLUMNS: tuple[str, ...] = (
    "queues",
    "arrivals_per_hour",
    "handle_minutes",
    "offered_load",
    "agents",
    "wait_probability",
    "service_level",
    "mean_wait_minutes",
    "abandon_probability",
    "occupancy",
    "agents_needed",
)


def _skills(value: Any, what: str) -> Skills:
    """A skill queue: its required skills (the package's one skill rule, ``"" `` for none)."""
    try:
        return skill_set(value, what=what)
    except ValueError as error:
        raise InputError(str(error)) from None


#: How a skill queue with no required skill (anyone may answer) is named in tables.
_NO_SKILL = "(no skill)"


def _label(skills: Skills) -> str:
    return skills_text(skills) or _NO_SKILL


@dataclass(frozen=True, slots=True)
class _Queue:
    skills: Skills
    rate: float
    handle: float


@dataclass(frozen=True, slots=True)
class _Group:
    name: str
    skills: Skills
    agents: int | None  # None: shifts, no fixed count


def _queues(arrivals_per_hour: Any, handle_minutes: Any) -> list[_Queue]:
    if not isinstance(arrivals_per_hour, Mapping) or not arrivals_per_hour:
        raise InputError(
            "arrivals_per_hour must map each skill queue (its required skills, e.g. 'es,billing' "
            f"or {{'es'}}; '' for none) to its arrivals per hour; got {arrivals_per_hour!r}"
        )
    queues: dict[frozenset[str], _Queue] = {}
    handles: dict[frozenset[str], Any] = {}
    if isinstance(handle_minutes, Mapping):
        for key, value in handle_minutes.items():
            handles[_skills(key, "handle_minutes")] = value
    for key, value in arrivals_per_hour.items():
        skills = _skills(key, "arrivals_per_hour")
        label = _label(skills)
        if skills in queues:
            raise InputError(f"arrivals_per_hour lists the skill queue {label!r} twice")
        rate = check_number(f"arrivals_per_hour[{label!r}]", value)
        if isinstance(handle_minutes, Mapping):
            if skills not in handles:
                raise InputError(f"handle_minutes has no entry for the skill queue {label!r}")
            handle = handles[skills]
        else:
            handle = handle_minutes
        handle = check_number(f"handle_minutes of {label!r}", handle, positive=True)
        queues[skills] = _Queue(skills, rate, handle)
    return list(queues.values())


def _groups(agents: Any) -> list[_Group]:
    if not isinstance(agents, Team):
        raise InputError(
            f"agents must be a team (pz.Team of pz.AgentGroup); got {type(agents).__name__}"
        )
    return [
        _Group(g.name, g.skills, g.agents if isinstance(g.agents, int) else None)
        for g in agents.groups
    ]


def _owner(queue: _Queue, groups: list[_Group]) -> _Group:
    eligible = [g for g in groups if queue.skills <= g.skills]
    if not eligible:
        raise InputError(
            f"no agent group has every skill of the queue {_label(queue.skills)!r}: "
            f"groups have {[_label(g.skills) for g in groups]}"
        )
    return min(eligible, key=lambda g: len(g.skills))  # min keeps the first of equals


def _figures(
    queues: list[_Queue],
    agents: int | None,
    within: float,
    patience: float | None,
    target: float | None,
) -> dict[str, Any]:
    rate = sum(q.rate for q in queues)
    if rate == 0.0:  # no work: nobody waits, nobody is busy
        return {
            "queues": "; ".join(_label(q.skills) for q in queues),
            "arrivals_per_hour": 0.0,
            "handle_minutes": math.nan,
            "offered_load": 0.0,
            "agents": agents,
            "wait_probability": 0.0,
            "service_level": 1.0,
            "mean_wait_minutes": 0.0,
            "abandon_probability": 0.0 if patience is not None else math.nan,
            "occupancy": 0.0,
            "agents_needed": 0 if target is not None else None,
        }
    handle = sum(q.rate * q.handle for q in queues) / rate
    out: dict[str, Any] = {
        "queues": "; ".join(_label(q.skills) for q in queues),
        "arrivals_per_hour": rate,
        "handle_minutes": handle,
        "offered_load": offered_load(rate, handle),
        "agents": agents,
    }
    if agents is None or agents == 0:
        figures = dict.fromkeys(
            ("wait_probability", "service_level", "mean_wait_minutes", "occupancy"), math.nan
        )
        figures["abandon_probability"] = math.nan
    elif patience is None:
        load = out["offered_load"]
        figures = {
            "wait_probability": erlang_c(rate, handle, agents),
            "service_level": service_level(rate, handle, agents, within_minutes=within),
            # an unstable pool's waits grow without bound
            "mean_wait_minutes": mean_wait_minutes(rate, handle, agents)
            if load < agents
            else math.inf,
            "abandon_probability": math.nan,
            "occupancy": occupancy(rate, handle, agents),
        }
    else:
        result = erlang_a(rate, handle, agents, patience, within_minutes=within)
        figures = {
            "wait_probability": result.wait_probability,
            "service_level": result.service_level,
            "mean_wait_minutes": result.mean_wait_minutes,
            "abandon_probability": result.abandon_probability,
            "occupancy": result.occupancy,
        }
    out |= figures
    out["agents_needed"] = (
        None
        if target is None
        else agents_needed(
            rate, handle, target=target, within_minutes=within, patience_minutes=patience
        )
    )
    return out


def _checked(
    within_minutes: Any, patience_minutes: Any, target: Any
) -> tuple[float, float | None, float | None]:
    within = check_number("within_minutes", within_minutes)
    patience = (
        None
        if patience_minutes is None
        else check_number("patience_minutes", patience_minutes, positive=True)
    )
    share = None if target is None else check_fraction("target", target, closed_above=False)
    return within, patience, share


def _table(rows: dict[str, dict[str, Any]], index: str) -> pd.DataFrame:
    table = pd.DataFrame.from_dict(rows, orient="index")[list(POOL_COLUMNS)]
    table["agents"] = table["agents"].astype("Int64")
    table["agents_needed"] = table["agents_needed"].astype("Int64")
    table.index.name = index
    return table


def independent_pools(
    arrivals_per_hour: Mapping[Any, float],
    handle_minutes: float | Mapping[Any, float],
    *,
    agents: Team,
    within_minutes: float,
    patience_minutes: float | None = None,
    target: float | None = None,
) -> pd.DataFrame:
    """Each agent group as its own queue (Erlang C, or Erlang A with patience).

    Parameters
    ----------
    arrivals_per_hour
        Skill queue -> arrivals per hour. A skill queue is the set of skills
        its queries require: ``"es,billing"``, ``{"es", "billing"}``, ``""``
        for none (the records' ``skills`` column holds this form).
    handle_minutes
        Mean handle time, one for all, or per skill queue (a mapping).
    agents
        The :class:`~prioritize.Team`. A group
        on shifts has no fixed count: its figures at the current staffing
        are NaN, its ``agents_needed`` is still given.
    within_minutes
        The answer-time limit of ``service_level``.
    patience_minutes
        Mean patience (exponential): Erlang A; without it, Erlang C.
    target
        With it, ``agents_needed``: the least agents per group answering
        this share within ``within_minutes`` (:func:`agents_needed`).

    Returns
    -------
    pandas.DataFrame
        One row per agent group (team order), :data:`POOL_COLUMNS`:
        ``queues`` (the skill queues it answers, ``"; "``-joined, in the
        order given; ``"(no skill)"`` for the queries anyone may answer),
        ``arrivals_per_hour``, ``handle_minutes`` (their arrival-weighted
        mean), ``offered_load`` (Erlangs), ``agents``, ``wait_probability``,
        ``service_level``, ``mean_wait_minutes`` (inf when the pool is
        unstable without patience), ``abandon_probability`` (NaN without
        patience), ``occupancy`` and ``agents_needed`` (<NA> without
        ``target``).

    Each skill queue goes to the eligible group with the fewest skills
    (ties: the first in the team); exact when the groups' skills do not
    overlap, an approximation otherwise (see the module notes).

    Raises
    ------
    InputError
        A skill queue no group can answer (naming it and the groups'
        skills), a queue listed twice, a missing handle time, or an invalid
        number.
    """
    within, patience, share = _checked(within_minutes, patience_minutes, target)
    queues = _queues(arrivals_per_hour, handle_minutes)
    groups = _groups(agents)
    owned: dict[str, list[_Queue]] = {g.name: [] for g in groups}
    for queue in queues:
        owned[_owner(queue, groups).name].append(queue)
    rows = {g.name: _figures(owned[g.name], g.agents, within, patience, share) for g in groups}
    return _table(rows, "agent_group")


def pooled(
    arrivals_per_hour: Mapping[Any, float],
    handle_minutes: float | Mapping[Any, float],
    *,
    agents: Team,
    within_minutes: float,
    patience_minutes: float | None = None,
    target: float | None = None,
) -> pd.DataFrame:
    """The fully pooled team: every agent takes every query, one Erlang C (or A) over the total.

    The arguments and columns are those of :func:`independent_pools`; one
    row, ``"pooled"``, with the team's agents summed (NaN figures if a group
    is on shifts). Each skill queue must still be answerable by some group.
    Exact when every group has every skill; with skills, a lower bound on
    waits in practice (see the module notes).
    """
    within, patience, share = _checked(within_minutes, patience_minutes, target)
    queues = _queues(arrivals_per_hour, handle_minutes)
    groups = _groups(agents)
    for queue in queues:
        _owner(queue, groups)
    counts = [g.agents for g in groups]
    total = None if any(c is None for c in counts) else sum(c for c in counts if c is not None)
    return _table({"pooled": _figures(queues, total, within, patience, share)}, "agent_group")
