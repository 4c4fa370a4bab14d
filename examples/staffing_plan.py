"""From a forecast to a staffing plan to a service promise you can publish.
========================================================================

Run::

    python examples/staffing_plan.py

1. Forecast: arrivals per hour of the day on the team's clock (Paris), from
   last week's queries (here a synthetic week).
2. Plan: the agents each hour needs to answer 80% within 15 minutes
   (Erlang C per hour: the usual workforce-management approximation).
3. Check: simulate *next* week (a new stream) with those shifts under the
   balanced policy; customers give up when they run out of patience.
4. Promise: state only what the simulated week achieved, e.g. "We answer
   90% of public mentions within 15 minutes ..." (never more).
"""

from __future__ import annotations

import pandas as pd

import prioritize as pz
from prioritize import staffing
from prioritize.report import promise
from prioritize.simulation import Shift, simulate

TZ = "Europe/Paris"
TARGET, WITHIN = 0.8, 15.0  # answer 80% within 15 minutes

last_week = pz.synthetic.queries(5_000, seed=11, days=7)
handle = float(last_week["handle_minutes"].mean())

# 1. forecast: mean arrivals in each hour of the local day over the week
hourly = staffing.arrivals_per_interval(last_week, interval_minutes=60, tz=TZ)
forecast = hourly.groupby(hourly.index.hour)["arrivals"].mean().to_frame()
forecast.index.name = "hour"

# 2. plan: agents per hour for the target
plan = staffing.plan_intervals(
    forecast, handle_minutes=handle, target=TARGET, within_minutes=WITHIN, interval_minutes=60
)
print(f"Mean handle time {handle:.1f} min; target {TARGET:.0%} within {WITHIN:g} min ({TZ})\n")
print(plan.round({"arrivals": 1, "arrivals_per_hour": 1, "service_level": 3, "occupancy": 3})
      .to_string())  # fmt: skip
print(f"\n{int(plan['agents'].sum())} agent-hours a day, at most {plan['agents'].max()} at once")

# the plan as shifts: one hour-long shift per hour of the day, every day
shifts = [
    Shift(start=f"{hour:02d}:00", end=f"{hour + 1:02d}:00" if hour < 23 else "24:00",
          count=int(agents), tz=TZ)
    for hour, agents in plan["agents"].items()
    if agents > 0
]  # fmt: skip

# 3. check: next week, the balanced policy, these shifts
next_week = pz.synthetic.queries(5_000, seed=12, days=7)
result = simulate(next_week, pz.policies.balanced(), agents=shifts, seed=0)
s = result.summary
print(
    f"\nSimulated next week: {s['served']:,} answered, {s['abandoned']:,} gave up "
    f"({s['abandon_rate']:.1%}); mean wait {s['mean_wait_minutes']:.1f} min, "
    f"p90 {s['p90_wait_minutes']:.1f} min"
)

# 4. promise: only what the simulation shows (giving up counts as unanswered); the
#    plan was made for 80%, the team publishes a 90% promise if the week supports it
pledge = promise(result, target=0.9)
print(f"\nPublished promise: {pledge.text}")
for note in pledge.notes:
    print(f"  note: {note}")
figures = pledge.figures[["queries", "gave_up", "within_5", "within_15", "within_60", "within_240"]]
print("\nThe figures behind it (share of each segment answered within N minutes):")
print(figures.round(3).to_string())
in_plan = float((plan["service_level"] * plan["arrivals"]).sum() / plan["arrivals"].sum())
answered = pd.Series(result.records["wait_minutes"] <= WITHIN) & ~result.records["abandoned"]
why = (
    "customers who give up shorten the queue for the others"
    if answered.mean() >= in_plan
    else "giving up and uneven arrivals within each hour cost the difference"
)
print(
    f"\nErlang C planned {in_plan:.1%} within {WITHIN:g} min; the simulation answered "
    f"{answered.mean():.1%} ({why})"
)
