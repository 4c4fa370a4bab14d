"""``prioritize compare --retry FILE``: customers who try again; the tables count people."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import prioritize as pz
from prioritize.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


ARGS = ("compare", "--synthetic", "600", "--agents", "1", "--patience", "20",
        "--policy", "fifo", "--policy", "influencer_weighted")  # fmt: skip


def test_compare_with_retries_counts_people(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    retry = pz.Retry(probability=0.8, after_minutes=20)
    retry.to_file(tmp_path / "retry.toml")
    code, out, err = run(capsys, *ARGS, "--retry", str(tmp_path / "retry.toml"))
    assert code == 0, err
    header = next(line for line in out.splitlines() if line.startswith("policy "))
    assert re.search(r"people\s+retries\s+never answered", header)
    # the figures are the simulation's, for the same stream and seed
    from prioritize.cli._common import synthetic_week

    frame = synthetic_week(600, 0)
    result = pz.simulate(frame, pz.policies.fifo(), agents=1, patience=20, retry=retry, seed=0)
    s = result.summary
    assert s["retries"] > 0
    row = next(line for line in out.splitlines() if line.startswith("fifo "))
    assert row.split()[1:4] == [
        f"{s['people']:,}",
        f"{s['retries']:,}",
        f"{s['people_unanswered']:,}",
    ]
    assert (
        f"{s['people']:,} people made {s['arrived']:,} contacts ({s['retries']:,} retries "
        f"after giving up); {s['people_unanswered']:,} people never answered" in out
    )
    assert "shares paired by query; first attempts" in out


def test_compare_without_retries_shows_no_people_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, *ARGS)
    assert code == 0, err
    assert "never answered" not in out and "first attempts" not in out


def test_a_bad_retry_file_is_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "retry.toml").write_text("probability = 2\nafter_minutes = 5\n")
    code, _, err = run(capsys, *ARGS, "--retry", str(tmp_path / "retry.toml"))
    assert code != 0
    assert "--retry" in err and "probability" in err


@pytest.mark.parametrize("replications", [1, 2])
def test_side_by_side_shows_the_change_in_people_answered(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replications: int
) -> None:
    from prioritize.cli._common import synthetic_week

    retry = pz.Retry(probability=0.8, after_minutes=20)
    retry.to_file(tmp_path / "retry.toml")
    argv = (*ARGS, "--retry", str(tmp_path / "retry.toml"), "--replications", str(replications))
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    policies = {
        "fifo": pz.policies.fifo(),
        "influencer_weighted": pz.policies.influencer_weighted(),
    }
    setup = {"agents": 1, "patience": 20, "retry": retry}
    lines = out[out.index("Side by side") :].splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("policy "))
    header = lines[at]
    assert "people answered vs fifo" in header
    assert "People answered vs fifo: the change in the share of people" in " ".join(lines[:at])
    column = header.index("people answered vs fifo") + len("people answered vs fifo")
    cell = {
        line.split()[0]: line[:column].rsplit("  ", 1)[-1].strip()
        for line in lines[at + 1 : at + 3]
    }
    assert cell["fifo"] == "-"  # the baseline
    if replications == 1:
        results = {
            n: pz.simulate(synthetic_week(600, 0), p, seed=0, **setup) for n, p in policies.items()
        }  # type: ignore[arg-type]
        row = pz.report.people_table(results).loc["influencer_weighted"]
        expected = (
            f"{row['answered_change'] * 100:+.1f} pts ({row['answered_change_low'] * 100:+.1f} "
            f"to {row['answered_change_high'] * 100:+.1f})"
        )
        # the reading states the same change and interval
        assert f"{abs(row['answered_change']) * 100:.1f} points, paired 95% CI" in out.replace(
            "\n", " "
        )
    else:
        table = pz.compare(lambda s: synthetic_week(600, s), policies, replications=2, **setup)  # type: ignore[arg-type]
        row = table.loc["influencer_weighted"]
        expected = (
            f"{row['people_answered_change'] * 100:+.1f} pts "
            f"±{row['people_answered_change_ci95'] * 100:.1f}"
        )
    assert cell["influencer_weighted"] == expected


def test_side_by_side_note_states_every_condition_of_a_verdict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from prioritize._internal.constants import FOUR_FIFTHS, MIN_BAND_HITS, MIN_BAND_QUERIES

    code, out, err = run(capsys, *ARGS)
    assert code == 0, err
    note = out[out.index("Side by side") :]
    note = " ".join(note[: note.index("\npolicy ")].split())
    assert (
        f"'fail' only when the whole interval is under {FOUR_FIFTHS:g} and both bands have "
        f"{MIN_BAND_QUERIES}+ queries and {MIN_BAND_HITS}+ answered in time, 'pass' at "
        f"{FOUR_FIFTHS:g} or more, 'too few to tell' otherwise." in note
    )
    assert "Wait ratio: the best band's mean wait of answered queries over the worst's" in note
    assert "People answered vs" not in note  # nobody retried: no such column
