"""Influencer-weighted against equal treatment: the same week, the same team; who waits?
=====================================================================================

Run::

    python examples/compare_policies.py            (tables in the terminal)
    python examples/compare_policies.py out.html   (also an HTML report; needs matplotlib)

Both policies replay the same synthetic week of queries with the same team
and the same handle times and patience (common random numbers), so every
difference in the tables is the policy's doing. The team is the least that
answers 80% within an hour at the week's average load (Erlang A): queues still
build at the daily peaks, which is where policies differ.
"""

from __future__ import annotations

import sys

import pandas as pd

import prioritize as pz
from prioritize.report import band_table, promise, reading
from prioritize.simulation import simulate

frame = pz.synthetic.queries(4_000, seed=1, days=7)
team = pz.staffing.agents_for(frame, target=0.8, within_minutes=60)
AGENTS = team.agents
policies = {
    "influencer_weighted": pz.policies.influencer_weighted(),
    "equal_treatment": pz.policies.equal_treatment(),
}
results = {
    name: simulate(frame, policy, agents=AGENTS, seed=0) for name, policy in policies.items()
}

pd.set_option("display.width", 120)
headline = pd.DataFrame({name: r.summary for name, r in results.items()}).T
print(f"{len(frame):,} queries over a week; {team}")
print(next(iter(results.values())).abandonment + "\n")
print(
    headline[
        [
            "mean_wait_minutes",
            "p90_wait_minutes",
            "max_wait_minutes",
            "abandon_rate",
            "expected_loss",
            "public_exposure",
            "wait_ratio_follower_band",
            "four_fifths_follower_band",
        ]
    ]
    .astype(float)
    .round(2)
    .to_string()
)

for group in ("follower_band", "value_band"):
    side_by_side = pd.concat(
        {
            name: band_table(r.records, group=group)[
                ["queries", "median_wait_answered", "p90_wait_answered", "within_target"]
            ]
            for name, r in results.items()
        },
        axis=1,
    )
    print(f"\nWaits by {group} (minutes; within_target: share answered within 60 min)")
    print(side_by_side.round(2).to_string())

print("\n" + reading(results))
print()
for name, result in results.items():
    print(f"{name}: {promise(result)}")

if len(sys.argv) > 1:
    from prioritize.report import influence_sweep, write_report

    sweep = influence_sweep(frame, agents=AGENTS)
    print(f"\nreport: {write_report(sys.argv[1], results, sweep=sweep)}")
