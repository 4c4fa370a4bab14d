"""Print the figures of docs/validity.md's queueing table (the checks of
tests/simulation/test_simulation_theory.py, same sizes and seeds).

Run: python docs/validity_figures.py   (about a minute)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import prioritize as pz
from prioritize import staffing
from prioritize.simulation import simulate, summarize

AGENTS, HANDLE, N, WARMUP, REPLICATIONS = 3, 10.0, 6_000, 500, 20


def replicate(measure: Callable[[int], list[float]]) -> tuple[np.ndarray, np.ndarray]:
    runs = np.array([measure(seed) for seed in range(REPLICATIONS)])
    return runs.mean(axis=0), runs.std(axis=0, ddof=1) / np.sqrt(REPLICATIONS)


def show(label: str, names: list[str], measure: Callable[[int], list[float]], theory) -> None:  # type: ignore[no-untyped-def]
    mean, se = replicate(measure)
    cells = [
        f"{n} {m:.4g} ({s:.2g}) / {t:.4g}, {(m - t) / s:+.1f} s.e."
        for n, m, s, t in zip(names, mean, se, theory, strict=True)
    ]
    print(f"| {label} | " + "; ".join(cells) + " |")


def erlang_c() -> None:
    rate = 0.8 * AGENTS * 60.0 / HANDLE

    def measure(seed: int) -> list[float]:
        frame = pz.synthetic.poisson_queries(N, rate, seed, mean_handle_minutes=HANDLE)
        rec = simulate(frame, pz.policies.fifo(), agents=AGENTS).records.iloc[WARMUP:]
        s = summarize(rec)
        return [s["mean_wait_minutes"], s["within_5_min"], float((rec["wait_minutes"] > 0).mean())]

    theory = [
        staffing.mean_wait_minutes(rate, HANDLE, AGENTS),
        staffing.service_level(rate, HANDLE, AGENTS, within_minutes=5.0),
        staffing.erlang_c(rate, HANDLE, AGENTS),
    ]
    show("Erlang C", ["mean wait (min)", "within 5 min", "P(wait)"], measure, theory)


def cobham() -> None:
    rate, urgent = 0.8 * AGENTS * 60.0 / HANDLE, 0.4
    policy = pz.Policy(name="urgent_first", weights={"urgency": 1.0})

    def measure(seed: int) -> list[float]:
        frame = pz.synthetic.poisson_queries(
            N, rate, seed, mean_handle_minutes=HANDLE, urgent_share=urgent
        )
        rec = simulate(frame, policy, agents=AGENTS).records.iloc[WARMUP:]
        is_urgent = frame["urgency"].iloc[WARMUP:].to_numpy() == 1.0
        waits = rec["wait_minutes"].to_numpy()
        return [waits[is_urgent].mean(), waits[~is_urgent].mean()]

    theory = staffing.cobham_mean_waits([urgent * rate, (1 - urgent) * rate], HANDLE, AGENTS)
    show("Cobham", ["urgent mean wait (min)", "routine mean wait (min)"], measure, theory)


def erlang_a(load: float, patience: float) -> None:
    rate = load * AGENTS * 60.0 / HANDLE

    def measure(seed: int) -> list[float]:
        frame = pz.synthetic.poisson_queries(
            N, rate, seed, mean_handle_minutes=HANDLE, mean_patience_minutes=patience
        )
        rec = simulate(frame, pz.policies.fifo(), agents=AGENTS).records.iloc[WARMUP:]
        s = summarize(rec)
        return [s["abandon_rate"], rec["wait_minutes"].mean(), s["within_5_min"]]

    a = staffing.erlang_a(rate, HANDLE, AGENTS, patience, within_minutes=5.0)
    theory = [a.abandon_probability, a.mean_wait_minutes, a.service_level]
    label = f"Erlang A, load {load}, patience {patience:g} min"
    show(label, ["abandoned", "mean time in queue (min)", "within 5 min"], measure, theory)


if __name__ == "__main__":
    erlang_c()
    cobham()
    erlang_a(1.0, 20.0)
    erlang_a(0.85, 8.0)
