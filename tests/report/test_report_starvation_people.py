"""The reading states starvation (longest, p99 wait; who waited) and people answered at all."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
from _teams import team_runs, with_languages

import prioritize as pz
from prioritize.report import html_report, people_table, reading
from prioritize.report._reading import STARVATION_MINUTES, STARVATION_RATIO
from prioritize.simulation import EVERYONE, SimulationResult, people_changes

WITHIN = 60.0


def _runs(days: int, retry: pz.Retry | None = None) -> dict[str, SimulationResult]:
    frame = with_languages(pz.synthetic.queries(3_000, seed=3, days=days), spanish=0.25, seed=3)
    return team_runs(frame, english=5, bilingual=3, retry=retry)


@pytest.fixture(scope="module")
def starved() -> dict[str, SimulationResult]:
    return _runs(days=3, retry=pz.Retry(probability=0.75, after_minutes=20))


def _waits(result: SimulationResult) -> np.ndarray:
    records = result.records
    return records.loc[~records["abandoned"], "wait_minutes"].to_numpy(dtype=np.float64)


def _minutes(m: float) -> str:
    return f"{m:.1f} min" if m < 120 else f"{m / 60:.1f} h"


def test_the_longest_and_p99_waits_and_who_waited_are_read(starved) -> None:  # type: ignore[no-untyped-def]
    fifo, inf = _waits(starved["fifo"]), _waits(starved["influencer"])
    assert inf.max() >= STARVATION_RATIO * fifo.max()  # the premise: influencer starves someone
    assert inf.max() - fifo.max() >= STARVATION_MINUTES
    p99, p99_b = float(np.quantile(inf, 0.99)), float(np.quantile(fifo, 0.99))
    text = reading(starved, within_minutes=WITHIN)
    assert (
        f"Under influencer the longest wait of an answered query is {_minutes(inf.max())} "
        f"(fifo: {_minutes(fifo.max())}) and the p99 wait {_minutes(p99)} "
        f"(fifo: {_minutes(p99_b)})"
    ) in text
    records = starved["influencer"].records
    answered = records[~records["abandoned"]]
    longest = answered[answered["wait_minutes"] >= p99]
    assert f"the {len(longest):,} queries that waited {_minutes(p99)} or more were " in text
    for column, words in (
        ("channel", "on {}"),
        ("follower_band", "from accounts with {} followers"),
        ("language", "in language {}"),
    ):
        counts = longest[column].astype(object).value_counts()
        top = counts.index[0]
        overall = (answered[column].astype(object) == top).mean()
        assert (
            f"{counts.iloc[0] / len(longest):.0%} {words.format(top)} ({overall:.0%} of all" in text
        )


def test_no_starvation_sentence_between_identical_runs(starved) -> None:  # type: ignore[no-untyped-def]
    same = {"fifo": starved["fifo"], "fifo again": starved["fifo"]}
    assert "longest wait of an answered query" not in reading(same)


def test_a_policy_that_starves_nobody_against_a_baseline_that_does(starved) -> None:  # type: ignore[no-untyped-def]
    text = reading(starved, baseline="influencer")
    assert "Under fifo the longest wait of an answered query is" in text
    assert "queries that waited" not in text  # nobody starves under fifo: no 'who'


def test_people_answered_at_all_is_read_with_its_paired_interval(starved) -> None:  # type: ignore[no-untyped-def]
    table = people_table(starved)
    assert table.attrs["baseline"] == "fifo"
    row = people_changes(starved["influencer"].records, starved["fifo"].records).loc[EVERYONE]
    got = table.loc["influencer"]
    for column in ("answered", "answered_change", "answered_change_low", "answered_change_high"):
        assert got[column] == pytest.approx(row[column])
    assert (table.loc["fifo", ["answered_change", "answered_change_low"]] == 0).all()
    assert got["answered_change_low"] <= got["answered_change"] <= got["answered_change_high"]
    summary = starved["influencer"].summary
    assert got["people_unanswered"] == summary["people_unanswered"]
    text = reading(starved, within_minutes=WITHIN)

    def pts(x: float) -> str:
        return f"{x * 100:+.1f}".replace("-", "\u2212")

    assert (
        f"Counting people, not contacts (customers who gave up tried again): of the "
        f"{int(table.loc['fifo', 'people']):,} people, fifo answers "
        f"{table.loc['fifo', 'answered']:.1%} on some attempt"
    ) in text
    assert (
        f"influencer answers {got['answered']:.1%} ({int(got['people_unanswered']):,} never "
        f"answered; {pts(got['answered_change'])} points, paired 95% CI "
        f"{pts(got['answered_change_low'])} to {pts(got['answered_change_high'])})"
    ) in text


def test_no_people_sentence_without_retries() -> None:
    runs = _runs(days=4)
    assert "Counting people" not in reading(runs)
    importlib.import_module("matplotlib")
    assert "People answered at all" not in html_report(runs)


def test_the_html_report_has_the_people_table(starved) -> None:  # type: ignore[no-untyped-def]
    importlib.import_module("matplotlib")
    page = html_report(starved, within_minutes=WITHIN)
    table = people_table(starved)
    got = table.loc["influencer"]
    assert "<h3>People answered at all</h3>" in page

    def pts(x: float) -> str:
        text = f"{x * 100:+.1f}"
        return "0.0" if text in ("+0.0", "-0.0") else text

    cell = (
        f'<td class="num">{got["answered"]:.1%}</td><td class="num">'
        f"{pts(got['answered_change'])} pts "
        f"({pts(got['answered_change_low'])} to {pts(got['answered_change_high'])})</td>"
    )
    assert cell in page
    fifo = table.loc["fifo"]
    assert f'<td class="num">{fifo["answered"]:.1%}</td><td class="num">–</td>' in page
    assert "<th>longest wait (min)</th>" in page  # the unit is shown
    assert isinstance(table, pd.DataFrame)


def test_the_reading_writes_no_signed_zero_and_no_row_of_zero_medians(starved) -> None:  # type: ignore[no-untyped-def]
    import re

    text = reading(starved, within_minutes=WITHIN)
    assert not re.search(r"[+\u2212-]0\.0(?!\d)(?! min)", text)  # a change that rounds to 0: 0.0
    assert not re.search(r"[+\u2212]0(?![.\d])", text)  # never a whole-point −0
    changes = pz.report.baseline_changes(starved, within_minutes=WITHIN)
    row = changes.loc[("influencer", "<1k")]
    still = row["median_wait_answered_baseline"] == row["median_wait_answered"] == 0
    if still and row["median_wait_answered_change_high"] == 0:
        assert "accounts with <1k followers (" in text
        assert "median wait 0.0 min under both" in text
