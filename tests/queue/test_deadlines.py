"""Two deadlines, one name each: overdue_at (the MaxWait rule) and due_at (the published promise)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize.policies import SURVEY_SERVICE_LEVELS
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _entry(policy: pz.Policy, channel: str) -> pz.queue.Entry:
    queue = pz.TriageQueue(policy)
    queue.push(pz.Query(query_id="q", customer_id="c", received_at=T0, channel=channel,
                        urgency=0.5), pz.Customer(customer_id="c"))  # fmt: skip
    return queue.pop(T0 + timedelta(minutes=1))


@pytest.mark.parametrize("name", list(pz.policies.PRESETS))
def test_every_preset_publishes_the_survey_service_levels(name: str) -> None:
    policy = pz.policies.PRESETS[name]()
    assert policy.service_levels == dict(SURVEY_SERVICE_LEVELS)
    entry = _entry(policy, "chat")
    assert entry.due_at == T0 + timedelta(minutes=5)
    assert entry.due_in(T0 + timedelta(minutes=1)) == timedelta(minutes=4)


def test_the_documented_mapping_of_the_survey_figures() -> None:
    policy = pz.policies.fifo()
    # 14% expect 5 minutes: live channels; 43% an hour: social and messaging; the rest a day.
    assert {c for c in pz.Channel if policy.service_level_minutes(c) == 5} == {
        pz.Channel.CHAT,
        pz.Channel.PHONE,
    }
    public = {c for c in pz.Channel if pz.models.public_by_default(c)}
    hour = {c for c in pz.Channel if policy.service_level_minutes(c) == 60}
    assert public - hour == {pz.Channel.REVIEW_SITE, pz.Channel.FORUM}
    assert policy.service_level_minutes("email") == 1440
    assert policy.service_level_minutes("other") == 1440


def test_overdue_at_and_due_at_side_by_side() -> None:
    entry = _entry(pz.policies.balanced(), "twitter")  # MaxWait 240, promise 60 on twitter
    assert entry.due_at == T0 + timedelta(minutes=60)
    assert entry.overdue_at == T0 + timedelta(minutes=240)
    no_rule = _entry(pz.policies.influencer_weighted(), "twitter")
    assert no_rule.overdue_at is None and no_rule.due_at == T0 + timedelta(minutes=60)
    no_promise = _entry(pz.policies.balanced().with_changes(service_levels={}), "twitter")
    assert no_promise.due_at is None and no_promise.due_in(T0) is None
    assert no_promise.overdue_at == T0 + timedelta(minutes=240)


@given(
    frame=pst.query_frames(max_rows=12),
    levels=st.dictionaries(
        st.sampled_from([c.value for c in pz.Channel] + ["default"]),
        st.floats(1, 10_000),
        max_size=5,
    ),
    preset=st.sampled_from(list(pz.policies.PRESETS)),
    later=st.integers(0, 3000),
)
@settings(max_examples=40, deadline=None)
def test_service_levels_never_change_the_order(
    frame: pd.DataFrame, levels: dict[str, float], preset: str, later: int
) -> None:
    """The promise is informational: rank, queue and simulator ignore it."""
    policy = pz.policies.PRESETS[preset]()
    other = policy.with_changes(service_levels=levels)
    now = frame["received_at"].max().to_pydatetime() + timedelta(minutes=later)
    assert list(policy.rank(frame, now=now)["query_id"]) == list(
        other.rank(frame, now=now)["query_id"]
    )
    popped = []
    for p in (policy, other):
        queue = pz.TriageQueue(p)
        queue.push_frame(frame)
        popped.append([queue.pop(now).query_id for _ in range(len(frame))])
    assert popped[0] == popped[1]
    with_handle = frame.assign(handle_minutes=5.0)
    a = pz.simulate(with_handle, policy, agents=1, seed=0).records
    b = pz.simulate(with_handle, other, agents=1, seed=0).records
    pd.testing.assert_series_equal(a["started_at"], b["started_at"])
