"""``is_public`` defaults one way everywhere: the channel's default, unless given."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.models import PUBLIC_BY_DEFAULT, public_by_default, public_flags


def test_the_rule() -> None:
    assert public_by_default("twitter") and public_by_default(pz.Channel.REVIEW_SITE)
    assert not public_by_default("email") and not public_by_default(pz.Channel.PHONE)
    assert {c for c in pz.Channel if public_by_default(c)} == PUBLIC_BY_DEFAULT


@given(st.lists(st.sampled_from(list(pz.Channel)), min_size=1, max_size=8), st.data())
def test_query_frame_queue_and_simulator_agree(channels: list[pz.Channel], data) -> None:  # type: ignore[no-untyped-def]
    frame = pz.synthetic.queries(len(channels), seed=0).drop(columns="is_public")
    frame["channel"] = [c.value for c in channels]
    expected = np.array([public_by_default(c) for c in channels])
    assert (public_flags(frame) == expected).all()
    at = datetime(2026, 1, 5, tzinfo=UTC)
    queries = [pz.Query(query_id="q", customer_id="c", received_at=at, channel=c) for c in channels]
    assert [q.is_public for q in queries] == expected.tolist()
    queue = pz.TriageQueue(pz.policies.fifo())
    queue.push_frame(frame)
    popped = {}
    while len(queue):
        entry = queue.pop(frame["received_at"].max())
        popped[entry.query.query_id] = entry.query.is_public
    assert [popped[q] for q in frame["query_id"]] == expected.tolist()
    records = pz.simulate(frame, pz.policies.fifo(), agents=1, seed=0).records
    assert (records["is_public"].to_numpy() == expected).all()
    # What is given wins, in both directions.
    given_flags = data.draw(st.lists(st.booleans(), min_size=len(channels), max_size=len(channels)))
    frame["is_public"] = given_flags
    assert public_flags(frame).tolist() == given_flags
    for channel, flag in zip(channels, given_flags, strict=True):
        query = pz.Query(query_id="q", customer_id="c", received_at=at, channel=channel,
                         is_public=flag)  # fmt: skip
        assert query.is_public is flag
