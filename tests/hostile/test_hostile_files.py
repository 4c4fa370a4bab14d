"""Every file-reading entry point, fed every kind of hostile file, raises only documented errors.

Entry points: ``Policy.from_file`` (TOML, JSON), ``read_queries`` (CSV, Parquet), the Twitter
and Zendesk adapters (JSON, CSV), and every command-line option that takes a path. Files:
missing, a folder, a path under a plain file, unreadable (no permission; root reads it anyway,
so its content is garbage too), empty, huge (past the reader's size cap, where it has one),
deeply nested, wrongly encoded, and garbage. The library raises its own exceptions (or
pydantic's ``ValidationError`` for a parsed document that is not a policy), never an
``OSError``, ``UnicodeDecodeError``, ``RecursionError``, pyarrow or pandas error; the command
line prints one line, ``prioritize: error: ...``, and exits 2.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

import prioritize as pz
from prioritize.adapters import read_queries, twitter, zendesk
from prioritize.cli import main

_NEST = 100_000
_HUGE_CAP = 256  # the size caps are patched down to this, so "huge" needs no gigabytes


def _nested(suffix: str) -> bytes:
    if suffix == ".toml":
        return b"a = " + b"[" * _NEST
    return b'{"data": ' + b"[" * _NEST + b"]" * _NEST + b"}"


def _huge(suffix: str) -> bytes:
    if suffix in (".csv", ".parquet"):
        return b"x" * 5_000_000  # no cap on tables: a 5 MB one-cell header, then nothing
    if suffix == ".toml":
        return b"# " + b"x" * (2 * _HUGE_CAP) + b"\n"
    return b'{"x": "' + b"x" * (2 * _HUGE_CAP) + b'"}'


# kind -> how to make the file at `path` (returns the path to pass, which may differ)
_KINDS: dict[str, Callable[[Path], Path]] = {
    "missing": lambda p: p,
    "folder": lambda p: (p.mkdir(), p)[1],
    "under-a-file": lambda p: (p.write_text("x"), p / ("inner" + p.suffix))[1],
    "no-permission": lambda p: (p.write_bytes(random.Random(1).randbytes(512)), p.chmod(0), p)[2],
    "empty": lambda p: (p.write_bytes(b""), p)[1],
    "huge": lambda p: (p.write_bytes(_huge(p.suffix)), p)[1],
    "nested": lambda p: (p.write_bytes(_nested(p.suffix)), p)[1],
    "utf-16": lambda p: (p.write_bytes('{"name": "café", "a,b": 1}\n'.encode("utf-16")), p)[1],
    "latin-1": lambda p: (p.write_bytes('name = "café"\n'.encode("latin-1")), p)[1],
    "garbage": lambda p: (p.write_bytes(random.Random(0).randbytes(4096)), p)[1],
}

_LIBRARY: dict[str, tuple[str, Callable[[Path], Any]]] = {
    "Policy.from_file toml": (".toml", pz.Policy.from_file),
    "Policy.from_file json": (".json", pz.Policy.from_file),
    "read_queries csv": (".csv", read_queries),
    "read_queries parquet": (".parquet", read_queries),
    "twitter.from_tweets": (".json", twitter.from_tweets),
    "twitter.from_tweet": (".json", twitter.from_tweet),
    "zendesk.from_tickets": (".json", zendesk.from_tickets),
    "zendesk.from_csv": (".csv", lambda p: zendesk.from_csv(p, tz="UTC")),
}


@pytest.fixture(autouse=True)
def _small_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    from prioritize.adapters import _common
    from prioritize.cli import _common as cli_common
    from prioritize.policy import _files

    monkeypatch.setattr(_files, "MAX_POLICY_BYTES", _HUGE_CAP)
    monkeypatch.setattr(_common, "MAX_JSON_BYTES", _HUGE_CAP)
    monkeypatch.setattr(cli_common, "MAX_SCHEDULE_BYTES", _HUGE_CAP)


@pytest.mark.parametrize("kind", sorted(_KINDS))
@pytest.mark.parametrize("entry", sorted(_LIBRARY))
def test_library_readers_raise_documented_errors(tmp_path: Path, entry: str, kind: str) -> None:
    suffix, read = _LIBRARY[entry]
    path = _KINDS[kind](tmp_path / f"hostile{suffix}")
    with pytest.raises((pz.PrioritizeError, ValidationError)) as caught:
        read(path)
    if isinstance(caught.value, pz.PrioritizeError) and kind not in ("utf-16", "latin-1"):
        # a file-level problem names the file (a document that parses but is not a policy
        # or a payload names the key or record instead)
        assert path.name in str(caught.value) or kind in ("empty", "nested", "garbage")


@pytest.mark.parametrize("kind", ["missing", "folder", "empty", "huge", "nested", "garbage"])
def test_file_problems_name_the_file(tmp_path: Path, kind: str) -> None:
    for suffix, read in _LIBRARY.values():
        path = _KINDS[kind](tmp_path / f"{kind}-{len(suffix)}-{id(read)}{suffix}")
        with pytest.raises((pz.PrioritizeError, ValidationError)) as caught:
            read(path)
        if not isinstance(caught.value, ValidationError) and kind != "garbage":
            assert str(path) in str(caught.value) or kind == "empty"


_CLI: dict[str, tuple[str, list[str]]] = {
    "score FILE.csv": (".csv", ["score", "{}", "--policy", "fifo"]),
    "score FILE.parquet": (".parquet", ["score", "{}", "--policy", "fifo"]),
    "score --policy FILE.toml": (".toml", ["score", "q.csv", "--policy", "{}"]),
    "score --policy FILE.json": (".json", ["score", "q.csv", "--policy", "{}"]),
    "compare --queries": (".csv", ["compare", "--queries", "{}"]),
    "compare --policy": (".toml", ["compare", "--synthetic", "30", "--policy", "{}"]),
    "compare --schedule": (".toml", ["compare", "--synthetic", "30", "--schedule", "{}"]),
    "audit --policy": (".json", ["audit", "--policy", "{}", "--synthetic", "20"]),
    "audit --queries": (".parquet", ["audit", "--policy", "fifo", "--queries", "{}"]),
    "audit --schedule": (
        ".toml",
        ["audit", "--policy", "fifo", "--synthetic", "20", "--simulate", "--schedule", "{}"],
    ),
    "staff --intervals": (".csv", ["staff", "--intervals", "{}", "--handle-minutes", "5"]),
}


@pytest.mark.parametrize("kind", sorted(_KINDS))
@pytest.mark.parametrize("command", sorted(_CLI))
def test_cli_prints_one_line_and_exits_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    kind: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    pz.synthetic.queries(10, seed=0, days=0.1).to_csv(tmp_path / "q.csv", index=False)
    suffix, template = _CLI[command]
    path = _KINDS[kind](tmp_path / f"hostile{suffix}")
    code = main([arg.replace("{}", str(path)) for arg in template])
    out = capsys.readouterr()
    assert code == 2, out.err
    assert out.out == ""
    assert out.err.startswith("prioritize: error: ")
    assert out.err.count("\n") == 1, out.err
