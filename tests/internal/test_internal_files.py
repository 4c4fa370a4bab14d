"""Files: atomic writes, bounded text reads, same-file checks, table reads with one error type."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import ConfigError, InputError, SchemaError
from prioritize._internal.files import (
    check_unique_columns,
    read_table,
    read_text,
    same_file,
    write_atomic,
    write_text_atomic,
)


class _Boom(Exception):
    pass


def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("precious")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise _Boom

    with pytest.raises(_Boom):
        write_atomic(path, half_then_fail)
    assert path.read_text() == "precious"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_a_failed_first_write_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(tmp_path / "x.txt", "lone \ud800")
    assert os.listdir(tmp_path) == []


@given(st.text())
def test_write_text_atomic_writes_utf8(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = write_text_atomic(Path(folder) / "t.txt", text)
        assert path.read_bytes() == text.encode("utf-8")
        assert os.listdir(folder) == ["t.txt"]


def test_permissions_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("old")
    path.chmod(0o600)
    write_text_atomic(path, "new")
    assert path.read_text() == "new"
    assert path.stat().st_mode & 0o777 == 0o600


def test_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "q.csv"
    data.write_text("x")
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.csv"
    link.symlink_to(data)
    hard = tmp_path / "hard.csv"
    os.link(data, hard)
    monkeypatch.chdir(tmp_path)
    for alias in (data, link, hard, tmp_path / "sub" / ".." / "q.csv", Path("q.csv")):
        assert same_file(alias, [data])
    assert not same_file(tmp_path / "other.csv", [data])
    assert not same_file(tmp_path / "other.csv", [tmp_path / "missing.csv"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "t.txt: cannot read: no such file"),
        (b"\xc3(", "t.txt: not UTF-8 text (byte 0 is b'\\xc3')"),
        (b"x" * 11, "t.txt: larger than the limit of 10 bytes"),
    ],
)
def test_read_text_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "t.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        read_text(path, max_bytes=10, error=ConfigError)
    assert str(caught.value) == f"{tmp_path}/{message}"
    path.write_bytes(b"x" * 10)
    assert read_text(path, max_bytes=10, error=InputError, what="w") == "x" * 10


def test_read_text_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="w: .*: cannot read: a folder"):
        read_text(tmp_path, max_bytes=10, error=InputError, what="w")


@pytest.mark.parametrize(
    ("content", "parquet", "message"),
    [
        (None, False, "cannot read: no such file"),
        (b"", False, "the file is empty"),
        (b"a,b\n\xff\xfe,1\n", False, "cannot read as CSV"),
        (b'a,b\n"1,2\n', False, "cannot read as CSV"),
        (bytes(range(7, 71)), True, "cannot read as Parquet"),
        (b"", True, "cannot read as Parquet"),
    ],
)
def test_read_table_errors(
    tmp_path: Path, content: bytes | None, parquet: bool, message: str
) -> None:
    path = tmp_path / "t.dat"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        read_table(path, "what", parquet=parquet)
    assert str(caught.value).startswith(f"what: {path}: ")


def test_duplicate_columns(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"x: several columns are named \['a'\]"):
        check_unique_columns(["a", "b", "a"], "x")
    check_unique_columns(["a", "b"], "x")
    path = tmp_path / "d.parquet"
    pd.DataFrame({"a": [1], "b": [2]}).to_parquet(path)
    assert list(read_table(path, parquet=True).columns) == ["a", "b"]
