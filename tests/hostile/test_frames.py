"""Hostile frames: every frame entry point accepts the same frames and agrees, or names the culprit.

For any frame the strategies produce (nullable dtypes, mixed id types,
categoricals, pyarrow strings, extreme floats, unknown channels, huge
durations), :meth:`Policy.score_frame`, :meth:`Policy.rank`,
:func:`prioritize.simulate` and :meth:`TriageQueue.push_frame` either all
accept it, with the same scores and the queue popping in ``rank`` order, or
all raise the same :class:`~prioritize.SchemaError` naming a column. Never a
TypeError, KeyError, AttributeError or RecursionError from inside.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz

POLICIES = {
    "balanced": pz.policies.balanced(),  # MaxWait, aging, caps
    "influencer": pz.policies.influencer_weighted(),
    "extreme": pz.Policy.model_validate(
        {
            "weights": {"urgency": pz.policy.MAX_POINTS, "follower_reach": pz.policy.MAX_POINTS},
            "rules": [{"kind": "aging", "points_per_hour": pz.policy.MAX_POINTS_PER_HOUR}],
        }
    ),
}

ids = st.one_of(
    st.integers(-3, 3),
    st.sampled_from(["1", "01", "a", "b", "", "²", " "]),
    st.none(),
    st.sampled_from([1.0, float("nan"), True]),
)
counts = st.sampled_from([0, 1, 7, 2**53, 2**62, -1, None])
reals = st.sampled_from(
    [0.0, 0.5, 1.0, 3.0, 1e15, 1e308, float("inf"), float("nan"), None, -1e-300, 5e-324]
)
unit = st.sampled_from([0.0, 0.25, 1.0, float("nan"), None, 1.5, -0.0])
texts = st.sampled_from(
    ["", "refund\x00", "ｒｅｆｕｎｄ", "still\u200bwaiting", "NO NO NO!!", "ok", None, "x" * 20_000]
)
channels = st.sampled_from(["email", "twitter", "chat", "pigeon", None])
minutes = st.sampled_from([1.0, 30.0, 1e9, 0.0, -1.0, float("nan"), None])
flags = st.sampled_from([True, False, None])


def _column(draw: st.DrawFn, n: int, values: st.SearchStrategy[Any]) -> list[Any]:
    return draw(st.lists(values, min_size=n, max_size=n))


def _numeric(values: list[Any], kind: str) -> Any:
    if kind == "nullable":
        try:
            dtype = "Int64" if all(v is None or isinstance(v, int) for v in values) else "Float64"
            return pd.array(values, dtype=dtype)
        except (TypeError, ValueError, OverflowError):
            return pd.Series(values, dtype=object)
    if kind == "numpy":
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return pd.Series(values, dtype=object)


def _strings(values: list[Any], kind: str) -> Any:
    if kind == "pyarrow" and all(v is None or isinstance(v, str) for v in values):
        return pd.Series(values, dtype=pd.ArrowDtype(pa.string()))
    if kind == "string" and all(v is None or isinstance(v, str) for v in values):
        return pd.array(values, dtype="string[pyarrow]")
    if kind == "category":
        try:
            return pd.Categorical(values)
        except TypeError:
            pass
    return pd.Series(values, dtype=object)


@st.composite
def hostile_frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 6))
    frame = pz.synthetic.queries(n, seed=draw(st.integers(0, 9)))
    string_kind = st.sampled_from(["object", "pyarrow", "string", "category"])
    number_kind = st.sampled_from(["nullable", "numpy", "object"])
    for column in ("query_id", "customer_id"):
        how = draw(st.sampled_from(["keep", "mixed", "mixed", "hostile"]))
        if how == "mixed":  # valid: ints and strings, unique once canonical
            mixed = st.one_of(st.integers(0, 99), st.text("ab1", min_size=1, max_size=3))
            values = draw(st.lists(mixed, min_size=n, max_size=n, unique_by=str))
            frame[column] = _strings(values, draw(string_kind))
        elif how == "hostile":
            frame[column] = _strings(_column(draw, n, ids), draw(string_kind))
    for column, values in (
        ("followers", counts),
        ("purchase_count", counts),
        ("lifetime_value", reals),
        ("total_spend", reals),
        ("days_since_last_purchase", reals),
        ("urgency", unit),
        ("handle_minutes", minutes),
        ("patience_minutes", minutes),
    ):
        choice = draw(st.sampled_from(["keep"] * 4 + ["nullable", "nullable", "mutate", "drop"]))
        if choice == "nullable":
            frame[column] = _numeric(frame[column].tolist(), "nullable")
        elif choice == "mutate":
            frame[column] = _numeric(_column(draw, n, values), draw(number_kind))
        elif choice == "drop" and column in pz.models.OPTIONAL_COLUMNS:
            frame = frame.drop(columns=column)
    if draw(st.booleans()):
        frame["text"] = _strings(_column(draw, n, texts), draw(string_kind))
    if draw(st.integers(0, 3)) == 0:
        frame["channel"] = _strings(_column(draw, n, channels), draw(string_kind))
    public = draw(st.sampled_from(["keep", "nullable", "mutate", "drop"]))
    if public == "nullable":
        frame["is_public"] = frame["is_public"].astype("boolean")
    elif public == "mutate":
        frame["is_public"] = pd.array(_column(draw, n, flags), dtype="boolean")
    elif public == "drop":
        frame = frame.drop(columns="is_public")
    when = draw(st.sampled_from(["keep", "paris", "us"]))
    if when == "paris":
        frame["received_at"] = frame["received_at"].dt.tz_convert("Europe/Paris")
    elif when == "us":
        frame["received_at"] = frame["received_at"].dt.as_unit("us")
    return frame


def _outcome(fn: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except pz.PrioritizeError as exc:
        return "error", exc


def _canonical(values: Any) -> list[str]:
    return [str(v) for v in values]


@given(hostile_frames(), st.sampled_from(sorted(POLICIES)))
def test_every_entry_point_accepts_the_same_frames_and_agrees(
    frame: pd.DataFrame, name: str
) -> None:
    policy = POLICIES[name]
    now = frame["received_at"].max()
    queue = pz.TriageQueue(policy)
    results = {
        "score_frame": _outcome(lambda: policy.score_frame(frame)),
        "rank": _outcome(lambda: policy.rank(frame, now=now)),
        "push_frame": _outcome(lambda: queue.push_frame(frame)),
        "simulate": _outcome(lambda: pz.simulate(frame, policy, agents=2, seed=0)),
    }
    kinds = {key: kind for key, (kind, _) in results.items()}
    if kinds["score_frame"] == "error":
        error = results["score_frame"][1]
        assert isinstance(error, pz.SchemaError)
        assert "column" in str(error) or "frame" in str(error)
        assert set(kinds.values()) == {"error"}, kinds
        for key, (_, exc) in results.items():
            assert type(exc) is type(error) and str(exc) == str(error), key
        assert len(queue) == 0  # all or nothing
        return
    assert kinds["rank"] == kinds["push_frame"] == "ok", results
    scores = results["score_frame"][1]["score"].to_numpy()
    assert np.isfinite(scores).all()
    ranked = results["rank"][1]
    popped = [queue.pop(now) for _ in range(len(frame))]
    assert [e.query_id for e in popped] == _canonical(ranked["query_id"])
    at_now = policy.score_frame(frame, now=now)["score"]
    pd.testing.assert_series_equal(ranked["score"], at_now.loc[ranked.index], check_names=False)
    # The queue's scalar scores at the pop equal the vectorised ones (one definition).
    assert [e.score.value for e in popped] == pytest.approx(
        ranked["score"].tolist(), rel=1e-9, abs=1e-9
    )
    if kinds["simulate"] == "error":
        # Only a queue of huge handle times can run past the time axis.
        assert "time axis" in str(results["simulate"][1])
    else:
        records = results["simulate"][1].records
        assert len(records) == len(frame)
        assert _canonical(records["query_id"]) == _canonical(frame["query_id"])
