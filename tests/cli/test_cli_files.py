"""The command line never destroys a file, and its CSV is safe to open in a spreadsheet.

Never over an input (compared as real paths), over an existing output only with --force,
every output through a temporary file renamed into place; CSV text that a spreadsheet would
run as a formula gets a leading quote unless --raw-csv; Parquet is written as is.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_cli_errors import fails  # the one-line, exit-2 check

import prioritize as pz
from prioritize.cli import main
from prioritize.cli._common import FORMULA_TRIGGERS, neutralise_formulas

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)", "\tx", "plain"]


def ok(capsys, *argv: str) -> str:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 0, out.err
    return out.out


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    frame = pz.synthetic.queries(len(HOSTILE), seed=2, days=0.1)
    frame["text"] = HOSTILE
    frame["query_id"] = [f"={i}" if i % 2 else f"q{i}" for i in range(len(frame))]
    frame.to_csv(tmp_path / "q.csv", index=False)
    frame.to_parquet(tmp_path / "q.parquet")
    pz.policies.balanced().to_file(tmp_path / "p.toml")
    (tmp_path / "link.csv").symlink_to(tmp_path / "q.csv")
    (tmp_path / "sub").mkdir()
    (tmp_path / "intervals.csv").write_text("interval,arrivals\n=cmd,10\n09:30,25\n")
    (tmp_path / "shifts.toml").write_text('[[shift]]\nstart = "00:00"\nend = "24:00"\ncount = 3\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.is_symlink()}


@pytest.mark.parametrize(
    "argv",
    [
        ["score", "q.parquet", "--policy", "balanced", "--out", "q.parquet"],
        ["score", "q.csv", "--policy", "balanced", "--out", "link.csv", "--force"],
        ["score", "link.csv", "--policy", "balanced", "--out", "q.csv", "--force"],
        ["score", "q.csv", "--policy", "balanced", "--out", "sub/../q.csv", "--force"],
        ["score", "q.csv", "--policy", "p.toml", "--out", "p.toml", "--force"],
        ["staff", "--intervals", "intervals.csv", "--handle-minutes", "5",
         "--out", "intervals.csv", "--force"],
        ["compare", "--queries", "q.csv", "--report", "q.csv", "--force"],
        ["compare", "--policy", "p.toml", "--report", "./p.toml", "--force"],
        ["compare", "--schedule", "shifts.toml", "--report", "shifts.toml", "--force"],
    ],
)  # fmt: skip
def test_an_input_is_never_overwritten(capsys, folder: Path, argv: list[str]) -> None:  # type: ignore[no-untyped-def]
    importlib.import_module("matplotlib")
    before = _snapshot(folder)
    err = fails(capsys, *argv)
    assert "is an input of this command; it is never overwritten" in err
    assert _snapshot(folder) == before


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["score", "q.csv", "--policy", "fifo", "--out", "old.csv"], "--out"),
        (["staff", "--intervals", "intervals.csv", "--handle-minutes", "5",
          "--out", "old.csv"], "--out"),
        (["compare", "--synthetic", "50", "--report", "old.csv"], "--report"),
    ],
)  # fmt: skip
def test_an_existing_output_needs_force(capsys, folder: Path, argv: list[str], option: str) -> None:  # type: ignore[no-untyped-def]
    importlib.import_module("matplotlib")
    (folder / "old.csv").write_text("keep me")
    err = fails(capsys, *argv)
    assert err == f"{option} old.csv: exists; give --force to overwrite it"
    assert (folder / "old.csv").read_text() == "keep me"
    if argv[0] != "compare":  # compare --force writes a whole report: covered elsewhere
        ok(capsys, *argv, "--force")
        assert (folder / "old.csv").read_text() != "keep me"


def test_a_folder_is_not_an_output(capsys, folder: Path) -> None:  # type: ignore[no-untyped-def]
    err = fails(capsys, "score", "q.csv", "--policy", "fifo", "--out", "sub", "--force")
    assert err == "--out sub: is a folder"


def test_a_failed_write_leaves_the_old_file(capsys, folder: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (folder / "old.csv").write_text("keep me")

    def broken(self, path, **kwargs):  # type: ignore[no-untyped-def]
        Path(path).write_text("trunc")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    err = fails(capsys, "score", "q.csv", "--policy", "fifo", "--out", "old.csv", "--force")
    assert err == "--out old.csv: [Errno 28] No space left on device"
    assert (folder / "old.csv").read_text() == "keep me"
    assert not [p for p in os.listdir(folder) if p.endswith(".tmp")]


def test_staff_out_needs_intervals(capsys, folder: Path) -> None:  # type: ignore[no-untyped-def]
    err = fails(
        capsys, "staff", "--arrivals-per-hour", "100", "--handle-minutes", "5",
        "--out", "nodir/x.csv",
    )  # fmt: skip
    assert err.startswith("--out writes the plan of --intervals")


def test_csv_output_neutralises_formulas(capsys, folder: Path) -> None:  # type: ignore[no-untyped-def]
    ok(capsys, "score", "q.csv", "--policy", "fifo", "--out", "safe.csv")
    safe = pd.read_csv("safe.csv", keep_default_na=False).set_index("query_id")
    expected = {("'" if t.startswith(FORMULA_TRIGGERS) else "") + t for t in HOSTILE}
    assert set(safe["text"]) == expected
    assert {i for i in safe.index if i.startswith("'")} == {"'=1", "'=3", "'=5"}
    assert pd.api.types.is_float_dtype(safe["score"])  # numbers are left alone
    ok(capsys, "score", "q.csv", "--policy", "fifo", "--out", "raw.csv", "--raw-csv")
    assert set(pd.read_csv("raw.csv", keep_default_na=False)["text"]) == set(HOSTILE)
    ok(capsys, "score", "q.csv", "--policy", "fifo", "--out", "out.parquet")
    assert set(pd.read_parquet("out.parquet")["text"]) == set(HOSTILE)


def test_staff_plan_csv_neutralises_labels(capsys, folder: Path) -> None:  # type: ignore[no-untyped-def]
    ok(
        capsys,
        "staff",
        "--intervals",
        "intervals.csv",
        "--handle-minutes",
        "5",
        "--out",
        "plan.csv",
    )
    assert pd.read_csv("plan.csv")["interval"].tolist() == ["'=cmd", "09:30"]


@given(st.lists(st.one_of(st.text(), st.none()), min_size=1, max_size=5))
def test_neutralised_cells_are_inert_and_reversible(cells: list[str | None]) -> None:
    frame = pd.DataFrame({"text": pd.Series(cells, dtype=object), "n": range(len(cells))})
    frame["cat"] = frame["text"].astype("category")
    out = neutralise_formulas(frame)
    for column in ("text", "cat"):
        for before, after in zip(cells, out[column], strict=True):
            if before is None:
                assert pd.isna(after)
            elif before.startswith(FORMULA_TRIGGERS):
                assert after == "'" + before
            else:
                assert after == before
    assert out["n"].tolist() == list(range(len(cells)))
    assert frame["text"].tolist() == cells  # the input is not changed
