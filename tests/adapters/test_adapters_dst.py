"""Local times on a daylight-saving night: read_queries(ambiguous=, nonexistent=)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError, SchemaError
from prioritize._internal.times import localize
from prioritize.adapters import read_queries

#: Europe/Berlin falls back on 2026-10-25: 03:00 CEST -> 02:00 CET, so 02:00-02:59 occurs twice.
BERLIN = "Europe/Berlin"
#: America/New_York springs forward on 2026-03-08: 02:00 EST -> 03:00 EDT, 02:00-02:59 never occurs.
NEW_YORK = "America/New_York"
CRM = {
    "followers": 0,
    "lifetime_value": 0.0,
    "purchase_count": 0,
    "total_spend": 0.0,
    "days_since_last_purchase": float("nan"),
}


def _export(times: list[str]) -> pd.DataFrame:
    n = len(times)
    return pd.DataFrame(
        {
            "query_id": [f"T{i}" for i in range(n)],
            "customer_id": [f"C{i}" for i in range(n)],
            "received_at": times,
            "channel": ["email"] * n,
            "text": ["hello"] * n,
        }
    )


def _fall_back_night(n_before: int = 150) -> list[str]:
    """Minutes in time order through the Berlin fall-back night: the 02:xx hour twice."""
    start = pd.Timestamp("2026-10-25 00:00", tz=BERLIN) - pd.Timedelta(minutes=n_before)
    instants = [start + pd.Timedelta(minutes=10 * i) for i in range(40)]
    return [t.tz_convert(BERLIN).strftime("%Y-%m-%d %H:%M:%S") for t in instants]


def test_ambiguous_time_raises_naming_the_right_row() -> None:
    times = ["2026-10-24 12:00:00"] * 150 + ["2026-10-25 02:30:00"] + ["2026-10-25 12:00:00"] * 3
    with pytest.raises(SchemaError) as err:
        read_queries(_export(times), tz=BERLIN, defaults=CRM)
    message = str(err.value)
    assert "row 150 = '2026-10-25 02:30:00'" in message
    assert "1 local time(s) occur twice in Europe/Berlin" in message
    assert "ambiguous='earliest'" in message
    assert "row 0 " not in message and "row 151" not in message


def test_nonexistent_time_raises_naming_the_right_row() -> None:
    times = ["2026-03-07 12:00:00"] * 7 + ["2026-03-08 02:15:00", "2026-03-08 03:15:00"]
    with pytest.raises(SchemaError) as err:
        read_queries(_export(times), tz=NEW_YORK, defaults=CRM)
    message = str(err.value)
    assert "row 7 = '2026-03-08 02:15:00'" in message
    assert "do not exist in America/New_York" in message
    assert "row 8" not in message


def test_earliest_and_latest_are_an_hour_apart_on_the_fall_back_night() -> None:
    frame = _export(["2026-10-25 02:30:00", "2026-10-25 01:30:00"])
    early = read_queries(frame, tz=BERLIN, defaults=CRM, ambiguous="earliest")["received_at"]
    late = read_queries(frame, tz=BERLIN, defaults=CRM, ambiguous="latest")["received_at"]
    assert early.iloc[0] == pd.Timestamp("2026-10-25 00:30", tz="UTC")  # still CEST (+2)
    assert late.iloc[0] == pd.Timestamp("2026-10-25 01:30", tz="UTC")  # already CET (+1)
    # An unambiguous time is the same whichever is asked for.
    assert early.iloc[1] == late.iloc[1] == pd.Timestamp("2026-10-24 23:30", tz="UTC")


def test_infer_reads_the_repeated_hour_from_the_order_of_the_rows() -> None:
    times = _fall_back_night()
    out = read_queries(_export(times), tz=BERLIN, defaults=CRM, ambiguous="infer")
    steps = out["received_at"].diff().dropna().unique()
    assert list(steps) == [pd.Timedelta(minutes=10)]  # ten minutes apart all night


def test_infer_that_cannot_tell_raises_naming_the_rows() -> None:
    # Only one pass through the repeated hour: nothing to infer from.
    times = ["2026-10-24 12:00:00", "2026-10-25 02:30:00", "2026-10-25 02:40:00"]
    with pytest.raises(SchemaError, match="cannot infer which occurrence.*row 1 = '2026-10-25"):
        read_queries(_export(times), tz=BERLIN, defaults=CRM, ambiguous="infer")


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("shift_forward", pd.Timestamp("2026-03-08 07:00", tz="UTC")),  # 03:00 EDT
        ("shift_backward", pd.Timestamp("2026-03-08 07:00", tz="UTC") - pd.Timedelta(1, "us")),
    ],
)
def test_nonexistent_shifts_out_of_the_gap(how: str, expected: pd.Timestamp) -> None:
    out = read_queries(
        _export(["2026-03-08 02:15:00"]), tz=NEW_YORK, defaults=CRM, nonexistent=how
    )["received_at"]
    assert abs(out.iloc[0] - expected) <= pd.Timedelta(1, "us")


def test_options_apply_to_parsed_datetimes_too() -> None:
    naive = pd.to_datetime(pd.Series(["2026-10-25 02:30:00", "2026-10-25 02:45:00"]))
    frame = _export(["x", "y"]).assign(received_at=naive)
    with pytest.raises(SchemaError, match="row 0 = '2026-10-25 02:30:00', row 1"):
        read_queries(frame, tz=BERLIN, defaults=CRM)
    out = read_queries(frame, tz=BERLIN, defaults=CRM, ambiguous="latest")
    assert out["received_at"].iloc[0] == pd.Timestamp("2026-10-25 01:30", tz="UTC")


def test_bad_option_values_and_zone_are_errors() -> None:
    frame = _export(["2026-10-25 02:30:00"])
    with pytest.raises(InputError, match="ambiguous must be one of"):
        read_queries(frame, tz=BERLIN, defaults=CRM, ambiguous="NaT")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="nonexistent must be one of"):
        read_queries(frame, tz=BERLIN, defaults=CRM, nonexistent="NaT")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="unknown time zone 'Mars/Olympus'"):
        read_queries(frame, tz="Mars/Olympus", defaults=CRM)


# ------------------------------------------------------------------ properties

_MINUTES = st.integers(0, 48 * 60 - 1)  # local wall clock over two days around each change


@pytest.mark.parametrize(
    ("tz", "day"), [(BERLIN, "2026-10-24"), (NEW_YORK, "2026-03-07"), (BERLIN, "2026-03-28")]
)
@given(minutes=st.lists(_MINUTES, min_size=1, max_size=20))
def test_every_resolved_time_shows_its_wall_clock(tz: str, day: str, minutes: list[int]) -> None:
    """Whatever the options, each value is read as an instant whose local clock is the value.

    Except in a gap, where it is moved to the gap's edge, and then never by more than the gap.
    """
    naive = pd.DatetimeIndex(pd.Timestamp(day) + pd.to_timedelta(minutes, unit="min"))
    labels = [f"row {i}" for i in range(len(naive))]
    for ambiguous in ("earliest", "latest"):
        for nonexistent in ("shift_forward", "shift_backward"):
            utc = localize(
                naive, tz, labels=labels, field="f", ambiguous=ambiguous, nonexistent=nonexistent
            )
            wall = utc.tz_convert(tz).tz_localize(None)
            moved = np.abs((wall - naive).to_numpy())
            assert (moved <= np.timedelta64(timedelta(hours=1))).all()
            exists = wall == naive
            if exists.all():
                continue
            # A moved value was in the gap: a strict check would have named it.
            with pytest.raises(SchemaError, match="do not exist"):
                localize(naive, tz, labels=labels, field="f", ambiguous=ambiguous)


@given(minutes=st.lists(st.integers(0, 59), min_size=1, max_size=10))
def test_earliest_is_an_hour_before_latest_in_the_repeated_hour(minutes: list[int]) -> None:
    naive = pd.DatetimeIndex(pd.Timestamp("2026-10-25 02:00") + pd.to_timedelta(minutes, "min"))
    labels = [f"row {i}" for i in range(len(naive))]
    early = localize(naive, BERLIN, labels=labels, field="f", ambiguous="earliest")
    late = localize(naive, BERLIN, labels=labels, field="f", ambiguous="latest")
    assert ((late - early) == pd.Timedelta(hours=1)).all()
    with pytest.raises(SchemaError) as err:
        localize(naive, BERLIN, labels=labels, field="f")
    assert f"{len(naive)} local time(s) occur twice" in str(err.value)
