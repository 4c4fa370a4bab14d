"""The shared payload walker: pages and lists of pages flatten to the records, in order."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.adapters import freshdesk, intercom
from prioritize.adapters._records import holds_only, page_items


def _is_item(obj: Any) -> bool:
    return "id" in obj


def _walk(doc: Any) -> list[Any]:
    return page_items(doc, what="test payload", key="results", is_item=_is_item, expected="x")


# A payload: a record, a page of records, or a list of payloads.
records = st.integers(0, 99).map(lambda i: {"id": i})
payloads = st.recursive(
    records | st.lists(records).map(lambda r: {"results": r}),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=12,
)


def _flat(doc: Any) -> list[Any]:
    if isinstance(doc, list):
        return [r for item in doc for r in _flat(item)]
    return list(doc["results"]) if "results" in doc else [doc]


@given(payloads)
def test_pages_and_lists_flatten_to_the_records_in_order(doc: Any) -> None:
    assert _walk(doc) == _flat(doc)


def test_an_unknown_object_or_value_is_named() -> None:
    with pytest.raises(
        InputError, match=r"test payload: expected x; got an object with keys \['a'\]"
    ):
        _walk({"a": 1})
    with pytest.raises(InputError, match="test payload: expected x; got int"):
        _walk(3)


@pytest.mark.parametrize(
    ("doc", "expected"),
    [([{"id": 1}], True), ([], False), ([{"id": 1}, {"no": 2}], False), (3, False)],
)
def test_holds_only_needs_some_records_and_all_of_them_good(doc: Any, expected: bool) -> None:
    assert holds_only(doc, _walk, lambda r: isinstance(r, dict) and "id" in r) is expected


def test_readers_share_the_walker() -> None:
    assert not freshdesk.detect({"unrelated": 1}) and not intercom.detect({"unrelated": 1})
