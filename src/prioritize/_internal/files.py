"""Files: the one home of atomic writes, bounded text reads and same-file checks.

Every file the library or its command line writes goes through
:func:`write_atomic`: the content is written to a temporary file in the same
folder, then renamed over the target with :func:`os.replace`. A write that
fails (a full disk, an unencodable character, an interrupted process) leaves
the target as it was, never truncated.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import os
import secrets
import stat
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.io.common import get_handle

from prioritize._errors import InputError, PrioritizeError, SchemaError

__all__ = [
    "check_unique_columns",
    "column_names",
    "read_table",
    "read_text",
    "same_file",
    "write_atomic",
    "write_text_atomic",
]


def read_text(
    path: str | os.PathLike[str],
    *,
    max_bytes: int,
    error: type[PrioritizeError],
    what: str = "",
) -> str:
    """The UTF-8 text of the file at ``path``, at most ``max_bytes`` long.

    Every failure raises ``error`` (one of the library's exceptions) with a
    message naming the file (after ``what``, if given): missing, a folder,
    unreadable, too large, or not UTF-8 (naming the byte offset).
    """
    source = Path(path)
    head = f"{what}: {source}" if what else str(source)
    try:
        with source.open("rb") as file:
            data = file.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise error(f"{head}: cannot read: no such file") from exc
    except IsADirectoryError as exc:
        raise error(f"{head}: cannot read: a folder, not a file") from exc
    except OSError as exc:
        raise error(f"{head}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise error(f"{head}: larger than the limit of {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1]
        raise error(f"{head}: not UTF-8 text (byte {exc.start:,} is {bad!r})") from exc


def _temporary(path: Path) -> Path:
    # O_EXCL with the default mode (0o666 less the umask): the file gets the
    # permissions an ordinary write would give it, unlike mkstemp's 0o600.
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
        os.close(fd)
        return tmp


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    If ``write`` raises, the temporary file is removed and ``path`` is left
    untouched (as it was, or absent). An existing target keeps its
    permission bits. Returns ``path`` as a :class:`~pathlib.Path`.
    """
    target = Path(path)
    tmp = _temporary(target)
    try:
        write(tmp)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`write_atomic`).

    The text is encoded before any file is created, so an unencodable
    character (a lone surrogate) raises :class:`UnicodeEncodeError` and
    writes nothing.
    """
    data = text.encode("utf-8")
    return write_atomic(path, lambda tmp: tmp.write_bytes(data))


def same_file(path: str | os.PathLike[str], others: Iterable[str | os.PathLike[str]]) -> bool:
    """Whether ``path`` resolves to the same file as one of ``others``.

    Compares resolved real paths (symbolic links and ``..`` followed) and,
    where both exist, device and inode numbers (hard links, case-insensitive
    file systems).
    """
    target = Path(path)
    real = os.path.realpath(target)
    for other in others:
        if os.path.realpath(other) == real:
            return True
        with contextlib.suppress(OSError):
            if os.path.samefile(target, other):
                return True
    return False


def read_table(
    path: str | os.PathLike[str], what: str = "", *, parquet: bool = False, **options: Any
) -> pd.DataFrame:
    """A CSV (``pandas.read_csv`` with ``options``) or Parquet file as a DataFrame.

    Every failure of the reader but a missing Parquet engine (``ImportError``)
    raises :class:`~prioritize.InputError` naming the file (after ``what``):
    missing, a folder, empty, not UTF-8, malformed, not Parquet. The column
    names must be unique (:class:`~prioritize.SchemaError` otherwise).
    """
    head = f"{what}: {path}" if what else str(path)
    try:
        table = pd.read_parquet(path) if parquet else pd.read_csv(path, **options)
    except ImportError:
        raise
    except FileNotFoundError as exc:
        raise InputError(f"{head}: cannot read: no such file") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{head}: cannot read: a folder, not a file") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{head}: the file is empty (no header row)") from exc
    except Exception as exc:
        # Readers raise what they like on a damaged file (pyarrow's ArrowInvalid,
        # UnicodeDecodeError, ParserError, OSError...): one documented error names the file.
        text = " ".join(str(exc).split()) or type(exc).__name__
        kind = "Parquet" if parquet else "CSV"
        raise InputError(f"{head}: cannot read as {kind}: {text}") from exc
    check_unique_columns(table.columns, head)
    if not parquet:
        _check_no_short_rows(path, head, table, options)
    return table


#: Short rows named in one error.
_SHORT_SHOWN = 5


def _check_no_short_rows(
    path: str | os.PathLike[str], head: str, table: pd.DataFrame, options: dict[str, Any]
) -> None:
    """Refuse a CSV row with fewer fields than the header (a file cut short, a lost comma).

    pandas fills the missing fields with NaN, or ``""`` with ``keep_default_na=False``,
    which a reader then takes for a value meant to be absent (NaN days since the last
    purchase means "never bought"). Such a row always lacks the last column, so the
    file is only counted field by field when the last column has an empty value.
    """
    if table.empty or table.shape[1] < 2:
        return
    last = table.iloc[:, -1]
    if not (last.isna().any() or last.astype(object).eq("").any()):
        return
    width = table.shape[1]
    short: list[int] = []
    # pandas' own opener: the same compression (inferred from the name: .csv.gz, ...)
    # and encoding as the read above.
    with get_handle(
        path,
        "r",
        encoding=options.get("encoding") or "utf-8",
        compression=options.get("compression", "infer"),
    ) as handles:
        rows = csv.reader(handles.handle, delimiter=options.get("sep", ","))
        next(rows, None)  # the header
        data = (row for row in rows if row)  # pandas skips blank lines
        limit = options.get("nrows")
        for position, row in enumerate(itertools.islice(data, limit)):
            if len(row) < width:
                short.append(position)
    if short:
        shown = ", ".join(f"row {p}" for p in short[:_SHORT_SHOWN])
        more = f" ({len(short)} rows in all)" if len(short) > _SHORT_SHOWN else ""
        raise InputError(
            f"{head}: {shown}{more} ha{'s' if len(short) == 1 else 've'} fewer fields than "
            f"the header's {width}; is the file cut short or a separator missing? "
            "(an empty value is written as an empty field: a,,c)"
        )


def check_unique_columns(columns: Any, what: str) -> None:
    """Raise :class:`~prioritize.SchemaError` naming the column names that occur more than once."""
    dups = sorted(name for name, n in Counter(str(c) for c in columns).items() if n > 1)
    if dups:
        raise SchemaError(f"{what}: several columns are named {dups}; each needs its own name")


def column_names(columns: Any, *, limit: int = 30, width: int = 60) -> str:
    """Column names for a message, bounded: at most ``limit`` names of ``width`` characters."""
    names = [str(c) for c in columns]
    shown = [n if len(n) <= width else n[: width - 1] + "…" for n in names[:limit]]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"{shown}{more}"
