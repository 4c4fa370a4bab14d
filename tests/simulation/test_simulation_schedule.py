"""Shifts: validation, the staffing step function, and runs with agents coming and going."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

import prioritize as pz
from prioritize.simulation import Shift, simulate
from prioritize.simulation._schedule import capacity_changes

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def ns(dt: datetime) -> int:
    return int(pd.Timestamp(dt).value)


def changes(shifts: list[Shift], start: datetime, count: int) -> list[tuple[datetime, int]]:
    out = itertools.islice(capacity_changes(shifts, ns(start)), count)
    return [(pd.Timestamp(t, tz="UTC").to_pydatetime(), k) for t, k in out]


def test_office_hours_in_paris() -> None:
    office = Shift(start="09:00", end="17:00", count=2, tz="Europe/Paris", days=WEEKDAYS)
    got = changes([office], MONDAY, 12)
    # 09:00-17:00 CET is 08:00-16:00 UTC in January; nobody at the weekend.
    hours = [(d, h) for d in range(5) for h in (8, 16)]
    expected = [(MONDAY, 0)] + [
        (MONDAY + timedelta(days=d, hours=h), 2 if h == 8 else 0) for d, h in hours
    ]
    assert got[:11] == expected
    # the next change is Monday morning again: nobody at the weekend
    assert got[11] == (MONDAY + timedelta(days=7, hours=8), 2)


def test_shifts_follow_daylight_saving() -> None:
    office = Shift(start="09:00", end="17:00", count=1, tz="Europe/Paris", days=("mon",))
    # 2026-03-30 is the Monday after the switch to CEST (UTC+2).
    got = changes([office], datetime(2026, 3, 23, tzinfo=UTC), 5)
    assert got[1][0] == datetime(2026, 3, 23, 8, tzinfo=UTC)
    assert got[3][0] == datetime(2026, 3, 30, 7, tzinfo=UTC)


def test_overnight_and_overlapping_shifts_add_up() -> None:
    night = Shift(start="22:00", end="06:00", count=1)
    day = Shift(start="05:00", end="23:00", count=2)
    got = changes([night, day], MONDAY + timedelta(hours=12), 6)
    base = MONDAY
    assert got == [
        (base + timedelta(hours=12), 2),
        (base + timedelta(hours=22), 3),
        (base + timedelta(hours=23), 1),
        (base + timedelta(hours=29), 3),  # Tuesday 05:00: day starts, night still on
        (base + timedelta(hours=30), 2),
        (base + timedelta(hours=46), 3),
    ]


def test_a_running_shift_counts_at_the_start() -> None:
    late = Shift(start="20:00", end="04:00", count=4)
    assert changes([late], MONDAY + timedelta(hours=2), 2) == [
        (MONDAY + timedelta(hours=2), 4),
        (MONDAY + timedelta(hours=4), 0),
    ]


def test_whole_day_shifts_never_change_the_count() -> None:
    always = Shift(start="00:00", end="24:00", count=3)
    got = changes([always], MONDAY, 4)
    assert [k for _, k in got] == [3, 3, 3, 3]
    assert always.hours == 24.0
    assert Shift(start="22:30", end="06:00", count=1).hours == 7.5


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start": "9:00"}, "expected a time 'HH:MM'"),
        ({"start": "24:00"}, "expected a time 'HH:MM'"),
        ({"end": "17:60"}, "expected a time 'HH:MM'"),
        ({"end": "09:00"}, "an empty shift"),
        ({"count": 0}, "greater than 0"),
        ({"tz": "Mars/Olympus"}, "unknown time zone"),
        ({"days": ()}, "at least 1 item"),
        ({"days": ("mon", "someday")}, "Input should be"),
        ({"days": "mon"}, "sequence of weekday names"),
        ({"shift": 1}, "Extra inputs are not permitted"),
    ],
)
def test_bad_shifts_are_rejected_naming_the_field(fields: dict[str, Any], message: str) -> None:
    data: dict[str, Any] = {"start": "09:00", "end": "17:00", "count": 1} | fields
    with pytest.raises(ValidationError, match=message):
        Shift(**data)


def test_day_names_are_case_insensitive_and_may_be_full() -> None:
    shift = Shift(start="09:00", end="17:00", count=1, days=("Monday", "TUE"))
    assert shift.days == ("mon", "tue")


def test_round_the_clock_schedule_equals_a_fixed_staff(check: Any) -> None:
    frame = pz.synthetic.queries(600, seed=3, days=2)
    policy = pz.policies.balanced()
    fixed = simulate(frame, policy, agents=3)
    shifted = simulate(frame, policy, agents=[Shift(start="00:00", end="24:00", count=3)])
    check(frame, shifted, 3)
    pd.testing.assert_frame_equal(fixed.records, shifted.records)


def _capacity_at(shifts: list[Shift], start: datetime, times: np.ndarray) -> np.ndarray:
    steps = list(
        itertools.takewhile(lambda c: c[0] <= times.max(), capacity_changes(shifts, ns(start)))
    )
    at = np.array([t for t, _ in steps])
    count = np.array([k for _, k in steps])
    return count[np.searchsorted(at, times, side="right") - 1]


def test_office_hours_run(check: Any) -> None:
    # Queries around the clock, agents 09:00-17:00 UTC on weekdays; nobody gives up.
    frame = pz.synthetic.queries(500, seed=5, days=3).drop(columns="patience_minutes")
    office = [Shift(start="09:00", end="17:00", count=2, days=WEEKDAYS)]
    result = simulate(frame, pz.policies.equal_treatment(), agents=office)
    check(frame, result)
    rec = result.records
    assert not rec["abandoned"].any()
    starts = rec["started_at"].dt.tz_convert("UTC")
    minutes = starts.dt.hour * 60 + starts.dt.minute + starts.dt.second / 60
    assert ((minutes >= 9 * 60) & (minutes <= 17 * 60)).all()  # only start during office hours
    # No start leaves more agents busy than are on duty at that instant.
    begin = rec["started_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    end = rec["finished_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    t0 = frame["received_at"].min().to_pydatetime()
    capacity = _capacity_at(office, t0, begin)
    busy = np.array([((begin <= b) & (end > b)).sum() for b in begin])
    assert (busy <= capacity).all()
    assert busy.max() == 2
    # Someone works past 17:00 to finish the query in hand (non-preemptive).
    finish = rec["finished_at"].dt.tz_convert("UTC")
    late = (finish.dt.hour >= 17) & (finish.dt.hour < 18) & (finish.dt.minute > 0)
    assert late.any()


def test_a_shift_change_hands_the_queue_over(check: Any) -> None:
    frame = pz.synthetic.queries(400, seed=6, days=1).drop(columns="patience_minutes")
    sun = [
        Shift(start="08:00", end="16:00", count=2, tz="Europe/London"),
        Shift(start="08:00", end="16:00", count=2, tz="America/New_York"),
        Shift(start="08:00", end="16:00", count=2, tz="Asia/Singapore"),
    ]
    result = simulate(frame, pz.policies.fifo(), agents=sun)
    check(frame, result)
    office = simulate(
        frame, pz.policies.fifo(), agents=[Shift(start="08:00", end="16:00", count=2)]
    )
    assert result.summary["mean_wait_minutes"] < office.summary["mean_wait_minutes"]


def test_nobody_on_duty_for_a_while_means_waiting_or_giving_up(check: Any) -> None:
    frame = pz.synthetic.queries(300, seed=7, days=1)
    night_off = [Shift(start="12:00", end="20:00", count=3)]
    result = simulate(frame, pz.policies.fifo(), agents=night_off)
    check(frame, result)
    rec = result.records
    before = rec["received_at"].dt.hour < 10
    assert rec.loc[before, "abandoned"].mean() > 0.5  # most morning queries give up


def test_a_schedule_must_have_someone() -> None:
    frame = pz.synthetic.queries(10, seed=0)
    with pytest.raises(pz.InputError, match="empty schedule"):
        simulate(frame, pz.policies.fifo(), agents=[])
    with pytest.raises(pz.InputError, match="only Shift objects"):
        simulate(frame, pz.policies.fifo(), agents=[Shift(start="09:00", end="17:00", count=1), 3])
