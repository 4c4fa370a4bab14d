"""The one identity rule for ids (issue 15 item 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize._internal.ids import canonical_id, canonical_ids, integer_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a", "a"),
        ("05", "05"),  # strings are opaque: "05" and "5" are two ids
        (5, "5"),
        (np.int64(-7), "-7"),
        (np.uint8(3), "3"),
        ("", None),
        (True, None),
        (np.bool_(False), None),
        (5.0, None),
        (float("nan"), None),
        (None, None),
        (pd.NA, None),
        (b"a", None),
    ],
)
def test_canonical_id(value: object, expected: str | None) -> None:
    assert canonical_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, "5"), ("05", "5"), (" 12 ", "12"), ("²", None), ("٣", None), (-1, None), (True, None)],
)
def test_integer_id(value: object, expected: str | None) -> None:
    assert integer_id(value) == expected


@given(st.lists(st.one_of(st.integers(-(10**20), 10**20), st.text(max_size=4)), max_size=20))
def test_canonical_ids_of_a_column_agree_with_the_scalar_rule(values: list[object]) -> None:
    series = pd.Series(values, dtype=object)
    canon, bad = canonical_ids(series)
    expected = [canonical_id(v) for v in values]
    assert canon.tolist() == expected
    assert bad.tolist() == [e is None for e in expected]


@pytest.mark.parametrize("dtype", ["int64", "Int64", "object", "string", "category"])
def test_canonical_ids_accept_every_id_dtype(dtype: str) -> None:
    series = (
        pd.Series([1, 22, 333]).astype(dtype)
        if dtype != "string"
        else pd.Series(["1", "22", "333"], dtype="string")
    )
    canon, bad = canonical_ids(series)
    assert canon.tolist() == ["1", "22", "333"]
    assert not bad.any()


def test_an_integer_and_its_string_are_one_query_everywhere() -> None:
    frame = pz.synthetic.queries(5, seed=0)
    frame["query_id"] = pd.Series([1, "1", "a", "b", "c"], dtype=object)
    policy = pz.policies.balanced()
    pattern = r"column 'query_id'.*unique ids.*row 0 = 1, row 1 = '1'"
    q = pz.TriageQueue(policy)
    with pytest.raises(pz.SchemaError, match=pattern):
        q.push_frame(frame)
    assert len(q) == 0
    with pytest.raises(pz.SchemaError, match=pattern):
        policy.score_frame(frame)
    with pytest.raises(pz.SchemaError, match=pattern):
        policy.rank(frame)
    with pytest.raises(pz.SchemaError, match=pattern):
        pz.simulate(frame, policy, agents=2)


@pytest.mark.parametrize("bad", [True, 1.5, float("nan"), ""])
def test_a_bad_id_is_named_by_row(bad: object) -> None:
    frame = pz.synthetic.queries(4, seed=0)
    frame["query_id"] = pd.Series(["a", "b", bad, "d"], dtype=object)
    with pytest.raises(pz.SchemaError, match=r"column 'query_id'.*non-empty id.*row 2"):
        pz.TriageQueue(pz.policies.fifo()).push_frame(frame)


def test_integer_ids_become_their_decimal_strings_in_every_output() -> None:
    frame = pz.synthetic.queries(6, seed=3)
    frame["query_id"] = np.arange(100, 106)
    policy = pz.policies.balanced()
    ranked = policy.rank(frame)["query_id"].tolist()
    q = pz.TriageQueue(policy)
    assert q.push_frame(frame) == len(q) == 6
    now = frame["received_at"].max()
    assert [q.pop(now).query_id for _ in range(6)] == ranked
    assert sorted(ranked) == [str(i) for i in range(100, 106)]
    records = pz.simulate(frame, policy, agents=2).records
    assert records["query_id"].tolist() == [str(i) for i in range(100, 106)]
