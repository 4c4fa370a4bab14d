"""What the subcommands share: loading files with one-line errors, staffing, progress."""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from prioritize import synthetic
from prioritize.policies import PRESETS
from prioritize.policy import Policy

__all__ = [
    "DAYS",
    "CLIError",
    "load_policy",
    "load_queries",
    "load_schedule",
    "one_line",
    "parse_now",
    "synthetic_week",
]

#: Length of the synthetic stream of ``demo`` and ``compare`` (days).
DAYS = 7.0


class CLIError(Exception):
    """A problem to report as one line, ``prioritize: error: <message>``, exit code 2."""


def one_line(exc: BaseException) -> str:
    """An exception as one line; a pydantic error lists ``key: message`` per problem."""
    if isinstance(exc, ValidationError):
        text = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
        )
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def _about(path: Path, exc: BaseException) -> CLIError:
    text = one_line(exc)
    return CLIError(text if str(path) in text else f"{path}: {text}")


def load_policy(spec: str) -> Policy:
    """A policy from a ``.toml``/``.json`` file, or a preset by name (``balanced``)."""
    path = Path(spec)
    if spec in PRESETS and not path.exists():
        return PRESETS[spec]()
    if not path.is_file():
        raise CLIError(
            f"{spec}: no such policy file (or preset: {', '.join(PRESETS)})"
            if not path.exists()
            else f"{spec}: not a file"
        )
    try:
        return Policy.from_file(path)
    except (ValueError, OSError) as exc:
        raise _about(path, exc) from exc


def load_queries(spec: str) -> pd.DataFrame:
    """A canonical query frame from a CSV or Parquet file."""
    from prioritize.adapters import read_queries

    path = Path(spec)
    if not path.is_file():
        raise CLIError(f"{spec}: no such file" if not path.exists() else f"{spec}: not a file")
    try:
        return read_queries(path)
    except (ValueError, OSError, ImportError) as exc:
        raise _about(path, exc) from exc


def load_schedule(spec: str) -> tuple[Any, ...]:
    """Shifts from a TOML file of ``[[shift]]`` tables (``start``, ``end``, ``count``, ...)."""
    from prioritize.simulation import Shift

    path = Path(spec)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CLIError(f"{spec}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CLIError(f"{spec}: not valid TOML: {one_line(exc)}") from exc
    unknown = sorted(set(data) - {"shift"})
    if unknown:
        raise CLIError(f"{spec}: unknown key(s) {unknown}; expected [[shift]] tables")
    tables = data.get("shift")
    if not isinstance(tables, list) or not tables:
        raise CLIError(
            f"{spec}: no shifts; expected [[shift]] tables with start, end, count (tz, days)"
        )
    shifts = []
    for number, table in enumerate(tables, start=1):
        try:
            shifts.append(Shift.model_validate(table))
        except ValidationError as exc:
            raise CLIError(f"{spec}: shift {number}: {one_line(exc)}") from exc
    return tuple(shifts)


def parse_now(text: str) -> datetime:
    """An ISO 8601 time with a time zone (``2024-03-05T10:00Z``)."""
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"--now: cannot read {text!r} as an ISO 8601 time") from exc
    if stamp is pd.NaT or stamp.tzinfo is None:
        raise CLIError(f"--now: {text!r} has no time zone; write e.g. {text}Z or {text}+01:00")
    moment: datetime = stamp.to_pydatetime()
    return moment


def synthetic_week(n: int, seed: int) -> pd.DataFrame:
    """The demo stream: ``n`` synthetic queries over :data:`DAYS` days."""
    if n < 1:
        raise CLIError(f"--queries must be >= 1; got {n}")
    return synthetic.queries(n, seed=seed, days=DAYS)
