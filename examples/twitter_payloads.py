"""Scoring Twitter/X API v2 payloads: a page of mentions in, a ranked queue with reasons out.
==========================================================================================

Run::

    python examples/twitter_payloads.py

The payload below has the shape of ``GET /2/tweets/search/recent`` requested
with ``expansions=author_id``, ``tweet.fields=created_at,author_id,conversation_id``
and ``user.fields=username,public_metrics``. In production, pass the parsed
JSON (or a path to a saved page) straight to ``from_tweets``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

import prioritize as pz
from prioritize.adapters import twitter

page = {
    "data": [
        {"id": "1901", "author_id": "11", "created_at": "2026-03-02T08:02:11.000Z",
         "conversation_id": "1901",
         "text": "@NorthwindHelp my order NW-58213 was due Friday, tracking hasn't moved. Help?"},
        {"id": "1902", "author_id": "22", "created_at": "2026-03-02T08:17:45.000Z",
         "conversation_id": "1902",
         "text": "Unboxing the new Trailblazer on stream tonight and the zipper is broken. "
                 "@NorthwindHelp what's going on?"},
        {"id": "1903", "author_id": "33", "created_at": "2026-03-02T08:31:09.000Z",
         "conversation_id": "1903",
         "text": "@NorthwindHelp charged twice for the same order!! Refund please, it's my rent"},
        {"id": "1904", "author_id": "11", "created_at": "2026-03-02T09:05:52.000Z",
         "conversation_id": "1901",
         "text": "@NorthwindHelp still waiting... emailed yesterday, called this morning. "
                 "No answer anywhere."},
        {"id": "1905", "author_id": "44", "created_at": "2026-03-02T09:40:27.000Z",
         "conversation_id": "1905",
         "text": "Love my new trail shoes from @Northwind, thanks for the fast delivery!"},
    ],
    "includes": {
        "users": [
            {"id": "11", "username": "ann_lee", "public_metrics": {"followers_count": 212}},
            {"id": "22", "username": "TrailTalesTV",
             "public_metrics": {"followers_count": 834_000}},
            {"id": "33", "username": "dmitri_k", "public_metrics": {"followers_count": 57}},
            {"id": "44", "username": "runner_jo", "public_metrics": {"followers_count": 4_100}},
        ]
    },
    "meta": {"result_count": 5, "newest_id": "1905", "oldest_id": "1901"},
}  # fmt: skip

# What the CRM knows, keyed by the identity the adapter builds ("twitter:" + handle).
crm = pd.DataFrame(
    {
        "customer_id": ["twitter:ann_lee", "twitter:dmitri_k"],
        "lifetime_value": [2_400.0, 310.0],
        "purchase_count": [14, 3],
        "total_spend": [1_900.0, 260.0],
        "days_since_last_purchase": [12.0, 45.0],
    }
)

frame = twitter.from_tweets(page, customers=crm)
print(frame[["query_id", "customer_id", "received_at", "followers", "lifetime_value",
             "crm_matched"]].to_string(index=False))  # fmt: skip

now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
columns = ["rank", "query_id", "score", "urgency", "follower_reach", "crm_value",
           "purchase_history", "aging"]  # fmt: skip
for make in (pz.policies.influencer_weighted, pz.policies.balanced):
    policy = make()
    ranked = policy.rank(frame, now=now)
    ranked = ranked.join(frame["customer_id"])
    print(f"\n{policy.name} at {now:%H:%M} UTC: {policy.description}")
    print(ranked[[*columns, "customer_id"]].round(3).to_string(index=False))

# The request path: one tweet from the filtered stream, scored as it arrives.
message = {
    "data": {"id": "1906", "author_id": "33", "created_at": "2026-03-02T10:01:00.000Z",
             "text": "@NorthwindHelp third time asking: where is my refund?!"},
    "includes": {"users": [{"id": "33", "username": "dmitri_k",
                            "public_metrics": {"followers_count": 57}}]},
}  # fmt: skip
crm_records = {
    "twitter:dmitri_k": pz.Customer(
        customer_id="twitter:dmitri_k", lifetime_value=310.0, purchase_count=3,
        total_spend=260.0, days_since_last_purchase=45,
    )
}  # fmt: skip
query, customer = twitter.from_tweet(message, customers=crm_records)
print("\nstreamed:", pz.policies.balanced().score(query, customer).explain())
