"""The terminal tables: what cannot be computed reads "-", never "nan"."""

from __future__ import annotations

import pandas as pd
import pytest
from _runs import same_run_twice

import prioritize as pz
from prioritize.cli._text import _flag, changes_text


def test_a_change_with_no_interval_is_not_printed_as_nan() -> None:
    results = same_run_twice()
    changes = pz.report.baseline_changes(results)
    assert changes["median_wait_answered_change_low"].isna().any()  # a band nobody answered
    text = changes_text(results)
    assert "nan" not in text
    assert "(+0.0 to +0.0 pts)" in text  # the intervals that exist are still shown


@pytest.mark.parametrize(
    ("n", "said"),
    [(4, "0.00 (0.00-1.00), n=4 too few to tell"), (30, "0.00 (0.00-1.00), n=30")],
)
def test_a_wait_ratio_of_a_tiny_band_reads_too_few_to_tell(n: int, said: str) -> None:
    name = "wait_ratio_follower_band"
    row = pd.Series({name: 0.0, f"{name}_low": 0.0, f"{name}_high": 1.0, f"{name}_n": n})
    assert _flag(row, None, "follower_band", "wait_ratio") == said
