"""The terminal tables: what cannot be computed reads "-", never "nan"."""

from __future__ import annotations

import prioritize as pz
from prioritize.cli._text import changes_text
from prioritize.simulation import SimulationResult


def _same_under_two_names() -> dict[str, SimulationResult]:
    """One run read under two names; nearly everyone gives up, some bands are never answered."""
    frame = pz.synthetic.queries(300, seed=1, days=0.2)
    run = pz.simulate(frame, pz.policies.fifo(), agents=1, patience=0.001, seed=0)
    return {"fifo": run, "again": run}


def test_a_change_with_no_interval_is_not_printed_as_nan() -> None:
    results = _same_under_two_names()
    changes = pz.report.baseline_changes(results)
    assert changes["median_wait_answered_change_low"].isna().any()  # a band nobody answered
    text = changes_text(results)
    assert "nan" not in text
    assert "(+0.0 to +0.0 pts)" in text  # the intervals that exist are still shown
