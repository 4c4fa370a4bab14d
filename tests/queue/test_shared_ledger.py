"""SharedQueue's GroupShare ledger, booked in the database, against ShareLedger in Python.

On PostgreSQL a claim under GroupShare applies the core's rule and books the
ledger in SQL (one statement, ``SharedQueue._ledger_sql``); on SQLite Python
books it. Either way, after every claim the credits stored in the queue's row
are exactly those of a :class:`~prioritize.policy.ShareLedger` replayed here
(the listed groups with a waiting query earn their share, the served group
pays one unit, never below 0), and the claim is the one a
:class:`TriageQueue` serves, with its reason. Shares of exact binary
fractions make a group owed exactly one unit (the boundary of ``choose``).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize.policy import ShareLedger

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BANDS = {"<1k": 10, "1k-10k": 5_000, "10k-100k": 50_000, "100k+": 2_000_000}
# The shares of the two listed groups (their sum at most 1).
SMALL, BIG = st.sampled_from([0.125, 0.25, 0.5, 0.3]), st.sampled_from([0.125, 0.25, 0.45])


def stored_credit(q: pz.SharedQueue) -> dict[str, float]:
    db = q._db
    with db.tx(write=False):
        text = db.run("SELECT credit FROM pz_queue WHERE id = ?", (q._queue_id,)).fetchone()[0]
    return {group: float(value) for group, value in json.loads(text or "{}").items()}


@settings(max_examples=20, deadline=None)
# A listed group served by the ledger with credit left over, then without a backlog (reset).
@example(["<1k"] + ["1k-10k"] * 5, 0.3, 0.125, False, False, [0], [False])
# Both listed groups owed exactly one unit at once (the tie goes to the better head),
# unlisted queries of more urgency served by the score meanwhile.
@example(["<1k", "100k+", "1k-10k", "1k-10k", "1k-10k"], 0.25, 0.25, True, False, [0], [True])
# Both owed at least one unit, unequally (1.2 and 1.0): the one owed more is served.
@example(["<1k", "100k+", "1k-10k", "1k-10k", "1k-10k"], 0.3, 0.25, True, False, [0], [False])
@given(
    st.lists(st.sampled_from(sorted(BANDS)), min_size=1, max_size=30),
    SMALL,
    BIG,
    st.booleans(),
    st.booleans(),
    st.lists(st.integers(0, 20), min_size=1, max_size=4),
    st.lists(st.booleans(), min_size=1, max_size=4),
)
def test_the_stored_ledger_is_share_ledgers_after_every_claim(
    db_url: str,
    bands: list[str],
    small: float,
    big: float,
    urgent: bool,
    max_wait: bool,
    steps: list[int],
    pops: list[bool],
) -> None:
    shares = {"<1k": small, "100k+": big}
    rules: list[Any] = [pz.rules.GroupShare(group="follower_band", shares=shares)]
    if max_wait:
        rules.append(pz.rules.MaxWait(minutes=15, per_channel={"email": 40}))
    # urgent: the urgency outweighs the followers (an unlisted group may lead the score order)
    weights = {"follower_reach": 1.0, "urgency": 5.0 if urgent else 0.3}
    policy = pz.Policy(weights=weights, rules=rules)
    pairs = [
        (
            pz.Query(
                query_id=f"q{i:03d}",
                customer_id=f"c{i}",
                received_at=T0 + timedelta(minutes=i),
                channel=("email", "chat")[i % 2],
                urgency=(i % 5) / 5,
            ),
            pz.Customer(customer_id=f"c{i}", followers=BANDS[band]),
        )
        for i, band in enumerate(bands)
    ]
    model = pz.TriageQueue(policy)
    model.push_many(pairs)
    waiting = {query.query_id: band for (query, _), band in zip(pairs, bands, strict=True)}
    ledger = ShareLedger(shares)
    clock = T0 + timedelta(minutes=len(bands))
    q = pz.SharedQueue(policy, db_url, name=uuid.uuid4().hex)
    try:
        q.push_many(pairs)
        for i in range(len(bands)):
            clock += timedelta(minutes=steps[i % len(steps)])
            want = model.pop(clock)
            got = q.pop(clock) if pops[i % len(pops)] else q.claim(clock)
            assert got is not None
            assert (got.query_id, got.reason) == (want.query_id, want.reason)
            ledger.record(set(waiting.values()), waiting.pop(got.query_id))
            stored = stored_credit(q)  # a credit never written is 0
            assert {group: stored.get(group, 0.0) for group in shares} == ledger.credit
            if isinstance(got, pz.queue.LeasedEntry):
                q.complete(got.query_id, got.token)
    finally:
        q.close()
