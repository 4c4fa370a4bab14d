"""A tiny helpdesk loop: tickets come in, free agents pop the next one, explanations shown.
========================================================================================

Run::

    python examples/helpdesk_integration.py

What a helpdesk integration does with prioritize:

1. build the policy once (from a reviewed TOML file, here the balanced example);
2. on every inbound message: build Query + Customer and push them to the queue;
3. whenever an agent is free: pop the next query at the current time and show
   the agent *why* it is next (the explanation) and when it is due;
4. when a query is answered elsewhere (e.g. the customer phoned), remove it.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import prioritize as pz

# this script's folder (sys.argv[0] rather than __file__: the documentation's gallery
# runs the script without __file__)
HERE = Path(sys.argv[0]).resolve().parent

policy = pz.Policy.from_file(HERE / "policies" / "balanced.toml").with_changes(
    service_levels={"twitter": 60, "chat": 10, "email": 1440, "default": 240}
)
queue = pz.TriageQueue(policy)

crm = {  # what the CRM knows; in production a lookup by customer id
    "C-1001": pz.Customer(customer_id="C-1001", followers=120, lifetime_value=2_400.0,
                          purchase_count=14, total_spend=1_900.0, days_since_last_purchase=12),
    "C-2002": pz.Customer(customer_id="C-2002", followers=830_000, lifetime_value=35.0,
                          purchase_count=1, total_spend=35.0, days_since_last_purchase=300),
    "C-3003": pz.Customer(customer_id="C-3003", followers=40),
    "C-4004": pz.Customer(customer_id="C-4004", followers=2_100, lifetime_value=310.0,
                          purchase_count=3, total_spend=260.0, days_since_last_purchase=45),
}  # fmt: skip

start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
inbound = [
    (0, "T-1", "C-3003", "email", "Hi, can I change my delivery address?"),
    (2, "T-2", "C-2002", "twitter", "Your app is broken. Fix it."),
    (3, "T-3", "C-1001", "chat", "Third time asking: still waiting for my refund!!"),
    (5, "T-4", "C-4004", "web_form", "Order arrived damaged"),
    (6, "T-5", "C-3003", "phone", "Calling about my address change"),
]

print(f"policy: {policy.name} — {policy.description}\n")
for minute, ticket, customer_id, channel, text in inbound:
    query = pz.Query(query_id=ticket, customer_id=customer_id, channel=channel, text=text,
                     received_at=start + timedelta(minutes=minute),
                     is_public=channel == "twitter")  # fmt: skip
    queue.push(query, crm[customer_id])
    print(f"{minute:>3} min  in: {ticket} {channel:<9} {text}")

# The customer behind T-1 phoned (T-5): answering the call closes the email too.
queue.remove("T-1")
print("\n  7 min  T-1 removed: answered on the phone as part of T-5\n")

now = start + timedelta(minutes=8)
print(f"{len(queue)} waiting at {now:%H:%M}:")
print(queue.snapshot(now=now)[["query_id", "channel", "waited_minutes", "score", "due_at"]]
      .to_string(index=False))  # fmt: skip
print()
for agent in ("Ana", "Ben", "Caro", "Dev"):
    entry = queue.try_pop(now)
    if entry is None:
        print(f"{agent}: nothing waiting")
        continue
    due = entry.due_in(now)
    print(f"{agent} takes {entry.query_id} (due in {due}):")
    print(f"    {entry.explain()}")
    now += timedelta(minutes=1)
