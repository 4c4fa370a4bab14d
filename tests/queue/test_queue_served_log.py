"""The served-id memory files each pop once: a push leaves no id in the log.

A pop only appends its id to the queue's log; the next push files the log into
the id -> pop-number dict and empties it. Were the log kept, every push would
file every id popped so far again (numbered anew, in the same order: the answers
stay right, the push grows with the queue's history). This checks the
bookkeeping itself, against a count of the pops, in a live rhythm of pushes and
pops.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
C = pz.Customer(customer_id="c")


@given(st.lists(st.booleans(), max_size=60), st.integers(1, 5))
def test_a_push_files_each_pop_since_the_last_push_once(pops: list[bool], remember: int) -> None:
    q = pz.TriageQueue(pz.policies.fifo(), remember=remember)
    popped = 0
    for i, pop in enumerate(pops):
        if pop and len(q):
            q.pop(T0)
            popped += 1
            continue
        at = T0 + timedelta(minutes=i)
        q.push(pz.Query(query_id=f"q{i}", customer_id="c", received_at=at, channel="chat"), C)
        assert q._log == []  # filed
        assert q._pops == popped  # each pop numbered once
        assert q._served is not None and len(q._served) < 2 * remember
