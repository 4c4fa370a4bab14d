"""``prioritize compare --team FILE --routes FILE``: a team with skills, results by group."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _teams import LANGUAGE_ROUTES, bilingual_team

import prioritize as pz
from prioritize.cli import main

TEAM = bilingual_team(english=3, bilingual=2)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    frame = pz.synthetic.queries(400, seed=4, days=1)
    frame["language"] = np.where(np.arange(len(frame)) % 4 == 0, "es", "en")
    frame.to_csv(tmp_path / "q.csv", index=False)
    TEAM.to_file(tmp_path / "team.toml")
    LANGUAGE_ROUTES.to_file(tmp_path / "routes.toml")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_compare_with_a_team_shows_each_group_and_language(
    capsys: pytest.CaptureFixture[str], files: Path
) -> None:
    code, out, err = run(
        capsys,
        "compare",
        "--queries", str(files / "q.csv"),
        "--policy", "fifo",
        "--policy", "influencer_weighted",
        "--team", str(files / "team.toml"),
        "--routes", str(files / "routes.toml"),
    )  # fmt: skip
    assert code == 0, err
    assert f"the team in {files / 'team.toml'}: english (3 agents), bilingual (2 agents)" in out
    assert out.count("agent group") == 2  # one table per policy
    for language in ("es", "en"):  # every language its own skill queue: one row per policy
        row = f"skill {language} (= language {language})"
        assert sum(line.lstrip().startswith(row) for line in out.splitlines()) == 2
    result = pz.simulate(
        pz.adapters.read_queries(files / "q.csv"),
        pz.policies.fifo(),
        agents=TEAM,
        routes=LANGUAGE_ROUTES,
    )
    served = pz.simulation.breakdown(result, group="agent_group")["served"]
    assert any(
        line.split()[:2] == ["english", f"{served['english']:,}"] for line in out.splitlines()
    )


def test_team_options_are_checked(capsys: pytest.CaptureFixture[str], files: Path) -> None:
    team, routes = str(files / "team.toml"), str(files / "routes.toml")
    code, _, err = run(capsys, "compare", "--team", team, "--agents", "3")
    assert code == 2 and "--agents and --team" in err
    code, _, err = run(capsys, "compare", "--routes", routes, "--agents", "3")
    assert code == 2 and "--routes needs --team" in err
    code, _, err = run(capsys, "compare", "--team", str(files / "nope.toml"))
    assert code == 2 and "--team" in err and "no such file" in err
    (files / "bad.toml").write_text('[[groups]]\nname = "x"\nagents = 0\n', encoding="utf-8")
    code, _, err = run(capsys, "compare", "--team", str(files / "bad.toml"))
    assert code == 2 and "bad.toml" in err and "agents" in err
