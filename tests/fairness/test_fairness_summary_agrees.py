"""The simulator's summary fairness figures are the fairness module's, on any run.

``simulation.band_ratios`` sits below ``prioritize.fairness`` in the layers. Both take
their groups (``models.group_labels``), their parity ratio (``models.parity_ratio``) and
their service-level hit (``models.answered_within``) from the models layer; this test
checks that the summary measures what ``DisparityFrame`` documents for the same figure
(served-only mean waits, abandoned queries as misses), end to end on simulated runs.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize.fairness import DisparityFrame
from prioritize.simulation import band_ratios, simulate


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    agents=st.integers(1, 4),
    preset=st.sampled_from(sorted(pz.policies.PRESETS)),
    band=st.sampled_from(["follower_band", "value_band"]),
    within=st.sampled_from([5.0, 60.0, 240.0]),
)
def test_band_ratios_equal_disparity_frame(seed, agents, preset, band, within) -> None:
    frame = pz.synthetic.queries(300, seed=seed, days=1)
    records = simulate(frame, pz.policies.PRESETS[preset](), agents=agents, seed=seed).records
    wait_ratio, four_fifths = band_ratios(records, group=band, within_minutes=within)
    waits = DisparityFrame(records, group=band, stat="mean", exclude_abandoned=True)
    level = DisparityFrame(records, group=band, stat="share_within", within_minutes=within)
    for ours, theirs in ((wait_ratio, waits.ratio()), (four_fifths, level.ratio())):
        if np.isnan(theirs):
            assert np.isnan(ours)
        else:
            assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)
