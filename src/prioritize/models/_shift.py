"""Shifts: agents on duty in local time, the model (the simulator merges them over time).

A :class:`Shift` repeats every listed weekday in its own time zone, so a list
of shifts can model office hours in one country or follow-the-sun coverage
across three. It lives with the models so that an agent group
(:class:`prioritize.AgentGroup`) can hold its shifts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["DAYS", "Shift"]

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
#: Weekday names in ``datetime.weekday()`` order.
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_NS = 1_000_000_000


def _parse_clock(value: str, *, allow_24: bool) -> tuple[int, int]:
    parts = value.split(":")
    ok = len(parts) == 2 and all(p.isdigit() and len(p) == 2 for p in parts)
    if ok:
        hour, minute = int(parts[0]), int(parts[1])
        if (hour < 24 and minute < 60) or (allow_24 and hour == 24 and minute == 0):
            return hour, minute
    bound = "'00:00' to '24:00'" if allow_24 else "'00:00' to '23:59'"
    raise ValueError(f"expected a time 'HH:MM' from {bound}; got {value!r}")


class Shift(BaseModel):
    """``count`` agents on duty from ``start`` to ``end`` local time on ``days``.

    Parameters
    ----------
    start, end
        Local clock times ``"HH:MM"``; ``end`` may be ``"24:00"``. An ``end``
        earlier than ``start`` is an overnight shift ending the next day
        (``start="22:00", end="06:00"``). ``start == end`` is an error (use
        ``"00:00"``–``"24:00"`` for a whole day).
    count
        Agents on this shift (>= 1). Overlapping shifts add up.
    tz
        IANA time zone of the clock times, e.g. ``"Europe/Paris"``; daylight
        saving is followed.
    days
        Weekdays on which the shift *starts* (``"mon"`` … ``"sun"``); all
        seven by default.

    Examples
    --------
    >>> from prioritize import Shift
    >>> office = Shift(start="09:00", end="17:00", count=4, tz="Europe/Paris",
    ...                days=("mon", "tue", "wed", "thu", "fri"))
    >>> office.hours
    8.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: str
    end: str
    count: int = Field(gt=0)
    tz: str = "UTC"
    days: tuple[Day, ...] = Field(default=DAYS, min_length=1)

    @field_validator("start")
    @classmethod
    def _check_start(cls, value: str) -> str:
        _parse_clock(value, allow_24=False)
        return value

    @field_validator("end")
    @classmethod
    def _check_end(cls, value: str) -> str:
        _parse_clock(value, allow_24=True)
        return value

    @field_validator("tz")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; expected an IANA name") from None
        return value

    @field_validator("days", mode="before")
    @classmethod
    def _lower_days(cls, value: object) -> object:
        if isinstance(value, str):
            raise ValueError("expected a sequence of weekday names, e.g. ('mon', 'tue')")
        if isinstance(value, Sequence):
            return tuple(d.lower()[:3] if isinstance(d, str) else d for d in value)
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if _parse_clock(self.start, allow_24=False) == _parse_clock(self.end, allow_24=True):
            raise ValueError(
                f"start and end are both {self.start!r}: an empty shift "
                f"(use start='00:00', end='24:00' for a whole day)"
            )
        return self

    @property
    def hours(self) -> float:
        """Length of one shift in hours on a day without a clock change."""
        sh, sm = _parse_clock(self.start, allow_24=False)
        eh, em = _parse_clock(self.end, allow_24=True)
        minutes = (eh * 60 + em) - (sh * 60 + sm)
        return (minutes if minutes > 0 else minutes + 1440) / 60.0

    def intervals(self, first: date, last: date) -> list[tuple[int, int]]:
        """``(start_ns, end_ns)`` UTC of the shifts starting on local dates ``first``..``last``."""
        zone = ZoneInfo(self.tz)
        sh, sm = _parse_clock(self.start, allow_24=False)
        eh, em = _parse_clock(self.end, allow_24=True)
        overnight = eh * 60 + em <= sh * 60 + sm
        weekdays = {DAYS.index(d) for d in self.days}
        out: list[tuple[int, int]] = []
        day = first
        while day <= last:
            if day.weekday() in weekdays:
                begin = datetime(day.year, day.month, day.day, sh, sm, tzinfo=zone)
                end_day = day + timedelta(days=1) if overnight or eh == 24 else day
                end = datetime(end_day.year, end_day.month, end_day.day, eh % 24, em, tzinfo=zone)
                b, e = int(begin.timestamp()) * _NS, int(end.timestamp()) * _NS
                if e > b:  # a shift inside a skipped DST hour has no length
                    out.append((b, e))
            day += timedelta(days=1)
        return out
