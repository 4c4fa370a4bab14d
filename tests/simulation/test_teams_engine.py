"""The team engine: one group is the single pool, identical groups are one pool, retries."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize import InputError
from prioritize.policy import GroupShare, MaxWait, Policy
from prioritize.simulation import Exponential, simulate

SHIFTS = [
    pz.Shift(start="08:00", end="16:00", count=3),
    pz.Shift(start="12:00", end="20:00", count=2, days=("mon", "tue", "wed", "thu", "fri")),
    pz.Shift(start="20:00", end="08:00", count=1),
]
POLICIES = {
    "fifo": pz.policies.fifo(),
    "balanced": pz.policies.balanced(),
    "rules": Policy(
        name="rules",
        weights={"follower_reach": 1.0, "urgency": 1.0},
        rules=(
            MaxWait(minutes=30.0),
            GroupShare(group="follower_band", shares={"<1k": 0.5}),
        ),
    ),
}


def _frame(n: int, seed: int, *, skills: bool = True) -> pd.DataFrame:
    frame = pz.synthetic.queries(n, seed=seed, days=2)
    if skills:
        rng = np.random.default_rng(seed)
        frame["skills"] = rng.choice(["", "es", "billing", "es,billing"], len(frame))
    return frame


def _without_group(records: pd.DataFrame) -> pd.DataFrame:
    return records.drop(columns="agent_group")


@pytest.mark.parametrize("name", sorted(POLICIES))
@pytest.mark.parametrize("agents", [7, SHIFTS], ids=["fixed", "shifts"])
def test_one_group_with_every_skill_gives_the_single_pool_records(
    name: str, agents: Any, check: Any
) -> None:
    frame = _frame(1_500, 3)
    policy = POLICIES[name]
    pool = simulate(frame, policy, agents=agents, seed=4)
    team = pz.Team([pz.AgentGroup("all", agents=agents, skills={"es", "billing", "fr"})])
    one = simulate(frame, policy, agents=team, seed=4)
    check(frame, one)
    pd.testing.assert_frame_equal(_without_group(one.records), _without_group(pool.records))
    served = ~one.records["abandoned"].to_numpy(dtype=bool)
    assert (one.records["agent_group"][served] == "all").all()
    assert one.records["agent_group"][~served].isna().all()
    assert pool.records["agent_group"].isna().all()  # a single pool has no groups
    assert set(one.records["skills"]) == {"", "es", "billing", "billing,es"}


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    sizes=st.lists(st.integers(1, 3), min_size=2, max_size=4),
    select=st.sampled_from(pz.routing.SELECT),
    name=st.sampled_from(sorted(POLICIES)),
    patience=st.sampled_from([None, 5.0]),
)
def test_identical_groups_start_every_query_when_one_pool_would(
    seed: int, sizes: list[int], select: str, name: str, patience: float | None, check: Any
) -> None:
    """Groups that may all take everything are one pool, whichever agent is chosen.

    Through the team engine (more than one group), with every select rule and
    the rules' path (MaxWait, GroupShare): the same start for every query as
    the single pool of as many agents (seats differ, waits cannot).
    """
    frame = _frame(300, seed, skills=False)
    policy = POLICIES[name]
    model = None if patience is None else Exponential(patience)
    pool = simulate(frame, policy, agents=sum(sizes), seed=seed, patience=model)
    groups = [pz.AgentGroup(f"g{i}", agents=k) for i, k in enumerate(sizes)]
    team = simulate(frame, policy, agents=pz.Team(groups, select=select), seed=seed, patience=model)
    check(frame, team)
    cols = ["started_at", "finished_at", "wait_minutes", "abandoned", "score_at_start"]
    pd.testing.assert_frame_equal(team.records[cols], pool.records[cols])
    for g, k in zip(groups, sizes, strict=True):
        seats = team.records.loc[team.records["agent_group"] == g.name, "agent"]
        assert seats.between(0, k - 1).all()


# -- retries -------------------------------------------------------------------


def _check_attempts(frame: pd.DataFrame, result: Any, retry: pz.Retry) -> None:
    """Conservation and linkage of attempts, exactly."""
    rec = result.records
    n = len(frame)
    first = rec.iloc[:n]
    assert (first["attempt"] == 1).all()
    assert list(first["query_id"]) == list(frame["query_id"])
    assert first.index.equals(frame.index)
    assert list(first["first_query_id"]) == list(frame["query_id"])
    later = rec.iloc[n:]
    assert (later["attempt"] >= 2).all()
    # attempts = served + abandoned (nobody is left waiting at the end)
    s = result.summary
    assert s["arrived"] == len(rec) == s["served"] + s["abandoned"]
    assert rec["query_id"].is_unique
    by_id = rec.set_index("query_id")
    for row in later.itertuples():
        before = (
            row.first_query_id if row.attempt == 2 else f"{row.first_query_id}#{row.attempt - 1}"
        )
        prev = by_id.loc[before]
        assert prev["abandoned"], "a retry follows only a customer who gave up"
        assert row.query_id == f"{row.first_query_id}#{row.attempt}"
        gave_up = prev["received_at"] + pd.to_timedelta(prev["patience_minutes"], unit="min")
        back = gave_up + pd.to_timedelta(retry.after_minutes, unit="min")
        assert abs((row.received_at - back).total_seconds()) < 1e-3
        assert row.channel == retry.channel_after(prev["channel"])
        assert row.handle_minutes == prev["handle_minutes"]
        assert row.patience_minutes == prev["patience_minutes"]
        assert row.customer_id == prev["customer_id"]
    # every attempt k + 1 has an abandoned attempt k, so a retried customer is counted once
    assert later["first_query_id"].isin(frame["query_id"]).all()


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    probability=st.sampled_from([0.0, 0.5, 1.0]),
    after=st.sampled_from([0.5, 20.0]),
    channel=st.sampled_from([None, "email", {"chat": "phone"}]),
    team=st.booleans(),
)
def test_every_attempt_is_served_or_abandoned_and_linked(
    seed: int, probability: float, after: float, channel: Any, team: bool, check: Any
) -> None:
    frame = _frame(250, seed, skills=False)
    retry = pz.Retry(probability=probability, after_minutes=after, channel=channel)
    agents: Any = 2
    if team:
        agents = pz.Team([pz.AgentGroup("a", agents=1), pz.AgentGroup("b", agents=1)])
    result = simulate(
        frame, pz.policies.balanced(), agents=agents, seed=seed, retry=retry, patience=3.0
    )
    _check_attempts(frame, result, retry)
    if probability == 0.0:
        assert len(result.records) == len(frame)
    if probability == 1.0:  # everyone who gave up came back, until answered
        rec = result.records
        gave_up = rec.loc[rec["abandoned"], "query_id"]
        comeback = {
            f"{q.split('#')[0]}#{int(q.split('#')[1]) + 1 if '#' in q else 2}" for q in gave_up
        }
        assert comeback <= set(rec["query_id"])


def test_no_retry_probability_changes_nothing() -> None:
    frame = _frame(800, 1)
    plain = simulate(frame, pz.policies.balanced(), agents=3, seed=2, patience=10.0)
    never = simulate(
        frame,
        pz.policies.balanced(),
        agents=3,
        seed=2,
        patience=10.0,
        retry=pz.Retry(probability=0.0, after_minutes=5.0),
    )
    pd.testing.assert_frame_equal(plain.records, never.records)


def test_policies_see_the_same_customers_willing_to_retry() -> None:
    """Common random numbers: whether a customer retries is drawn per customer, not per event."""
    frame = _frame(2_000, 5, skills=False)
    retry = pz.Retry(probability=0.5, after_minutes=10.0)
    runs = [
        simulate(frame, p, agents=3, seed=9, patience=15.0, retry=retry).records
        for p in (pz.policies.fifo(), pz.policies.influencer_weighted())
    ]
    gave_up = [set(r.loc[(r["attempt"] == 1) & r["abandoned"], "query_id"]) for r in runs]
    came_back = [set(r.loc[r["attempt"] == 2, "first_query_id"]) for r in runs]
    both = gave_up[0] & gave_up[1]
    assert len(both) > 50
    assert came_back[0] & both == came_back[1] & both
    assert 0.3 < len(came_back[0] & both) / len(both) < 0.7


def test_a_customer_who_never_stops_retrying_is_an_error() -> None:
    # One agent, service far longer than anyone's patience, and everyone retries forever.
    frame = _frame(40, 2, skills=False)
    frame["handle_minutes"] = 1e5
    with pytest.raises(InputError, match=r"gave up \d+ times"):
        simulate(
            frame,
            pz.policies.fifo(),
            agents=1,
            patience=1.0,
            retry=pz.Retry(probability=1.0, after_minutes=1.0),
        )


# -- errors ----------------------------------------------------------------------


def test_a_query_no_group_may_answer_is_named() -> None:
    frame = _frame(50, 1, skills=False)
    frame["skills"] = ""
    frame.loc[frame.index[7], "skills"] = "fr"
    team = pz.Team([pz.AgentGroup("es", agents=2, skills={"es"})])
    qid = frame["query_id"].iloc[7]
    with pytest.raises(InputError, match=rf"(?s)fr.*{qid}"):
        simulate(frame, pz.policies.fifo(), agents=team)


def test_routes_need_a_team_and_known_skills() -> None:
    frame = _frame(50, 1, skills=False)
    routes = pz.Routes([pz.Route(when={"channel": "email"}, require={"fr"})])
    with pytest.raises(InputError, match="routes= needs"):
        simulate(frame, pz.policies.fifo(), agents=3, routes=routes)
    team = pz.Team([pz.AgentGroup("es", agents=2, skills={"es"})])
    with pytest.raises(InputError, match="fr"):
        simulate(frame, pz.policies.fifo(), agents=team, routes=routes)


def test_agents_of_the_wrong_kind_are_named() -> None:
    frame = _frame(10, 1, skills=False)
    with pytest.raises(InputError, match="Team"):
        simulate(frame, pz.policies.fifo(), agents="three")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="retry"):
        simulate(frame, pz.policies.fifo(), agents=2, retry=0.5)  # type: ignore[arg-type]


# -- capacity, preferred skills, shifts per group --------------------------------------


def _load_never_exceeds_one(records: pd.DataFrame, team: pz.Team) -> int:
    """Sweep each agent's starts and finishes; the most it ever held, in capacity units."""
    most = 0
    served = records[~records["abandoned"].to_numpy(dtype=bool)]
    for (name, seat), rows in served.groupby(["agent_group", "agent"], observed=True):
        group = team.group(str(name))
        units = int(np.lcm.reduce([1, *group.capacity.values()]))
        weight = [units // group.capacity_of(c) for c in rows["channel"].astype(str)]
        starts = rows["started_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        ends = rows["finished_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        # at one instant a finish frees its units before a start takes them
        events = sorted(
            [(e, 0, -w) for e, w in zip(ends, weight, strict=True)]
            + [(s, 1, w) for s, w in zip(starts, weight, strict=True)]
        )
        load = 0
        for _, _, w in events:
            load += w
            assert load <= units, f"agent {name}/{seat} held more than its capacity"
            most = max(most, load * 6 // units)
    return most


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    chat=st.integers(1, 4),
    email=st.integers(1, 3),
    select=st.sampled_from(pz.routing.SELECT),
)
def test_an_agent_never_holds_more_than_its_capacity(
    seed: int, chat: int, email: int, select: str
) -> None:
    frame = _frame(400, seed, skills=False)
    frame["channel"] = np.random.default_rng(seed).choice(["chat", "email", "twitter"], len(frame))
    team = pz.Team(
        [
            pz.AgentGroup("chat", agents=1, capacity={"chat": chat, "email": email}),
            pz.AgentGroup("one", agents=1),
        ],
        select=select,
    )
    result = simulate(frame, pz.policies.balanced(), agents=team, seed=seed, patience=30.0)
    s = result.summary
    assert s["served"] + s["abandoned"] == len(frame)
    _load_never_exceeds_one(result.records, team)


def test_a_chat_agent_holds_three_chats_at_once() -> None:
    frame = _frame(300, 4, skills=False)
    frame["channel"] = "chat"
    frame["handle_minutes"] = 5.0
    single = pz.Team([pz.AgentGroup("chat", agents=1)])
    triple = pz.Team([pz.AgentGroup("chat", agents=1, capacity={"chat": 3})])
    one = simulate(frame, pz.policies.fifo(), agents=single, patience="none")
    three = simulate(frame, pz.policies.fifo(), agents=triple, patience="none")
    assert three.summary["mean_wait_minutes"] < one.summary["mean_wait_minutes"] / 2
    assert _load_never_exceeds_one(three.records, triple) == 6  # full at some point
    held = three.records.sort_values("started_at")
    starts = held["started_at"].to_numpy()
    assert (starts[2:] < held["finished_at"].to_numpy()[:-2]).any()  # three at once


def test_preferred_skills_hold_until_the_timeout() -> None:
    """Before the timeout only a group with the preferred skill may take the query; after, any."""
    frame = _frame(600, 6, skills=False)
    frame["handle_minutes"] = 30.0
    routes = pz.Routes(
        [pz.Route(when={"channel": "twitter"}, prefer={"social"})], skills_timeout_minutes=15.0
    )
    team = pz.Team(
        [pz.AgentGroup("social", agents=1, skills={"social"}), pz.AgentGroup("any", agents=3)]
    )
    rec = simulate(frame, pz.policies.fifo(), agents=team, routes=routes, patience="none").records
    social = (rec["channel"] == "twitter").to_numpy()
    served_by_any = (rec["agent_group"] == "any").to_numpy(dtype=bool)
    early = rec["wait_minutes"].to_numpy() < 15.0 - 1e-9  # float minutes: 15 may read 14.99..
    assert not (social & served_by_any & early).any()
    assert (social & served_by_any).any()  # after the timeout the others may take it
    # and they take it as soon as the preference lapses, if one of them is free
    lapsed = rec[social & served_by_any]
    assert (lapsed["wait_minutes"] >= 15.0 - 1e-9).all()
    assert np.isclose(lapsed["wait_minutes"], 15.0).any()


def test_each_group_keeps_its_own_shifts(check: Any) -> None:
    frame = _frame(1_000, 8)
    day = pz.Shift(start="08:00", end="20:00", count=2)
    night = pz.Shift(start="20:00", end="08:00", count=1)
    team = pz.Team(
        [
            pz.AgentGroup("day", agents=[day], skills={"es", "billing"}),
            pz.AgentGroup("night", agents=[night], skills={"es", "billing"}),
        ]
    )
    result = simulate(frame, pz.policies.fifo(), agents=team, patience="none")
    check(frame, result)
    rec = result.records
    hours = rec["started_at"].dt.hour
    by_day = rec["agent_group"] == "day"
    assert hours[by_day].between(8, 19).all()  # a day agent starts work on duty only
    assert (~hours[rec["agent_group"] == "night"].between(8, 19)).all()
    assert rec.loc[by_day, "agent"].max() <= 1 and rec.loc[~by_day, "agent"].max() == 0


def test_retry_with_centuries_of_patience_is_not_refused_unless_it_happens() -> None:
    # Synthetic customers can have ~1.5e6 minutes of patience: their potential retries would
    # arrive past the time axis, but they are served first, so the run must not be refused.
    frame = pz.synthetic.queries(400, seed=8, days=1)
    assert frame["patience_minutes"].max() > 1e6
    result = pz.simulate(
        frame, pz.policies.fifo(), agents=1, retry=pz.Retry(probability=1.0, after_minutes=5)
    )
    rec = result.records
    assert rec["first_query_id"].nunique() == len(frame)
    assert len(rec) == len(frame) + int((rec["attempt"] > 1).sum())
    assert int((~rec["abandoned"]).sum()) + int(rec["abandoned"].sum()) == len(rec)


def test_a_retry_that_really_happens_past_the_time_axis_is_an_error() -> None:
    frame = pz.synthetic.queries(3, seed=1, days=1)
    frame["patience_minutes"] = 1.0
    frame["handle_minutes"] = 5.0
    end = pd.Timestamp("2262-04-11", tz="UTC")
    frame["received_at"] = [end - pd.Timedelta(minutes=30)] * 3
    with pytest.raises(pz.InputError, match="retry: a retry would arrive past the time axis"):
        pz.simulate(
            frame,
            pz.policies.fifo(),
            agents=1,
            retry=pz.Retry(probability=1.0, after_minutes=10_000),
        )
