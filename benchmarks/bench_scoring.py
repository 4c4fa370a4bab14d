"""Benchmark: ``score_frame`` vs a hand-written numpy expression vs DuckDB SQL, and
``Policy.score`` latency. Ratios are measured in the same run.

Run: ``make bench`` or ``python benchmarks/bench_scoring.py [--rows N]``.
The policy is the ``balanced`` preset (all four signals, a cap, aging): the
numpy and SQL versions spell out exactly the same formula.

``--latency-only`` measures only ``Policy.score`` (against the lean
hand-inlined contender); ``--versus SRC`` also measures the package found in
the source tree ``SRC`` (e.g. ``../main/src``, the version before a change):
the two run in alternating subprocesses, each against its own lean contender,
and the best of each is printed side by side. ``--breakdown`` adds the
contenders that split a never-seen text's cost (issue 12 §8): the lexicon's
one-call scorer alone, and the lexicon with the lean scorer or with
``Policy.score`` (urgency given) in one call, then prints the parts.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

import prioritize as pz


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


_LOG_VALUE, _LOG_REACH = math.log1p(1e4), math.log1p(1e6)
_LOG_COUNT, _LOG_SPEND = math.log1p(20.0), math.log1p(5000.0)
_RECENCY = -math.log(2) / 90.0


def lean_score(q: pz.Query, c: pz.Customer, now: datetime) -> tuple[str, float, tuple]:
    """The balanced preset's score of one query with urgency given, hand-inlined: the floor."""
    if q.customer_id != c.customer_id:
        raise ValueError("customer mismatch")
    value = math.log1p(c.lifetime_value) / _LOG_VALUE
    value = 1.0 if value > 1.0 else value
    reach = math.log1p(c.followers) / _LOG_REACH
    reach = 1.0 if reach > 1.0 else reach
    days = c.days_since_last_purchase
    recency = 0.0 if days is None else math.exp(days * _RECENCY)
    freq = math.log1p(c.purchase_count) / _LOG_COUNT
    money = math.log1p(c.total_spend) / _LOG_SPEND
    freq = 1.0 if freq > 1.0 else freq
    money = 1.0 if money > 1.0 else money
    history = 0.4 * recency + 0.4 * freq + 0.2 * money
    reach_points = 0.2 * reach
    reach_points = 0.1 if reach_points > 0.1 else reach_points
    total = 0.25 * value + 0.15 * history + reach_points + 0.4 * q.urgency
    delta = now - q.received_at
    waited = ((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds) / 6e7
    aging = waited * (0.25 / 60.0)
    return q.query_id, total + aging, (value, history, reach, q.urgency, waited)


def numpy_formula(frame: pd.DataFrame, now: pd.Timestamp) -> np.ndarray:
    """The balanced preset's score, hand-written in numpy (no validation)."""
    followers = frame["followers"].to_numpy(dtype=np.float64)
    ltv = frame["lifetime_value"].to_numpy(dtype=np.float64)
    count = frame["purchase_count"].to_numpy(dtype=np.float64)
    spend = frame["total_spend"].to_numpy(dtype=np.float64)
    days = frame["days_since_last_purchase"].to_numpy(dtype=np.float64)
    urgency = frame["urgency"].to_numpy(dtype=np.float64)
    received = frame["received_at"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    reach = np.minimum(np.log1p(followers) / math.log1p(1e6), 1.0)
    value = np.minimum(np.log1p(ltv) / math.log1p(1e4), 1.0)
    recency = np.nan_to_num(np.exp(days * (-math.log(2) / 90.0)), nan=0.0)
    freq = np.minimum(np.log1p(count) / math.log1p(20.0), 1.0)
    money = np.minimum(np.log1p(spend) / math.log1p(5000.0), 1.0)
    history = 0.4 * recency + 0.4 * freq + 0.2 * money
    waited = (now.value - received) / 6e10
    return (
        0.25 * value
        + 0.15 * history
        + np.minimum(0.2 * reach, 0.1)
        + 0.4 * urgency
        + (0.25 / 60.0) * waited
    )


SQL = """
SELECT
    0.25 * least(ln(1 + lifetime_value) / ln(1 + 10000.0), 1.0)
  + 0.15 * (0.4 * coalesce(exp(days_since_last_purchase * (-ln(2) / 90.0)), 0.0)
          + 0.4 * least(ln(1 + purchase_count) / ln(1 + 20.0), 1.0)
          + 0.2 * least(ln(1 + total_spend) / ln(1 + 5000.0), 1.0))
  + least(0.2 * least(ln(1 + followers) / ln(1 + 1000000.0), 1.0), 0.1)
  + 0.4 * urgency
  + (0.25 / 60.0) * (epoch_us(TIMESTAMPTZ '{now}') - epoch_us(received_at)) / 60e6
  AS score
FROM frame
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--latency-only", action="store_true", help="only Policy.score latency")
    parser.add_argument("--versus", metavar="SRC", help="also time the package in this src tree")
    parser.add_argument("--rounds", type=int, default=5, help="--versus: subprocess pairs")
    parser.add_argument("--runs", type=int, default=7, help="interleaved runs per contender")
    parser.add_argument(
        "--breakdown", action="store_true", help="split a never-seen text's cost into parts"
    )
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.latency_only or args.versus or args.breakdown:
        latency_main(args)
        return

    print(f"building a synthetic frame of {args.rows:,} rows …", flush=True)
    frame = pz.synthetic.queries(args.rows, seed=0)
    frame = frame[[c for c in frame.columns if c != "text"]]  # urgency is given
    policy = pz.policies.balanced()
    now = frame["received_at"].max() + pd.Timedelta(minutes=1)
    now_dt = now.to_pydatetime()

    ours = policy.score_frame(frame, now=now_dt)["score"].to_numpy()
    ref = numpy_formula(frame, now)
    assert np.allclose(ours, ref, rtol=1e-12, atol=1e-12), "formulas differ"

    results: dict[str, float] = {}
    results["numpy expression (no validation)"] = best_of(
        lambda: numpy_formula(frame, now), args.repeat
    )
    results["score_frame (full validation)"] = best_of(
        lambda: policy.score_frame(frame, now=now_dt), args.repeat
    )
    results["score_frame (validate='read')"] = best_of(
        lambda: policy.score_frame(frame, now=now_dt, validate="read"), args.repeat
    )
    try:
        import duckdb
    except ImportError:
        print("duckdb not installed (pip install -e '.[bench]'): skipping the SQL comparison")
    else:
        con = duckdb.connect()
        con.register("frame", frame)
        sql = SQL.format(now=now.isoformat())
        got = con.execute(sql).fetchnumpy()["score"]
        assert np.allclose(got, ref, rtol=1e-9, atol=1e-9), "SQL formula differs"
        results["DuckDB SQL (same formula)"] = best_of(
            lambda: con.execute(sql).fetchnumpy(), args.repeat
        )

    # A per-row Python loop through Policy.score, on a sample, scaled up.
    objs = query_objects(frame.head(20_000))
    loop = best_of(lambda: [policy.score(q, c, now=now_dt) for q, c in objs], 3)
    results["per-row loop of Policy.score (scaled)"] = loop * len(frame) / len(objs)

    base = results["numpy expression (no validation)"]
    print(f"\nscore_frame on {len(frame):,} rows, balanced preset (best of {args.repeat}):")
    for name, seconds in results.items():
        print(f"  {name:<40} {seconds * 1000:9.1f} ms   {seconds / base:6.2f}x numpy")
    if "DuckDB SQL (same formula)" in results:
        ratio = results["DuckDB SQL (same formula)"] / results["score_frame (full validation)"]
        print(f"  DuckDB / score_frame (full validation): {ratio:.2f}")
    print_latency(latency(objs[0]))


def query_objects(sample: pd.DataFrame) -> list[tuple[pz.Query, pz.Customer]]:
    """The rows of a query frame as (Query, Customer) pairs."""
    rows = list(sample.itertuples(index=False))
    objs = []
    for r in rows:
        days = r.days_since_last_purchase
        objs.append(
            (
                pz.Query(
                    query_id=r.query_id,
                    customer_id=r.customer_id,
                    received_at=r.received_at.to_pydatetime(),
                    channel=r.channel,
                    urgency=r.urgency,
                ),
                pz.Customer(
                    customer_id=r.customer_id,
                    followers=int(r.followers),
                    lifetime_value=r.lifetime_value,
                    purchase_count=int(r.purchase_count),
                    total_spend=r.total_spend,
                    days_since_last_purchase=None if math.isnan(days) else days,
                ),
            )
        )
    return objs


LEAN = "lean hand-inlined balanced, urgency given"


LEXICON = "lexicon scorer alone, new text each call"
WITH_LEAN = "lexicon + lean in one call, new text"
WITH_GIVEN = "lexicon + balanced urgency given, one call"
NEW_TEXT = f"{'balanced':<20} urgency, new text each call"
GIVEN = f"{'balanced':<20} urgency given"


def latency(
    pair: tuple[pz.Query, pz.Customer], runs: int = 7, *, breakdown: bool = False
) -> dict[str, float]:
    """Seconds per ``Policy.score`` call, per contender: the best of ``runs`` interleaved runs.

    CPU time of this process (time.process_time), so other processes on a
    shared machine count less; each run is 20,000 calls. ``breakdown``: also
    the lexicon's scorer (the function a policy calls for a text it has not
    seen) on the same new texts, alone and in one call with the lean scorer
    or with ``Policy.score`` given the urgency (see :func:`print_breakdown`).
    """
    q, c = pair
    q_text = q.model_copy(
        update={"urgency": None, "text": "Third time asking: still waiting for my refund!!"}
    )
    later = q.received_at + timedelta(minutes=30)
    policy = pz.policies.balanced()
    assert math.isclose(
        lean_score(q, c, later)[1], policy.score(q, c, now=later).value, rel_tol=1e-12
    )
    contenders: dict[str, Callable[[], object]] = {LEAN: lambda: lean_score(q, c, later)}
    for label, query in (("urgency given", q), ("urgency from text (48 chars)", q_text)):
        for pname in ("balanced", "influencer_weighted", "fifo"):
            pol = pz.policies.PRESETS[pname]()
            contenders[f"{pname:<20} {label}"] = lambda pol=pol, query=query: pol.score(
                query, c, now=later
            )
    # Every call a text the policy has not seen (48 chars, the same cues): the
    # lexicon's full cost, past the policy's cache of recent texts.
    texts = [f"Third time asking: still waiting, refund {i:05d}!!" for i in range(20_000)]
    fresh = itertools.cycle([q.model_copy(update={"urgency": None, "text": t}) for t in texts])
    contenders[NEW_TEXT] = lambda: policy.score(next(fresh), c, now=later)
    contenders["balanced score_value (queue hot path)"] = lambda: policy.score_value(q, c)
    if breakdown:
        lexicon = policy.signals.urgency.scorer()
        words = itertools.cycle(texts)
        contenders[LEXICON] = lambda: lexicon(next(words))
        contenders[WITH_LEAN] = lambda: (lexicon(next(words)), lean_score(q, c, later))
        contenders[WITH_GIVEN] = lambda: (lexicon(next(words)), policy.score(q, c, now=later))
    best = dict.fromkeys(contenders, math.inf)
    for _ in range(runs):
        for name, call in contenders.items():
            t0 = time.process_time()
            for _ in range(20_000):
                call()
            best[name] = min(best[name], (time.process_time() - t0) / 20_000)
    return best


def print_latency(best: dict[str, float], other: dict[str, float] | None = None) -> None:
    """Print µs per call and the ratio to the lean contender (``other``: a second version)."""
    print("\nPolicy.score latency per call (CPU time, best of interleaved runs of 20,000):")
    if other is not None:
        print(f"  {'':<52} {'--versus SRC':>18}   {'this tree':>18}")
    for name in best:
        line = f"  {name:<52}"
        for figures in (other, best):
            if figures is not None and name in figures:
                line += f" {figures[name] * 1e6:6.2f} µs {figures[name] / figures[LEAN]:5.2f}x lean"
        print(line)


def print_breakdown(best: dict[str, float]) -> None:
    """A never-seen text's cost in parts (µs): each part the difference of two contenders."""
    parts = {
        "Policy.score, urgency given": best[GIVEN],
        "the lexicon's scorer (alone)": best[LEXICON],
        "both in one call, above the two apart": best[WITH_GIVEN] - best[GIVEN] - best[LEXICON],
        "the rest (text look-up, the policy's memory of texts)": best[NEW_TEXT] - best[WITH_GIVEN],
    }
    print(f"\nA never-seen text, {best[NEW_TEXT] * 1e6:.2f} µs, in parts:")
    for name, seconds in parts.items():
        print(f"  {name:<56} {seconds * 1e6:6.2f} µs")
    mixed = best[WITH_LEAN] - best[LEAN] - best[LEXICON]
    print(f"  (the lean scorer and the lexicon in one call: {mixed * 1e6:+.2f} µs above apart)")


def latency_main(args: argparse.Namespace) -> None:
    """``--latency-only`` (and ``--versus``): Policy.score latency without the frame benchmarks."""
    pair = query_objects(pz.synthetic.queries(10, seed=0).drop(columns="text"))[0]
    if args.json:
        json.dump(latency(pair, runs=args.runs), sys.stdout)
        return
    if args.versus is None:
        best = latency(pair, runs=args.runs, breakdown=args.breakdown)
        print_latency(best)
        if args.breakdown:
            print_breakdown(best)
        return
    # Two package versions cannot share a process: alternate subprocesses.
    mine: dict[str, float] = {}
    theirs: dict[str, float] = {}
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    for _ in range(args.rounds):
        for src, into in ((args.versus, theirs), (here, mine)):
            env = {**os.environ, "PYTHONPATH": os.path.abspath(src)}
            cmd = [sys.executable, __file__, "--latency-only", "--json", "--runs", "3"]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
            for name, seconds in json.loads(out.stdout).items():
                into[name] = min(into.get(name, math.inf), seconds)
    print_latency(mine, theirs)


if __name__ == "__main__":
    main()
