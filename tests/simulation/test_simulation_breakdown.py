"""``breakdown``: per agent group (occupancy) and per skill queue, topic, language, tone, type."""

from __future__ import annotations

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given

import prioritize as pz
from prioritize import InputError, SchemaError
from prioritize.simulation import (
    AGENT_GROUP_COLUMNS,
    QUERY_COLUMNS,
    RECORD_COLUMNS,
    SINGLE_POOL,
    breakdown,
)

T0 = pd.Timestamp("2026-03-02 08:00", tz="UTC")
GROUPS = ("es", "en", "billing")
CHANNELS = ("chat", "email", "twitter")


def group(name: str, agents: object, capacity: dict[str, int] | None = None) -> pz.AgentGroup:
    return pz.AgentGroup(name, agents=agents, capacity=capacity or {})


def team_of(groups: tuple[pz.AgentGroup, ...]) -> pz.Team:
    return pz.Team(groups)


def _minutes(values: list[float]) -> pd.Series:
    return pd.Series(T0 + pd.to_timedelta(values, unit="min"))


def make_records(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Records from rows of received/wait/handle minutes, abandoned, channel and labels."""
    frame = pd.DataFrame(rows)
    received = frame["received"].to_numpy(dtype=float)
    wait = frame["wait"].to_numpy(dtype=float)
    handle = frame["handle"].to_numpy(dtype=float)
    abandoned = frame["abandoned"].to_numpy(dtype=bool)
    started = _minutes((received + wait).tolist())
    finished = _minutes((received + wait + handle).tolist())
    started[abandoned] = pd.NaT
    finished[abandoned] = pd.NaT
    out = pd.DataFrame(
        {
            "query_id": [f"q{i}" for i in range(len(frame))],
            "channel": frame["channel"],
            "received_at": _minutes(received.tolist()),
            "started_at": started,
            "finished_at": finished,
            "wait_minutes": wait,
            "handle_minutes": handle,
            "abandoned": abandoned,
        }
    )
    for column in ("agent_group", "topic", "language", "skills", "attempt"):
        if column in frame.columns:
            out[column] = frame[column].to_numpy()
    if "agent_group" in out.columns:
        out["agent_group"] = out["agent_group"].where(~abandoned, None)
    return out


@st.composite
def records(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 40))
    rows = []
    for _ in range(n):
        rows.append(
            {
                "received": draw(st.floats(0, 600, allow_nan=False)),
                "wait": draw(st.floats(0, 120, allow_nan=False)),
                "handle": draw(st.floats(0.5, 60, allow_nan=False)),
                "abandoned": draw(st.booleans()),
                "channel": draw(st.sampled_from(CHANNELS)),
                "agent_group": draw(st.sampled_from(GROUPS)),
                "topic": draw(st.sampled_from(("billing", "delivery", "general"))),
                "language": draw(st.sampled_from(("en", "es"))),
                "skills": draw(st.sampled_from(("", "es", "billing,es"))),
                "attempt": draw(st.integers(1, 3)),
            }
        )
    return make_records(rows)


@st.composite
def teams(draw: st.DrawFn) -> pz.Team:
    shift_day = pz.Shift(start="08:00", end="16:00", count=draw(st.integers(1, 3)))
    shift_late = pz.Shift(start="16:00", end="20:00", count=1)
    staff = st.one_of(st.integers(1, 4), st.just([shift_day, shift_late]), st.just(shift_day))
    caps = st.dictionaries(st.sampled_from(CHANNELS), st.integers(1, 4), max_size=3)
    return team_of(tuple(group(name, draw(staff), draw(caps)) for name in GROUPS))


@given(records(), st.sampled_from(("topic", "language", "skills", "channel", "follower_band")))
def test_counts_by_any_column_sum_to_the_rows(rec: pd.DataFrame, group: str) -> None:
    if group == "follower_band":
        rec = rec.assign(follower_band="<1k")
    table = breakdown(rec, group=group, within_minutes=15)
    assert int(table["queries"].sum()) == len(rec)
    assert int(table["answered"].sum()) == int((~rec["abandoned"]).sum())
    assert table["share"].sum() == pytest.approx(1.0)
    assert int(table["retries"].sum()) == int((rec["attempt"] > 1).sum())
    counts = rec[group].value_counts()
    assert table["queries"].to_dict() == counts.to_dict()


@given(records(), teams())
def test_agent_groups_count_every_answered_query_and_occupancy_is_a_share(
    rec: pd.DataFrame, team: pz.Team
) -> None:
    table = breakdown(rec, group="agent_group", agents=team)
    assert list(table.columns) == list(AGENT_GROUP_COLUMNS)
    assert list(table.index) == list(GROUPS)
    assert int(table["served"].sum()) == int((~rec["abandoned"]).sum())
    occupancy = table["occupancy"].to_numpy(dtype=float)
    duty = table["on_duty_minutes"].to_numpy(dtype=float)
    assert ((occupancy >= 0) & (occupancy <= 1) | (np.isnan(occupancy) & (duty == 0))).all()
    assert (table["busy_minutes"] <= table["on_duty_minutes"] + 1e-9).all()


def test_occupancy_is_busy_over_on_duty_with_capacity_weights() -> None:
    # two chats and one email over a 30-minute run, 2 agents on duty all along
    rows = [
        {"received": 0, "wait": 0, "handle": 10, "abandoned": False, "channel": "chat"},
        {"received": 0, "wait": 0, "handle": 10, "abandoned": False, "channel": "chat"},
        {"received": 5, "wait": 5, "handle": 20, "abandoned": False, "channel": "email"},
    ]
    rec = make_records([r | {"agent_group": "chat"} for r in rows])
    team = team_of((group("chat", 2, {"chat": 2}),))
    table = breakdown(rec, group="agent_group", agents=team)
    # busy: 2 chats x 10 min x 1/2 + 20 min email = 30; on duty 2 x 30 = 60
    assert table.loc["chat", "busy_minutes"] == pytest.approx(30.0)
    assert table.loc["chat", "on_duty_minutes"] == pytest.approx(60.0)
    assert table.loc["chat", "occupancy"] == pytest.approx(0.5)
    # with the default capacity a chat takes a whole agent: busy 40
    plain = breakdown(rec, group="agent_group", agents=team_of((group("chat", 2),)))
    assert plain.loc["chat", "busy_minutes"] == pytest.approx(40.0)


def test_an_agent_finishing_after_the_shift_is_on_duty_until_done() -> None:
    # one agent 08:00-08:30; the query runs 08:20-09:00: busy 40, on duty 30 + 30 over
    rows = [{"received": 0, "wait": 20, "handle": 40, "abandoned": False, "channel": "chat"}]
    rec = make_records([r | {"agent_group": "a"} for r in rows])
    shift = pz.Shift(start="08:00", end="08:30", count=1)
    table = breakdown(rec, group="agent_group", agents=team_of((group("a", shift),)))
    assert table.loc["a", "on_duty_minutes"] == pytest.approx(60.0)
    assert table.loc["a", "occupancy"] == pytest.approx(40.0 / 60.0)
    # a second agent on the same shift adds its 30 on-duty minutes, not more
    two = pz.Shift(start="08:00", end="08:30", count=2)
    table = breakdown(rec, group="agent_group", agents=team_of((group("a", two),)))
    assert table.loc["a", "on_duty_minutes"] == pytest.approx(90.0)


def test_a_run_without_a_team_is_one_pool_and_agrees_with_its_records() -> None:
    frame = pz.synthetic.queries(400, seed=3, days=1)
    result = pz.simulate(frame, pz.policies.fifo(), agents=3, seed=0)
    table = breakdown(result, group="agent_group")
    rec = result.records
    served = ~rec["abandoned"]
    span = (
        max(rec.loc[served, "finished_at"].max(), rec["received_at"].max())
        - rec["received_at"].min()
    ).total_seconds() / 60
    assert list(table.index) == [SINGLE_POOL]
    assert table.loc[SINGLE_POOL, "served"] == served.sum()
    busy = rec.loc[served, "handle_minutes"].sum()
    assert table.loc[SINGLE_POOL, "busy_minutes"] == pytest.approx(busy)
    assert table.loc[SINGLE_POOL, "on_duty_minutes"] == pytest.approx(3 * span)
    # without the staffing, occupancy is unknown, not guessed
    bare = breakdown(rec, group="agent_group")
    assert bare["occupancy"].isna().all()
    assert bare.loc[SINGLE_POOL, "served"] == served.sum()


def test_records_carry_what_the_query_is() -> None:
    frame = pz.routing.classify_frame(pz.synthetic.queries(200, seed=1, days=1))
    frame["language"] = np.where(np.arange(len(frame)) % 3 == 0, "es", "en")
    rec = pz.simulate(frame, pz.policies.fifo(), agents=2, seed=0).records
    assert list(rec.columns) == [*RECORD_COLUMNS, *QUERY_COLUMNS]
    for column in QUERY_COLUMNS:
        assert (rec[column].to_numpy() == frame[column].to_numpy()).all()
    plain = pz.simulate(pz.synthetic.queries(50, seed=1), pz.policies.fifo(), agents=2)
    assert list(plain.records.columns) == list(RECORD_COLUMNS)
    table = breakdown(rec, group="language")
    assert table.loc["es", "queries"] == (frame["language"] == "es").sum()


def test_bad_input_names_the_culprit() -> None:
    rows = [{"received": 0, "wait": 1, "handle": 5, "abandoned": False, "channel": "chat"}]
    rec = make_records([r | {"agent_group": "ghost", "topic": None} for r in rows])
    with pytest.raises(SchemaError, match="ghost"):
        breakdown(rec, group="agent_group", agents=team_of((group("a", 1),)))
    with pytest.raises(SchemaError, match="topic"):
        breakdown(rec, group="topic")
    with pytest.raises(SchemaError, match="nope"):
        breakdown(rec, group="nope")
    with pytest.raises(InputError, match="group"):
        breakdown(rec, group=["topic"])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="agents"):
        breakdown(rec, group="agent_group", agents="three")
    unlabelled = rec.assign(agent_group=[None])
    with pytest.raises(SchemaError, match="agent_group"):
        breakdown(unlabelled, group="agent_group", agents=team_of((group("a", 1),)))
    with pytest.raises(SchemaError, match="not a team"):
        breakdown(rec, group="agent_group", agents=3)
    with pytest.raises(SchemaError, match="agent_group"):
        breakdown(
            rec.drop(columns="agent_group"), group="agent_group", agents=team_of((group("a", 1),))
        )


def _labelled(seed: int) -> pd.DataFrame:
    return pz.routing.classify_frame(pz.synthetic.queries(250, seed=seed, days=1))


POLICIES = {"fifo": pz.policies.fifo(), "influencer": pz.policies.influencer_weighted()}


def test_compare_by_a_column_is_each_runs_breakdown() -> None:
    frame = _labelled(4)
    table = pz.compare(frame, POLICIES, agents=2, seed=5, by="topic", within_minutes=15)
    assert table.index.names == ["policy", "topic"]
    for name, policy in POLICIES.items():
        alone = breakdown(
            pz.simulate(frame, policy, agents=2, seed=5), group="topic", within_minutes=15, seed=5
        )
        # then the change against the baseline (tests/simulation/test_simulation_compare_by.py)
        pd.testing.assert_frame_equal(table.loc[name, list(alone.columns)], alone)
        assert int(table.loc[name, "queries"].sum()) == len(frame)
    assert table.attrs["baseline"] == "fifo"


def test_compare_by_agent_group_over_replications_averages_the_runs() -> None:
    table = pz.compare(_labelled, POLICIES, agents=2, seed=0, replications=3, by="agent_group")
    runs = [
        breakdown(
            pz.simulate(_labelled(s), POLICIES["influencer"], agents=2, seed=s),
            group="agent_group",
            seed=s,
        )
        for s in range(3)
    ]
    row = table.loc[("influencer", SINGLE_POOL)]
    assert row["runs"] == 3
    occupancy = [float(r.loc[SINGLE_POOL, "occupancy"]) for r in runs]
    assert row["occupancy"] == pytest.approx(np.mean(occupancy))
    assert row["occupancy_ci95"] > 0
    assert "occupancy_low" not in table.columns
    with pytest.raises(InputError, match="by"):
        pz.compare(_labelled(0), POLICIES, agents=2, by=["topic"])  # type: ignore[arg-type]


def test_the_summary_counts_people_as_well_as_contacts() -> None:
    frame = pz.synthetic.queries(400, seed=8, days=1)
    retry = pz.Retry(probability=1.0, after_minutes=5)
    result = pz.simulate(frame, pz.policies.fifo(), agents=1, retry=retry, patience=20, seed=0)
    rec, s = result.records, result.summary
    assert s["people"] == len(frame)
    assert s["retries"] == len(rec) - len(frame) == int((rec["attempt"] > 1).sum())
    assert s["retries"] > 0
    answered = rec.loc[~rec["abandoned"], "first_query_id"].unique()
    assert s["people_unanswered"] == len(frame) - len(answered)
    assert s["people_unanswered"] < s["abandoned"]  # some who gave up got through later
    # records without the linkage: every row is a person
    plain = pz.simulation.summarize(rec.drop(columns=["first_query_id", "attempt"]))
    assert (plain["people"], plain["retries"]) == (len(rec), 0)
    assert plain["people_unanswered"] == plain["abandoned"]
    broken = rec.assign(first_query_id=rec["first_query_id"].where(rec.index != rec.index[3]))
    with pytest.raises(SchemaError, match="first_query_id"):
        pz.simulation.summarize(broken)


def test_answered_rows_without_a_group_are_listed_as_every_bad_row_is() -> None:
    # the one bad-rows description: at most five, named by label and id, then the count
    rows = [
        {"received": i, "wait": 1, "handle": 5, "abandoned": False, "channel": "chat"}
        for i in range(7)
    ]
    rec = make_records([r | {"agent_group": "a"} for r in rows])
    rec.index = pd.Index([f"r{i}" for i in range(7)])
    rec["agent_group"] = ["a", None, None, None, None, None, None]
    with pytest.raises(SchemaError) as caught:
        breakdown(rec, group="agent_group", agents=team_of((group("a", 1),)))
    assert str(caught.value) == (
        "answered queries with no 'agent_group': row 'r1' (query_id='q1'), row 'r2' "
        "(query_id='q2'), row 'r3' (query_id='q3'), row 'r4' (query_id='q4'), row 'r5' "
        "(query_id='q5'), … (6 rows in all)"
    )
