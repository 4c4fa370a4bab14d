"""Does the ``purchase_history`` signal predict customer value? Measured on CDNOW.

CDNOW is a real transaction log: every purchase of the 23,570 customers who
first bought from the online CD store CDNOW in the first quarter of 1997,
until June 1998 (Fader, Hardie & Lee 2005). The ``lifetimes`` package ships
it. We split at 1997-09-30 (39 weeks of calibration, 39 weeks of holdout),
compute each predictor from the calibration period only, and report the
Spearman rank correlation with each customer's spend in the holdout, plus
the share of all holdout spend captured by the top 20% of customers ranked
by the predictor (ties shared proportionally, so no predictor gains from
row order). Predictors:

* the ``purchase_history`` signal (default parameters and a few others),
  from :func:`prioritize.value.summarize_purchases`;
* a BG/NBD × Gamma–Gamma prediction of holdout spend fitted with
  ``lifetimes`` (the reference implementation), and the same model fitted
  with ``prioritize.value``;
* single-feature baselines (purchase count, spend, recency).

It also checks ``fit_bgnbd`` / ``fit_gamma_gamma`` against the published
CDNOW estimates. Run with the bench extra installed::

    .venv/bin/pip install -e ".[bench]"     # lifetimes, setuptools<81, scipy
    .venv/bin/python benchmarks/bench_value_cdnow.py
"""

from __future__ import annotations

import importlib.resources
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from prioritize.signals import VECTOR, PurchaseParams, purchase_history
from prioritize.value import (
    expected_value,
    fit_bgnbd,
    fit_gamma_gamma,
    repeat_purchase_summary,
    summarize_purchases,
)

with warnings.catch_warnings():
    # lifetimes sets a pandas option that pandas 3 deprecates; harmless here.
    warnings.simplefilter("ignore")
    import lifetimes
    from lifetimes.utils import summary_data_from_transaction_data

SPLIT = pd.Timestamp("1997-09-30", tz="UTC")
END = pd.Timestamp("1998-06-30", tz="UTC")
WEEKS = 7.0
HOLDOUT_WEEKS = (END - SPLIT).days / WEEKS  # 39 weeks
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GG = {"p": 6.25, "q": 3.74, "v": 15.44}
BOOTSTRAP = 200


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def load_cdnow() -> pd.DataFrame:
    """The full CDNOW log: customer_id, purchased_at (UTC day), quantity, amount."""
    path = importlib.resources.files(lifetimes) / "datasets" / "CDNOW_master.txt"
    with importlib.resources.as_file(path) as file:
        raw = pd.read_csv(
            file,
            sep=r"\s+",
            skiprows=1,
            header=None,
            names=["customer_id", "date", "quantity", "amount"],
            dtype={"customer_id": "str", "date": "str"},
        )
    raw["purchased_at"] = pd.to_datetime(raw["date"], format="%Y%m%d").dt.tz_localize("UTC")
    return raw.drop(columns="date")


def top_share(prediction: np.ndarray, truth: np.ndarray, share: float = 0.2) -> float:
    """Share of total ``truth`` held by the top ``share`` by ``prediction`` (ties pro rata)."""
    frame = pd.DataFrame({"p": prediction, "y": truth})
    groups = frame.groupby("p", sort=True)["y"].agg(["sum", "size"]).iloc[::-1]
    slots = share * len(frame)
    taken = np.minimum(
        np.maximum(slots - (groups["size"].cumsum() - groups["size"]), 0), groups["size"]
    )
    return float((groups["sum"] * taken / groups["size"]).sum() / frame["y"].sum())


def rho(prediction: np.ndarray, truth: np.ndarray) -> float:
    return float(spearmanr(prediction, truth).statistic)


def bootstrap_difference(
    a: np.ndarray, b: np.ndarray, truth: np.ndarray, seed: int = 0
) -> tuple[float, float]:
    """95% paired-bootstrap interval of rho(a) - rho(b) over customers."""
    rng = np.random.default_rng(seed)
    n = len(truth)
    diffs = []
    for _ in range(BOOTSTRAP):
        pick = rng.integers(0, n, size=n)
        diffs.append(rho(a[pick], truth[pick]) - rho(b[pick], truth[pick]))
    low, high = np.percentile(diffs, [2.5, 97.5])
    return float(low), float(high)


