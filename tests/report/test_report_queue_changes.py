"""The reading and the change table per skill queue and language (issue 13: results by queue)."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
from _teams import team_runs, with_languages

import prioritize as pz
from prioritize.report import baseline_changes, html_report, reading
from prioritize.simulation import SimulationResult

WITHIN = 60.0


def _stream(days: int) -> pd.DataFrame:
    return with_languages(pz.synthetic.queries(5_000, seed=7, days=days), spanish=0.25, seed=7)


def _runs(frame: pd.DataFrame, **kwargs: object) -> dict[str, SimulationResult]:
    """9 English and 4 bilingual agents; Spanish queries need Spanish."""
    return team_runs(frame, english=9, bilingual=4, **kwargs)


@pytest.fixture(scope="module")
def busy() -> dict[str, SimulationResult]:
    return _runs(_stream(days=2))  # two days: the bilingual agents are the bottleneck


def _pts(x: float) -> str:
    return f"{x * 100:+.1f}".replace("-", "\u2212")


def _clause(row: pd.Series, who: str) -> str:
    return (
        f"influencer moves {who} ({int(row['queries']):,} queries) answered within 60 min from "
        f"{row['within_target_baseline']:.1%} to {row['within_target']:.1%} "
        f"({_pts(row['within_target_change'])} points, 95% CI "
        f"{_pts(row['within_target_change_low'])} to {_pts(row['within_target_change_high'])})"
    )


def test_a_material_change_of_the_spanish_queue_is_read(busy) -> None:  # type: ignore[no-untyped-def]
    text = reading(busy, within_minutes=WITHIN)
    es = baseline_changes(busy, group="skills", within_minutes=WITHIN).loc[("influencer", "es")]
    assert es["within_target_change_high"] < 0  # the premise: the Spanish queue is worse off
    assert es["within_target_change"] < -0.05
    # every language is its own skill queue here: one sentence, under both names
    expected = "By skill queue (= language), against fifo: " + _clause(es, "skill queue es")
    assert expected in text
    assert "By language," not in text
    # the English queue's change is not material: it is not read
    en = baseline_changes(busy, group="skills", within_minutes=WITHIN).loc[("influencer", "en")]
    material = en["within_target_change_low"] > 0 or en["within_target_change_high"] < 0
    assert ("skill queue en (" in text) == material


def test_a_language_that_is_not_a_skill_queue_is_read_on_its_own(busy) -> None:  # type: ignore[no-untyped-def]
    # Relabel a few English queries as French: language no longer splits like the skill queues,
    # and the French queue (too few queries to read) is never stated.
    rng = np.random.default_rng(0)
    english = np.flatnonzero(busy["fifo"].records["language"].to_numpy() == "en")
    results = _with_french(busy, rng.choice(english, size=10, replace=False))
    text = reading(results, within_minutes=WITHIN)
    by_language = baseline_changes(results, group="language", within_minutes=WITHIN)
    es = by_language.loc[("influencer", "es")]
    assert "By skill queue, against fifo: influencer moves skill queue es" in text
    assert "By language, against fifo: " + _clause(es, "language es") in text
    assert "language fr" not in text


def test_no_material_change_no_sentence() -> None:
    # Four days for the same 5,000 queries: the team keeps up, the orders barely matter.
    runs = _runs(_stream(days=4))
    changes = baseline_changes(runs, group="skills", within_minutes=WITHIN)
    assert (changes["within_target_change_low"] <= 0).all()
    assert (changes["within_target_change_high"] >= 0).all()
    text = reading(runs, within_minutes=WITHIN)
    assert "By skill queue" not in text and "By language" not in text
    # two identical orders: every change is 0 and nothing is read either
    same = {"fifo": runs["fifo"], "fifo again": runs["fifo"]}
    assert "By skill queue" not in reading(same, within_minutes=WITHIN)


def test_no_skill_queue_without_skills() -> None:
    frame = pz.synthetic.queries(400, seed=3, days=1)
    runs = {
        name: pz.simulate(frame, make(), agents=1, seed=0)
        for name, make in (
            ("fifo", pz.policies.fifo),
            ("influencer", pz.policies.influencer_weighted),
        )
    }
    assert runs["fifo"].records["skills"].nunique() == 1
    assert "By skill queue" not in reading(runs)


def test_the_change_table_has_skill_queue_and_language_rows(busy) -> None:  # type: ignore[no-untyped-def]
    # Every language is its own skill queue here: one table under both names, not two
    # identical ones (changed deliberately: the report showed both).
    importlib.import_module("matplotlib")
    page = html_report(busy, within_minutes=WITHIN)
    start = page.index("<h2>Change against fifo</h2>")
    section = page[start : page.index("<h2>", start + 1)]
    assert "<h3>Per skill queue (= language)</h3>" in section
    assert "<h3>Per language</h3>" not in section
    assert "<h2>By skill queue (= language)</h2>" in page and "<h2>By language</h2>" not in page
    assert "The language splits the queries exactly as the skill queue: one table." in page
    es = baseline_changes(busy, group="skills", within_minutes=WITHIN).loc[("influencer", "es")]
    assert "<th>influencer · es</th>" in section
    assert f"{es['within_target_baseline']:.1%} → {es['within_target']:.1%}" in section


def test_with_retries_the_first_attempts_are_compared() -> None:
    frame = pz.synthetic.queries(300, seed=6, days=1)
    retry = pz.Retry(probability=1.0, after_minutes=15)
    runs = {
        name: pz.simulate(frame, make(), agents=1, patience=10, retry=retry)
        for name, make in (
            ("fifo", pz.policies.fifo),
            ("influencer", pz.policies.influencer_weighted),
        )
    }
    assert len(runs["fifo"].records) != len(runs["influencer"].records)
    changes = baseline_changes(runs)
    assert changes.attrs["attempts"] == "first"
    assert changes.groupby(level=0)["queries"].sum()["influencer"] == len(frame)
    firsts = {
        name: SimulationResult(r.records[r.records["attempt"] == 1], name=name, agents=1)
        for name, r in runs.items()
    }
    pd.testing.assert_frame_equal(changes, baseline_changes(firsts), check_like=True)
    assert "attempts" not in baseline_changes(firsts).attrs
    assert "Against fifo on first attempts, influencer gives" in reading(runs)
    assert "on first attempts" not in reading(firsts)


def _with_french(
    busy: dict[str, SimulationResult], rows: np.ndarray | None = None
) -> dict[str, SimulationResult]:
    """The runs with the language of ``rows`` (default: the first 40 English) set to French."""
    if rows is None:
        rows = np.flatnonzero(busy["fifo"].records["language"].to_numpy() == "en")[:40]
    results = {}
    for name, result in busy.items():
        language = result.records["language"].to_numpy(dtype=object).copy()
        language[rows] = "fr"
        results[name] = SimulationResult(
            result.records.assign(language=language), name=name, agents=result.agents
        )
    return results


def test_a_language_that_is_not_a_skill_queue_has_its_own_tables(busy) -> None:  # type: ignore[no-untyped-def]
    importlib.import_module("matplotlib")
    page = html_report(_with_french(busy), within_minutes=WITHIN)
    for heading in ("<h2>By skill queue</h2>", "<h2>By language</h2>"):
        assert heading in page
    assert "<h3>Per skill queue</h3>" in page and "<h3>Per language</h3>" in page
    assert "(= language)" not in page


def test_the_terminal_text_merges_the_same_partition_too(busy) -> None:  # type: ignore[no-untyped-def]
    from prioritize.cli._text import comparison_text

    text = comparison_text(busy, within_minutes=WITHIN)
    assert "skill es (= language es)" in text
    assert "\n   language es " not in text
    apart = comparison_text(_with_french(busy), within_minutes=WITHIN)
    assert "   language fr " in apart and "(= language" not in apart
