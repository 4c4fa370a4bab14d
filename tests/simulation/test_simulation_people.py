"""People behind the contacts: answered on any attempt, paired by person across policies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize import SchemaError
from prioritize.simulation import EVERYONE, PEOPLE_CHANGE_COLUMNS, people_changes, people_records


def _runs(n: int, seed: int, agents: int, probability: float) -> dict[str, pz.SimulationResult]:
    frame = pz.synthetic.queries(n, seed=seed, days=1)
    retry = pz.Retry(probability=probability, after_minutes=15)
    return {
        name: pz.simulate(frame, make(), agents=agents, seed=seed, patience=10, retry=retry)
        for name, make in (("fifo", pz.policies.fifo), ("inf", pz.policies.influencer_weighted))
    }


runs = st.builds(
    _runs,
    st.integers(20, 160),
    st.integers(0, 10_000),
    st.integers(1, 3),
    st.sampled_from([0.0, 0.5, 1.0]),
)


@settings(max_examples=25, deadline=None)
@given(runs)
def test_people_add_up_and_match_the_summary(results) -> None:  # type: ignore[no-untyped-def]
    for result in results.values():
        records = result.records
        people = people_records(records)
        answered = int((~people["abandoned"]).sum())
        never = int(people["abandoned"].sum())
        assert answered + never == len(people) == result.summary["people"]
        assert never == result.summary["people_unanswered"]
        assert int(people["attempts"].sum()) == len(records)  # every contact is someone's
        assert (people["attempt"] == 1).all() and people["query_id"].is_unique
        # answered at all <=> some attempt of theirs was answered
        served = records.loc[~records["abandoned"], "first_query_id"]
        assert set(people.loc[~people["abandoned"], "query_id"]) == set(served)
        # the wait from first contact is at least the first attempt's own wait
        first = records.set_index("query_id").loc[people["query_id"], "wait_minutes"]
        assert (people["wait_minutes"].to_numpy() >= first.to_numpy() - 1e-9).all()


@settings(max_examples=25, deadline=None)
@given(runs, st.integers(0, 2**16))
def test_the_paired_interval_contains_the_change(results, seed) -> None:  # type: ignore[no-untyped-def]
    table = people_changes(results["inf"].records, results["fifo"].records, seed=seed)
    assert list(table.columns) == list(PEOPLE_CHANGE_COLUMNS)
    row = table.loc[EVERYONE]
    assert row["people"] == len(people_records(results["fifo"].records))
    assert row["answered_change_low"] <= row["answered_change"] <= row["answered_change_high"]
    assert row["answered_change"] == pytest.approx(row["answered"] - row["answered_baseline"])
    fifo, inf = (r.summary for r in (results["fifo"], results["inf"]))
    assert row["answered_baseline"] == pytest.approx(1 - fifo["people_unanswered"] / fifo["people"])
    assert row["answered"] == pytest.approx(1 - inf["people_unanswered"] / inf["people"])
    # a run against itself changes nothing, with no uncertainty
    same = people_changes(results["inf"].records, results["inf"].records, seed=seed).loc[EVERYONE]
    assert (
        same["answered_change"] == same["answered_change_low"] == same["answered_change_high"] == 0
    )


def test_by_group_the_people_split_by_how_they_first_asked() -> None:
    results = _runs(300, 4, 1, 1.0)
    table = people_changes(results["inf"].records, results["fifo"].records, group="channel")
    firsts = results["fifo"].records.query("attempt == 1")
    counts = firsts["channel"].astype(str).value_counts()
    assert table["people"].rename(index=str).to_dict() == counts[counts > 0].to_dict()
    assert table.index.name == "channel"


def test_without_retries_every_row_is_a_person() -> None:
    frame = pz.synthetic.queries(100, seed=0, days=1)
    records = pz.simulate(frame, pz.policies.fifo(), agents=1, patience=5).records
    people = people_records(records.drop(columns=["first_query_id", "attempt"]))
    assert len(people) == len(records)
    np.testing.assert_array_equal(people["abandoned"], records["abandoned"])
    np.testing.assert_allclose(people["wait_minutes"], records["wait_minutes"])


def test_a_person_whose_first_attempt_is_missing_is_named() -> None:
    results = _runs(200, 1, 1, 1.0)
    records = results["fifo"].records
    assert (records["attempt"] > 1).any()
    retried = records.loc[records["attempt"] > 1, "first_query_id"].iloc[0]
    broken = records[records["query_id"] != retried]
    with pytest.raises(SchemaError, match=str(retried)):
        people_records(broken)
    with pytest.raises(SchemaError, match="first_query_id"):
        people_records(records.assign(first_query_id=pd.Series([None] * len(records))))


@pytest.mark.parametrize("replications", [1, 3])
def test_compare_headline_states_the_people_answered_change(replications: int) -> None:
    frame = pz.synthetic.queries(250, seed=5, days=1)
    policies = {"fifo": pz.policies.fifo(), "inf": pz.policies.influencer_weighted()}
    retry = pz.Retry(probability=0.8, after_minutes=15)
    table = pz.compare(
        lambda s: pz.synthetic.queries(250, seed=5 + s, days=1) if replications > 1 else frame,
        policies,
        agents=1,
        patience=10,
        retry=retry,
        replications=replications,
    )
    change = table["people_answered_change"]
    assert change["fifo"] == 0.0
    assert change["inf"] == pytest.approx(
        table.loc["inf", "people_answered"] - table.loc["fifo", "people_answered"]
    )
    if replications == 1:
        runs = {
            n: pz.simulate(frame, p, agents=1, patience=10, retry=retry)
            for n, p in policies.items()
        }
        paired = people_changes(runs["inf"].records, runs["fifo"].records).loc[EVERYONE]
        row = table.loc["inf"]
        assert row["people_answered_change"] == pytest.approx(paired["answered_change"])
        assert row["people_answered_change_low"] == pytest.approx(paired["answered_change_low"])
        assert row["people_answered_change_high"] == pytest.approx(paired["answered_change_high"])
        low, high = table["people_answered_change_low"], table["people_answered_change_high"]
        assert (low <= change).all() and (change <= high).all()
        assert "people_answered_change_ci95" not in table.columns
    else:
        assert "people_answered_change_ci95" in table.columns
        assert "people_answered_change_low" not in table.columns
