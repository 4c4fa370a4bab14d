"""The score of one query and why: built cheaply, explained on demand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prioritize.policy._plan import Plan

__all__ = ["Score", "aging_points"]


def aging_points(rate_per_minute: Any, waited_minutes: Any) -> Any:
    """Aging points after ``waited_minutes`` (floats or arrays): linear in the wait."""
    return waited_minutes * rate_per_minute


class Score:
    """The score of one query and why.

    Attributes
    ----------
    query_id
        The query scored.
    value
        The score: the sum of ``contributions``.
    contributions
        Points per signal of the policy (the built-in ``crm_value``,
        ``purchase_history``, ``follower_reach``, ``urgency``, then the
        policy's own) and ``aging``; blind or zero-weight signals contribute 0.
    signals
        The normalised signal values in [0, 1] that were used (blind and
        zero-weight signals are not computed and are absent).
    rules
        Descriptions of the rules that acted on this score, e.g.
        ``"cap(follower_reach, 0.1): 0.18 -> 0.1"``.
    waited_minutes
        Minutes between arrival and ``now`` (0 when scored at arrival).

    ``contributions``, ``signals`` and ``rules`` are built on access from the
    signal values and the policy's plan: scoring itself only sums. Scores are
    made by :meth:`Policy.score`, not constructed directly.
    """

    __slots__ = ("_why", "query_id", "value")

    # Made by Policy.score, which sets the slots itself: no __init__ frame per
    # query (a third of a microsecond). ``_why`` is one flat tuple (one
    # allocation): the plan, waited minutes, aging points, then the value of
    # each active signal in plan order.
    query_id: str
    value: float
    _why: tuple[Any, ...]

    @property
    def _reading(self) -> tuple[Plan, float, float, tuple[float, ...]]:
        # (plan, waited minutes, aging points, signal values) out of ``_why``.
        why = self._why
        return why[0], why[1], why[2], why[3:]

    @property
    def waited_minutes(self) -> float:
        """Minutes between arrival and ``now`` (0 when scored at arrival)."""
        return self._why[1]  # type: ignore[no-any-return]

    @property
    def contributions(self) -> dict[str, float]:
        """Points per signal of the policy, and ``aging``."""
        plan, _, aging, values = self._reading
        out = dict.fromkeys(plan.names, 0.0)
        for active, s in zip(plan.active, values, strict=True):
            points = active.weight * s  # as summed: min(weight × signal, cap)
            out[active.name] = active.cap if points > active.cap else points
        out["aging"] = aging
        return out

    @property
    def signals(self) -> dict[str, float]:
        """The normalised value of every signal that was computed."""
        plan, _, _, values = self._reading
        return {a.name: v for a, v in zip(plan.active, values, strict=True)}

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules that acted on this score, as readable strings."""
        plan, waited, aging, values = self._reading
        acted = [f"blind({', '.join(plan.blind)})"] if plan.blind else []
        for active, s in zip(plan.active, values, strict=True):
            raw = active.weight * s
            if raw > active.cap:
                acted.append(f"cap({active.name}, {active.cap:g}): {raw:.4g} -> {active.cap:g}")
        if aging:
            acted.append(f"aging: +{aging:.4g} for {waited:.1f} min")
        return tuple(acted)

    def explain(self) -> str:
        """One line: the score, its largest contributions and the rules that acted."""
        parts = [
            f"{name} {points:.3f}"
            for name, points in sorted(self.contributions.items(), key=lambda kv: -kv[1])
            if points > 0
        ]
        text = f"{self.query_id}: score {self.value:.3f}"
        text += " = " + " + ".join(parts) if parts else " (no signal counts: arrival order)"
        rules = self.rules
        if rules:
            text += "; " + "; ".join(rules)
        return text

    def __repr__(self) -> str:
        return (
            f"Score(query_id={self.query_id!r}, value={self.value!r}, "
            f"contributions={self.contributions!r}, rules={self.rules!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Score):
            return NotImplemented
        return (
            self.query_id == other.query_id
            and self.value == other.value
            and self.contributions == other.contributions
            and self.waited_minutes == other.waited_minutes
        )

    __hash__ = None  # type: ignore[assignment]
