"""``prioritize compare --replications N`` simulates each (policy, seed) once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _teams import LANGUAGE_ROUTES, POLICIES, bilingual_team, with_languages

import prioritize as pz
from prioritize.cli import main
from prioritize.cli._text import summary_text
from prioritize.simulation import _simulate, compare

ENGINES = ("run_fixed_plain", "run_general", "run_team")


@pytest.fixture
def engine_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every run of a simulation engine, by name (a spy around each)."""
    calls: list[str] = []
    for name in ENGINES:
        real = getattr(_simulate, name)

        def spy(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(_simulate, name, spy)
    return calls


@pytest.mark.parametrize("team", [False, True])
def test_each_replication_is_simulated_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, engine_runs: list[str], team: bool
) -> None:
    frame = with_languages(pz.synthetic.queries(400, seed=4, days=0.5), spanish=0.3, seed=4)
    frame = frame.drop(columns=["handle_minutes"])  # drawn per seed: replications differ
    frame.to_csv(tmp_path / "q.csv", index=False)
    setup: dict[str, Any] = {"agents": 2, "patience": 15.0}
    argv = ["--agents", "2"]
    if team:
        setup = {"agents": bilingual_team(english=2, bilingual=1), "patience": 15.0}
        setup["routes"] = LANGUAGE_ROUTES
        setup["agents"].to_file(tmp_path / "team.toml")
        LANGUAGE_ROUTES.to_file(tmp_path / "routes.toml")
        argv = ["--team", str(tmp_path / "team.toml"), "--routes", str(tmp_path / "routes.toml")]
    replications = 3
    code = main(
        [
            "compare", "--queries", str(tmp_path / "q.csv"), *argv,
            "--policy", "fifo", "--policy", "influencer_weighted", "--patience", "15",
            "--replications", str(replications), "--seed", "1", "--no-progress",
        ]
    )  # fmt: skip
    out = capsys.readouterr()
    assert code == 0, out.err
    assert len(engine_runs) == replications * len(POLICIES)
    assert set(engine_runs) == {"run_team" if team else "run_fixed_plain"}
    # the same figures as compare() simulating every run again
    policies = {p.name: p for p in (pz.policies.fifo(), pz.policies.influencer_weighted())}
    read = pz.adapters.read_queries(tmp_path / "q.csv")
    table = compare(read, policies, seed=1, replications=replications, **setup)
    assert summary_text(table) in out.out
    # which figures are the replications' and which are one run's
    assert (
        f"The side-by-side figures are means over {replications} replications (seeds 1 to "
        f"{replications}) ± their 95% CI and the promises hold in each; the other tables and "
        "the reading are of the run with seed 1." in out.out
    )
