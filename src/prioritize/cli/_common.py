"""What the subcommands share: loading files with one-line errors, staffing, progress."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pydantic import ValidationError

from prioritize import synthetic
from prioritize._errors import ConfigError
from prioritize._internal.files import read_table, read_text, same_file, write_atomic
from prioritize.policies import PRESETS
from prioritize.policy import Policy
from prioritize.routing import Routes, Team

__all__ = [
    "DAYS",
    "FORMULA_TRIGGERS",
    "MAX_SCHEDULE_BYTES",
    "CLIError",
    "check_output",
    "load_model",
    "load_policy",
    "load_queries",
    "load_schedule",
    "load_table",
    "neutralise_formulas",
    "one_line",
    "parse_now",
    "synthetic_week",
    "write_table",
]

#: Length of the synthetic stream of ``demo`` and ``compare`` (days).
DAYS = 7.0
#: The largest schedule file read (bytes); a schedule is a few shift tables.
MAX_SCHEDULE_BYTES = 2**20


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


#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def check_output(
    spec: str, option: str, *, inputs: Iterable[str | None] = (), force: bool = False
) -> Path:
    """The path of an output file, checked before any work is done.

    Refuses a path that is one of ``inputs`` (compared as resolved real
    paths: symbolic links, ``..`` and hard links), a folder, a path in a
    folder that does not exist, and an existing file unless ``force``.
    """
    path = Path(spec)
    existing = [p for p in inputs if p is not None and Path(p).exists()]
    if same_file(path, existing):
        raise CLIError(f"{option} {spec}: is an input of this command; it is never overwritten")
    if path.is_dir():
        raise CLIError(f"{option} {spec}: is a folder")
    if not path.parent.is_dir():
        raise CLIError(f"{option} {spec}: the folder does not exist")
    if path.exists() and not force:
        raise CLIError(f"{option} {spec}: exists; give --force to overwrite it")
    return path


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where every text cell and header a spreadsheet would run as a formula is quoted.

    A text starting with one of :data:`FORMULA_TRIGGERS` gets a leading
    single quote (``=1+2`` becomes ``'=1+2``), the usual defence against CSV
    injection. Numeric, boolean and time columns are left alone (``-5`` in
    a number column is a number).
    """

    def quote(value: object) -> object:
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
            return "'" + value
        return value

    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            out[column] = values.map(quote, na_action="ignore")
    out.columns = [quote(c) for c in out.columns]
    return out


def write_table(frame: pd.DataFrame, path: Path, option: str, *, raw_csv: bool = False) -> Path:
    """Write ``frame`` atomically: Parquet for a ``.parquet`` path, else CSV.

    CSV cells that a spreadsheet would run as formulas are neutralised
    (:func:`neutralise_formulas`) unless ``raw_csv``; Parquet is written as is.
    """
    parquet = path.suffix.lower() == ".parquet"
    try:
        if parquet:
            return write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))
        table = frame if raw_csv else neutralise_formulas(frame)
        return write_atomic(path, lambda tmp: table.to_csv(tmp, index=False))
    except ImportError as exc:
        raise CLIError(f"{option} {path}: writing Parquet needs pyarrow: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise CLIError(f"{option} {path}: {one_line(exc)}") from exc


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


M = TypeVar("M", Team, Routes)


def load_model(kind: type[M], spec: str, option: str) -> M:
    """A :class:`~prioritize.Team` or :class:`~prioritize.Routes` from a .toml or .json file."""
    path = Path(spec)
    if not path.is_file():
        raise CLIError(f"{option} {spec}: {'no such file' if not path.exists() else 'not a file'}")
    try:
        loaded = kind.from_file(path)
    except (ValueError, OSError) as exc:
        raise CLIError(f"{option} {one_line(_about(path, exc))}") from exc
    if not isinstance(loaded, kind):  # pragma: no cover - from_file returns its class
        raise CLIError(f"{option} {spec}: not a {kind.__name__}")
    return loaded


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


def load_table(spec: str) -> pd.DataFrame:
    """A plain CSV table (``staff --intervals``), with one-line errors naming the file."""
    try:
        return read_table(spec)
    except ValueError as exc:
        raise CLIError(one_line(exc)) from exc


def load_schedule(spec: str) -> tuple[Any, ...]:
    """Shifts from a TOML file of ``[[shift]]`` tables (``start``, ``end``, ``count``, ...)."""
    from prioritize.simulation import Shift

    try:
        text = read_text(spec, max_bytes=MAX_SCHEDULE_BYTES, error=ConfigError)
        data = tomllib.loads(text)
    except ConfigError as exc:
        raise CLIError(one_line(exc)) from exc
    except RecursionError as exc:
        raise CLIError(f"{spec}: not a schedule: TOML nested too deeply") from exc
    except ValueError as exc:  # TOMLDecodeError, an integer too long
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
