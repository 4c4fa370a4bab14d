"""Formats by name: detect a source's format from its content, read it with its reader.

A *format* is a name (``"twitter"``, ``"zendesk"``, ``"csv"``...) with one
reader per kind of content: ``"json"`` (a parsed JSON document: an object, or
a list for JSON Lines and lists of pages) and/or ``"table"`` (a CSV or
Parquet table, or a DataFrame). Each reader has

* ``detect(content) -> bool``: True when ``content`` looks like this format.
  It sees the parsed JSON document, or the first rows of a table (a
  DataFrame of strings, at most :data:`SNIFF_ROWS` rows); it must be cheap,
  never raise, and be specific enough that no other format also claims the
  content.
* ``read(source, **options) -> DataFrame``: the reader itself. For JSON it is
  given the parsed document when :func:`read` parsed it to detect the
  format, else the source as passed (a path, or a parsed document); for
  tables, the source as passed (a path or a DataFrame).

How a new reader registers itself: at the bottom of its private module
(``adapters/_<vendor>.py``), call::

    register("freshdesk", "json", detect=_looks_like_freshdesk, read=from_tickets,
             expects="Freshdesk API v2 tickets: a list of objects with id, source, ...")

and make sure the module is imported by :mod:`prioritize.adapters` (its
public module imports it), so :func:`read` and the command line's
``--format`` know the name.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeAlias

import pandas as pd

from prioritize._errors import InputError
from prioritize._internal.files import read_table
from prioritize.adapters._common import load_json

__all__ = ["SNIFF_ROWS", "Content", "Reader", "formats", "read", "register", "sniff_table"]

Content: TypeAlias = Literal["json", "table"]
#: Rows of a table a detector sees.
SNIFF_ROWS = 20

_JSON_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson"})
_TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".txt", ".parquet", ".pq"})


@dataclass(frozen=True)
class Reader:
    """One registered reader: a format's name, the content it reads, how to detect and read it."""

    name: str
    content: Content
    detect: Callable[[Any], bool]
    read: Callable[..., pd.DataFrame]
    expects: str


_READERS: dict[tuple[str, Content], Reader] = {}


def register(
    name: str,
    content: Content,
    *,
    detect: Callable[[Any], bool],
    read: Callable[..., pd.DataFrame],
    expects: str,
) -> Reader:
    """Register the reader of format ``name`` for ``content`` (see the module docstring).

    ``expects`` is one line saying what the format looks like, shown when a
    source matches no format. Registering the same name and content again
    replaces the reader.
    """
    if content not in ("json", "table"):
        raise InputError(f"register: content must be 'json' or 'table'; got {content!r}")
    reader = Reader(name=name, content=content, detect=detect, read=read, expects=expects)
    _READERS[(name, content)] = reader
    return reader


def formats() -> dict[str, tuple[Content, ...]]:
    """The registered format names (sorted), each with the kinds of content it reads."""
    out: dict[str, tuple[Content, ...]] = {}
    for name, content in sorted(_READERS):
        out[name] = (*out.get(name, ()), content)
    return out


def _content_of(source: Any) -> Content:
    if isinstance(source, pd.DataFrame):
        return "table"
    if isinstance(source, Mapping | list):
        return "json"
    if not isinstance(source, str | os.PathLike):
        raise InputError(
            f"read: expected a path, a parsed JSON document or a DataFrame; "
            f"got {type(source).__name__}"
        )
    path = Path(source)
    suffixes = {s.lower() for s in path.suffixes}
    if suffixes & _JSON_SUFFIXES:
        return "json"
    if suffixes & _TABLE_SUFFIXES:
        return "table"
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as exc:
        raise InputError(f"read: {path}: cannot read: {exc.strerror or exc}") from exc
    return "json" if head[:1] in (b"{", b"[") else "table"


def sniff_table(source: Any) -> pd.DataFrame:
    """The first :data:`SNIFF_ROWS` rows of a table (a path or a DataFrame), as detectors see it."""
    if isinstance(source, pd.DataFrame):
        return source.head(SNIFF_ROWS)
    path = Path(source)
    suffixes = {s.lower() for s in path.suffixes}
    if suffixes & {".parquet", ".pq"}:
        return read_table(path, "read", parquet=True).head(SNIFF_ROWS)
    sep = "\t" if ".tsv" in suffixes else ","
    return read_table(path, "read", sep=sep, dtype=str, nrows=SNIFF_ROWS)


def _check_options(reader: Reader, options: Mapping[str, Any]) -> None:
    params = inspect.signature(reader.read).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    keyword = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    takes = [n for n, p in list(params.items())[1:] if p.kind in keyword]  # after the source
    unknown = sorted(set(options) - set(takes))
    if unknown:
        raise InputError(
            f"read: format {reader.name!r} ({reader.content}) takes no option(s) "
            f"{', '.join(unknown)}; it takes {', '.join(takes) or 'none'}"
        )


def _claims(reader: Reader, content: Any) -> bool:
    try:
        return bool(reader.detect(content))
    except Exception:  # a detector that trips on odd content does not claim it
        return False


def read(source: Any, format: str | None = None, **options: Any) -> pd.DataFrame:
    """Read ``source`` with the reader of ``format``, detected from the content when omitted.

    Parameters
    ----------
    source
        A path (JSON, JSON Lines, CSV, TSV or Parquet), a parsed JSON document,
        or a DataFrame.
    format
        A registered format name (see :func:`formats`): ``"twitter"``,
        ``"zendesk"``, ``"csv"``...; ``None`` detects it from the content.
    **options
        Passed to the reader (e.g. ``tz=``, ``keep=``, ``customers=``).

    Returns
    -------
    pandas.DataFrame
        The reader's canonical query frame, with ``attrs["skipped"]``.

    Raises
    ------
    InputError
        If ``format`` is not registered or does not read this kind of content,
        or (``format=None``) no format or several formats claim the content
        (the message lists the formats), or the reader takes no such option.
    """
    content = _content_of(source)
    if format is not None:
        reader = _READERS.get((format, content))
        if reader is None:
            known = formats()
            if format not in known:
                raise InputError(
                    f"read: unknown format {format!r}; known formats: {', '.join(known)}"
                )
            raise InputError(
                f"read: format {format!r} reads {' or '.join(known[format])}, and this source "
                f"is {'a table (CSV/Parquet)' if content == 'table' else 'JSON'}"
            )
        _check_options(reader, options)
        return reader.read(source, **options)
    parsed = load_json(source, "read") if content == "json" else sniff_table(source)
    candidates = [r for (_, c), r in sorted(_READERS.items()) if c == content]
    claimed = [r for r in candidates if _claims(r, parsed)]
    what = "JSON" if content == "json" else "table"
    if len(claimed) > 1:
        names = ", ".join(r.name for r in claimed)
        raise InputError(
            f"read: the {what} looks like several formats ({names}); pass format= "
            f"(--format on the command line) to say which"
        )
    if not claimed:
        listed = "; ".join(f"{r.name}: {r.expects}" for r in candidates)
        raise InputError(
            f"read: the {what} matches no known format; pass format= (--format on the command "
            f"line) to read it as one and see what is missing. Known {what} formats: {listed}"
        )
    _check_options(claimed[0], options)
    return claimed[0].read(parsed if content == "json" else source, **options)
