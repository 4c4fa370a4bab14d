"""What the subcommands share: loading files with one-line errors, staffing, progress."""

from __future__ import annotations

import re
import sys
import tomllib
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pydantic import ValidationError

from prioritize import synthetic
from prioritize._errors import ConfigError, SkippedRecordsWarning
from prioritize._internal.files import read_table, read_text, same_file, write_atomic
from prioritize.policies import PRESETS
from prioritize.policy import Policy
from prioritize.routing import Retry, Routes, Team

__all__ = [
    "DAYS",
    "FORMULA_TRIGGERS",
    "MAX_SCHEDULE_BYTES",
    "STAFF_WITHIN_MINUTES",
    "CLIError",
    "ReadOptions",
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
#: ``prioritize staff``'s default answer time (minutes): a contact centre's target
#: (e.g. 80% within a minute), not the response time of a social inbox (``SLA_MINUTES``).
STAFF_WITHIN_MINUTES = 1.0


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


M = TypeVar("M", Team, Routes, Retry)


def load_model(kind: type[M], spec: str, option: str) -> M:
    """A Team, Routes or Retry (:mod:`prioritize.routing`) from a .toml or .json file."""
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


@dataclass(frozen=True)
class ReadOptions:
    """How ``score``, ``compare`` and ``audit`` read a file of queries (``--format``, ``--tz``...).

    ``None`` leaves a reader's default; only options given reach the reader.
    """

    format: str | None = None
    tz: str | None = None
    date_format: str | None = None
    ambiguous: str | None = None
    nonexistent: str | None = None
    keep: tuple[str, ...] | None = None
    unknown_followers: int | None = None
    followers: int | None = None
    on_errors: str | None = None

    def reader_options(self) -> dict[str, Any]:
        """The options given, as keyword arguments of a reader."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "format" and getattr(self, f.name) is not None
        }


#: Reader keyword -> command-line flag, to word a reader's hint for the command line.
_FLAGS = {
    "tz": "--tz",
    "date_format": "--date-format",
    "ambiguous": "--ambiguous",
    "nonexistent": "--nonexistent",
    "keep": "--keep",
    "unknown_followers": "--unknown-followers",
    "followers": "--followers",
    "on_errors": "--on-errors",
    "format": "--format",
}
_OPTION = re.compile(r"\b(" + "|".join(_FLAGS) + r")=(?:'([^']*)'|\{'([^']*)'\}|(<[^>]*>))")
#: Options of the Python readers that the command line does not have.
PYTHON_ONLY = ("mapping", "defaults", "customers", "channel_map", "priority_urgency", "brand")
_PYTHON_ONLY = re.compile(r"\b(?:" + "|".join(PYTHON_ONLY) + r")\b=?")


def cli_words(text: str) -> str:
    """A reader's message worded for the command line.

    Hints naming a reader's keyword (``pass tz='…'``) name the flag instead
    (``pass --tz …``); a hint naming an option the command line does not
    have says that it is one of the Python readers.
    """
    text = _OPTION.sub(
        lambda m: f"{_FLAGS[m.group(1)]} {m.group(2) or m.group(3) or m.group(4)}", text
    )
    if _PYTHON_ONLY.search(text):
        text += (
            " (mapping, defaults, customers, channel_map, priority_urgency and brand are "
            "options of the Python readers, e.g. prioritize.adapters.read_queries; the command "
            "line reads the canonical columns or a known export: see --format)"
        )
    return text


def load_queries(spec: str, read: ReadOptions | None = None) -> pd.DataFrame:
    """A canonical query frame from a file in any registered format (``--format``).

    The format is detected from the content unless ``read.format`` names
    it. What the reader skipped (retweets, deleted tickets...) is reported
    as one line on stderr.
    """
    from prioritize.adapters import formats
    from prioritize.adapters import read as read_any
    from prioritize.models import REQUIRED_COLUMNS

    read = read or ReadOptions()
    path = Path(spec)
    if not path.is_file():
        raise CLIError(f"{spec}: no such file" if not path.exists() else f"{spec}: not a file")
    if read.format is not None and read.format not in formats():
        raise CLIError(f"--format {read.format}: unknown; known formats: {', '.join(formats())}")
    if read.format == "csv":
        columns = load_header(path)
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise CLIError(
                f"{spec}: lacks the column(s) {missing} the command line reads; it has "
                f"{sorted(columns)[:30]}. Rename them in the file, read a known export with "
                f"--format ({', '.join(formats())}), or map columns in Python with "
                f"prioritize.adapters.read_queries(path, mapping=..., defaults=...)"
            )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkippedRecordsWarning)
            frame = read_any(path, format=read.format, **read.reader_options())
    except (ValueError, OSError, ImportError) as exc:
        raise CLIError(cli_words(_about(path, exc).args[0])) from exc
    skipped: dict[str, int] = frame.attrs.get("skipped", {})
    if skipped:
        counts = ", ".join(f"{n:,} {kind}" for kind, n in skipped.items())
        print(
            f"prioritize: {spec}: skipped {sum(skipped.values()):,} record(s) that are not "
            f"customer messages: {counts} (--keep {','.join(skipped)} reads them)",
            file=sys.stderr,
        )
    return frame


def load_header(path: Path) -> list[str]:
    """The column names of a CSV or Parquet file (reads a few rows only)."""
    parquet = path.suffix.lower() in (".parquet", ".pq")
    options: dict[str, Any] = {} if parquet else {"nrows": 5, "dtype": str}
    if path.suffix.lower() == ".tsv":
        options["sep"] = "\t"
    try:
        return [str(c) for c in read_table(path, parquet=parquet, **options).columns]
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


def synthetic_week(n: int, seed: int, *, option: str = "--queries") -> pd.DataFrame:
    """The demo stream: ``n`` synthetic queries over :data:`DAYS` days.

    ``option`` is the command-line option that gave ``n`` (``demo --queries``,
    ``compare --synthetic``), so an error names what the user typed.
    """
    if n < 1:
        raise CLIError(f"{option} must be >= 1; got {n}")
    return synthetic.queries(n, seed=seed, days=DAYS)