def lifetimes_clv(calibration: pd.DataFrame, index: pd.Index) -> pd.Series:
    """BG/NBD × Gamma–Gamma expected holdout spend, fitted with lifetimes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        naive = calibration.assign(purchased_at=calibration["purchased_at"].dt.tz_localize(None))
        rfm = summary_data_from_transaction_data(
            naive,
            "customer_id",
            "purchased_at",
            monetary_value_col="amount",
            observation_period_end=SPLIT.tz_localize(None),
            freq="D",
        )
        rfm[["recency", "T"]] /= WEEKS
        bgf = lifetimes.BetaGeoFitter().fit(rfm["frequency"], rfm["recency"], rfm["T"])
        # Gamma–Gamma needs positive mean spend; $0 repeat purchases exist in CDNOW.
        repeat = rfm[(rfm["frequency"] > 0) & (rfm["monetary_value"] > 0)]
        ggf = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
        purchases = bgf.conditional_expected_number_of_purchases_up_to_time(
            HOLDOUT_WEEKS, rfm["frequency"], rfm["recency"], rfm["T"]
        )
        # frequency 0 -> the population mean spend p v / (q - 1), by the same formula.
        spend = ggf.conditional_expected_average_profit(rfm["frequency"], rfm["monetary_value"])
    print(
        "  lifetimes BG/NBD:",
        ", ".join(f"{k}={v:.3f}" for k, v in bgf.params_.items()),
        "| Gamma-Gamma:",
        ", ".join(f"{k}={v:.3f}" for k, v in ggf.params_.items()),
    )
    return (purchases * spend).reindex(index)


def own_clv(log: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The same model fitted with prioritize.value (numpy + scipy.optimize)."""
    rfm = repeat_purchase_summary(
        log, now=SPLIT, at="purchased_at", unit_days=WEEKS, drop_after_now=True
    )
    cohort = rfm[rfm["T"].notna()]
    bg = fit_bgnbd(cohort["frequency"], cohort["recency"], cohort["T"])
    repeat = cohort[cohort["frequency"] > 0]
    gg = fit_gamma_gamma(repeat["frequency"], repeat["monetary_value"])
    print(
        f"  prioritize BG/NBD: r={bg.r:.3f}, alpha={bg.alpha:.3f}, a={bg.a:.3f}, b={bg.b:.3f} "
        f"| Gamma-Gamma: p={gg.p:.3f}, q={gg.q:.3f}, v={gg.v:.3f}"
    )
    value = expected_value(
        bg,
        gg,
        HOLDOUT_WEEKS,
        cohort["frequency"],
        cohort["recency"],
        cohort["T"],
        cohort["monetary_value"],
    )
    # Customers whose calibration purchases were all $0 have no positive purchase:
    # they are outside the cohort and predicted to spend nothing.
    return pd.Series(value, index=cohort.index).reindex(index, fill_value=0.0)


def check_published() -> None:
    data = importlib.resources.files(lifetimes) / "datasets"
    with importlib.resources.as_file(data / "cdnow_customers_summary.csv") as file:
        summary = pd.read_csv(file, index_col=0)
    with importlib.resources.as_file(data / "cdnow_customers_summary_with_transactions.csv") as f:
        money = pd.read_csv(f, index_col=0)
    (bg, t_bg) = timed(lambda: fit_bgnbd(summary["frequency"], summary["recency"], summary["T"]))
    repeat = money[money["x"] > 0]
    (gg, t_gg) = timed(lambda: fit_gamma_gamma(repeat["x"], repeat["zbar"]))
    print("Published CDNOW estimates (2,357-customer sample, weeks) vs prioritize.value:")
    for name, published in PUBLISHED_BGNBD.items():
        print(f"  BG/NBD {name:>5}: published {published:7.3f}  fitted {getattr(bg, name):7.3f}")
    for name, published in PUBLISHED_GG.items():
        print(f"  GG     {name:>5}: published {published:7.3f}  fitted {getattr(gg, name):7.3f}")
    print(f"  fit times: BG/NBD {t_bg * 1e3:.0f} ms, Gamma-Gamma {t_gg * 1e3:.0f} ms\n")


