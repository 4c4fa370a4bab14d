"""SharedQueue's lease tokens on SQLite carry their row's rowid (complete and release go by
it), and only the stored random part proves the lease: a rowid that is not the row's (a
VACUUM renumbers rowids, or a forged one) never changes another row, and the lease is found
by its key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import prioritize as pz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def pairs(n: int) -> list[tuple[pz.Query, pz.Customer]]:
    return [
        (
            pz.Query(
                query_id=f"q{i}",
                customer_id=f"c{i}",
                received_at=T0 + timedelta(minutes=i),
                channel="chat",
                urgency=0.5,
            ),
            pz.Customer(customer_id=f"c{i}"),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("finish", ["complete", "release"])
def test_a_token_with_another_rows_rowid_changes_only_its_own_row(
    tmp_path: Path, finish: str
) -> None:
    policy = pz.Policy(weights={"urgency": 1.0})
    with pz.SharedQueue(policy, f"sqlite:///{tmp_path}/q.db") as q:
        q.push_many(pairs(3))
        a, b = q.claim(T0), q.claim(T0)
        assert a is not None and b is not None
        rowid = {qid: r for r, qid in q._db.run("SELECT rowid, query_id FROM pz_entry").fetchall()}
        assert a.token.endswith(f"{rowid[a.query_id]:x}")  # the rowid after the random part
        stored = a.token[:32]
        with pytest.raises(pz.LeaseError):  # a's whole token names a's row, not q2's
            getattr(q, finish)("q2", a.token)
        # a's random part with b's rowid: a is found by its key, b untouched
        getattr(q, finish)(a.query_id, stored + f"{rowid[b.query_id]:x}")
        states = dict(q._db.run("SELECT query_id, state FROM pz_entry").fetchall())
        assert states == {"q0": 2 if finish == "complete" else 0, "q1": 1, "q2": 0}
        # b's rowid and b's id with a's random part: not b's lease
        with pytest.raises(pz.LeaseError):
            getattr(q, finish)(b.query_id, stored + f"{rowid[b.query_id]:x}")
        head = "q1" if finish == "complete" else "q0"  # the first waiting one from here on
        for suffix in ("zz", "f" * 20, ""):  # not a rowid, too large for one, none
            q.release(b.query_id, b.token[:32] + suffix)  # the random part holds it: by the key
            b = q.claim(T0)
            assert b is not None and b.query_id == head
        getattr(q, finish)(b.query_id, b.token)
        with pytest.raises(pz.LeaseError):  # once only
            q.complete(b.query_id, b.token)
