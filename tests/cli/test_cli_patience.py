"""``--patience`` on compare and demo, and the default team that meets the target."""

from __future__ import annotations

import math

import pytest

import prioritize as pz
from prioritize.cli import main
from prioritize.cli._patience import parse_patience
from prioritize.simulation import SURVEY_PATIENCE_MINUTES, Patience


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15", Patience.of(15.0)),
        (" 2.5 ", Patience.of(2.5)),
        ("chat=5,email=1440,default=60", Patience.of({"chat": 5, "email": 1440, "default": 60})),
        ("chat = 5 , default=inf", Patience.of({"chat": 5, "default": math.inf})),
        ("survey", Patience("survey", dict(SURVEY_PATIENCE_MINUTES))),
        ("NONE", Patience.of("none")),
        (None, Patience.of(None)),
    ],
)
def test_parse_patience(text: str | None, expected: Patience) -> None:
    assert parse_patience(text) == expected


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--patience", "soon"], "--patience: cannot read 'soon'"),
        (["--patience", "chat:5"], "--patience: cannot read 'chat:5'"),
        (["--patience", "chat=5,email"], "--patience: 'email' is not CHANNEL=MINUTES"),
        (["--patience", "0"], "--patience: patience must be > 0"),
        (["--patience", "chat=-1,default=5"], r"--patience: patience['chat'] must be > 0"),
        (["--patience", "chat=5"], "--patience"),
    ],
)
def test_bad_patience_is_one_line(capsys, argv: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    for command in ("compare", "demo"):
        extra = ["--synthetic", "60"] if command == "compare" else ["--queries", "60"]
        code, out, err = run(capsys, command, *extra, *argv)
        assert code == 2 and out == ""
        assert err.startswith("prioritize: error: ") and err.count("\n") == 1
        if message != "--patience":
            assert message in err
    # a mapping without a default names the channel it lacks
    code, _, err = run(capsys, "compare", "--synthetic", "60", "--patience", "chat=5")
    assert code == 2 and "no mean for channel(s)" in err and "'email'" in err


def test_compare_states_abandonment_and_the_team(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "compare", "--synthetic", "300", "--policy", "fifo")
    assert code == 0 and err == ""
    frame = pz.synthetic.queries(300, seed=0, days=7)
    choice = pz.staffing.agents_for(frame, target=0.8, within_minutes=60)
    first, second = out.splitlines()[:2]
    assert first.startswith("Compared 1 policies on a synthetic week of 300 queries (seed 0)")
    assert f"{choice.agents} agents around the clock ({choice})" in first
    assert second == "Abandonment: each query's own patience_minutes from the frame."

    code, out, _ = run(
        capsys, "compare", "--synthetic", "300", "--policy", "fifo", "--patience", "none"
    )
    assert code == 0
    assert out.splitlines()[1].startswith("Abandonment not modelled: nobody gives up")
    assert "Erlang C staffing" in out.splitlines()[0]

    code, out, _ = run(
        capsys, "compare", "--synthetic", "300", "--policy", "fifo", "--patience", "survey",
        "--target", "0.9", "--within-minutes", "15",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[1].startswith("Abandonment: survey patience per channel")
    assert "Erlang A staffing for 90% within 15 min" in out.splitlines()[0]


def test_demo_takes_patience(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "demo", "--queries", "300", "--patience", "chat=1,default=30")
    assert code == 0 and err == ""
    flat = " ".join(out.split())
    assert "Abandonment: exponential patience per channel, mean chat 1 minute" in flat
    assert "default 30 minutes" in flat