def main() -> None:
    check_published()
    log, t_load = timed(load_cdnow)
    print(
        f"CDNOW: {len(log):,} transactions, {log['customer_id'].nunique():,} customers, "
        f"{int((log['amount'] <= 0).sum())} with amount <= 0 (loaded in {t_load:.2f} s)"
    )
    summary, t_summary = timed(
        lambda: summarize_purchases(log, now=SPLIT, at="purchased_at", drop_after_now=True)
    )
    holdout = log[log["purchased_at"] > SPLIT]
    truth = (
        holdout.groupby("customer_id")["amount"].sum().reindex(summary.index, fill_value=0.0)
    ).to_numpy()
    print(
        f"summarize_purchases: {len(summary):,} customers in {t_summary * 1e3:.0f} ms; "
        f"{(truth > 0).mean():.1%} bought in the holdout "
        f"({SPLIT.date()} to {END.date()}, {HOLDOUT_WEEKS:.0f} weeks)"
    )
    count = summary["purchase_count"].to_numpy(dtype=np.float64)
    spend = summary["total_spend"].to_numpy()
    days = summary["days_since_last_purchase"].to_numpy()

    def signal(params: PurchaseParams) -> np.ndarray:
        return np.asarray(purchase_history(count, spend, days, params, VECTOR))

    default, t_signal = timed(lambda: signal(PurchaseParams()))
    print(f"purchase_history signal: {len(count):,} customers in {t_signal * 1e3:.1f} ms\n")

    calibration = log[log["purchased_at"] <= SPLIT]
    ref, t_ref = timed(lambda: lifetimes_clv(calibration, summary.index).to_numpy())
    own, t_own = timed(lambda: own_clv(log, summary.index).to_numpy())
    print(f"  fit + predict: lifetimes {t_ref:.2f} s, prioritize.value {t_own:.2f} s\n")
    assert not (np.isnan(ref).any() or np.isnan(own).any()), "a customer has no prediction"

    rows: list[tuple[str, np.ndarray]] = [
        ("purchase_history (defaults)", default),
        ("BG/NBD x Gamma-Gamma (lifetimes)", ref),
        ("BG/NBD x Gamma-Gamma (prioritize.value)", own),
        ("purchase_count only", count),
        ("total_spend only", spend),
        ("recency only (-days, never = -inf)", np.nan_to_num(-days, nan=-np.inf)),
    ]
    variants = {
        "half-life 30 d": PurchaseParams(recency_half_life_days=30),
        "half-life 180 d": PurchaseParams(recency_half_life_days=180),
        "half-life 365 d": PurchaseParams(recency_half_life_days=365),
        "weights R.2 F.6 M.2": PurchaseParams(
            recency_weight=0.2, frequency_weight=0.6, monetary_weight=0.2
        ),
        "weights R.6 F.2 M.2": PurchaseParams(
            recency_weight=0.6, frequency_weight=0.2, monetary_weight=0.2
        ),
        "weights R.3 F.3 M.4": PurchaseParams(
            recency_weight=0.3, frequency_weight=0.3, monetary_weight=0.4
        ),
        "spend saturation 500": PurchaseParams(spend_saturation=500),
        "frequency saturation 5": PurchaseParams(frequency_saturation=5),
    }
    rows += [(f"purchase_history ({name})", signal(p)) for name, p in variants.items()]
    print(f"{'predictor (calibration period only)':<45} {'Spearman':>8} {'top-20% share':>14}")
    for name, prediction in rows:
        print(f"{name:<45} {rho(prediction, truth):8.4f} {top_share(prediction, truth):14.1%}")
    (low, high), t_boot = timed(lambda: bootstrap_difference(default, ref, truth))
    print(
        f"\nSpearman(signal) - Spearman(BG/NBD x GG, lifetimes): "
        f"{rho(default, truth) - rho(ref, truth):+.4f}, 95% paired bootstrap interval "
        f"[{low:+.4f}, {high:+.4f}] ({BOOTSTRAP} resamples, {t_boot:.1f} s)"
    )
    name, best = max(rows[6:], key=lambda row: rho(row[1], truth))
    low, high = bootstrap_difference(best, default, truth)
    print(
        f"best variant {name}: Spearman {rho(best, truth) - rho(default, truth):+.4f} over "
        f"the defaults, 95% interval [{low:+.4f}, {high:+.4f}]"
    )


if __name__ == "__main__":
    main()
