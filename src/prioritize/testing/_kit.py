"""Plumbing of the fairness assertions: running hypothesis, redrawing columns, messages."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt
import pandas as pd
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as Settings
from hypothesis import strategies as st

from prioritize._errors import InputError
from prioritize._internal.checks import check_instance, check_int
from prioritize.audit import NUMERIC_COLUMNS, SIGNAL_COLUMNS, snapshot
from prioritize.policy import Policy
from prioritize.testing.strategies import column_values, query_frames

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "FRAMES",
    "INT_COLUMNS",
    "MAX_LATER_MINUTES",
    "Figures",
    "Frames",
    "Verdict",
    "Violation",
    "assign",
    "check_policy",
    "draw_now",
    "fail",
    "fewest_rows",
    "frames_for",
    "headline",
    "redraw",
    "resolve_columns",
    "run",
    "run_on_frames",
    "table",
    "view",
]

#: Examples each assertion tries unless told otherwise: enough to find the
#: usual violations in a second or two, few enough for a fast suite.
DEFAULT_MAX_EXAMPLES = 50
#: ``now`` is drawn up to this many minutes after a frame's last arrival, so
#: aging and ``MaxWait`` act too.
MAX_LATER_MINUTES = 2 * 1440
SHOWN_ROWS = 12
INT_COLUMNS = frozenset({"followers", "purchase_count"})
Frames = st.SearchStrategy[pd.DataFrame]
#: Figures to show per row: name (or pair of headings) -> (before, after).
Figures = Mapping[str | tuple[str, str], tuple[npt.NDArray[Any], npt.NDArray[Any]]]
#: What a check found on a frame and its changed copy: the offending rows, the figures.
Verdict = tuple[npt.NDArray[np.bool_], Figures]


#: The default frames of the score assertions: small, since a violation needs a
#: row or two and every extra row costs generation and shrinking time.
FRAMES = query_frames(max_rows=8)


class Violation(AssertionError):
    """A failed check whose full description is built once, for the shrunk example only."""

    def __init__(self, summary: str, describe: Callable[[], str]) -> None:
        super().__init__(summary)
        self.describe = describe


def check_policy(policy: Any) -> Policy:
    """``policy`` itself, or an :class:`InputError` saying what was passed instead."""
    return check_instance("policy", policy, Policy)


def run(
    test: Callable[..., None],
    strategies: dict[str, st.SearchStrategy[Any]],
    settings: Settings | None,
    max_examples: int | None,
) -> None:
    """Run ``test`` under hypothesis; a failure re-raises the shrunk example's error."""
    if max_examples is not None:
        max_examples = check_int("max_examples", max_examples, minimum=1)
    if settings is None:
        base = Settings(
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        count = DEFAULT_MAX_EXAMPLES if max_examples is None else max_examples
    else:
        base = settings
        count = settings.max_examples if max_examples is None else max_examples
    # One readable error, not a group of every distinct failure seen while searching;
    # no "explain" phase: it re-runs the policy hundreds of times to annotate the
    # falsifying example, and our message already says what differed.
    phases = tuple(p for p in base.phases if p is not Phase.explain)
    chosen = Settings(base, max_examples=count, report_multiple_bugs=False, phases=phases)
    try:
        chosen(given(**strategies)(test))()
    except Violation as exc:
        error = AssertionError(exc.describe())
        for note in getattr(exc, "__notes__", ()):
            error.add_note(note)
        raise error from None


def draw_now(data: st.DataObject, frame: pd.DataFrame) -> datetime | None:
    if len(frame) == 0:
        return None
    later = data.draw(st.integers(0, MAX_LATER_MINUTES), label="now: minutes after last arrival")
    latest: datetime = frame["received_at"].max().to_pydatetime()
    return latest + timedelta(minutes=later)


def frames_for(policy: Policy, frames: Frames | None) -> Frames:
    """The frames an assertion draws: ``frames``, or small ones with the policy's own columns."""
    if frames is not None:
        return frames
    return query_frames(max_rows=8, policy=policy) if policy.signals.custom else FRAMES


def run_on_frames(
    check: Callable[[pd.DataFrame, st.DataObject], None],
    policy: Policy,
    frames: Frames | None,
    settings: Settings | None,
    max_examples: int | None,
) -> None:
    """Run ``check(frame, data)`` under hypothesis on the frames :func:`frames_for` gives."""
    run(check, {"frame": frames_for(policy, frames), "data": st.data()}, settings, max_examples)


def resolve_columns(
    column: str | Sequence[str], *, signals: bool = True, policy: Policy | None = None
) -> tuple[str, ...]:
    names = [column] if isinstance(column, str) else list(column)
    # The signals a policy declares: by name, or by the column each reads.
    declared = {} if policy is None else {n: d.input for n, d in policy.signals.custom.items()}
    allowed = (*NUMERIC_COLUMNS, "text", *dict.fromkeys(declared.values()))
    out: list[str] = []
    for name in names:
        if name in allowed:
            out.append(name)
        elif signals and name in SIGNAL_COLUMNS:
            out.extend(SIGNAL_COLUMNS[name])
        elif signals and name in declared:
            out.append(declared[name])
        else:
            extra = f" or a signal {sorted(SIGNAL_COLUMNS) + sorted(declared)}" if signals else ""
            raise InputError(f"column must be one of {list(allowed)}{extra}; got {name!r}")
    if not out:
        raise InputError("give at least one column")
    return tuple(dict.fromkeys(out))


def assign(frame: pd.DataFrame, column: str, values: Any) -> None:
    dtype = np.int64 if column in INT_COLUMNS else None if column == "text" else np.float64
    frame[column] = np.asarray(values, dtype=dtype) if dtype is not None else list(values)


def redraw(
    data: st.DataObject, frame: pd.DataFrame, columns: Sequence[str], policy: Policy | None = None
) -> pd.DataFrame:
    """A copy of ``frame`` with ``columns`` replaced by any valid values (``column_values``)."""
    changed = frame.copy()
    for column in columns:
        if column == "text" and "text" not in frame.columns:
            continue
        allow_nan = column != "urgency" or "text" in frame.columns
        values = data.draw(
            column_values(column, len(frame), allow_nan=allow_nan, policy=policy), label=column
        )
        assign(changed, column, values)
    return changed


def view(
    policy: Policy, frame: pd.DataFrame, now: datetime | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Scores and ranks (1 = first, :meth:`Policy.rank`'s order) of every row, by position."""
    view = snapshot(frame, policy, now=now)
    scores: npt.NDArray[np.float64] = view.scores["score"].to_numpy()
    return scores, view.rank


def table(
    frame: pd.DataFrame,
    changed: pd.DataFrame,
    columns: Sequence[str],
    rows: npt.NDArray[np.bool_],
    figures: Figures,
) -> str:
    """The offending rows: id, each column before -> after, each figure before -> after.

    A figure named by a string ``s`` is shown as ``s before`` and ``s after``;
    one named by a pair of strings under those two headings.
    """
    where = np.flatnonzero(rows)[:SHOWN_ROWS]
    shown: dict[str, Any] = {"query_id": frame["query_id"].to_numpy()[where]}
    for column in columns:
        if column in changed.columns:
            old = frame[column].to_numpy()[where] if column in frame.columns else ["(absent)"]
            shown[f"{column} before"] = old
            shown[f"{column} after"] = changed[column].to_numpy()[where]
    for name, (before, after) in figures.items():
        first, second = (f"{name} before", f"{name} after") if isinstance(name, str) else name
        shown[first] = before[where]
        shown[second] = after[where]
    text = str(pd.DataFrame(shown).to_string(index=False))
    more = int(rows.sum()) - len(where)
    return text + (f"\n… and {more} more row(s)" if more > 0 else "")


def headline(policy: Policy, what: str, frame: pd.DataFrame, now: datetime | None) -> str:
    at = "at arrival" if now is None else f"now={now.isoformat()}"
    return f"policy {policy.name!r} {what}\ncounter-example: {len(frame)} row(s), {at}:\n"


def fewest_rows(
    frame: pd.DataFrame,
    changed: pd.DataFrame,
    judge: Callable[[pd.DataFrame, pd.DataFrame], Verdict],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The failing pair with rows deleted one at a time while it still fails.

    Hypothesis shrinks by deleting draws, but a frame followed by draws sized to
    it (new values per row, a subset) often stops a row or more short. Run once,
    on the final example: a handful of policy evaluations on a few rows.
    """
    keep = list(range(len(frame)))
    i = 0
    while i < len(keep):
        trial = keep[:i] + keep[i + 1 :]
        if trial and judge(frame.iloc[trial], changed.iloc[trial])[0].any():
            keep = trial
        else:
            i += 1
    return frame.iloc[keep], changed.iloc[keep]


def fail(
    policy: Policy,
    what: str | Callable[[pd.DataFrame, pd.DataFrame, Verdict], str],
    frame: pd.DataFrame,
    changed: pd.DataFrame,
    now: datetime | None,
    columns: Sequence[str],
    judge: Callable[[pd.DataFrame, pd.DataFrame], Verdict],
) -> NoReturn:
    """Raise the failure; its message shows the smallest failing rows (see :func:`fewest_rows`)."""

    def describe() -> str:
        small, small_changed = fewest_rows(frame, changed, judge)
        verdict = judge(small, small_changed)
        text = what if isinstance(what, str) else what(small, small_changed, verdict)
        bad, figures = verdict
        return headline(policy, text, small, now) + table(
            small, small_changed, columns, bad, figures
        )

    raise Violation(
        f"policy {policy.name!r} {what if isinstance(what, str) else 'failed'}", describe
    )
