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

With a team (``agents=pz.Team([...])``, ``routes=``, ``retry=``), the same
figures per agent group (occupancy), skill queue, topic, language, tone or
type: ``breakdown(result, group="agent_group")``, or
``compare(..., by="language")``.

Validated against queueing theory in the tests: FIFO M/M/c against Erlang C,
priority classes against Cobham's formula, exponential patience against
Erlang A (M/M/c+M).
"""

from prioritize.simulation._breakdown import (
    AGENT_GROUP,
    AGENT_GROUP_COLUMNS,
    SINGLE_POOL,
    breakdown,
)
from prioritize.simulation._compare import CHANGE_FIELDS, RUN_FIELDS, compare, sweep
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
    "AGENT_GROUP_COLUMNS",
    "CHANGE_FIELDS",
    "CHURN_AFTER_ABANDON",
    "DAYS",
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
    "exposure_contributors",
    "simulate",
    "summarize",
    "sweep",
]
