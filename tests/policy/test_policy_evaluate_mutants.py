"""Scoring details the mutation run (``make mutate``, policy group) found untested: the
swap hint only for a real swap, and ``score_frame``'s ``validate=``."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError, SchemaError
from prioritize.policy import Policy, _evaluate

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
QUERY = pz.Query(query_id="q1", customer_id="c1", received_at=T0, channel="chat", text="hi")
CUSTOMER = pz.Customer(customer_id="c1", followers=30, lifetime_value=250.0)


@pytest.mark.parametrize("policy", [Policy(), pz.policies.balanced()], ids=["default", "balanced"])
def test_one_kind_twice_is_no_swap(policy: Policy) -> None:
    for call in (policy.score, policy.score_value):
        with pytest.raises(InputError, match=r"^query must be a prioritize Query; got Customer$"):
            call(CUSTOMER, CUSTOMER)  # type: ignore[arg-type]
        with pytest.raises(
            InputError, match=r"^customer must be a prioritize Customer; got Query$"
        ):
            call(QUERY, QUERY)  # type: ignore[arg-type]


@pytest.mark.parametrize("preset", ["fifo", "balanced"])
def test_the_compiled_methods_are_named_like_the_methods(preset: str) -> None:
    # Policy.score and Policy.score_value are compiled functions bound on the policy: a call
    # missing an argument names the method as Python names any method
    policy = getattr(pz.policies, preset)()
    with pytest.raises(TypeError, match=r"^Policy\.score\(\) missing 1 required positional"):
        policy.score(QUERY)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"^Policy\.score_value\(\) missing 1 required"):
        policy.score_value(QUERY)  # type: ignore[call-arg]


def _frame() -> pd.DataFrame:
    return pz.synthetic.queries(6, seed=3)


def test_validate_must_be_full_or_read() -> None:
    with pytest.raises(InputError, match=r"^validate must be 'full' or 'read'; got 'FULL'$"):
        Policy().score_frame(_frame(), validate="FULL")  # type: ignore[arg-type]


def test_full_validation_checks_ids_and_read_validation_does_not() -> None:
    frame = _frame()
    frame["query_id"] = frame["query_id"].iloc[0]  # every id the same
    now = frame["received_at"].max()
    with pytest.raises(SchemaError, match="query_id"):
        Policy().score_frame(frame, now=now)
    with pytest.raises(SchemaError, match="query_id"):
        Policy().score_frame(frame, now=now, validate="full")
    read = Policy().score_frame(frame, now=now, validate="read")
    unique = Policy().score_frame(_frame(), now=now)
    assert read["score"].tolist() == unique["score"].tolist()


@pytest.mark.parametrize("threads", [2, 3, 8])
def test_scoring_in_row_blocks_on_threads_equals_scoring_at_once(
    monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    # Frames of 2 x 200,000 rows and more are scored in row blocks on threads; here the
    # block size is made tiny so that 13 rows are cut into `threads` blocks.
    frame = pz.synthetic.queries(13, seed=5)
    now = frame["received_at"].max()
    policy = pz.policies.balanced()
    at_once = policy.score_frame(frame, now=now)
    monkeypatch.setattr(_evaluate, "_ROWS_PER_THREAD", 4)
    monkeypatch.setattr(_evaluate, "_THREADS", threads)
    in_blocks = policy.score_frame(frame, now=now)
    pd.testing.assert_frame_equal(in_blocks, at_once)


def test_queries_received_after_now_are_counted_and_named() -> None:
    # score_frame refuses a frame with queries received after `now`, naming how many and
    # which rows (index label and query_id), whatever the index
    frame = _frame().set_index(pd.Index([10, 11, 12, 13, 14, 15]))
    now = frame["received_at"].iloc[3].to_pydatetime()
    late = frame[frame["received_at"] > now]
    assert len(late) == 2
    ids = zip(late.index, late["query_id"], strict=True)
    rows = ", ".join(f"row {i} (query_id={q!r})" for i, q in ids)
    message = f"2 query(ies) were received after now={now.isoformat()}: {rows}"
    with pytest.raises(InputError) as caught:
        Policy().score_frame(frame, now=now)
    assert str(caught.value) == message
    # at the first late arrival itself, only the last query is late
    with pytest.raises(InputError, match=r"^1 query\(ies\) were received after now="):
        Policy().score_frame(frame, now=late["received_at"].iloc[0].to_pydatetime())
