"""Gaming audit: what does a customer gain by shouting, or by buying followers?

Customers learn what jumps the queue. For each manipulation (append "!!!",
write in capitals, add "urgent", multiply one's followers by ten) this
measures the places a query gains when *its author alone* manipulates and
everybody else writes as before: the honest size of the incentive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize.audit._columns import text_driven
from prioritize.audit._counterfactual import Scope, compare
from prioritize.audit._ranks import check_policy, resolve_now, snapshot, stat
from prioritize.policy import Policy

__all__ = ["GAMING_STATS", "MANIPULATIONS", "GamingResult", "Manipulation", "gaming"]

#: Columns of :attr:`GamingResult.summary`, in order.
GAMING_STATS: tuple[str, ...] = (
    "applicable",
    "mean_rank_gain",
    "median_rank_gain",
    "max_rank_gain",
    "share_gaining",
    "mean_score_gain",
    "note",
)
_NO_TEXT_ROWS = (
    "urgency is given for every query, so text cannot move any "
    "(derive_urgency=True audits the text lexicon)"
)
_NO_TEXT = "the frame has no text column"


@dataclass(frozen=True, slots=True)
class Manipulation:
    """One way a customer can game the queue.

    Attributes
    ----------
    name
        Its label in the results.
    apply
        A function from a frame to a manipulated copy with the same rows and
        index (it must not modify its argument).
    reads_text
        True when it changes only ``text``: it can only move queries whose
        urgency is derived from their text, and is measured on those alone.
    description
        One line for reports.
    """

    name: str
    apply: Callable[[pd.DataFrame], pd.DataFrame]
    reads_text: bool = False
    description: str = ""


def _text(frame: pd.DataFrame, edit: Callable[[str], str]) -> pd.DataFrame:
    if "text" not in frame.columns:
        return frame.copy()
    # Rows whose urgency is given may hold no text (NaN): left as they are.
    return frame.assign(text=frame["text"].map(lambda t: edit(t) if isinstance(t, str) else t))


def _followers_x10(frame: pd.DataFrame) -> pd.DataFrame:
    # In float: ten times a huge int64 count would overflow silently.
    return frame.assign(followers=frame["followers"].to_numpy(dtype=np.float64) * 10.0)


#: The built-in manipulations, by name.
MANIPULATIONS: dict[str, Manipulation] = {
    m.name: m
    for m in (
        Manipulation(
            "exclamations", lambda f: _text(f, lambda t: t + " !!!"), True, 'append " !!!"'
        ),
        Manipulation("caps", lambda f: _text(f, str.upper), True, "ALL CAPS"),
        Manipulation(
            "urgent_word", lambda f: _text(f, lambda t: t + " urgent"), True, 'append " urgent"'
        ),
        Manipulation("followers_x10", _followers_x10, False, "followers × 10 (bought followers)"),
    )
}


@dataclass(frozen=True, slots=True)
class GamingResult:
    """The rank gain per manipulation.

    Attributes
    ----------
    summary
        One row per manipulation (:data:`GAMING_STATS`): ``applicable``
        (queries it can move: for text manipulations, those whose urgency is
        derived from text), ``mean_rank_gain``, ``median_rank_gain``,
        ``max_rank_gain`` (places moved ahead; positive = served earlier),
        ``share_gaining`` (share of applicable queries that move ahead),
        ``mean_score_gain`` and a ``note`` (why nothing is measured, or "").
        Figures are over the applicable queries; NaN when there are none.
    queries
        One row per (manipulation, query), indexed by manipulation and the
        frame's index: ``query_id``, ``applicable``, ``rank``,
        ``rank_gamed``, ``rank_gain = rank - rank_gamed``, ``score``,
        ``score_gamed``, ``score_gain``.
    derive_urgency
        Whether the ``urgency`` column was dropped to audit the text lexicon.
    """

    summary: pd.DataFrame
    queries: pd.DataFrame
    derive_urgency: bool

    def __repr__(self) -> str:
        gains = ", ".join(
            f"{name} {gain:+.3g}" for name, gain in self.summary["mean_rank_gain"].items()
        )
        return f"GamingResult(mean rank gain: {gains})"


def _resolve(
    manipulations: Iterable[str | Manipulation]
    | Mapping[str, Callable[[pd.DataFrame], pd.DataFrame]]
    | None,
) -> list[Manipulation]:
    if manipulations is None:
        return list(MANIPULATIONS.values())
    if isinstance(manipulations, Mapping):
        return [Manipulation(str(name), fn) for name, fn in manipulations.items()]
    if isinstance(manipulations, str):
        manipulations = [manipulations]
    out = []
    for item in manipulations:
        if isinstance(item, Manipulation):
            out.append(item)
        elif isinstance(item, str) and item in MANIPULATIONS:
            out.append(MANIPULATIONS[item])
        else:
            raise InputError(
                f"unknown manipulation {item!r}; use one of {sorted(MANIPULATIONS)}, a "
                f"Manipulation, or a mapping name -> function(frame) -> frame"
            )
    if not out:
        raise InputError("manipulations is empty: give at least one")
    names = [m.name for m in out]
    if len(set(names)) != len(names):
        raise InputError(f"manipulation names must be unique; got {names}")
    return out


def _apply(manipulation: Manipulation, frame: pd.DataFrame) -> pd.DataFrame:
    changed = manipulation.apply(frame)
    if not isinstance(changed, pd.DataFrame) or not changed.index.equals(frame.index):
        raise InputError(
            f"manipulation {manipulation.name!r} must return a DataFrame with the same rows "
            f"and index as its input"
        )
    return changed


def _summary_row(part: pd.DataFrame, manipulation: Manipulation, has_text: bool) -> dict[str, Any]:
    on = part["applicable"].to_numpy(dtype=bool)
    gain = part["rank_gain"].to_numpy()[on]
    note = ""
    if manipulation.reads_text and not on.any():
        note = _NO_TEXT_ROWS if has_text else _NO_TEXT
    return {
        "applicable": int(on.sum()),
        "mean_rank_gain": stat(gain, "mean"),
        "median_rank_gain": stat(gain, "median"),
        "max_rank_gain": stat(gain, "max"),
        "share_gaining": stat((gain > 0).astype(np.float64), "mean"),
        "mean_score_gain": stat(part["score_gain"].to_numpy()[on], "mean"),
        "note": note,
    }


def gaming(
    frame: pd.DataFrame,
    policy: Policy,
    *,
    now: datetime | None = None,
    manipulations: Iterable[str | Manipulation]
    | Mapping[str, Callable[[pd.DataFrame], pd.DataFrame]]
    | None = None,
    derive_urgency: bool = False,
    scope: Scope = "each",
) -> GamingResult:
    """How many places a query gains by gaming the policy.

    Parameters
    ----------
    frame
        A canonical query frame (not modified).
    policy
        The policy audited.
    now
        When the queue is looked at; default: the latest arrival in the frame.
    manipulations
        Names from :data:`MANIPULATIONS` (default: all: ``exclamations``,
        ``caps``, ``urgent_word``, ``followers_x10``), :class:`Manipulation`
        objects, or a mapping ``name -> function(frame) -> frame``.
    derive_urgency
        Drop the ``urgency`` column first so every query's urgency comes from
        its text: audits the text lexicon itself. By default a query whose
        urgency is *given* cannot gain by rewriting its text, and text
        manipulations are measured only on queries whose urgency is derived
        (``applicable``); when there are none the ``note`` says so.
    scope
        ``"each"`` (default): one query manipulates, the others do not; the
        gain is the incentive of a single customer. ``"all"``: everybody does
        it at once (the arms race: gains largely cancel out).

    Returns
    -------
    GamingResult
        A summary row per manipulation and the per-query detail.

    Raises
    ------
    InputError
        An unknown manipulation, or one that changes the rows.
    SchemaError
        A frame that breaks the schema, or ``derive_urgency=True`` without a
        ``text`` column.
    """
    policy = check_policy(policy)
    chosen = _resolve(manipulations)
    if derive_urgency:
        if "text" not in frame.columns:
            raise SchemaError("derive_urgency=True needs a 'text' column to derive urgency from")
        frame = frame.drop(columns=["urgency"], errors="ignore")
    now = resolve_now(frame, now)
    base = snapshot(frame, policy, now=now)
    score = base.scores["score"].to_numpy()
    derived = text_driven(frame)
    everyone = np.ones(len(frame), dtype=bool)
    parts: list[pd.DataFrame] = []
    rows: list[dict[str, Any]] = []
    for manipulation in chosen:
        scores, rank = compare(base, frame, _apply(manipulation, frame), scope)
        gamed = scores["score"].to_numpy()
        part = pd.DataFrame(
            {
                "query_id": frame["query_id"].to_numpy(),
                "applicable": derived if manipulation.reads_text else everyone,
                "rank": base.rank,
                "rank_gamed": rank,
                "rank_gain": base.rank - rank,
                "score": score,
                "score_gamed": gamed,
                "score_gain": gamed - score,
            },
            index=frame.index,
        )
        parts.append(part)
        rows.append(_summary_row(part, manipulation, "text" in frame.columns))
    names = [m.name for m in chosen]
    summary = pd.DataFrame(rows, index=pd.Index(names, name="manipulation"))
    queries = pd.concat(parts, keys=names, names=["manipulation", frame.index.name])
    return GamingResult(summary=summary, queries=queries, derive_urgency=derive_urgency)
