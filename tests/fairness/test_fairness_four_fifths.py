"""The four-fifths rule: its value, and a group flagged just below it and not just above."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.fairness import FOUR_FIFTHS, DisparityFrame


def test_the_rule_is_four_fifths() -> None:
    assert FOUR_FIFTHS == 0.8


def _two_groups(best: float, other: float, stat: str = "mean") -> DisparityFrame:
    frame = pd.DataFrame({"wait_minutes": [best, other], "band": ["best", "other"]})
    return DisparityFrame(frame, group="band", stat=stat)


@pytest.mark.parametrize(
    ("relative", "flagged"), [(0.79, True), (0.7999, True), (0.8, False), (0.81, False)]
)
def test_default_threshold_flags_below_four_fifths_only(relative: float, flagged: bool) -> None:
    # Waits, lower is better: relative = best / value.
    d = _two_groups(relative * 100.0, 100.0)
    table = d.four_fifths()
    assert table.loc["other", "relative"] == pytest.approx(relative, abs=1e-12)
    assert bool(table.loc["other", "flagged"]) is flagged
    assert list(d.flagged) == (["other"] if flagged else [])
    assert not table.loc["best", "flagged"]


@pytest.mark.parametrize(("within", "flagged"), [(79, True), (81, False), (80, False)])
def test_service_level_four_fifths(within: int, flagged: bool) -> None:
    # Service level within 30 minutes, higher is better: 100% against within%.
    waits = [5.0] * 100 + [5.0] * within + [90.0] * (100 - within)
    frame = pd.DataFrame({"wait_minutes": waits, "band": ["a"] * 100 + ["b"] * 100})
    d = DisparityFrame(frame, group="band", stat="share_within", within_minutes=30)
    assert d.four_fifths().loc["b", "relative"] == pytest.approx(within / 100)
    assert list(d.flagged) == (["b"] if flagged else [])


@given(st.floats(0.01, 1.0), st.floats(0.01, 1.0))
def test_flagged_exactly_below_the_threshold(relative: float, threshold: float) -> None:
    d = _two_groups(relative * 100.0, 100.0)
    table = d.four_fifths(threshold=threshold)
    assert bool(table.loc["other", "flagged"]) == (table.loc["other", "relative"] < threshold)
    assert table.loc["other", "relative"] == pytest.approx(relative, rel=1e-9)


@pytest.mark.parametrize("threshold", [0.0, -0.5, 1.01, float("nan"), True])
def test_threshold_outside_zero_one_is_an_error(threshold: float) -> None:
    with pytest.raises(InputError, match="threshold must be "):
        _two_groups(50.0, 100.0).four_fifths(threshold=threshold)
