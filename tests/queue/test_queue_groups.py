"""TriageQueue's GroupShare finds a query's group where the frame path finds it.

One rule (:func:`prioritize.models.group_labels` / :func:`~prioritize.models.group_of`):
a column of that name wins, and on a pair a column that is no model field is
carried in the ``attributes`` of the query or of its customer.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.models import frame_to_objects, group_labels
from prioritize.policy import ShareLedger
from prioritize.testing import strategies as pst

REGIONS = ("eu", "us", "apac")


@st.composite
def _regional(draw: st.DrawFn) -> tuple[pz.Policy, pd.DataFrame]:
    """A policy with a GroupShare by ``region`` and a frame with that column."""
    policy = draw(pst.policies())
    listed = draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3, unique=True))
    shares = {r: draw(st.floats(0.05, 0.9 / len(listed))) for r in listed}
    share = pz.rules.GroupShare(group="region", shares=shares)
    policy = policy.with_changes(rules=[*policy.rules, share])
    frame = draw(pst.query_frames(min_rows=1, max_rows=25))
    regions = st.lists(st.sampled_from(REGIONS), min_size=len(frame), max_size=len(frame))
    return policy, frame.assign(region=draw(regions))


def _expected_pops(
    policy: pz.Policy, frame: pd.DataFrame, clocks: list[timedelta]
) -> list[tuple[str, str]]:
    """(query_id, reason) of each pop: policy.rank at the pop's ``now``, interleaved by
    a ShareLedger over the frame's group labels (overdue queries first)."""
    share = policy.group_share
    assert share is not None
    ledger = ShareLedger(share.shares)
    ids = frame["query_id"].tolist()
    group = dict(zip(ids, group_labels(frame, group=share.group).astype(str), strict=True))
    indexed = frame.set_index("query_id", drop=False)
    start = frame["received_at"].max().to_pydatetime()
    waiting, out = set(ids), []
    for step in clocks:
        order = policy.rank(indexed.loc[sorted(waiting)].reset_index(drop=True), now=start + step)
        first = order["query_id"].iloc[0]
        if bool(order["overdue"].iloc[0]):
            expected, reason = first, "overdue"
        else:
            position = {qid: k for k, qid in enumerate(order["query_id"])}
            best: dict[str, int] = {}
            for i in waiting:
                best[group[i]] = min(best.get(group[i], len(position)), position[i])
            expected = order["query_id"].iloc[best[ledger.choose(best)]]
            reason = "score" if expected == first else "group_share"
        ledger.record({group[i] for i in waiting}, group[expected])
        out.append((expected, reason))
        waiting.remove(expected)
    return out


@given(
    _regional(),
    st.sampled_from(["push_frame", "query", "customer"]),
    st.data(),
)
def test_pop_order_is_rank_shared_by_a_group_carried_as_an_attribute(
    case: tuple[pz.Policy, pd.DataFrame], where: str, data: st.DataObject
) -> None:
    policy, frame = case
    q = pz.TriageQueue(policy)
    if where == "push_frame":
        assert q.push_frame(frame) == len(frame)
    else:
        on = "query" if where == "query" else "customer"
        for query, customer in frame_to_objects(frame, attributes={"region": on}):
            q.push(query, customer)
    steps = data.draw(
        st.lists(st.integers(0, 240), min_size=len(frame), max_size=len(frame)), label="minutes"
    )
    clocks = [timedelta(minutes=sum(steps[: k + 1])) for k in range(len(steps))]
    start = frame["received_at"].max().to_pydatetime()
    popped = []
    for step in clocks:
        entry = q.pop(start + step)
        popped.append((entry.query_id, entry.reason))
        assert entry.group == frame.set_index("query_id").loc[entry.query_id, "region"]
    assert popped == _expected_pops(policy, frame, clocks)
    assert len(q) == 0


def _policy() -> pz.Policy:
    return pz.Policy(rules=[pz.rules.GroupShare(group="region", shares={"eu": 0.5})])


