"""The report's breakdowns: a section per agent group, skill queue, topic, language, tone, type."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd

import prioritize as pz
from prioritize.report import BREAKDOWNS, band_table, html_report
from prioritize.simulation import SimulationResult, breakdown

importlib.import_module("matplotlib")


def _section(page: str, heading: str) -> str:
    start = page.index(f"<h2>{heading}</h2>")
    end = page.find("<h2>", start + 1)
    return page[start:end]


def test_sections_appear_only_for_the_columns_the_records_have() -> None:
    frame = pz.routing.classify_frame(pz.synthetic.queries(300, seed=2, days=1))
    results = {
        name: pz.simulate(frame, make(), agents=2, seed=0)
        for name, make in (
            ("fifo", pz.policies.fifo),
            ("influencer", pz.policies.influencer_weighted),
        )
    }
    page = html_report(results)
    for label in ("topic", "tone", "type"):
        section = _section(page, f"By {label}")
        assert section.count("<table>") == 2  # one per policy
        for topic in np.unique(frame[label]):
            assert f"<th>{topic}</th>" in section
    for label in ("agent group", "skill queue", "language"):
        assert f"<h2>By {label}</h2>" not in page
    assert [c for c, _ in BREAKDOWNS] == [
        "agent_group",
        "skills",
        "topic",
        "language",
        "tone",
        "type",
    ]


def test_agent_group_and_skill_queue_sections_from_team_records() -> None:
    frame = pz.synthetic.queries(200, seed=5, days=1)
    run = pz.simulate(frame, pz.policies.fifo(), agents=3, seed=0)
    served = ~run.records["abandoned"].to_numpy(dtype=bool)
    spanish = np.arange(len(frame)) % 4 == 0
    records = run.records.assign(
        agent_group=pd.array(np.where(served, np.where(spanish, "es", "en"), None), dtype=object),
        skills=np.where(spanish, "es", ""),
    )
    team = pz.Team([pz.AgentGroup("en", agents=2), pz.AgentGroup("es", agents=1, skills={"es"})])
    result = SimulationResult(records, name="fifo", agents=team)
    page = html_report({"fifo": result})
    groups = _section(page, "By agent group")
    table = breakdown(result, group="agent_group")
    for name in ("en", "es"):
        assert f"<th>{name}</th>" in groups
        assert f"{table.loc[name, 'occupancy']:.1%}" in groups
    queues = _section(page, "By skill queue")
    assert "<th>(no skill)</th>" in queues and "<th>es</th>" in queues


def test_band_table_is_the_breakdown() -> None:
    records = pz.simulate(pz.synthetic.queries(200, seed=1), pz.policies.fifo(), agents=2).records
    pd.testing.assert_frame_equal(
        band_table(records, group="follower_band", within_minutes=30),
        breakdown(records, group="follower_band", within_minutes=30),
    )


def test_retries_are_shown_when_customers_tried_again() -> None:
    frame = pz.synthetic.queries(300, seed=6, days=1)
    frame["language"] = np.where(np.arange(len(frame)) % 3 == 0, "es", "en")
    run = {"fifo": pz.simulate(frame, pz.policies.fifo(), agents=1, patience=10)}
    assert "<th>retries</th>" not in _section(html_report(run), "By language")
    retry = pz.Retry(probability=1.0, after_minutes=15)
    again = {"fifo": pz.simulate(frame, pz.policies.fifo(), agents=1, patience=10, retry=retry)}
    section = _section(html_report(again), "By language")
    assert "<th>retries</th>" in section
    table = breakdown(again["fifo"], group="language")
    assert f"{int(table.loc['es', 'retries']):,}" in section
