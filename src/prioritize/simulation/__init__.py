"""Policy simulator: replay a stream of queries through a policy with real staffing.

The same stream, the same agents, different policies, side by side::

    import prioritize as pz
    frame = pz.synthetic.queries(20_000, seed=0)
    result = pz.simulate(frame, pz.policies.influencer_weighted(), agents=6, seed=0)
    result.summary                 # waits, abandonment, value lost, fairness
    result.abandonment             # how abandonment was modelled, in one line
    table = pz.compare(frame, {"equal": pz.policies.equal_treatment(),
                               "influencer": pz.policies.influencer_weighted()},
                       agents=6, seed=0)

Teams with skills, capacity per channel and retries::

    team = pz.Team([pz.AgentGroup("es", agents=3, skills={"es"}),
                    pz.AgentGroup("all", agents=4, skills={"es", "en"}, capacity={"chat": 3})])
    result = pz.simulate(frame, policy, agents=team, seed=0,
                         retry=pz.Retry(probability=0.75, after_minutes=20))
    result.records[["agent_group", "skills", "attempt", "first_query_id"]]

The figures per agent group (occupancy), skill queue, topic, language, tone
or type: ``breakdown(result, group="agent_group")``, or ``compare(...,
by="language")``.

Validated against queueing theory in the tests: FIFO M/M/c against Erlang C,
priority classes against Cobham's formula, exponential patience against
Erlang A (M/M/c+M); teams: disjoint groups as independent Erlang C pools,
full flexibility as the pooled Erlang C, an N-design under FCFS-ALIS against
its Markov chain.
"""

from prioritize.simulation._breakdown import (
    AGENT_GROUP,
    AGENT_GROUP_COLUMNS,
    SINGLE_POOL,
    breakdown,
)
from prioritize.simulation._compare import (
    AGENT_GROUP_CHANGE_FIELDS,
    BY_CHANGE_FIELDS,
    CHANGE_FIELDS,
    RUN_FIELDS,
    compare,
    compare_runs,
    sweep,
)
from prioritize.simulation._models import (
    SURVEY_PATIENCE_MINUTES,
    ChannelLogNormal,
    Constant,
    DurationModel,
    Exponential,
    LogNormal,
    Patience,
    PatienceLike,
    SurveyPatience,
)
from prioritize.simulation._people import (
    EVERYONE,
    PEOPLE_CHANGE_COLUMNS,
    people_changes,
    people_records,
)
from prioritize.simulation._result import (
    CHURN_AFTER_ABANDON,
    QUERY_COLUMNS,
    RECORD_COLUMNS,
    SUMMARY_FIELDS,
    SimulationResult,
    band_ratios,
    exposure_contributors,
    summarize,
)
from prioritize.simulation._schedule import DAYS, Shift, capacity_changes
from prioritize.simulation._simulate import Agents, simulate

__all__ = [
    "AGENT_GROUP",
    "AGENT_GROUP_CHANGE_FIELDS",
    "AGENT_GROUP_COLUMNS",
    "BY_CHANGE_FIELDS",
    "CHANGE_FIELDS",
    "CHURN_AFTER_ABANDON",
    "DAYS",
    "EVERYONE",
    "PEOPLE_CHANGE_COLUMNS",
    "QUERY_COLUMNS",
    "RECORD_COLUMNS",
    "RUN_FIELDS",
    "SINGLE_POOL",
    "SUMMARY_FIELDS",
    "SURVEY_PATIENCE_MINUTES",
    "Agents",
    "ChannelLogNormal",
    "Constant",
    "DurationModel",
    "Exponential",
    "LogNormal",
    "Patience",
    "PatienceLike",
    "Shift",
    "SimulationResult",
    "SurveyPatience",
    "band_ratios",
    "breakdown",
    "capacity_changes",
    "compare",
    "compare_runs",
    "exposure_contributors",
    "people_changes",
    "people_records",
    "simulate",
    "summarize",
    "sweep",
]
