"""Reports: a policy comparison as tables, a reading, a service promise and an HTML page.

* :func:`promise` — the service a team can honestly publish ("We answer 80%
  of public mentions within 1 hour and every message within 24 hours"),
  read off simulated records, never claiming more than they show; from
  several runs (replications), only what holds in every one.
* :func:`html_report`, :func:`write_report` — a self-contained HTML page
  (inline SVG charts, no network) comparing simulated policies: waits by
  follower band, service level by group against a target, the frontier of
  expected loss against fairness over a weight sweep, queue length over
  time, and the tables; with a team or classified queries, a section per
  agent group (occupancy), skill queue, topic, language, tone and type
  (:data:`BREAKDOWNS`). Needs matplotlib (``pip install 'prioritize[plot]'``),
  imported only when a report is drawn.
* :func:`band_table`, :func:`summary_table`, :func:`queue_over_time`,
  :func:`pareto_front`, :func:`influence_sweep`, :func:`baseline_changes`,
  :func:`breakdowns` (which columns to break down by, each partition once),
  :func:`people_table` (people answered at all, paired by person),
  :func:`reading` — the
  numbers behind the charts, without matplotlib.

Example::

    import prioritize as pz
    from prioritize.simulation import simulate
    frame = pz.synthetic.queries(5_000, seed=0)
    results = {name: simulate(frame, make(), agents=4, seed=0)
               for name, make in pz.policies.PRESETS.items()}
    print(pz.report.reading(results, within_minutes=60))  # read against fifo
    pz.report.baseline_changes(results)  # per band: median wait, in time, gave up; 95% CIs
    sweep = pz.report.influence_sweep(frame, agents=4)
    pz.report.write_report("report.html", results, sweep=sweep)
"""

from prioritize.report._html import BREAKDOWNS, DEFAULT_TITLE, html_report, write_report
from prioritize.report._plots import WAIT_BUCKETS, wait_buckets
from prioritize.report._promise import (
    DEFAULT_WITHIN,
    Promise,
    PromiseClause,
    promise,
)
from prioritize.report._reading import reading
from prioritize.report._tables import (
    BAND_COLUMNS,
    FOLLOWER_WEIGHTS,
    NO_SKILL,
    VALUE_WEIGHTS,
    Breakdown,
    band_table,
    baseline_changes,
    breakdowns,
    influence_policy,
    influence_sweep,
    pareto_front,
    people_table,
    queue_over_time,
    summary_table,
)

__all__ = [
    "BAND_COLUMNS",
    "BREAKDOWNS",
    "DEFAULT_TITLE",
    "DEFAULT_WITHIN",
    "FOLLOWER_WEIGHTS",
    "NO_SKILL",
    "VALUE_WEIGHTS",
    "WAIT_BUCKETS",
    "Breakdown",
    "Promise",
    "PromiseClause",
    "band_table",
    "baseline_changes",
    "breakdowns",
    "html_report",
    "influence_policy",
    "influence_sweep",
    "pareto_front",
    "people_table",
    "promise",
    "queue_over_time",
    "reading",
    "summary_table",
    "wait_buckets",
    "write_report",
]
