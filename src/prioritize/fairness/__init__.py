"""Fairness measurement: who waits, who is answered, and who gets ahead of whom.

Every function takes *records*: one row per query, as a simulation returns
them (``received_at``, ``started_at``, ``finished_at``, ``wait_minutes``,
``abandoned`` and group columns such as ``follower_band``). A missing
column, a NaN value or a NaT arrival raises :class:`~prioritize.SchemaError`
naming the column and rows; nothing is dropped or filled silently.

* :class:`DisparityFrame` — one statistic (mean, median, percentile, max,
  service-level attainment) overall and by group; difference, ratio,
  four-fifths flags and bootstrap confidence intervals, after fairlearn's
  ``MetricFrame``. :func:`by_group` tabulates several statistics at once.
* :func:`band_figures`, :func:`four_fifths_test`, :func:`wait_ratio_test`,
  :func:`band_changes` — figures by band
  with their n and 95% bootstrap intervals, the four-fifths rule as ``"pass"``,
  ``"fail"`` or ``"too few to tell"`` (:func:`flag_state`; a band below
  :data:`MIN_BAND_QUERIES` queries is never failed), and per band the change against a
  baseline policy on the same stream (paired by query).
* :func:`gini`, :func:`jain`, :func:`generalized_entropy` — inequality of
  waits (or of any non-negative quantity); :func:`entropy_decomposition`
  splits GE(α) into between- and within-group parts.
* :func:`raqfm`, :func:`class_discrimination` — the Resource Allocation
  Queueing Fairness Measure (Raz, Levy, Avi-Itzhak 2004) per query and by
  group, for a queue served by several agents.
* :func:`overtaking` — how often and by how much queries of one group jump
  ahead of earlier arrivals of another.
"""

from prioritize._internal.constants import MIN_BAND_HITS, MIN_BAND_QUERIES
from prioritize.fairness._bands import (
    BANDS,
    WAITS,
    RatioTest,
    Waits,
    band_changes,
    band_figures,
    band_ratio_tests,
    four_fifths_test,
    wait_ratio_test,
)
from prioritize.fairness._disparity import FOUR_FIFTHS, DisparityFrame, by_group
from prioritize.fairness._inequality import (
    EntropyDecomposition,
    entropy_decomposition,
    generalized_entropy,
    gini,
    jain,
)
from prioritize.fairness._overtaking import overtaking
from prioritize.fairness._raqfm import class_discrimination, raqfm
from prioritize.fairness._stats import FAIL, FLAG_STATES, PASS, STATS, TOO_FEW, flag_state

__all__ = [
    "BANDS",
    "FAIL",
    "FLAG_STATES",
    "FOUR_FIFTHS",
    "MIN_BAND_HITS",
    "MIN_BAND_QUERIES",
    "PASS",
    "STATS",
    "TOO_FEW",
    "WAITS",
    "DisparityFrame",
    "EntropyDecomposition",
    "RatioTest",
    "Waits",
    "band_changes",
    "band_figures",
    "band_ratio_tests",
    "by_group",
    "class_discrimination",
    "entropy_decomposition",
    "flag_state",
    "four_fifths_test",
    "generalized_entropy",
    "gini",
    "jain",
    "overtaking",
    "raqfm",
    "wait_ratio_test",
]
