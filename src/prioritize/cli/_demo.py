"""``prioritize demo``: a synthetic week through the five presets with one team; who waits?"""

from __future__ import annotations

import textwrap

from prioritize._internal.constants import SERVICE_TARGET, SLA_MINUTES
from prioritize.cli._common import DAYS, CLIError, synthetic_week
from prioritize.cli._patience import default_team, parse_patience
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
    target: float = SERVICE_TARGET,
    patience: str | None = None,
) -> str:
    """The demo's text: the stream, each preset's waits by band, the reading, the promises.

    Needs neither matplotlib nor hypothesis (``make demo`` runs it on a plain install).
    """
    model = parse_patience(patience)
    if agents is not None and agents < 1:
        raise CLIError(f"--agents must be >= 1; got {agents}")
    frame = synthetic_week(n, seed)
    choice = default_team(frame, target=target, within_minutes=within_minutes, patience=model)
    load = choice.load
    if agents is None:
        agents = choice.agents
        team = f"{choice}"
    else:
        team = f"{agents} agent{'s' if agents != 1 else ''} (chosen with --agents)"
    results: dict[str, SimulationResult] = {}
    descriptions: dict[str, str] = {}
    for name, make in PRESETS.items():
        policy = make()
        results[name] = simulate(frame, policy, agents=agents, seed=seed, patience=model)
        descriptions[name] = policy.description
    public = float(frame["is_public"].mean())
    busy = (
        "more work than agents: queues grow"
        if agents <= load
        else "queues build at the daily peaks and clear in the troughs"
    )
    abandonment = next(iter(results.values())).abandonment
    header = textwrap.fill(
        f"One synthetic week: {n:,} queries over {DAYS:g} days (seed {seed}), {public:.0%} of "
        f"them public posts, from customers in three time zones (arrivals peak at 14:00 local "
        f"time). On duty around the clock: {team}; {busy}. "
        f"{abandonment[:1].upper()}{abandonment[1:]}. The same stream, "
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
