"""``push_frame`` with routes, found untested by the mutation run (queue group): the columns
the routes read that are not model fields travel with each query, and nothing else does."""

from __future__ import annotations

import pandas as pd

import prioritize as pz


def test_route_columns_that_are_not_fields_travel_in_the_query_attributes() -> None:
    # Routes read `language` (not a field of Query or Customer) and `channel` (a field):
    # `language` is carried into each query's attributes, so that Routes.resolve of the
    # popped pair gives the skills the frame gave; `channel` stays a field only.
    frame = pz.synthetic.queries(4, seed=1)
    frame["language"] = ["es", "es", None, "en"]
    routes = pz.Routes(
        [
            pz.Route(when={"language": "es"}, require={"es"}),
            pz.Route(when={"channel": frame["channel"].iloc[3]}, prefer={"billing"}),
        ]
    )
    q = pz.TriageQueue(pz.policies.fifo(), routes=routes)
    assert q.push_frame(frame) == 4
    now = frame["received_at"].max().to_pydatetime()
    seen = {}
    while (entry := q.try_pop(now)) is not None:
        seen[entry.query_id] = entry
        language = frame.loc[frame["query_id"] == entry.query_id, "language"].iloc[0]
        assert entry.query.attributes == ({} if pd.isna(language) else {"language": language})
        assert entry.customer.attributes == {}
        assert routes.resolve(entry.query, entry.customer) == (entry.skills, entry.prefer)
    assert sorted(seen) == sorted(frame["query_id"])
    assert [seen[i].skills for i in frame["query_id"]] == [{"es"}, {"es"}, set(), set()]
    assert seen[frame["query_id"].iloc[3]].prefer == {"billing"}
