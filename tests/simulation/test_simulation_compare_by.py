"""``compare(by=...)``: per group, the change against the baseline; with retries, people."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _teams import LANGUAGE_ROUTES, POLICIES, bilingual_team, with_languages

import prioritize as pz
from prioritize.simulation import (
    AGENT_GROUP_CHANGE_FIELDS,
    BY_CHANGE_FIELDS,
    compare,
    simulate,
)

TEAM = bilingual_team(english=4, bilingual=2)
CHANGES = [f"{f}_change{p}" for f in BY_CHANGE_FIELDS for p in ("", "_low", "_high")]


def _stream(seed: int, n: int = 1_500) -> pd.DataFrame:
    return with_languages(pz.synthetic.queries(n, seed=seed, days=1), spanish=0.3, seed=seed)


def test_by_gives_the_change_against_the_baseline_of_report_baseline_changes() -> None:
    frame = _stream(3)
    table = compare(
        frame, POLICIES, agents=TEAM, routes=LANGUAGE_ROUTES, by="language", within_minutes=30
    )
    assert set(CHANGES) <= set(table.columns)
    runs = {
        name: simulate(frame, policy, agents=TEAM, routes=LANGUAGE_ROUTES, seed=0)
        for name, policy in POLICIES.items()
    }
    expected = pz.report.baseline_changes(runs, group="language", within_minutes=30)
    got = table.loc[["influencer"], CHANGES]
    pd.testing.assert_frame_equal(got, expected[CHANGES], check_index_type=False)
    # the change is the policy's figure minus the baseline's, group by group
    for figure in ("within_target", "abandon_rate"):
        diff = table.loc["influencer", figure] - table.loc["fifo", figure]
        np.testing.assert_allclose(table.loc["influencer", f"{figure}_change"], diff)
    assert (table.loc["fifo", CHANGES] == 0.0).all().all()  # the baseline against itself
    assert table.attrs["baseline"] == "fifo"


def test_another_baseline_and_replications() -> None:
    table = compare(
        lambda s: _stream(s, 800),
        POLICIES,
        agents=TEAM,
        routes=LANGUAGE_ROUTES,
        by="skills",
        baseline="influencer",
        replications=3,
        seed=4,
    )
    assert table.attrs["baseline"] == "influencer"
    assert (table.loc["influencer", "within_target_change"] == 0.0).all()
    assert "within_target_change_low" not in table.columns  # within-run intervals left out
    # the mean change over the runs, each against the baseline's run of the same seed
    per_run = [
        compare(_stream(s, 800), POLICIES, agents=TEAM, routes=LANGUAGE_ROUTES, by="skills", seed=s,
                baseline="influencer").loc["fifo", "within_target_change"]
        for s in (4, 5, 6)
    ]  # fmt: skip
    mean = pd.concat(per_run, axis=1).mean(axis=1)
    np.testing.assert_allclose(table.loc["fifo", "within_target_change"], mean)
    assert table.loc["fifo", "within_target_change_ci95"].notna().all()


@pytest.mark.parametrize("replications", [1, 3])
def test_by_agent_group_changes_what_each_group_did(replications: int) -> None:
    # Changed deliberately: compare(by="agent_group") had no change columns; it now states
    # each group's served count and occupancy against the baseline's run of the same seed.
    table = compare(
        lambda s: _stream(s, 600),
        POLICIES,
        agents=TEAM,
        routes=LANGUAGE_ROUTES,
        by="agent_group",
        replications=replications,
    )
    assert "occupancy" in table.columns
    changes = [f"{f}_change" for f in AGENT_GROUP_CHANGE_FIELDS]
    assert not any(c.endswith("_change") and c not in changes for c in table.columns)
    base = table.attrs["baseline"]
    for policy in POLICIES:
        for figure in AGENT_GROUP_CHANGE_FIELDS:
            mine, theirs = table.loc[policy, figure], table.loc[base, figure]
            np.testing.assert_allclose(table.loc[policy, f"{figure}_change"], mine - theirs)
    assert (table.loc[base, changes].to_numpy() == 0).all()
    if replications == 1:
        assert table.attrs["change_interval"].startswith("no interval: one run per policy")
        assert not any(c.startswith(("served_change_", "occupancy_change_")) for c in table.columns)
        # one run: the change is exactly the two runs' figures
        runs = {
            name: simulate(_stream(0, 600), policy, agents=TEAM, routes=LANGUAGE_ROUTES, seed=0)
            for name, policy in POLICIES.items()
        }
        groups = {n: pz.simulation.breakdown(r, group="agent_group") for n, r in runs.items()}
        other = next(n for n in POLICIES if n != base)
        np.testing.assert_allclose(
            table.loc[other, "served_change"].to_numpy(),
            (groups[other]["served"] - groups[base]["served"]).to_numpy(),
        )
    else:
        assert "across 3 runs" in table.attrs["change_interval"]
        assert table.loc[base, "occupancy_change_ci95"].eq(0).all()
        other = next(n for n in POLICIES if n != base)
        assert table.loc[other, "served_change_ci95"].notna().all()


def test_by_with_retries_pairs_the_first_attempts() -> None:
    retry = pz.Retry(probability=1.0, after_minutes=10)
    frame = _stream(2, 400)
    table = compare(frame, POLICIES, agents=1, patience=10, retry=retry, by="channel")
    runs = {
        name: simulate(frame, policy, agents=1, patience=10, retry=retry, seed=0)
        for name, policy in POLICIES.items()
    }
    expected = pz.report.baseline_changes(runs, group="channel")
    assert expected.attrs["attempts"] == "first"
    labels = expected.loc["influencer"].index
    got = table.loc["influencer"].loc[labels, CHANGES]
    np.testing.assert_allclose(got.to_numpy(), expected.loc["influencer", CHANGES].to_numpy())


@pytest.mark.parametrize("replications", [1, 2])
def test_compare_counts_people_when_customers_retry(replications: int) -> None:
    retry = pz.Retry(probability=0.6, after_minutes=15)
    table = compare(
        lambda s: _stream(s, 300), POLICIES, agents=1, patience=10, retry=retry,
        replications=replications,
    )  # fmt: skip
    runs = [
        simulate(_stream(s, 300), POLICIES["fifo"], agents=1, patience=10, retry=retry, seed=s)
        for s in range(replications)
    ]
    for field in ("people", "retries", "people_unanswered"):
        values = [float(r.summary[field]) for r in runs]
        assert table.loc["fifo", field] == pytest.approx(np.mean(values))
        assert values[0] > 0
    assert table.loc["fifo", "people"] < table.loc["fifo", "arrived"]
