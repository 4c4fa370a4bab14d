"""An audit report for a policy: what drives the order, who moves, who gains, who waits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.checks import SeedLike
from prioritize._internal.constants import SLA_MINUTES
from prioritize._internal.text import duration_text
from prioritize.audit._counterfactual import CounterfactualResult, counterfactual
from prioritize.audit._gaming import GamingResult, gaming
from prioritize.audit._ranks import check_policy, resolve_now, snapshot
from prioritize.policy import Policy
from prioritize.signals import SIGNALS

if TYPE_CHECKING:
    from prioritize.simulation import SimulationResult

__all__ = ["AUDIT_CHANGES", "AuditReport", "audit", "variance_share"]

#: The counterfactuals of an audit: label -> changes (column -> value).
AUDIT_CHANGES: dict[str, dict[str, float]] = {
    "followers": {"followers": 0},
    "lifetime_value": {"lifetime_value": 0.0},
    "purchase_history": {
        "purchase_count": 0,
        "total_spend": 0.0,
        "days_since_last_purchase": float("nan"),
    },
    "urgency": {"urgency": 0.0},
}
_NOT_CONTRIBUTIONS = frozenset({"score", "aging", "query_id", "received_at", "overdue", "rank"})
_GROUPS = ("follower_band", "value_band")
_WITHIN = SLA_MINUTES  # the service level shown by group


def variance_share(scores: pd.DataFrame) -> pd.Series:
    """Share of the variance of ``score`` owed to each contribution column.

    ``share_i = cov(contribution_i, score) / var(score)``: since the score is
    the sum of its contributions, the shares sum to 1. Each covariance
    between two contributions is split equally between them (the Shapley
    value of the variance game with the covariance as interaction), so a
    share can be negative when a contribution runs against the others. All
    NaN when every score is equal (or fewer than two rows): the order is then
    set by arrival alone.
    """
    # A policy's own signals (any other column of score_frame or rank) count
    # like the built-in ones.
    declared = [c for c in scores.columns if c not in _NOT_CONTRIBUTIONS and c not in SIGNALS]
    contributions = [*SIGNALS, *declared, "aging"]
    parts = scores[contributions].to_numpy(dtype=np.float64)
    total = scores["score"].to_numpy(dtype=np.float64)
    if total.size < 2:
        return pd.Series(np.nan, index=contributions, name="variance_share")
    centred = total - total.mean()
    var = float(centred @ centred)
    if var <= 1e-24 * max(1.0, float(np.abs(total).max()) ** 2) * total.size:
        return pd.Series(np.nan, index=contributions, name="variance_share")
    cov = (parts - parts.mean(axis=0)).T @ centred
    return pd.Series(cov / var, index=contributions, name="variance_share")


def _disparities(records: pd.DataFrame) -> dict[str, pd.DataFrame]:
    from prioritize.fairness import by_group

    out = {}
    for group in _GROUPS:
        waits = by_group(
            records,
            group=group,
            value="wait_minutes",
            stats=("mean", "p90", "share_within"),
            within_minutes=_WITHIN,
        ).rename(
            columns={
                "mean": "mean_wait_answered",
                "p90": "p90_wait_answered",
                "share_within": f"within_{_WITHIN:g}_min",
            }
        )
        gave_up = by_group(records, group=group, value="abandoned", stats=("mean",))
        waits["count"] = gave_up["count"]  # every query (the waits are of answered ones)
        waits["abandon_rate"] = gave_up["mean"]
        out[group] = waits
    return out


@dataclass(frozen=True)
class AuditReport:
    """What a policy does to a set of queries (see :func:`audit`).

    Attributes
    ----------
    policy
        The policy's name.
    queries
        Number of queries audited.
    now
        The moment the queue was looked at.
    overdue
        Queries past their ``MaxWait`` limit at ``now`` (served first, whatever
        their score: no signal drives their order).
    signal_variance_share
        Share of score variance per contribution (:func:`variance_share`).
    counterfactuals
        Label (``followers``, ``lifetime_value``, ``purchase_history``,
        ``urgency``) -> :class:`CounterfactualResult` with that attribute
        removed for each query alone.
    gaming
        The :class:`GamingResult` of the built-in manipulations.
    simulation
        The :class:`~prioritize.simulation.SimulationResult` when simulated.
    disparities
        When simulated: group column (``follower_band``, ``value_band``) ->
        ``count`` (queries), ``mean_wait_answered``, ``p90_wait_answered``
        (waits of the queries answered), ``within_60_min`` (share answered
        within an hour; abandoned = missed) and ``abandon_rate``.
    """

    policy: str
    queries: int
    now: datetime | None
    overdue: int
    signal_variance_share: pd.Series
    counterfactuals: dict[str, CounterfactualResult]
    gaming: GamingResult
    simulation: SimulationResult | None = None
    disparities: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def rank_shift(self) -> pd.DataFrame:
        """One row per audited attribute: the distribution of its rank shifts."""
        table = pd.DataFrame({k: r.summary for k, r in self.counterfactuals.items()}).T
        table.index.name = "attribute"
        return table.infer_objects()

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every table of the report, by name (for CSV/Excel export or notebooks)."""
        frames = {
            "signal_variance_share": self.signal_variance_share.to_frame(),
            "rank_shift": self.rank_shift,
            "gaming": self.gaming.summary,
        }
        for label, result in self.counterfactuals.items():
            frames[f"rank_shift_by_group_{label}"] = result.by_group
        if self.simulation is not None:
            frames["simulation_summary"] = self.simulation.summary.to_frame()
        for group, table in self.disparities.items():
            frames[f"disparity_{group}"] = table
        return frames

    def to_text(self) -> str:
        """The report as plain text."""
        at = "at arrival" if self.now is None else f"at {self.now.isoformat()}"
        lines = [f"Audit of policy {self.policy!r}: {self.queries} queries, {at}"]
        if self.overdue:
            lines.append(
                f"{self.overdue} queries are overdue (MaxWait): served first, oldest first"
            )
        lines += ["", "What drives the order (share of score variance):"]
        shares = self.signal_variance_share
        if shares.isna().all():
            lines.append("  every score is equal: arrival order alone decides")
        else:
            lines += [f"  {name:<18} {share:7.1%}" for name, share in shares.items()]
        lines += [
            "",
            "Rank shift per attribute (places the actual value moves a query ahead;",
            "each query alone loses the attribute):",
            _indent(
                self.rank_shift[
                    ["share_moved", "mean_rank_shift", "p90_abs_rank_shift", "max_abs_rank_shift"]
                ].to_string(float_format=lambda v: f"{v:.3g}")
            ),
            "",
            "Gaming (places gained when one customer alone does it):",
            _indent(
                self.gaming.summary.drop(columns="note").to_string(
                    float_format=lambda v: f"{v:.3g}"
                )
            ),
        ]
        lines += [f"  {name}: {note}" for name, note in self.gaming.summary["note"].items() if note]
        if self.simulation is not None:
            s = self.simulation.summary
            lines += [
                "",
                f"Simulated: {s['served']} served, {s['abandoned']} abandoned, "
                f"mean wait {duration_text(s['mean_wait_minutes'], words=False)}",
                f"({self.simulation.abandonment})",
            ]
            for group, table in self.disparities.items():
                lines += [
                    f"By {group}:",
                    _indent(table.to_string(float_format=lambda v: f"{v:.3g}")),
                ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        simulated = ", simulated" if self.simulation is not None else ""
        return f"AuditReport(policy={self.policy!r}, queries={self.queries}{simulated})"


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def audit(
    frame: pd.DataFrame,
    policy: Policy,
    *,
    now: datetime | None = None,
    simulate: bool = False,
    agents: Any = None,
    seed: SeedLike = 0,
    simulate_options: Mapping[str, Any] | None = None,
    derive_urgency: bool = False,
) -> AuditReport:
    """Audit ``policy`` on ``frame``: signals, rank shifts, gaming and (simulated) disparities.

    Parameters
    ----------
    frame
        A canonical query frame (not modified).
    policy
        The policy audited.
    now
        When the queue is looked at; default: the latest arrival in the frame.
    simulate
        Also replay the frame through the policy with
        :func:`prioritize.simulation.simulate` and tabulate waits by
        ``follower_band`` and ``value_band``.
    agents
        Staffing for the simulation (required when ``simulate=True``).
    seed
        Seed of the simulation.
    simulate_options
        Further keyword arguments of ``simulate`` (``handle=``, ``patience=``).
    derive_urgency
        In the gaming part only: derive every query's urgency from its text
        (see :func:`~prioritize.audit.gaming`), to audit what the text lexicon
        rewards even when the frame's urgency is given.

    Returns
    -------
    AuditReport
        With ``to_text()`` and ``to_frames()``.

    Raises
    ------
    InputError
        ``simulate=True`` without ``agents``, or bad simulation options.
    SchemaError
        A frame that breaks the canonical schema.
    """
    policy = check_policy(policy)
    if simulate and agents is None:
        raise InputError("simulate=True needs agents= (a number of agents or shifts)")
    if not simulate and (agents is not None or simulate_options):
        raise InputError("agents= and simulate_options= only apply with simulate=True")
    now = resolve_now(frame, now)
    base = snapshot(frame, policy, now=now)
    counterfactuals = {
        label: counterfactual(frame, policy, column=changes, now=now)
        for label, changes in AUDIT_CHANGES.items()
    }
    result = None
    disparities: dict[str, pd.DataFrame] = {}
    if simulate:
        from prioritize.simulation import simulate as run

        result = run(frame, policy, agents=agents, seed=seed, **dict(simulate_options or {}))
        disparities = _disparities(result.records)
    return AuditReport(
        policy=policy.name,
        queries=len(frame),
        now=now,
        overdue=int(base.overdue.sum()),
        signal_variance_share=variance_share(base.scores),
        counterfactuals=counterfactuals,
        gaming=gaming(frame, policy, now=now, derive_urgency=derive_urgency),
        simulation=result,
        disparities=disparities,
    )
