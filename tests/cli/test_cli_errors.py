"""Every error is one line on stderr, ``prioritize: error: ...`` naming the file/row/key; exit 2."""

from __future__ import annotations

import importlib
import sys

import pytest

import prioritize as pz
from prioritize.cli import main


def fails(capsys, *argv: str) -> str:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 2, out.out
    assert out.out == ""
    assert out.err.startswith("prioritize: error: ")
    assert out.err.count("\n") == 1, out.err
    return out.err.removeprefix("prioritize: error: ").rstrip("\n")


@pytest.fixture
def csv_missing_column(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.csv"
    frame = pz.synthetic.queries(20, seed=1, days=0.1).drop(columns=["followers"])
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def csv_bad_row(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "row.csv"
    frame = pz.synthetic.queries(20, seed=1, days=0.1)
    frame["channel"] = frame["channel"].astype(object)
    frame.loc[3, "channel"] = "pigeon"
    frame.to_csv(path, index=False)
    return path


def test_usage_errors(capsys) -> None:  # type: ignore[no-untyped-def]
    assert "invalid choice: 'frobnicate'" in fails(capsys, "frobnicate")
    err = fails(capsys, "compare", "--agents", "two")
    assert "--agents: invalid int value: 'two'" in err and "(see prioritize compare --help)" in err
    assert "required: --policy" in fails(capsys, "score", "x.csv")
    assert "not allowed with argument" in fails(
        capsys, "compare", "--agents", "2", "--schedule", "s.toml"
    )
    assert "the following arguments are required: COMMAND" in fails(capsys)


def test_bad_numbers(capsys) -> None:  # type: ignore[no-untyped-def]
    assert fails(capsys, "demo", "--queries", "-5") == "--queries must be >= 1; got -5"
    assert fails(capsys, "demo", "--agents", "0") == "--agents must be >= 1; got 0"
    assert fails(capsys, "compare", "--replications", "0") == "--replications must be >= 1; got 0"
    assert "--target must be in (0, 1]" in fails(capsys, "compare", "--target", "2")
    assert fails(capsys, "score", "x.csv", "--policy", "fifo", "--top", "-1").startswith("--top")


def test_missing_files(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nope.csv"
    assert fails(capsys, "compare", "--queries", str(missing)) == f"{missing}: no such file"
    assert fails(capsys, "score", str(missing), "--policy", "fifo") == f"{missing}: no such file"
    err = fails(capsys, "compare", "--policy", "nosuch.toml")
    assert err.startswith("nosuch.toml: no such policy file (or preset: fifo, equal_treatment")
    assert fails(capsys, "compare", "--schedule", str(tmp_path / "s.toml")).startswith(
        f"{tmp_path / 's.toml'}: "
    )


def test_bad_queries_file_names_file_and_column(capsys, csv_missing_column) -> None:  # type: ignore[no-untyped-def]
    err = fails(capsys, "compare", "--queries", str(csv_missing_column))
    assert err.startswith(f"{csv_missing_column}: ") and "followers" in err


def test_bad_row_named(capsys, csv_bad_row) -> None:  # type: ignore[no-untyped-def]
    err = fails(capsys, "score", str(csv_bad_row), "--policy", "fifo")
    assert err.startswith(f"{csv_bad_row}: column 'channel'") and "row 3" in err and "pigeon" in err


def test_bad_policy_file_names_file_and_key(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    typo = tmp_path / "typo.toml"
    typo.write_text('name = "x"\n[weights]\nurgenci = 1.0\n', encoding="utf-8")
    err = fails(capsys, "audit", "--policy", str(typo))
    assert err.startswith(f"{typo}: ") and "weights.urgenci" in err
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n", encoding="utf-8")
    assert fails(capsys, "compare", "--policy", str(broken)).startswith(f"{broken}: not valid TOML")
    negative = tmp_path / "neg.json"
    negative.write_text('{"name": "n", "weights": {"urgency": -1}}', encoding="utf-8")
    err = fails(capsys, "compare", "--policy", str(negative))
    assert err.startswith(f"{negative}: weights.urgency: ")


def test_duplicate_policy_names(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "fifo.toml"
    other.write_text('name = "fifo"\n', encoding="utf-8")
    err = fails(capsys, "compare", "--policy", "fifo", "--policy", str(other))
    assert err == f"two policies are named 'fifo' (fifo and {other}); give each a different name"


def test_bad_schedule_names_the_shift(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.toml"
    path.write_text(
        '[[shift]]\nstart = "08:00"\nend = "16:00"\ncount = 2\n'
        '[[shift]]\nstart = "16:00"\nend = "24:00"\ncount = 0\n',
        encoding="utf-8",
    )
    err = fails(capsys, "compare", "--synthetic", "50", "--schedule", str(path))
    assert err.startswith(f"{path}: shift 2: count: ")
    path.write_text('[[shifts]]\nstart = "08:00"\n', encoding="utf-8")
    assert "unknown key(s) ['shifts']" in fails(capsys, "compare", "--schedule", str(path))


def test_score_times(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "q.csv"
    pz.synthetic.queries(10, seed=0, days=0.1).to_csv(path, index=False)
    err = fails(capsys, "score", str(path), "--policy", "fifo", "--now", "2026-01-05T10:00")
    assert err.startswith("--now: '2026-01-05T10:00' has no time zone")
    err = fails(capsys, "score", str(path), "--policy", "fifo", "--now", "2020-01-01T00:00Z")
    assert err.startswith(f"{path}: ") and "received after now" in err
    assert "cannot read" in fails(capsys, "score", str(path), "--policy", "fifo", "--now", "soon")


def test_audit_and_staff_arguments(capsys) -> None:  # type: ignore[no-untyped-def]
    err = fails(capsys, "audit", "--policy", "fifo", "--agents", "3")
    assert err == "--agents and --schedule only apply with --simulate"
    assert fails(capsys, "staff", "--handle-minutes", "5").startswith("staff needs --arrivals")
    assert fails(capsys, "staff", "--arrivals-per-hour", "5").startswith("staff needs --handle")
    err = fails(
        capsys, "staff", "--arrivals-per-hour", "5", "--handle-minutes", "5", "--target", "1.5"
    )
    assert "target" in err


def test_staff_intervals_errors(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "i.csv"
    csv.write_text("slot,calls\n09:00,10\n", encoding="utf-8")
    err = fails(capsys, "staff", "--intervals", str(csv), "--handle-minutes", "5")
    assert err.startswith(f"{csv}: ") and "arrivals" in err
    csv.write_text("slot,arrivals\n09:00,-3\n", encoding="utf-8")
    err = fails(capsys, "staff", "--intervals", str(csv), "--handle-minutes", "5")
    assert err.startswith(f"{csv}: ") and "arrivals" in err
    assert "no handle_minutes column" in fails(capsys, "staff", "--intervals", str(csv))


def test_report_without_matplotlib(capsys, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    err = fails(capsys, "compare", "--synthetic", "50", "--report", str(tmp_path / "r.html"))
    assert err == "the HTML report needs matplotlib: pip install 'prioritize[plot]'"


def test_report_folder_missing(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    importlib.import_module("matplotlib")
    target = tmp_path / "no" / "r.html"
    err = fails(capsys, "compare", "--synthetic", "50", "--report", str(target))
    assert err == f"--report {target}: the folder does not exist"
