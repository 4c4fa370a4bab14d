"""The terminal tables: what cannot be computed reads "-", never "nan"."""

from __future__ import annotations

from _runs import same_run_twice

import prioritize as pz
from prioritize.cli._text import changes_text


def test_a_change_with_no_interval_is_not_printed_as_nan() -> None:
    results = same_run_twice()
    changes = pz.report.baseline_changes(results)
    assert changes["median_wait_answered_change_low"].isna().any()  # a band nobody answered
    text = changes_text(results)
    assert "nan" not in text
    assert "(+0.0 to +0.0 pts)" in text  # the intervals that exist are still shown
