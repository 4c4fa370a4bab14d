"""The report's reading: figures it states are never misread."""

from __future__ import annotations

from prioritize.report._reading import _shares


def test_a_range_of_shares_is_never_read_as_equal_when_it_is_not() -> None:
    # 64.6% and 65.3% both round to 65%: "ranges from 65% to 65%" misreads the range.
    assert _shares(0.646, 0.653) == ("64.6%", "65.3%")
    assert _shares(0.31, 0.35) == ("31%", "35%")
    assert _shares(0.6501, 0.6502) == ("65.01%", "65.02%")
    assert _shares(0.65, 0.65) == ("65%", "65%")
