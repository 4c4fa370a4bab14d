"""A policy compiled once: its signals, the weight and cap of each, its rules.

The plan is derived from the configuration and the signal registry
(:func:`prioritize.signals.signals_of`); scoring reads nothing else. Blind and
zero-weight signals are left out of ``active`` so they are not even computed.
Names in weights and rules are checked against the same registry, so a
policy can only name signals it has.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from prioritize.policy._evaluate import compile_scorers
from prioritize.policy._rules import Aging, Blind, Cap, GroupShare, MaxWait, Rule
from prioritize.signals import Bound, Signal, SignalParams, signals_of

__all__ = ["Active", "Plan", "check_names", "compile_plan"]


@dataclass(frozen=True, slots=True)
class Active:
    """A signal that can contribute: its bound evaluators, weight and cap."""

    name: str
    bound: Bound
    weight: float
    cap: float


@dataclass(frozen=True, slots=True)
class Plan:
    signals: tuple[Signal, ...]  # every signal of the policy, in summing order
    names: tuple[str, ...]
    active: tuple[Active, ...]
    # (evaluate, weight, cap) per active signal: the per-query loop reads only this.
    scalar: tuple[tuple[Any, float, float], ...]
    # Compiled (policy._evaluate.compile_scorers): Policy.score and Policy.score_value;
    # None on the plan the Score explanations read.
    score: Any
    total: Any
    blind: tuple[str, ...]
    rate_per_minute: float
    aging: Aging | None
    max_wait: MaxWait | None
    group_share: GroupShare | None


def compile_plan(weights: Mapping[str, float], rules: Sequence[Rule], params: SignalParams) -> Plan:
    """The plan of a policy with these (already validated) weights, rules and parameters."""
    signals = signals_of(params)
    blind: set[str] = set()
    caps: dict[str, float] = {}
    aging = max_wait = group_share = None
    for rule in rules:
        if isinstance(rule, Blind):
            blind.update(rule.signals)
        elif isinstance(rule, Cap):
            caps[rule.signal] = min(caps.get(rule.signal, math.inf), rule.max_points)
        elif isinstance(rule, Aging):
            aging = rule
        elif isinstance(rule, MaxWait):
            max_wait = rule
        else:
            group_share = rule
    active = tuple(
        Active(s.name, s.bind(params), weights.get(s.name, 0.0), caps.get(s.name, math.inf))
        for s in signals
        if s.name not in blind and weights.get(s.name, 0.0) > 0
    )
    plan = Plan(
        signals=signals,
        names=tuple(s.name for s in signals),
        active=active,
        scalar=tuple((a.bound.scalar, a.weight, a.cap) for a in active),
        score=None,
        total=None,
        blind=tuple(s.name for s in signals if s.name in blind),
        rate_per_minute=aging.points_per_hour / 60.0 if aging else 0.0,
        aging=aging,
        max_wait=max_wait,
        group_share=group_share,
    )
    # The compiled functions hold `plan` (for explanations), the returned copy holds them.
    return replace(plan, **compile_scorers(plan))


def _unknown(loc: tuple[str | int, ...], name: str, known: list[str], what: str) -> Any:
    listed = ", ".join(repr(k) for k in known)
    message = (
        f"{what}: {name!r} is not a signal of this policy; its signals are {listed} "
        "(declare others under signals.custom)"
    )
    return InitErrorDetails(
        type=PydanticCustomError("unknown_signal", message, {"signal": name, "known": known}),
        loc=loc,
        input=name,
    )


def check_names(weights: Iterable[str], rules: Sequence[Rule], params: SignalParams) -> None:
    """Raise a ``ValidationError`` (located at the key) for every unknown signal name."""
    known = [s.name for s in signals_of(params)]
    allowed = set(known)
    errors = [
        _unknown(("weights", name), name, known, "Extra inputs are not permitted")
        for name in weights
        if name not in allowed
    ]
    for i, rule in enumerate(rules):
        if isinstance(rule, Cap) and rule.signal not in allowed:
            errors.append(
                _unknown(("rules", i, "cap", "signal"), rule.signal, known, "Input should be")
            )
        elif isinstance(rule, Blind):
            errors += [
                _unknown(("rules", i, "blind", "signals", j), name, known, "Input should be")
                for j, name in enumerate(rule.signals)
                if name not in allowed
            ]
    if errors:
        raise ValidationError.from_exception_data("Policy", errors)
