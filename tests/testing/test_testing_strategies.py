"""Strategies of the testing kit: valid frames, valid column values, streams within capacity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize.models import validate_frame
from prioritize.simulation import simulate
from prioritize.testing import strategies as pst

COLUMNS = [
    "followers",
    "lifetime_value",
    "purchase_count",
    "total_spend",
    "days_since_last_purchase",
    "urgency",
    "text",
]


def _minutes(frame: pd.DataFrame) -> np.ndarray:
    return ((frame["received_at"] - pst.EPOCH).dt.total_seconds() / 60.0).to_numpy()


def _envelope_excess(arrivals, work, rate: float, burst: float) -> float:
    """max over windows [i, j] of work arriving in it minus (burst + rate * length)."""
    arrivals, work = np.asarray(arrivals), np.asarray(work)
    worst = -math.inf
    for i in range(len(work)):
        total = np.cumsum(work[i:])
        worst = max(worst, float((total - burst - rate * (arrivals[i:] - arrivals[i])).max()))
    return worst


def test_shape_arrivals_by_hand() -> None:
    # Bucket of 60 draining at 0.5/min: two 30-min queries fit at once, the
    # third waits until 30 units have drained (60 min); the fourth wanted 200.
    arrivals = pst.shape_arrivals([0, 0, 0, 200], [30, 30, 30, 30], rate=0.5, burst=60)
    np.testing.assert_allclose(arrivals, [0, 0, 60, 200])


@given(
    st.lists(st.tuples(st.floats(0, 50), st.floats(0.5, 30)), min_size=1, max_size=25),
    st.floats(0.1, 2.0),
)
def test_shape_arrivals_keeps_the_envelope(rows, rate) -> None:
    desired = np.cumsum([g for g, _ in rows])
    work = [h for _, h in rows]
    arrivals = pst.shape_arrivals(desired, work, rate=rate, burst=30.0)
    assert (np.diff(arrivals) >= 0).all()
    assert (arrivals >= desired - 1e-9).all()
    assert _envelope_excess(arrivals, work, rate, 30.0) <= 1e-6


@settings(max_examples=30)
@given(pst.streams(agents=2, load=0.8, burst=45.0, handle_minutes=(2.0, 20.0), max_rows=25))
def test_streams_are_canonical_and_fit_capacity(frame) -> None:
    validate_frame(frame)
    assert 1 <= len(frame) <= 25
    assert frame["handle_minutes"].between(2.0, 20.0).all()
    assert frame["received_at"].is_monotonic_increasing
    excess = _envelope_excess(_minutes(frame), frame["handle_minutes"], 0.8 * 2, 45.0)
    assert excess <= 1e-6  # arrivals are stored to the nanosecond


@settings(max_examples=30)
@given(
    pst.streams(burst=40.0, handle_minutes=(1.0, 20.0), against=pz.policies.influencer_weighted())
)
def test_fifo_with_one_agent_never_waits_more_than_the_burst(frame) -> None:
    """The bound the no-starvation assertion documents for FIFO."""
    wait = simulate(frame, pz.policies.fifo(), agents=1, seed=0, patience=math.inf).records
    assert wait["wait_minutes"].max() <= 40.0 + 1e-6


@settings(max_examples=30)
@given(pst.query_frames(max_rows=6), st.sampled_from(COLUMNS), st.data())
def test_column_values_keep_a_frame_valid(frame, column, data) -> None:
    values = data.draw(pst.column_values(column, len(frame), max_followers=100))
    changed = frame.copy()
    changed[column] = values
    validate_frame(changed)
    if column == "followers":
        assert max(values) <= 100


@given(pst.query_frames(max_rows=5, max_purchases=3, text=st.just("urgent")))
def test_query_frames_new_bounds(frame) -> None:
    assert frame["purchase_count"].max() <= 3
    assert (frame["text"] == "urgent").all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"load": 1.0}, "load"),
        ({"agents": 0}, "agents"),
        ({"handle_minutes": (5.0, 1.0)}, "handle_minutes"),
        ({"burst": 10.0}, "burst"),
        ({"max_gap": -1.0}, "max_gap"),
        ({"min_rows": 5, "max_rows": 2}, "min_rows"),
    ],
)
def test_bad_stream_bounds(kwargs, match) -> None:
    with pytest.raises(pz.InputError, match=match):
        pst.streams(**kwargs)


def test_bad_column_and_urgency_mode() -> None:
    with pytest.raises(pz.InputError, match="no strategy for column 'shoe_size'"):
        pst.column_values("shoe_size", 3)

    @given(pst.query_frames(urgency="sometimes"))
    def draw(frame):
        pass

    with pytest.raises(pz.InputError, match="urgency must be"):
        draw()


def test_missing_hypothesis_says_which_extra() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import prioritize.testing\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'prioritize[testing]'" in out.stdout
