"""compare and sweep: tables of summaries, replications with t intervals, any executor."""

from __future__ import annotations

import importlib
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import prioritize as pz
from prioritize.simulation import (
    CHANGE_FIELDS,
    RUN_FIELDS,
    SUMMARY_FIELDS,
    compare,
    simulate,
    sweep,
)
from prioritize.simulation._compare import t_quantile

POLICIES = {
    "fifo": pz.policies.fifo(),
    "equal": pz.policies.equal_treatment(),
    "influencer": pz.policies.influencer_weighted(),
}


def small_stream(seed: int) -> pd.DataFrame:
    return pz.synthetic.queries(300, seed, days=0.25)


def test_compare_one_row_per_policy_equals_simulate() -> None:
    frame = small_stream(1)
    table = compare(frame, POLICIES, agents=3, seed=4)
    assert list(table.index) == list(POLICIES)
    assert table.index.name == "policy"
    # deliberately extended: the four-fifths intervals, n and states, and changes against fifo
    assert list(table.columns[: len(SUMMARY_FIELDS)]) == list(SUMMARY_FIELDS)
    assert set(RUN_FIELDS) <= set(table.columns)
    assert {f"{f}_change" for f in CHANGE_FIELDS} <= set(table.columns)
    for name, policy in POLICIES.items():
        expected = simulate(frame, policy, agents=3, seed=4).summary
        assert table.loc[name, list(SUMMARY_FIELDS)].tolist() == expected.tolist()


def test_compare_runs_on_an_executor() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = compare(small_stream, POLICIES, agents=2, replications=2, executor=pool)
    pd.testing.assert_frame_equal(
        threaded, compare(small_stream, POLICIES, agents=2, replications=2)
    )


def test_compare_shows_the_influencer_trade_off() -> None:
    frame = pz.synthetic.queries(2_000, seed=2, days=1)
    table = compare(frame, POLICIES, agents=6)
    # Influencer weighting answers the big accounts faster than the small ones.
    assert (
        table.loc["influencer", "wait_ratio_follower_band"]
        < table.loc["fifo", "wait_ratio_follower_band"]
    )


def test_replications_give_mean_and_t_interval() -> None:
    table = compare(small_stream, POLICIES, agents=2, seed=10, replications=4)
    assert (table["replications"] == 4).all()
    runs = [
        simulate(small_stream(s), POLICIES["equal"], agents=2, seed=s).summary["mean_wait_minutes"]
        for s in range(10, 14)
    ]
    assert table.loc["equal", "mean_wait_minutes"] == pytest.approx(np.mean(runs))
    half = stats.t.ppf(0.975, 3) * np.std(runs, ddof=1) / 2.0
    assert table.loc["equal", "mean_wait_minutes_ci95"] == pytest.approx(half, rel=2e-3)
    assert list(table.columns[1:3]) == ["arrived", "arrived_ci95"]


def test_compare_with_a_fixed_frame_replicates_draws_only() -> None:
    frame = small_stream(3).drop(columns=["handle_minutes"])
    table = compare(frame, {"fifo": POLICIES["fifo"]}, agents=2, replications=3)
    assert table.loc["fifo", "mean_wait_minutes_ci95"] > 0  # handle times drawn per seed
    assert table.loc["fifo", "arrived_ci95"] == 0


@pytest.mark.parametrize("df", [1, 2, 3, 5, 10, 30, 200])
def test_t_quantile_matches_scipy(df: int) -> None:
    assert t_quantile(0.975, df) == pytest.approx(stats.t.ppf(0.975, df), rel=1.5e-3)
    assert t_quantile(0.995, df) == pytest.approx(stats.t.ppf(0.995, df), rel=1e-2)


def test_sweep_grid_times_seeds_tidy_rows() -> None:
    table = sweep(
        small_stream,
        pz.policies.influencer_weighted(),
        grid={"follower_reach": [0.0, 0.6], "agents": [2, 4]},
        seeds=[0, 1],
    )
    assert len(table) == 8
    assert list(table.columns[:4]) == ["follower_reach", "agents", "policy", "seed"]
    assert list(table.columns[4:]) == [*SUMMARY_FIELDS, *RUN_FIELDS, "abandonment"]
    row = table[(table["follower_reach"] == 0.0) & (table["agents"] == 4) & (table["seed"] == 1)]
    policy = pz.policies.influencer_weighted().with_changes(weights={"follower_reach": 0.0})
    expected = simulate(small_stream(1), policy, agents=4, seed=1).summary
    assert row.iloc[0][list(SUMMARY_FIELDS)].tolist() == expected.tolist()
    more_agents = table.groupby("agents")["mean_wait_minutes"].mean()
    assert more_agents[4] < more_agents[2]


