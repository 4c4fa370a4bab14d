"""Shared checks for simulator tests: flow balance and agent non-overlap, asserted exactly."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from prioritize.simulation import RECORD_COLUMNS, SimulationResult

CheckRun = Callable[..., None]


def check_run(frame: pd.DataFrame, result: SimulationResult, agents: int | None = None) -> None:
    """Invariants every run must satisfy, whatever the policy and staffing.

    Rows in = records out (same index, same ids, same order); served +
    abandoned = arrived; timestamps agree with ``wait_minutes`` and
    ``handle_minutes``; an abandoned query has no start, no agent and waited
    exactly its patience; a served one started within its patience; an agent
    never serves two queries at once (next start >= previous finish, exactly,
    in nanoseconds); with a fixed staff, seat numbers are 0..agents-1.
    """
    rec = result.records
    assert list(rec.columns) == list(RECORD_COLUMNS)
    assert len(rec) == len(frame)
    assert rec.index.equals(frame.index)
    assert (rec["query_id"].to_numpy() == frame["query_id"].to_numpy()).all()
    s = result.summary
    assert s["arrived"] == len(frame)
    assert s["served"] + s["abandoned"] == s["arrived"]
    abandoned = rec["abandoned"].to_numpy(dtype=bool)
    assert s["abandoned"] == int(abandoned.sum())

    gone = rec[abandoned]
    assert gone["started_at"].isna().all()
    assert gone["finished_at"].isna().all()
    assert gone["agent"].isna().all()
    assert gone["score_at_start"].isna().all()
    np.testing.assert_array_equal(gone["wait_minutes"], gone["patience_minutes"])
    assert np.isfinite(gone["patience_minutes"]).all()

    served = rec[~abandoned]
    assert served["started_at"].notna().all()
    assert served["agent"].notna().all()
    assert (served["started_at"] >= served["received_at"]).all()
    assert (served["finished_at"] >= served["started_at"]).all()
    waited = (served["started_at"] - served["received_at"]).dt.total_seconds() / 60.0
    np.testing.assert_allclose(waited, served["wait_minutes"], rtol=0, atol=1e-6)
    handled = (served["finished_at"] - served["started_at"]).dt.total_seconds() / 60.0
    np.testing.assert_allclose(handled, served["handle_minutes"], rtol=0, atol=1e-6)
    assert (served["wait_minutes"] <= served["patience_minutes"] + 1e-9).all()

    seats = served["agent"].to_numpy(dtype=np.int64)
    if agents is not None:
        assert seats.min(initial=0) >= 0
        assert seats.max(initial=0) < agents
    # An agent is (agent_group, seat) in a team; agents holding several conversations
    # at once (capacity) are checked by the team tests instead.
    group_code = pd.factorize(served["agent_group"])[0].astype(np.int64)
    seats = group_code * (1 + int(seats.max(initial=0))) + seats
    starts = served["started_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    ends = served["finished_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    order = np.lexsort((starts, seats))
    same_seat = seats[order][1:] == seats[order][:-1]
    gaps = starts[order][1:] - ends[order][:-1]
    assert (gaps[same_seat] >= 0).all(), "an agent served two queries at once"


@pytest.fixture(scope="session")
def check() -> CheckRun:
    return check_run