def _pair(
    query_attrs: dict[str, str], customer_attrs: dict[str, str]
) -> tuple[pz.Query, pz.Customer]:
    frame = pz.synthetic.queries(1, seed=0)
    ((query, customer),) = frame_to_objects(frame)
    return (
        query.model_copy(update={"attributes": query_attrs}),
        customer.model_copy(update={"attributes": customer_attrs}),
    )


def test_a_query_with_no_label_is_refused_naming_the_group_and_the_query() -> None:
    q = pz.TriageQueue(_policy())  # the group may be carried by every query: no error yet
    query, customer = _pair({}, {"tier": "gold"})
    with pytest.raises(pz.SchemaError, match=rf"cannot group by 'region'.*{query.query_id!r}"):
        q.push(query, customer)
    assert len(q) == 0 and query.query_id not in q
    q.push(*_pair({"region": "eu"}, {}))  # the same id, labelled: accepted
    assert q.pop(query.received_at).group == "eu"


def test_the_query_s_attribute_comes_before_the_customer_s() -> None:
    q = pz.TriageQueue(_policy())
    q.push(*_pair({"region": "us"}, {"region": "eu"}))
    assert q.pop(pz.synthetic.queries(1, seed=0)["received_at"].iloc[0]).group == "us"


def test_a_carried_label_wins_over_the_computed_band() -> None:
    policy = pz.Policy(rules=[pz.rules.GroupShare(group="follower_band", shares={"vip": 0.5})])
    frame = pz.synthetic.queries(4, seed=1).assign(follower_band=["vip", "x", "vip", "x"])
    now = frame["received_at"].max()
    by_frame, by_pair = pz.TriageQueue(policy), pz.TriageQueue(policy)
    by_frame.push_frame(frame)
    for query, customer in frame_to_objects(frame, attributes={"follower_band": "customer"}):
        by_pair.push(query, customer)
    groups = [by_frame.pop(now).group for _ in range(4)]
    assert sorted(groups) == ["vip", "vip", "x", "x"]
    assert [by_pair.pop(now).group for _ in range(4)] == groups


def test_push_frame_refuses_missing_labels_naming_the_rows() -> None:
    frame = pz.synthetic.queries(3, seed=0).assign(region=["eu", None, "us"])
    q = pz.TriageQueue(_policy())
    with pytest.raises(pz.SchemaError, match=r"region.*row 1"):
        q.push_frame(frame)
    assert len(q) == 0


def test_shared_queue_reads_the_same_label(db_url: str) -> None:
    frame = pz.synthetic.queries(6, seed=3).assign(region=["eu", "us"] * 3)
    now = frame["received_at"].max().to_pydatetime()
    live = pz.TriageQueue(_policy())
    live.push_frame(frame)
    order = [live.pop(now).query_id for _ in range(6)]
    shared = pz.SharedQueue(_policy(), db_url, name=uuid.uuid4().hex)
    try:
        shared.push_frame(frame)
        claimed = [shared.claim(now) for _ in range(6)]
    finally:
        shared.close()
    assert [c.query_id for c in claimed if c is not None] == order
    assert {c.group for c in claimed if c is not None} == {"eu", "us"}


@pytest.mark.parametrize("group", ["channel", "follower_band"])
def test_push_frame_carries_no_label_a_field_or_a_band_gives(group: str) -> None:
    # Only a column that is no model field (nor a computed band without its column)
    # rides in the query's attributes: the queries of the others are the frame's own.
    policy = pz.Policy(rules=[pz.rules.GroupShare(group=group, shares={"x": 0.5})])
    frame = pz.synthetic.queries(5, seed=2)
    q = pz.TriageQueue(policy)
    q.push_frame(frame)
    now = frame["received_at"].max()
    popped = [q.pop(now) for _ in range(5)]
    assert [e.query.attributes for e in popped] == [{}] * 5
    labels = dict(zip(frame["query_id"], group_labels(frame, group=group).astype(str), strict=True))
    assert [e.group for e in popped] == [labels[e.query_id] for e in popped]
