"""``prioritize demo``: a synthetic backlog ranked under the five presets."""

from __future__ import annotations

import pandas as pd

from prioritize import synthetic
from prioritize.models import follower_band, value_band
from prioritize.policies import PRESETS

__all__ = ["run_demo", "who_goes_first"]

_HOURS = 4.0


def who_goes_first(frame: pd.DataFrame, now: pd.Timestamp, top_share: float = 0.1) -> pd.DataFrame:
    """Per preset: the share of each follower/value band in the first ``top_share`` of the order."""
    rows = {}
    bands = pd.DataFrame(
        {
            "followers": follower_band(frame["followers"]),
            "value": value_band(frame["lifetime_value"]),
        },
        index=frame.index,
    )
    base = {
        f"all {kind} {label}": float((bands[kind] == label).mean())
        for kind in ("followers",)
        for label in bands[kind].cat.categories
    }
    cut = max(1, round(top_share * len(frame)))
    for name, make in PRESETS.items():
        ranked = make().rank(frame, now=now.to_pydatetime())
        first = bands.loc[ranked.index[:cut]]
        row: dict[str, float] = {}
        for kind in ("followers", "value"):
            shares = first[kind].value_counts(normalize=True)
            for label in bands[kind].cat.categories:
                row[f"{kind} {label}"] = float(shares.get(label, 0.0))
        row["median wait of first (min)"] = float(
            (now - frame.loc[ranked.index[:cut], "received_at"]).dt.total_seconds().median() / 60
        )
        rows[name] = row
    table = pd.DataFrame(rows).T
    table.attrs["backlog_share"] = base
    return table


def run_demo(n: int = 2000, seed: int = 0, top: int = 5) -> None:
    """Print who goes first under each preset, and why."""
    frame = synthetic.queries(n, seed=seed, days=_HOURS / 24.0)
    now = frame["received_at"].max() + pd.Timedelta(minutes=1)
    bands = pd.Series(follower_band(frame["followers"]))
    print(
        f"A backlog of {n} synthetic queries received over the last {_HOURS:g} hours "
        f"(seed {seed}), ranked at {now:%Y-%m-%d %H:%M} UTC.\n"
        "Backlog by follower band: "
        + ", ".join(f"{k} {v:.0%}" for k, v in bands.value_counts(normalize=True).items())
        + "\n"
    )
    pd.set_option("display.width", 160)
    pd.set_option("display.max_columns", 20)
    for name, make in PRESETS.items():
        policy = make()
        ranked = policy.rank(frame, now=now.to_pydatetime())
        print(f"== {name}: {policy.description}")
        for idx in ranked.index[:top]:
            row = frame.loc[idx]
            waited = (now - row["received_at"]).total_seconds() / 60
            print(
                f"  {int(ranked.loc[idx, 'rank']):>2}. {row['query_id']} {row['channel']:<9} "
                f"followers {int(row['followers']):>9,} value {row['lifetime_value']:>8,.0f} "
                f"waited {waited:5.0f} min  score {ranked.loc[idx, 'score']:.3f}  "
                f"{_why(ranked.loc[idx])}"
            )
            print(f"      “{row['text']}”")
        print()
    table = who_goes_first(frame, now)
    shown = table.copy()
    for col in shown.columns:
        if col.startswith(("followers", "value")):
            shown[col] = (shown[col] * 100).map(lambda v: f"{v:4.0f}%")
        else:
            shown[col] = shown[col].map(lambda v: f"{v:6.0f}")
    print("Who fills the first 10% of the queue (share by band; compare with the backlog above):")
    print(shown.to_string())
    print()
    print(_reading(table))


def _why(row: pd.Series) -> str:
    parts = {
        k: float(row[k])
        for k in ("urgency", "follower_reach", "crm_value", "purchase_history", "aging")
    }
    if bool(row.get("overdue", False)):
        return "why: overdue (max wait passed)"
    ranked = sorted(((v, k) for k, v in parts.items() if v > 0), reverse=True)[:2]
    if not ranked:
        return "why: arrival order"
    return "why: " + ", ".join(f"{k} {v:.2f}" for v, k in ranked)


def _reading(table: pd.DataFrame) -> str:
    big = "followers 100k+"
    inf = float(table.loc["influencer_weighted", big])
    eq = float(table.loc["equal_treatment", big])
    fifo = float(table.loc["fifo", big])
    small = "followers <1k"
    return (
        "Reading: customers with 100k+ followers make up "
        f"{fifo:.0%} of the first tenth under FIFO (their share of arrivals), "
        f"{inf:.0%} under influencer_weighted and {eq:.0%} under equal_treatment. "
        "Influencer weighting buys the loudest a faster answer; every place they gain is "
        "a place an ordinary customer loses (customers under 1k followers fill "
        f"{float(table.loc['influencer_weighted', small]):.0%} of the first tenth there, "
        f"{float(table.loc['equal_treatment', small]):.0%} under equal_treatment). "
        "balanced caps what followers can add and ages waiting queries so nobody starves. "
        "Simulate waits, abandonment and value at risk with the same stream before choosing."
    )
