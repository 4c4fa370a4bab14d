"""first_true: the one bisection (agents_needed's Erlang A search, SharedQueue's lane cut)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize._internal.search import first_true

INT64 = st.integers(-(2**63), 2**63 - 1)


@given(INT64, INT64, INT64)
def test_first_true_is_the_threshold_of_a_monotone_test(a: int, b: int, c: int) -> None:
    failing, threshold, passing = sorted((a, b, c))
    if failing == threshold:
        threshold += 1
    if threshold > passing:
        return
    calls: list[int] = []

    def test(n: int) -> bool:
        assert failing < n < passing  # the ends are the caller's, never asked again
        calls.append(n)
        return n >= threshold

    assert first_true(test, failing, passing) == threshold
    assert len(calls) <= max(1, (passing - failing).bit_length())


def test_first_true_needs_an_interval() -> None:
    assert first_true(lambda n: True, 4, 5) == 5
    with pytest.raises(ValueError, match="failing < passing"):
        first_true(lambda n: True, 5, 5)
