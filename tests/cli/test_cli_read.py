"""score, compare and audit read any registered format (issue 14, "The command line")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from prioritize.cli import main

DATA = Path(__file__).parents[1] / "adapters" / "data"
SEARCH = DATA / "twitter_search_recent.json"
ZENDESK_CSV = DATA / "zendesk_export.csv"
INBOX = DATA / "inbox_export.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_score_detects_a_twitter_page_even_without_a_telling_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "score", str(SEARCH), "--policy", "balanced")
    assert code == 0 and err == ""
    assert "6 queries from" in out and "tw-1764931642195050499" in out
    renamed = tmp_path / "export"
    shutil.copy(SEARCH, renamed)
    assert run(capsys, "score", str(renamed), "--policy", "balanced")[1].count("tw-") == 6
    given = run(capsys, "score", str(renamed), "--format", "twitter", "--policy", "balanced")
    assert given[0] == 0 and given[1].count("tw-") == 6


def test_score_a_zendesk_csv_with_tz_and_the_hint_names_the_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "score", str(ZENDESK_CSV), "--policy", "fifo")
    assert code == 2 and "pass --tz … (e.g. 'UTC'" in err and "tz='" not in err
    code, out, err = run(capsys, "score", str(ZENDESK_CSV), "--policy", "fifo", "--tz", "UTC")
    assert code == 0 and "7 queries from" in out and err == ""


def test_the_skip_report_is_one_line_on_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    payload = json.loads(SEARCH.read_text(encoding="utf-8"))
    retweet = {**payload["data"][0], "id": "1764924352494698999"}
    retweet["referenced_tweets"] = [{"type": "retweeted", "id": payload["data"][0]["id"]}]
    payload["data"].append(retweet)
    path = tmp_path / "page.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    code, out, err = run(capsys, "score", str(path), "--policy", "balanced")
    assert code == 0 and "6 queries from" in out
    assert err == (
        f"prioritize: {path}: skipped 1 record(s) that are not customer messages: 1 retweet "
        "(--keep retweet reads them)\n"
    )
    code, out, err = run(capsys, "score", str(path), "--policy", "balanced", "--keep", "retweet")
    assert code == 0 and "7 queries from" in out and err == ""


def test_the_score_error_suggests_no_option_the_cli_lacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "score", str(INBOX), "--policy", "fifo")
    assert code == 2 and err.count("\n") == 1
    assert "matches no known format" in err and "--format" in err
    assert "csv: a table with the canonical columns query_id" in err
    code, _, err = run(capsys, "score", str(INBOX), "--policy", "fifo", "--format", "csv")
    assert code == 2 and err.count("\n") == 1
    assert "lacks the column(s) ['query_id'" in err
    assert "map them with mapping=" not in err and "defaults=, or join" not in err
    assert "in Python with prioritize.adapters.read_queries" in err


def test_unknown_format_and_unknown_option_for_a_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "score", str(SEARCH), "--policy", "fifo", "--format", "pigeon")
    assert code == 2 and "--format pigeon: unknown; known formats: " in err
    assert "csv, " in err and "twitter, " in err  # among the registered formats, sorted
    code, _, err = run(capsys, "score", str(SEARCH), "--policy", "fifo", "--tz", "UTC")
    assert code == 2 and "format 'twitter' (json) takes no option(s) tz" in err


def test_compare_and_audit_read_any_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "compare", "--queries", str(SEARCH), "--policy", "fifo", "--agents", "1"
    )
    assert code == 0, err
    assert "6 queries from" in out
    code, out, err = run(
        capsys, "audit", "--policy", "balanced", "--queries", str(ZENDESK_CSV), "--tz", "UTC"
    )
    assert code == 0, err
    assert str(ZENDESK_CSV) in out


def test_score_reads_the_twcs_dataset_with_an_assumed_follower_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sample = DATA / "twcs" / "twcs_sample.csv"
    code, _, err = run(capsys, "score", str(sample), "--format", "twcs", "--policy", "fifo")
    assert code == 2 and "no follower counts" in err
    code, out, err = run(
        capsys, "score", str(sample), "--format", "twcs", "--followers", "0", "--policy", "fifo"
    )
    assert code == 0 and "queries from" in out and "twcs-" in out
    assert "skipped" in err  # follow-ups and brand replies are counted on one line
