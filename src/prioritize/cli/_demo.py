"""``prioritize demo``: a synthetic week through the five presets with one team; who waits?"""

from __future__ import annotations

import textwrap

from prioritize._internal.constants import SLA_MINUTES
from prioritize.cli._common import DAYS, CLIError, suggest_agents, synthetic_week
from prioritize.cli._text import comparison_text
from prioritize.policies import PRESETS
from prioritize.simulation import SimulationResult, simulate

__all__ = ["DEMO_QUERIES", "run_demo"]

#: Queries in the demo's week: about 30 an hour, four agents' work at the daily peaks.
DEMO_QUERIES = 5000


def run_demo(
    n: int = DEMO_QUERIES,
    seed: int = 0,
    agents: int | None = None,
    *,
    within_minutes: float = SLA_MINUTES,
    target: float = 0.8,
) -> str:
    """The demo's text: the stream, each preset's waits by band, the reading, the promises.

    Needs neither matplotlib nor hypothesis (``make demo`` runs it on a plain install).
    """
    frame = synthetic_week(n, seed)
    suggested, load = suggest_agents(frame)
    if agents is None:
        agents = suggested
    elif agents < 1:
        raise CLIError(f"--agents must be >= 1; got {agents}")
    results: dict[str, SimulationResult] = {}
    descriptions: dict[str, str] = {}
    for name, make in PRESETS.items():
        policy = make()
        results[name] = simulate(frame, policy, agents=agents, seed=seed)
        descriptions[name] = policy.description
    public = float(frame["is_public"].mean())
    busy = "queues build at the daily peaks" if agents <= load else "the team has spare capacity"
    header = textwrap.fill(
        f"One synthetic week: {n:,} queries over {DAYS:g} days (seed {seed}), {public:.0%} of "
        f"them public posts, from customers in three time zones (arrivals peak at 14:00 local "
        f"time). {agents} agent{'s' if agents != 1 else ''} on duty around the clock against "
        f"a workload of {load:.1f} agents: {busy}. Customers give up after their own patience "
        f"(14% expect an answer within 5 minutes, 43% within an hour). The same stream, "
        f"agents and handle times under each of the five preset policies:",
        100,
    )
    body = comparison_text(
        results,
        descriptions=descriptions,
        within_minutes=within_minutes,
        target=target,
    )
    return header + "\n\n" + body
