"""The HTML report's change per agent group against the baseline (``compare(by="agent_group")``)."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest
from _teams import LANGUAGE_ROUTES, POLICIES, bilingual_team, with_languages

import prioritize as pz
from prioritize.report import html_report
from prioritize.simulation import SimulationResult, compare, simulate

importlib.import_module("matplotlib")

TEAM = bilingual_team(english=2, bilingual=1)
SETUP = {"agents": TEAM, "routes": LANGUAGE_ROUTES, "patience": 15.0}
SEEDS = (0, 1, 2)


def _stream(seed: int) -> pd.DataFrame:
    return with_languages(pz.synthetic.queries(400, seed=seed, days=0.5), spanish=0.3, seed=seed)


@pytest.fixture(scope="module")
def runs() -> dict[str, list[SimulationResult]]:
    return {
        name: [simulate(_stream(s), policy, seed=s, **SETUP) for s in SEEDS]  # type: ignore[arg-type]
        for name, policy in POLICIES.items()
    }


def _changes(page: str) -> str:
    groups = page[page.index("<h2>By agent group</h2>") :]
    groups = groups[: groups.index("<h2>", 5)]
    return groups[groups.index("<h3>Change against fifo</h3>") :]


def _sign(value: float, digits: int) -> str:
    return f"{value:+,.{digits}f}" if round(value, digits) != 0 else f"{0:.{digits}f}"


def test_one_run_shows_each_groups_change_and_why_it_has_no_interval(
    runs: dict[str, list[SimulationResult]],
) -> None:
    results = {name: run[0] for name, run in runs.items()}
    section = _changes(html_report(results))
    table = compare(_stream(0), POLICIES, seed=0, by="agent_group", **SETUP)  # type: ignore[arg-type]
    assert "no interval: one run per policy" in section.lower()
    assert "<th>fifo · " not in section  # the baseline has no change of its own
    for group in ("english", "bilingual"):
        row, base = table.loc[("influencer", group)], table.loc[("fifo", group)]
        assert row["served_change"] == row["served"] - base["served"]  # the premise
        served = f'{int(base["served"]):,} → {int(row["served"]):,}<br><span class="ci">'
        served += f"{_sign(row['served_change'], 0)}</span>"
        occupancy = f'{base["occupancy"]:.1%} → {row["occupancy"]:.1%}<br><span class="ci">'
        occupancy += f"{_sign(row['occupancy_change'] * 100, 1)} pts</span>"
        cells = section[section.index(f"<th>influencer · {group}</th>") :].split("</tr>")[0]
        assert served in cells and occupancy in cells
    assert any(
        table.loc[("influencer", g), "served_change"] != 0 for g in ("english", "bilingual")
    )  # the figures are not all 0: a swapped baseline would show


def test_replications_show_means_and_the_interval_across_runs(
    runs: dict[str, list[SimulationResult]],
) -> None:
    results = {name: run[0] for name, run in runs.items()}
    section = _changes(html_report(results, runs=runs))
    table = compare(_stream, POLICIES, seed=0, replications=len(SEEDS), by="agent_group", **SETUP)  # type: ignore[arg-type]
    assert f"Means over the {len(SEEDS)} runs of each policy" in section
    assert "no interval" not in section.lower()
    for group in ("english", "bilingual"):
        row, base = table.loc[("influencer", group)], table.loc[("fifo", group)]
        served = f'{base["served"]:,.1f} → {row["served"]:,.1f}<br><span class="ci">'
        served += f"{_sign(row['served_change'], 1)} (±{row['served_change_ci95']:,.1f})</span>"
        occupancy = (
            f"{_sign(row['occupancy_change'] * 100, 1)} pts "
            f"(±{row['occupancy_change_ci95'] * 100:.1f})</span>"
        )
        cells = section[section.index(f"<th>influencer · {group}</th>") :].split("</tr>")[0]
        assert served in cells and occupancy in cells


def test_one_policy_has_no_change_table(runs: dict[str, list[SimulationResult]]) -> None:
    page = html_report({"fifo": runs["fifo"][0]})
    assert "<h2>By agent group</h2>" in page
    assert "<h3>Change against" not in page


def test_the_report_says_which_figures_are_of_one_run(
    runs: dict[str, list[SimulationResult]],
) -> None:
    results = {name: run[0] for name, run in runs.items()}
    note = (
        "The tables, charts and reading are of one run per policy; the promises hold in each "
        f"of the {len(SEEDS)} runs, and the change per agent group is over them."
    )
    assert note in html_report(results, runs=runs)
    assert "are of one run per policy" not in html_report(results)  # one run: nothing to say
