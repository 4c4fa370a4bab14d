"""Purchase history from transaction logs, and models of what a customer is worth.

* :func:`summarize_purchases` turns a transaction log into the canonical
  frame's purchase columns (``purchase_count``, ``total_spend``,
  ``days_since_last_purchase``), one row per customer, as of a moment ``now``.
* :func:`rfm_scores` segments customers into RFM quantile scores ("545").
* :func:`repeat_purchase_summary`, :func:`fit_bgnbd`,
  :func:`expected_purchases`, :func:`fit_gamma_gamma` and
  :func:`expected_value` implement the BG/NBD × Gamma–Gamma customer-value
  model with numpy and scipy (the ``prioritize[value]`` extra, imported on use).

The ``purchase_history`` signal (:mod:`prioritize.signals`) is a fixed,
per-customer RFM blend: it needs no fitting and no other customers, so it can
score one query in microseconds. ``benchmarks/bench_value_cdnow.py`` measures
how well it ranks customers' future spend on the CDNOW transaction log, side
by side with a fitted BG/NBD × Gamma–Gamma prediction.
"""

from prioritize.value._bgnbd import (
    BGNBDParams,
    bgnbd_log_likelihood,
    expected_purchases,
    fit_bgnbd,
    probability_alive,
    simulate_bgnbd,
)
from prioritize.value._gamma_gamma import (
    GammaGammaParams,
    expected_spend,
    expected_value,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from prioritize.value._rfm import rfm_scores
from prioritize.value._summary import repeat_purchase_summary, summarize_purchases

__all__ = [
    "BGNBDParams",
    "GammaGammaParams",
    "bgnbd_log_likelihood",
    "expected_purchases",
    "expected_spend",
    "expected_value",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "probability_alive",
    "repeat_purchase_summary",
    "rfm_scores",
    "simulate_bgnbd",
    "summarize_purchases",
]
