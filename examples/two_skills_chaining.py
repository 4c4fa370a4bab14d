"""Agents with two skills do almost as well as agents with every skill.
====================================================================

Run::

    python examples/two_skills_chaining.py

Four skill queues (billing, delivery, account, technical), equally busy, and
twelve agents in four groups of three. Three designs of the same team:

* **specialists**: each group has one skill; four separate M/M/3 queues;
* **chain of two skills**: group i has skills i and i+1 (the last wraps to
  the first), so the groups form one closed chain;
* **every skill**: every agent takes every query; one M/M/12 queue.

The known result (Jordan & Graves 1995, "Principles on the benefits of
manufacturing process flexibility", Management Science 41(4); for call
centres Wallace & Whitt 2005, "A staffing algorithm for call centers with
skill-based routing", Manufacturing & Service Operations Management 7(4)):
a little flexibility, arranged as a chain, captures most of the benefit of
full flexibility; two skills per agent come close to every skill.

The closed forms give the two ends exactly (``staffing.independent_pools``
for the specialists, ``staffing.pooled`` for every skill), as long-run
means; one run of 11,000 queries at 85% load strays from them, most for the
small specialist pools, whose waits swing widely from run to run. The chain
sits between the two ends and only the simulation measures it. Waits are by skill queue
(``pz.simulation.breakdown(result, group="skills")``).
"""

from __future__ import annotations

import numpy as np

import prioritize as pz
from prioritize import staffing

SKILLS = ("billing", "delivery", "account", "technical")
AGENTS_PER_GROUP = 3
HANDLE = 10.0  # minutes, exponential
LOAD = 0.85  # of each group's agents, per skill queue
RATE = LOAD * AGENTS_PER_GROUP * 60.0 / HANDLE  # per skill queue, per hour
N = 12_000
WARMUP = 1_000

frame = pz.synthetic.poisson_queries(N, RATE * len(SKILLS), 3, mean_handle_minutes=HANDLE)
frame["skills"] = np.random.default_rng(3).choice(SKILLS, size=len(frame))


def design(skills_of: list[set[str]]) -> pz.Team:
    return pz.Team(
        [
            pz.AgentGroup(f"group{i}", agents=AGENTS_PER_GROUP, skills=skills)
            for i, skills in enumerate(skills_of)
        ]
    )


designs = {
    "specialists": design([{s} for s in SKILLS]),
    "chain of two skills": design(
        [{s, SKILLS[(i + 1) % len(SKILLS)]} for i, s in enumerate(SKILLS)]
    ),
    "every skill": design([set(SKILLS)] * len(SKILLS)),
}

rates = dict.fromkeys(SKILLS, RATE)
within = 5.0
apart = staffing.independent_pools(
    rates, HANDLE, agents=designs["specialists"], within_minutes=within
)
together = staffing.pooled(rates, HANDLE, agents=designs["every skill"], within_minutes=within)
closed = {
    "specialists": (
        float(
            (apart["mean_wait_minutes"] * apart["arrivals_per_hour"]).sum() / sum(rates.values())
        ),
        float((apart["service_level"] * apart["arrivals_per_hour"]).sum() / sum(rates.values())),
    ),
    "every skill": (
        float(together.loc["pooled", "mean_wait_minutes"]),
        float(together.loc["pooled", "service_level"]),
    ),
}

print(
    f"{len(SKILLS)} skill queues at {RATE:.1f}/h each, {len(SKILLS) * AGENTS_PER_GROUP} agents "
    f"({LOAD:.0%} busy), handle {HANDLE:g} min; {N:,} queries, the first {WARMUP:,} as warm-up\n"
)
print(f"{'design':<21} {'mean wait':>10} {'within 5 min':>13}   closed form (mean, within 5)")
fifo = pz.policies.fifo()
waits = {}
for name, team in designs.items():
    result = pz.simulate(frame, fifo, agents=team, seed=0)
    records = result.records.iloc[WARMUP:]
    by_queue = pz.simulation.breakdown(records, group="skills", within_minutes=within)
    mean_wait = waits[name] = float(records["wait_minutes"].mean())
    in_time = float((by_queue["within_target"] * by_queue["queries"]).sum() / len(records))
    theory = closed.get(name)
    exact = f"{theory[0]:6.2f} min, {theory[1]:.1%}" if theory else "(none: simulate)"
    print(f"{name:<21} {mean_wait:7.2f} min {in_time:12.1%}   {exact}")
    worst = by_queue["mean_wait_answered"].idxmax()
    print(
        f"{'':<21} slowest queue: {worst} "
        f"({by_queue.loc[worst, 'mean_wait_answered']:.2f} min, 95% CI "
        f"{by_queue.loc[worst, 'mean_wait_answered_low']:.2f}-"
        f"{by_queue.loc[worst, 'mean_wait_answered_high']:.2f})"
    )

gained = (waits["specialists"] - waits["chain of two skills"]) / (
    waits["specialists"] - waits["every skill"]
)
print(
    f"\nTwo skills per agent, in a chain, get {gained:.0%} of the way from specialists to "
    "every skill (mean wait)."
)
