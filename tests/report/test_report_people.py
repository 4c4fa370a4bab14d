"""With retries the headline table counts people beside contacts (issue 13, §4)."""

from __future__ import annotations

import importlib

import pytest

import prioritize as pz
from prioritize.report import html_report

importlib.import_module("matplotlib")


def _headline(page: str) -> str:
    start = page.index("<h2>Headline figures</h2>")
    return page[start : page.index("<h2>", start + 1)]


def _runs(retry: pz.Retry | None) -> dict[str, pz.SimulationResult]:
    frame = pz.synthetic.queries(300, seed=6, days=1)
    return {
        name: pz.simulate(frame, make(), agents=1, patience=10, retry=retry, seed=0)
        for name, make in (
            ("fifo", pz.policies.fifo),
            ("influencer", pz.policies.influencer_weighted),
        )
    }


def test_people_retries_and_never_answered_in_the_headline_table() -> None:
    runs = _runs(pz.Retry(probability=0.6, after_minutes=15))
    head = _headline(html_report(runs))
    for label in ("contacts", "people", "retries", "people never answered"):
        assert f"<th>{label}</th>" in head
    for name, result in runs.items():
        s = result.summary
        assert s["retries"] > 0 and s["people_unanswered"] > 0
        row = head[head.index(f"<tr><th>{name}</th>") :].split("</tr>")[0]
        cells = [c.split(">")[-1] for c in row.split("</td>")[:4]]
        assert cells == [f"{s[k]:,}" for k in ("arrived", "people", "retries", "people_unanswered")]
    assert "people counts each customer once" in head


@pytest.mark.parametrize("retry", [None, pz.Retry(probability=0.0, after_minutes=15)])
def test_no_people_columns_when_nobody_tried_again(retry: pz.Retry | None) -> None:
    head = _headline(html_report(_runs(retry)))
    assert "<th>queries</th>" in head
    assert "<th>people</th>" not in head and "<th>retries</th>" not in head


def test_the_subtitle_counts_queries_not_contacts() -> None:
    page = html_report(_runs(pz.Retry(probability=0.6, after_minutes=15)))
    assert "300 queries received" in page and "(customers who gave up tried again)" in page
    assert "(customers who gave up tried again)" not in html_report(_runs(None))
