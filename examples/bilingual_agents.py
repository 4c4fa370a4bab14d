"""How many bilingual agents do we need, and does influencer weighting hurt the Spanish queue?
===========================================================================================

Run::

    python examples/bilingual_agents.py

A team answers English and Spanish customers. Spanish queries need an agent
who speaks Spanish (a route on the ``language`` column); bilingual agents
take English queries too, but English queries go to English-only agents
first (``select="fewest_skills"``), which keeps the bilinguals free.

1. Closed forms bracket the answer (``staffing.independent_pools``: the
   Spanish queue answered by the bilinguals alone; ``staffing.pooled``:
   everybody answers everything). The stream has a daily rhythm, so
   Erlang C at the mean rate is only a first guess.
2. Simulate: the English agents fixed, 1, 2, 3 ... bilingual agents; per
   language, the share answered within 15 minutes with its 95% interval
   (``pz.simulation.breakdown(result, group="language")``). The least count
   that answers 80% of the Spanish queue in time is the answer.
3. With that team: influencer-weighted against equal treatment on the same
   stream, per language, paired by query (``pz.report.baseline_changes(...,
   group="language")``). An influencer-weighted order moves followers up;
   the question is what it does to the Spanish queue, whose agents are few
   and shared. (``pz.compare(frame, policies, agents=team, routes=routes,
   by="language")`` tabulates the same runs per language.)
"""

from __future__ import annotations

import numpy as np

import prioritize as pz
from prioritize import staffing

WITHIN, TARGET = 15.0, 0.8
ENGLISH_AGENTS = 4

frame = pz.synthetic.queries(3_000, seed=7, days=3)
frame["language"] = np.where(np.random.default_rng(7).random(len(frame)) < 0.25, "es", "en")
routes = pz.Routes(
    [
        pz.Route(when={"language": "es"}, require={"es"}),
        pz.Route(when={"language": "en"}, require={"en"}),
    ]
)


def team(bilingual: int) -> pz.Team:
    return pz.Team(
        [
            pz.AgentGroup("english", agents=ENGLISH_AGENTS, skills={"en"}),
            pz.AgentGroup("bilingual", agents=bilingual, skills={"en", "es"}),
        ],
        select="fewest_skills",
    )


# 1. closed forms at the mean rates
hours = (frame["received_at"].max() - frame["received_at"].min()).total_seconds() / 3600
rates = (frame.groupby("language").size() / hours).to_dict()
handle = frame.groupby("language")["handle_minutes"].mean().to_dict()
apart = staffing.independent_pools(
    rates, handle, agents=team(1), within_minutes=WITHIN, target=TARGET
)
together = staffing.pooled(rates, handle, agents=team(1), within_minutes=WITHIN, target=TARGET)
print(
    f"{len(frame):,} queries over {hours:.0f} hours, {rates['es']:.1f}/h in Spanish, "
    f"{rates['en']:.1f}/h in English; target {TARGET:.0%} within {WITHIN:g} min\n"
)
print("Closed forms (Erlang C at the mean rates):")
print(
    f"  independent pools: the Spanish queue alone needs "
    f"{apart.loc['bilingual', 'agents_needed']} bilingual agents, the English "
    f"{apart.loc['english', 'agents_needed']} English ones"
)
print(
    f"  fully pooled: {together.loc['pooled', 'agents_needed']} agents in all, "
    "if everyone spoke both languages\n"
)

# 2. simulate: how many bilingual agents?
equal = pz.policies.equal_treatment()
print(f"Simulated, {ENGLISH_AGENTS} English agents + n bilingual, equal treatment:")
print("  n  Spanish within target (95% CI)   English within target   bilingual occupancy")
chosen = None
for bilingual in range(1, 6):
    result = pz.simulate(frame, equal, agents=team(bilingual), routes=routes, seed=0)
    by_language = pz.simulation.breakdown(result, group="language", within_minutes=WITHIN)
    groups = pz.simulation.breakdown(result, group="agent_group")
    es, en = by_language.loc["es"], by_language.loc["en"]
    print(
        f"  {bilingual}  {es['within_target']:6.1%} ({es['within_target_low']:.1%}-"
        f"{es['within_target_high']:.1%})          {en['within_target']:6.1%}"
        f"                 {groups.loc['bilingual', 'occupancy']:6.1%}"
    )
    if chosen is None and es["within_target"] >= TARGET:
        chosen = bilingual
if chosen is None:
    raise SystemExit("no count up to 5 meets the target: staff more English agents too")
print(f"\n-> {chosen} bilingual agents answer {TARGET:.0%} of the Spanish queue in time\n")

# 3. does an influencer-weighted order hurt the Spanish queue? Paired by query, same stream
policies = {"equal": equal, "influencer": pz.policies.influencer_weighted()}
results = {
    name: pz.simulate(frame, policy, agents=team(chosen), routes=routes, seed=0)
    for name, policy in policies.items()
}
changes = pz.report.baseline_changes(
    results, baseline="equal", group="language", within_minutes=WITHIN
)
print(
    f"With {chosen} bilingual agents, influencer-weighted against equal treatment "
    f"(answered within {WITHIN:g} min; change with its paired 95% interval):"
)
for language, row in changes.loc["influencer"].iterrows():
    print(
        f"  {language}: {row['within_target_baseline']:.1%} -> {row['within_target']:.1%} "
        f"({row['within_target_change'] * 100:+.1f} points, "
        f"{row['within_target_change_low'] * 100:+.1f} to "
        f"{row['within_target_change_high'] * 100:+.1f}); median wait of answered "
        f"{row['median_wait_answered_baseline']:.1f} -> {row['median_wait_answered']:.1f} min"
    )
es = changes.loc[("influencer", "es")]
if es["within_target_change_high"] < 0:
    verdict = "worse off under influencer weighting: the whole interval is below 0"
elif es["within_target_change_low"] > 0:
    verdict = "better off under influencer weighting: the whole interval is above 0"
else:
    verdict = "not measurably changed by influencer weighting: the interval contains 0"
print(f"\nThe Spanish queue is {verdict}.")
