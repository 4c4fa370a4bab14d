"""``compare_runs``: compare's table from runs already simulated, simulating nothing again."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _teams import LANGUAGE_ROUTES, POLICIES, bilingual_team, with_languages

import prioritize as pz
from prioritize.simulation import SimulationResult, compare, compare_runs, simulate

TEAM = bilingual_team(english=3, bilingual=2)
SETUP = {"agents": TEAM, "routes": LANGUAGE_ROUTES, "patience": 15.0}


def _stream(seed: int) -> pd.DataFrame:
    return with_languages(pz.synthetic.queries(400, seed=seed, days=0.5), spanish=0.3, seed=seed)


def _runs(seed: int, replications: int) -> dict[str, list[SimulationResult]]:
    return {
        name: [
            simulate(_stream(s), policy, seed=s, **SETUP)  # type: ignore[arg-type]
            for s in range(seed, seed + replications)
        ]
        for name, policy in POLICIES.items()
    }


@pytest.mark.parametrize("by", [None, "language", "agent_group"])
def test_the_table_of_compare_from_the_same_runs(by: str | None) -> None:
    runs = _runs(5, 3)
    expected = compare(_stream, POLICIES, seed=5, replications=3, by=by, **SETUP)  # type: ignore[arg-type]
    got = compare_runs(runs, seed=5, by=by)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs


@pytest.mark.parametrize("by", [None, "agent_group"])
def test_one_run_per_policy_may_be_the_result_itself(by: str | None) -> None:
    runs = _runs(2, 1)
    expected = compare(
        _stream(2), POLICIES, seed=2, baseline="influencer", within_minutes=20, by=by, **SETUP
    )  # type: ignore[arg-type]
    one = {name: run[0] for name, run in runs.items()}
    got = compare_runs(one, seed=2, baseline="influencer", within_minutes=20, by=by)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs


def test_the_seed_draws_the_bootstrap_intervals_as_compare_does() -> None:
    # runs that record no seed (records made elsewhere): any seed may draw the intervals
    one = {name: SimulationResult(run[0].records) for name, run in _runs(2, 1).items()}
    low = "four_fifths_follower_band_low"
    assert not compare_runs(one, seed=2)[low].equals(compare_runs(one, seed=3)[low])


def test_bad_runs_are_named() -> None:
    run = _runs(0, 1)["fifo"][0]
    with pytest.raises(pz.InputError, match="non-empty mapping"):
        compare_runs({})
    with pytest.raises(pz.InputError, match="non-empty mapping"):
        compare_runs([run])  # type: ignore[arg-type]
    with pytest.raises(
        pz.InputError, match=r"runs\['b'\]\[1\] must be a SimulationResult; got str"
    ):
        compare_runs({"a": [run, run], "b": [run, "x"]})  # type: ignore[list-item]
    with pytest.raises(
        pz.InputError, match=r"runs\['a'\] must be a SimulationResult or a sequence"
    ):
        compare_runs({"a": 3})  # type: ignore[dict-item]
    with pytest.raises(pz.InputError, match=r"as many runs .* got \{'a': 2, 'b': 1\}"):
        compare_runs({"a": [run, run], "b": [run]})
    with pytest.raises(pz.InputError, match=r"got \{'a': 0\}"):
        compare_runs({"a": []})
    with pytest.raises(pz.InputError, match="baseline"):
        compare_runs({"a": run}, baseline="b")
    with pytest.raises(pz.InputError, match="by must be a column name"):
        compare_runs({"a": run}, by=3)  # type: ignore[arg-type]
    with pytest.raises(pz.InputError, match="progress"):
        compare_runs({"a": run}, progress="no")  # type: ignore[arg-type]


def test_a_run_records_its_int_seed_only() -> None:
    frame = _stream(0)
    assert simulate(frame, POLICIES["fifo"], seed=3, **SETUP).seed == 3  # type: ignore[arg-type]
    generator = np.random.default_rng(3)
    assert simulate(frame, POLICIES["fifo"], seed=generator, **SETUP).seed is None  # type: ignore[arg-type]
    assert simulate(frame, POLICIES["fifo"], seed=None, **SETUP).seed is None  # type: ignore[arg-type]
    assert SimulationResult(simulate(frame, POLICIES["fifo"], **SETUP).records).seed is None  # type: ignore[arg-type]
    with pytest.raises(pz.InputError, match="seed must be a whole number >= 0; got -1"):
        SimulationResult(frame, seed=-1)


def test_the_seed_defaults_to_the_one_the_runs_record() -> None:
    runs = _runs(5, 2)
    pd.testing.assert_frame_equal(compare_runs(runs), compare_runs(runs, seed=5))


def test_runs_out_of_seed_order_are_refused() -> None:
    runs = _runs(5, 2)
    last = list(runs)[-1]
    swapped = {**runs, last: runs[last][::-1]}  # its run 0 is seed 6: not paired
    with pytest.raises(
        pz.InputError,
        match=rf"runs\['{last}'\]\[0\] was simulated with seed=6, but compare_runs pairs run "
        r"0 of every policy with seed 5",
    ):
        compare_runs(swapped)
    with pytest.raises(pz.InputError, match=r"seed=5, but .* with seed 0 \(seed \+ 0, seed=0\)"):
        compare_runs(runs, seed=0)
    # runs that record no seed (records made elsewhere) cannot be checked: taken as paired
    unknown = {name: [SimulationResult(r.records) for r in rs] for name, rs in runs.items()}
    pd.testing.assert_frame_equal(
        compare_runs(unknown, seed=5), compare_runs(runs), check_like=True
    )
