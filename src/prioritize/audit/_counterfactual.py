"""Counterfactual audit: how far would each query move if one attribute were different?"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError
from prioritize.audit._columns import Change, apply_changes
from prioritize.audit._ranks import Snapshot, check_policy, resolve_now, snapshot, stat
from prioritize.models import group_labels
from prioritize.policy import Policy

__all__ = ["SHIFT_STATS", "CounterfactualResult", "counterfactual", "shift_summary"]

Scope = Literal["each", "all"]

#: The figures of :attr:`CounterfactualResult.summary`, in order.
SHIFT_STATS: tuple[str, ...] = (
    "queries",
    "moved",
    "share_moved",
    "mean_rank_shift",
    "mean_abs_rank_shift",
    "median_abs_rank_shift",
    "p90_abs_rank_shift",
    "max_abs_rank_shift",
    "mean_score_shift",
    "max_abs_score_shift",
)
_VALUE_COLUMNS = frozenset(
    {"lifetime_value", "purchase_count", "total_spend", "days_since_last_purchase"}
)


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Any = _Unset()


@dataclass(frozen=True, slots=True)
class CounterfactualResult:
    """What one counterfactual change does to every query's place in the order.

    Sign convention: a *shift* is the advantage the actual attribute gives.
    ``rank_shift = rank_cf - rank``: +3 means that with the counterfactual
    value the query would be served 3 places *later*, i.e. its actual value
    moves it 3 places ahead. ``score_shift = score - score_cf`` likewise.

    Attributes
    ----------
    description
        The change, e.g. ``"followers=0"``.
    queries
        One row per query, same index and row order as the input frame:
        ``query_id``, the group column, ``rank`` and ``rank_cf`` (1 = served
        first), ``rank_shift``, ``score``, ``score_cf``, ``score_shift``.
    summary
        :data:`SHIFT_STATS` as a Series named ``description``.
    by_group
        Per group: ``count``, ``share_moved``, ``mean_rank_shift``,
        ``mean_abs_rank_shift``, ``mean_score_shift``.
    scope
        ``"each"`` or ``"all"`` (see :func:`counterfactual`).
    """

    description: str
    queries: pd.DataFrame
    summary: pd.Series
    by_group: pd.DataFrame
    scope: Scope

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"CounterfactualResult({self.description!r}, scope={self.scope!r}: "
            f"{s['queries']} queries, {s['share_moved']:.0%} moved, "
            f"mean |rank shift| {s['mean_abs_rank_shift']:.3g})"
        )


def _describe(changes: Mapping[str, Any]) -> str:
    parts = []
    for column, value in changes.items():
        shown = getattr(value, "__name__", "f") + "(…)" if callable(value) else f"{value:g}"
        parts.append(f"{column}={shown}")
    return ", ".join(parts)


def shift_summary(
    shift: npt.NDArray[np.int64], score_shift: npt.NDArray[np.float64]
) -> dict[str, Any]:
    """The :data:`SHIFT_STATS` figures of a rank-shift and a score-shift vector."""
    moved = shift != 0
    abs_shift = np.abs(shift)
    return {
        "queries": int(shift.size),
        "moved": int(moved.sum()),
        "share_moved": stat(moved.astype(np.float64), "mean"),
        "mean_rank_shift": stat(shift, "mean"),
        "mean_abs_rank_shift": stat(abs_shift, "mean"),
        "median_abs_rank_shift": stat(abs_shift, "median"),
        "p90_abs_rank_shift": stat(abs_shift, "p90"),
        "max_abs_rank_shift": stat(abs_shift, "max"),
        "mean_score_shift": stat(score_shift, "mean"),
        "max_abs_score_shift": stat(np.abs(score_shift), "max"),
    }


def _by_group(queries: pd.DataFrame, by: str) -> pd.DataFrame:
    grouped = queries.assign(
        moved=(queries["rank_shift"] != 0).astype(np.float64),
        abs_shift=queries["rank_shift"].abs(),
    ).groupby(by, observed=True, sort=True)
    return pd.DataFrame(
        {
            "count": grouped.size(),
            "share_moved": grouped["moved"].mean(),
            "mean_rank_shift": grouped["rank_shift"].mean(),
            "mean_abs_rank_shift": grouped["abs_shift"].mean(),
            "mean_score_shift": grouped["score_shift"].mean(),
        }
    )


def _default_group(columns: Mapping[str, Any]) -> str:
    return "value_band" if set(columns) <= _VALUE_COLUMNS else "follower_band"


def compare(
    base: Snapshot,
    frame: pd.DataFrame,
    changed: pd.DataFrame,
    scope: Scope,
) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """Scores of ``changed`` and the ranks it gives, by ``scope`` (shared with ``gaming``)."""
    if scope not in ("each", "all"):
        raise InputError(f"scope must be 'each' or 'all'; got {scope!r}")
    scores = base.policy.score_frame(changed, now=base.now)
    key = base.keys_for(scores)
    rank = base.ranks_each(key) if scope == "each" else base.ranks_all(key)
    return scores, rank


def counterfactual(
    frame: pd.DataFrame,
    policy: Policy,
    *,
    column: str | Mapping[str, Change] = "followers",
    value: Change = _UNSET,
    now: datetime | None = None,
    scope: Scope = "each",
    group: str | None = None,
) -> CounterfactualResult:
    """How each query's rank and score would shift if an attribute were different.

    "What if this customer had no followers?": every query is re-scored with
    the counterfactual value and re-ranked. The input frame is not modified.

    Parameters
    ----------
    frame
        A canonical query frame.
    policy
        The policy audited.
    column
        A numeric canonical column (``followers``, ``lifetime_value``,
        ``purchase_count``, ``total_spend``, ``days_since_last_purchase``,
        ``urgency``), or a mapping ``{column: value}`` to change several at
        once (e.g. a purchase history cleared: ``{"purchase_count": 0,
        "total_spend": 0, "days_since_last_purchase": float("nan")}``).
    value
        The counterfactual value: a number for every row (default 0), or a
        function of the column returning one value per row, e.g.
        ``lambda s: s * 10``. Not allowed with a mapping.
    now
        When the queue is looked at; default: the latest arrival in the
        frame, so every query is waiting (aging and ``MaxWait`` act as at
        that moment).
    scope
        ``"each"`` (default): each query alone takes the counterfactual value
        while the others keep theirs: the places *this* customer's attribute
        buys them. ``"all"``: every query changes at once (the attribute is
        switched off for everybody).
    group
        The groups of :attr:`CounterfactualResult.by_group`
        (:func:`~prioritize.models.group_labels`: a frame column, or
        ``follower_band``/``value_band``). Default: ``value_band`` when only
        value or purchase columns change, else ``follower_band``.

    Returns
    -------
    CounterfactualResult
        Per-query ``rank_shift = rank_cf - rank`` (positive: the actual
        attribute moves the query that many places ahead) and
        ``score_shift = score - score_cf``, with a summary and by-group means.

    Raises
    ------
    InputError
        An unknown or non-numeric column, a bad value, ``value`` with a mapping.
    SchemaError
        The frame (or the counterfactual frame: e.g. negative followers)
        breaks the canonical schema.

    Notes
    -----
    Ranks are :meth:`Policy.rank`'s order at ``now``: overdue queries
    (``MaxWait``) first, oldest first, whatever their score, so an overdue
    query never shifts. ``GroupShare`` acts in queues and simulations, not
    here. With ``scope="each"`` the new rank is found by binary search among
    the others' order keys: O(n log n) for the whole frame.

    Examples
    --------
    Thirty queries of one day: under ``influencer_weighted`` taking a customer's
    followers away moves them 13 places on average; an equal-treatment policy
    does not look at followers at all:

    >>> import prioritize as pz
    >>> from prioritize.audit import counterfactual
    >>> frame = pz.synthetic.queries(30, seed=0, days=1)
    >>> loud = counterfactual(frame, pz.policies.influencer_weighted(), value=0)
    >>> round(loud.summary["mean_abs_rank_shift"], 1)
    13.1
    >>> fair = counterfactual(frame, pz.policies.equal_treatment(), value=0)
    >>> int(fair.queries["rank_shift"].abs().max())
    0
    """
    policy = check_policy(policy)
    if isinstance(column, Mapping):
        if value is not _UNSET:
            raise InputError("give either column=<name> with value=, or a mapping of changes")
        changes = dict(column)
    else:
        changes = {column: 0 if value is _UNSET else value}
    changed = apply_changes(frame, changes)
    now = resolve_now(frame, now)
    base = snapshot(frame, policy, now=now)
    scores_cf, rank_cf = compare(base, frame, changed, scope)
    group = group if group is not None else _default_group(changes)
    labels = group_labels(frame, group=group)
    score = base.scores["score"].to_numpy()
    score_cf = scores_cf["score"].to_numpy()
    queries = pd.DataFrame(
        {
            "query_id": frame["query_id"].to_numpy(),
            group: labels.array,
            "rank": base.rank,
            "rank_cf": rank_cf,
            "rank_shift": rank_cf - base.rank,
            "score": score,
            "score_cf": score_cf,
            "score_shift": score - score_cf,
        },
        index=frame.index,
    )
    description = _describe(changes)
    summary = pd.Series(
        shift_summary(queries["rank_shift"].to_numpy(), queries["score_shift"].to_numpy()),
        name=description,
        dtype=object,
    )
    return CounterfactualResult(
        description=description,
        queries=queries,
        summary=summary,
        by_group=_by_group(queries, group),
        scope=scope,
    )
