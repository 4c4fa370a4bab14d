"""Interval planning: counting arrivals on a local clock, and agents per interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from prioritize import InputError, SchemaError
from prioritize.staffing import (
    agents_needed,
    arrivals_per_interval,
    erlang_a,
    occupancy,
    plan_intervals,
    service_level,
)


def _day(counts: list[float], tz: str = "Europe/London") -> pd.DataFrame:
    index = pd.date_range(
        "2026-03-02 08:00", periods=len(counts), freq="30min", tz=tz, name="interval_start"
    )
    return pd.DataFrame({"arrivals": counts}, index=index)


def test_plan_matches_agents_needed_row_by_row() -> None:
    frame = _day([0.0, 12.0, 55.0, 140.5, 300.0, 55.0])
    plan = plan_intervals(frame, handle_minutes=4.0, target=0.8, within_minutes=0.5)
    assert plan.index.equals(frame.index)
    assert list(plan.columns) == [
        "arrivals",
        "arrivals_per_hour",
        "agents",
        "service_level",
        "occupancy",
    ]
    assert plan["agents"].dtype == np.int64
    assert plan["arrivals_per_hour"].tolist() == [0.0, 24.0, 110.0, 281.0, 600.0, 110.0]
    for rate, row in zip(plan["arrivals_per_hour"], plan.itertuples(), strict=True):
        if rate == 0.0:
            assert (row.agents, row.service_level, row.occupancy) == (0, 1.0, 0.0)
            continue
        assert row.agents == agents_needed(rate, 4.0, target=0.8, within_minutes=0.5)
        assert row.service_level == service_level(rate, 4.0, row.agents, within_minutes=0.5) >= 0.8
        assert row.occupancy == occupancy(rate, 4.0, row.agents)
    assert "arrivals_per_hour" not in frame.columns  # the input is not modified


def test_plan_with_abandonment_and_occupancy_ceiling() -> None:
    frame = _day([40.0, 90.0])
    plan = plan_intervals(
        frame,
        handle_minutes=6.0,
        target=0.9,
        within_minutes=1.0,
        max_occupancy=0.85,
        patience_minutes=3.0,
    )
    assert "abandon_probability" in plan.columns
    for rate, row in zip(plan["arrivals_per_hour"], plan.itertuples(), strict=True):
        n = agents_needed(
            rate, 6.0, target=0.9, within_minutes=1.0, max_occupancy=0.85, patience_minutes=3.0
        )
        r = erlang_a(rate, 6.0, n, 3.0, within_minutes=1.0)
        assert (row.agents, row.service_level, row.occupancy, row.abandon_probability) == (
            n,
            r.service_level,
            r.occupancy,
            r.abandon_probability,
        )
        assert row.occupancy <= 0.85


def test_handle_time_per_interval_and_other_interval_lengths() -> None:
    frame = pd.DataFrame({"calls": [10, 10], "aht": [2.0, 8.0]}, index=["early", "late"])
    plan = plan_intervals(
        frame,
        handle_minutes="aht",
        target=0.8,
        within_minutes=0.5,
        interval_minutes=15,
        arrivals_column="calls",
    )
    assert plan.index.tolist() == ["early", "late"]
    assert plan["arrivals_per_hour"].tolist() == [40.0, 40.0]
    assert plan["agents"].tolist() == [
        agents_needed(40.0, 2.0, target=0.8, within_minutes=0.5),
        agents_needed(40.0, 8.0, target=0.8, within_minutes=0.5),
    ]


@settings(max_examples=30)
@given(st.lists(st.one_of(st.just(0.0), st.floats(min_value=1e-9, max_value=400.0)), max_size=12))
def test_rows_in_rows_out_and_more_work_more_agents(counts: list[float]) -> None:
    frame = _day(counts, tz="UTC")
    plan = plan_intervals(frame, handle_minutes=3.0, target=0.8, within_minutes=1 / 3)
    assert len(plan) == len(frame) and plan.index.equals(frame.index)
    order = np.argsort(np.asarray(counts, dtype=float), kind="stable")
    agents = plan["agents"].to_numpy()[order]
    assert (np.diff(agents) >= 0).all()
    assert ((plan["arrivals"] == 0) == (plan["agents"] == 0)).all()


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"volume": [1.0]}), r"missing required column\(s\) \['arrivals'\]"),
        (
            pd.DataFrame({"arrivals": [3.0, -1.0, 2.0, -4.0]}),
            r"column 'arrivals': 2 rows have a bad value; expected a number >= 0: row 1 = -1.0, row 3 = -4.0",
        ),
        (
            pd.DataFrame({"arrivals": [3.0, np.nan]}),
            r"column 'arrivals': 1 row has a bad value; expected a number \(NaN/missing is not allowed here\): row 1",
        ),
        (pd.DataFrame({"arrivals": ["3", "4"]}), r"column 'arrivals' must be numeric"),
        (pd.DataFrame({"arrivals": [3.0], "agents": [2]}), r"already has column\(s\) \['agents'\]"),
    ],
)
def test_bad_frames(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        plan_intervals(frame, handle_minutes=3.0, target=0.8, within_minutes=0.5)


def test_bad_handle_column_and_scalars() -> None:
    frame = pd.DataFrame({"arrivals": [3.0, 4.0], "aht": [2.0, 0.0]})
    with pytest.raises(
        SchemaError,
        match=r"column 'aht': 1 row has a bad value; expected a number > 0: row 1 = 0.0",
    ):
        plan_intervals(frame, handle_minutes="aht", target=0.8, within_minutes=0.5)
    with pytest.raises(SchemaError, match=r"missing required column\(s\) \['handle'\]"):
        plan_intervals(frame, handle_minutes="handle", target=0.8, within_minutes=0.5)
    with pytest.raises(InputError, match=r"target must be in \(0, 1\)"):
        plan_intervals(frame.iloc[:0], handle_minutes=3.0, target=1.5, within_minutes=0.5)
    with pytest.raises(InputError, match=r"interval_minutes must be > 0"):
        plan_intervals(
            frame, handle_minutes=3.0, target=0.8, within_minutes=0.5, interval_minutes=0
        )
    with pytest.raises(SchemaError, match="expected a pandas DataFrame"):
        plan_intervals([1, 2], handle_minutes=3.0, target=0.8, within_minutes=0.5)  # type: ignore[arg-type]


# --- counting arrivals ----------------------------------------------------------------------


def _queries(times: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "query_id": [f"q{i}" for i in range(len(times))],
            "received_at": pd.to_datetime(times, utc=True, format="ISO8601"),
        }
    )


def test_counts_on_the_local_clock_with_empty_intervals() -> None:
    q = _queries(
        ["2026-06-01 08:05", "2026-06-01 08:29:59", "2026-06-01 08:30", "2026-06-01 09:40"]
    )
    counts = arrivals_per_interval(q, interval_minutes=30, tz="Europe/London")  # UTC+1 in June
    assert counts.index.name == "interval_start"
    assert [t.strftime("%H:%M") for t in counts.index] == ["09:00", "09:30", "10:00", "10:30"]
    assert str(counts.index.tz) == "Europe/London"
    assert counts["arrivals"].tolist() == [2, 1, 0, 1]
    assert counts["arrivals"].dtype == np.int64


def test_half_hour_zone_offsets_align_to_the_local_clock() -> None:
    q = _queries(["2026-06-01 03:00", "2026-06-01 03:35"])  # 08:30 and 09:05 in Kolkata (UTC+5:30)
    hourly = arrivals_per_interval(q, interval_minutes=60, tz="Asia/Kolkata")
    assert [t.strftime("%H:%M") for t in hourly.index] == ["08:00", "09:00"]
    assert hourly["arrivals"].tolist() == [1, 1]


def test_daylight_saving_change_keeps_real_time_intervals() -> None:
    # London falls back at 02:00 BST = 01:00 UTC on 2026-10-25: local 01:00-02:00 happens twice
    q = _queries(["2026-10-25 00:10", "2026-10-25 01:10", "2026-10-25 01:50"])
    counts = arrivals_per_interval(q, interval_minutes=60, tz="Europe/London")
    assert counts["arrivals"].tolist() == [1, 2]
    assert [t.strftime("%H:%M%z") for t in counts.index] == ["01:00+0100", "01:00+0000"]
    assert counts["arrivals"].sum() == len(q)


@settings(max_examples=30)
@given(
    st.lists(st.integers(min_value=0, max_value=3 * 86_400), min_size=1, max_size=60),
    st.sampled_from([15, 30, 60]),
    st.sampled_from(["UTC", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"]),
)
def test_every_query_is_counted_once(seconds: list[int], minutes: int, tz: str) -> None:
    q = pd.DataFrame(
        {"received_at": pd.Timestamp("2026-03-28", tz="UTC") + pd.to_timedelta(seconds, unit="s")}
    )
    counts = arrivals_per_interval(q, interval_minutes=minutes, tz=tz)
    assert counts["arrivals"].sum() == len(q)
    assert counts.index.is_monotonic_increasing and counts.index.is_unique
    starts = counts.index.tz_convert("UTC")
    assert (np.diff(starts.asi8) > 0).all()
    # each query falls in [start, next start) of its interval
    pos = (
        np.searchsorted(
            starts.asi8,
            q["received_at"].astype("datetime64[ns, UTC]").astype("int64").to_numpy(),
            side="right",
        )
        - 1
    )
    assert (np.bincount(pos, minlength=len(counts)) == counts["arrivals"].to_numpy()).all()


def test_counting_errors_and_empty_input() -> None:
    empty = arrivals_per_interval(_queries([]), tz="Europe/Paris")
    assert len(empty) == 0 and str(empty.index.tz) == "Europe/Paris"
    with pytest.raises(InputError, match=r"interval_minutes must divide a day .*got 7"):
        arrivals_per_interval(_queries(["2026-06-01 08:05"]), interval_minutes=7)
    with pytest.raises(
        InputError, match=r"interval_minutes must be a whole number of minutes; got 30.0"
    ):
        arrivals_per_interval(_queries(["2026-06-01 08:05"]), interval_minutes=30.0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"tz: unknown time zone 'Mars/Olympus'"):
        arrivals_per_interval(_queries(["2026-06-01 08:05"]), tz="Mars/Olympus")
    naive = pd.DataFrame({"received_at": pd.to_datetime(["2026-06-01 08:05"])})
    with pytest.raises(SchemaError, match=r"column 'received_at' holds naive datetimes"):
        arrivals_per_interval(naive)
    with pytest.raises(SchemaError, match=r"missing required column\(s\) \['received_at'\]"):
        arrivals_per_interval(pd.DataFrame({"when": [1]}))