def test_sweep_with_a_policy_factory_and_a_thread_pool() -> None:
    def factory(weight: float) -> pz.Policy:
        return pz.Policy(name=f"w{weight:g}", weights={"follower_reach": weight, "urgency": 1.0})

    grid = {"weight": [0.0, 1.0]}
    serial = sweep(small_stream, factory, grid=grid, agents=3, seeds=range(2))
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = sweep(small_stream, factory, grid=grid, agents=3, seeds=range(2), executor=pool)
    pd.testing.assert_frame_equal(serial, threaded)
    assert serial["policy"].tolist() == ["w0", "w0", "w1", "w1"]


def test_sweep_on_a_dask_cluster() -> None:
    distributed = importlib.import_module("distributed")
    grid = {"follower_reach": [0.0, 0.5]}
    base = pz.policies.influencer_weighted()
    serial = sweep(small_stream, base, grid=grid, agents=3, seeds=[0, 1])
    with (
        distributed.LocalCluster(
            n_workers=1, processes=False, dashboard_address=None, threads_per_worker=2
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = sweep(
            small_stream, base, grid=grid, agents=3, seeds=[0, 1], executor=client.get_executor()
        )
    pd.testing.assert_frame_equal(serial, on_dask)


def test_sweep_and_compare_reject_bad_arguments() -> None:
    frame = small_stream(0)
    with pytest.raises(pz.InputError, match="agents"):
        sweep(frame, pz.policies.fifo(), grid={"follower_reach": [0.1]})
    with pytest.raises(pz.InputError, match="at least one seed"):
        sweep(frame, pz.policies.fifo(), grid={"agents": [1]}, seeds=[])
    with pytest.raises(ValueError, match="nonsense"):
        sweep(frame, pz.policies.fifo(), grid={"nonsense": [1]}, agents=2)
    with pytest.raises(pz.InputError, match="replications"):
        compare(frame, POLICIES, agents=2, replications=0)
    with pytest.raises(pz.InputError, match="at least one policy"):
        compare(frame, {}, agents=2)
    with pytest.raises(pz.InputError, match=r"policies\['x'\] must be a Policy"):
        compare(frame, {"x": "fifo"}, agents=2)  # type: ignore[dict-item]
    with pytest.raises(pz.InputError, match="not a Policy"):
        sweep(frame, lambda **_: "fifo", grid={"agents": [1]})  # type: ignore[arg-type,return-value]


def test_summary_rows_are_plain_numbers() -> None:
    table = compare(small_stream(5), {"fifo": POLICIES["fifo"]}, agents=2)
    states = [c for c in table.columns if c.endswith("_state")]
    assert all(table.loc["fifo", c] in pz.fairness.FLAG_STATES for c in states)
    assert all(
        isinstance(v, int | float) and not isinstance(v, bool)
        for v in table.drop(columns=states).iloc[0].tolist()
    )
    assert not math.isnan(table.loc["fifo", "mean_wait_minutes"])


@pytest.mark.parametrize("run", ["compare", "sweep"])
def test_progress_bar_counts_every_run(run: str, capsys: pytest.CaptureFixture[str]) -> None:
    importlib.import_module("tqdm")
    frame = small_stream(2)
    if run == "compare":
        table = compare(frame, POLICIES, agents=2, replications=2, progress=True)
        quiet = compare(frame, POLICIES, agents=2, replications=2)
    else:
        grid = {"agents": [1, 2, 3]}
        table = sweep(frame, POLICIES["fifo"], grid=grid, seeds=[0, 1], progress=True)
        quiet = sweep(frame, POLICIES["fifo"], grid=grid, seeds=[0, 1])
    pd.testing.assert_frame_equal(table, quiet)
    err = capsys.readouterr().err
    assert f"{run}: 100%" in err and "6/6" in err


def test_progress_bar_follows_an_executor(capsys: pytest.CaptureFixture[str]) -> None:
    importlib.import_module("tqdm")
    with ThreadPoolExecutor(max_workers=2) as pool:
        compare(small_stream(3), POLICIES, agents=2, executor=pool, progress=True)
    assert "3/3" in capsys.readouterr().err


def test_progress_without_tqdm_is_silent(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys
    import warnings

    monkeypatch.setitem(sys.modules, "tqdm", None)  # as if the extra were not installed
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    frame = small_stream(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = compare(frame, POLICIES, agents=2, progress=True)
        swept = sweep(frame, POLICIES["fifo"], grid={"agents": [1, 2]}, progress=True)
    pd.testing.assert_frame_equal(table, compare(frame, POLICIES, agents=2))
    assert len(swept) == 2
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("value", [None, 1, "yes"])
def test_progress_must_be_a_bool(value: object) -> None:
    frame = small_stream(5)
    with pytest.raises(pz.InputError, match="progress must be True or False"):
        compare(frame, POLICIES, agents=2, progress=value)  # type: ignore[arg-type]
    with pytest.raises(pz.InputError, match="progress must be True or False"):
        sweep(frame, POLICIES["fifo"], grid={"agents": [1]}, progress=value)  # type: ignore[arg-type]


def test_compare_takes_the_data_first() -> None:
    frame = small_stream(6)
    with pytest.raises(pz.InputError, match=r"compare\(frame, policies"):
        compare(POLICIES, frame, agents=2)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        compare(frame, POLICIES, 2)  # type: ignore[misc]
    with pytest.raises(TypeError):
        simulate(frame, POLICIES["fifo"], 2)  # type: ignore[misc]


def test_tqdm_is_imported_only_for_a_bar() -> None:
    import subprocess
    import sys

    code = (
        "import sys, prioritize as pz\n"
        "frame = pz.synthetic.queries(50, seed=0, days=0.1)\n"
        "pz.compare(frame, {'fifo': pz.policies.fifo()}, agents=1)\n"
        "assert 'tqdm' not in sys.modules, 'tqdm imported without progress=True'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_compare_reads_every_policy_against_a_baseline() -> None:
    frame = small_stream(2)
    table = compare(frame, POLICIES, agents=3)
    assert table.attrs["baseline"] == "fifo"
    for figure in CHANGE_FIELDS:
        assert table.loc["fifo", f"{figure}_change"] == 0.0
        expected = table[figure].astype(float) - float(table.loc["fifo", figure])
        np.testing.assert_allclose(table[f"{figure}_change"], expected)
    named = compare(frame, POLICIES, agents=3, baseline="equal")
    assert named.attrs["baseline"] == "equal" and named.loc["equal", "abandon_rate_change"] == 0
    no_fifo = {k: POLICIES[k] for k in ("influencer", "equal")}
    assert compare(frame, no_fifo, agents=3).attrs["baseline"] == "influencer"
    with pytest.raises(pz.InputError, match="baseline must be one of"):
        compare(frame, POLICIES, agents=3, baseline="Fifo")
    for band in ("follower_band", "value_band"):
        assert table[f"four_fifths_{band}_state"].isin(pz.fairness.FLAG_STATES).all()
        low, high = table[f"four_fifths_{band}_low"], table[f"four_fifths_{band}_high"]
        assert (low <= table[f"four_fifths_{band}"] + 1e-12).all()
        assert (table[f"four_fifths_{band}"] <= high + 1e-12).all()
    # one answer-time limit for the share in time, the four-fifths test and the changes
    quick = compare(frame, POLICIES, agents=3, within_minutes=5)
    np.testing.assert_allclose(quick["within_target"], quick["within_5_min"])
    np.testing.assert_allclose(table["within_target"], table["within_60_min"])


def test_compare_changes_and_states_across_replications() -> None:
    table = compare(small_stream, POLICIES, agents=3, replications=3)
    runs = [compare(small_stream(s), POLICIES, agents=3, seed=s) for s in range(3)]
    for figure in CHANGE_FIELDS:
        mean = np.mean([r[f"{figure}_change"].to_numpy(dtype=float) for r in runs], axis=0)
        np.testing.assert_allclose(table[f"{figure}_change"], mean)
        assert (table.loc["fifo", f"{figure}_change_ci95"] == 0).all()
    fewest = np.min([r["four_fifths_follower_band_n"].to_numpy() for r in runs], axis=0)
    assert table["four_fifths_follower_band_n"].tolist() == fewest.tolist()
    assert table["four_fifths_follower_band_state"].isin(pz.fairness.FLAG_STATES).all()
