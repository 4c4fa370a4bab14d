"""The report's reading: figures it states are never misread."""

from __future__ import annotations

from _runs import same_run_twice

import prioritize as pz
from prioritize.fairness import TOO_FEW
from prioritize.report import reading
from prioritize.report._reading import _shares


def test_a_range_of_shares_is_never_read_as_equal_when_it_is_not() -> None:
    # 64.6% and 65.3% both round to 65%: "ranges from 65% to 65%" misreads the range.
    assert _shares(0.646, 0.653) == ("64.6%", "65.3%")
    assert _shares(0.31, 0.35) == ("31%", "35%")
    assert _shares(0.6501, 0.6502) == ("65.01%", "65.02%")
    assert _shares(0.65, 0.65) == ("65%", "65%")


def test_equal_figures_are_read_as_equal_not_as_a_range() -> None:
    results = same_run_twice()
    s = results["fifo"].summary
    text = reading(results)
    within = f"{pz.report.summary_table(results).loc['fifo', 'within_target']:.0%}"
    assert f"answered within 60 min is {within} under every policy" in text
    assert "ranges from" not in text and "under fifo to" not in text
    assert f"As many give up under every policy ({s['abandon_rate']:.0%}): " in text
    assert "About as many" not in text


def test_no_pass_is_claimed_when_no_verdict_passed() -> None:
    results = same_run_twice()
    table = pz.report.summary_table(results)
    states = {*table["four_fifths_follower_band_state"], *table["four_fifths_value_band_state"]}
    assert states == {TOO_FEW}  # the premise: no verdict is a pass
    text = reading(results)
    assert "every other verdict is a pass" not in text
    assert "is too few to tell across value bands under fifo and again." in text
    assert text.count("whose 95% interval reaches") == 1  # why, said once
