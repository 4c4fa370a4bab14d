"""The subcommands do their job: demo, compare (and its report), score, audit, staff."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys

import pandas as pd
import pytest

import prioritize as pz
from prioritize import staffing
from prioritize.cli import main
from prioritize.policies import PRESETS

COMMANDS = ("demo", "compare", "score", "audit", "staff")


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def queries_csv(tmp_path_factory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("cli") / "queries.csv"
    pz.synthetic.queries(120, seed=7, days=0.5).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_everywhere(capsys, command) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, *([command] if command else []), "--help")
    assert code == 0 and err == ""
    assert out.startswith("usage: prioritize")
    assert "Errors are one line" in out


def test_demo(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "demo", "--queries", "400", "--seed", "1")
    assert code == 0 and err == ""
    for name in PRESETS:
        assert f"== {name}:" in out
    assert "followers <1k" in out and "value <100" in out
    assert "Side by side" in out and "Reading: " in out
    assert "What each policy lets you promise" in out
    frame = pz.synthetic.queries(400, seed=1, days=7)
    # the default team is the Erlang staffing of the stream's own load, and says so
    choice = pz.staffing.agents_for(frame, target=0.8, within_minutes=60)
    flat = " ".join(out.split())
    assert f"On duty around the clock: {choice}" in flat
    assert "Erlang A staffing for 80% within 60 min" in flat
    assert "Abandonment: each query's own patience_minutes from the frame" in flat


def test_demo_runs_as_a_module_without_matplotlib() -> None:
    # ``make demo`` on a plain install: block matplotlib and hypothesis and run it
    code = (
        "import sys; sys.modules['matplotlib'] = None; sys.modules['hypothesis'] = None; "
        "from prioritize.cli import main; raise SystemExit(main(['demo', '--queries', '300']))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "== balanced:" in out.stdout


def test_compare_defaults_and_agents(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "compare", "--synthetic", "300", "--agents", "1")
    assert code == 0 and err == ""  # no progress bar: stderr is not a terminal
    assert out.startswith("Compared 5 policies on a synthetic week of 300 queries (seed 0)")
    assert "1 agents around the clock" in out
    for name in PRESETS:
        assert f"== {name}:" in out


def test_compare_file_policies_schedule_and_progress(capsys, tmp_path, queries_csv) -> None:  # type: ignore[no-untyped-def]
    importlib.import_module("tqdm")
    policy = tmp_path / "mine.toml"
    policy.write_text('name = "mine"\n[weights]\nurgency = 1.0\n', encoding="utf-8")
    schedule = tmp_path / "shifts.toml"
    schedule.write_text(
        '[[shift]]\nstart = "00:00"\nend = "12:00"\ncount = 2\n'
        '[[shift]]\nstart = "12:00"\nend = "24:00"\ncount = 1\ntz = "Europe/Paris"\n',
        encoding="utf-8",
    )
    code, out, err = run(
        capsys, "compare", "--queries", str(queries_csv), "--policy", str(policy),
        "--policy", "fifo", "--schedule", str(schedule), "--progress",
    )  # fmt: skip
    assert code == 0
    assert f"on 120 queries from {queries_csv} with the shifts in {schedule}" in out
    assert "== mine:" in out and "== fifo:" in out and "== balanced:" not in out
    assert err.endswith("\n") and "simulate" in err and "2/2" in err  # tqdm's bar


def test_compare_replications(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "compare", "--synthetic", "200", "--policy", "fifo", "--policy",
        "influencer_weighted", "--replications", "3", "--agents", "1",
    )  # fmt: skip
    assert code == 0
    assert "means over 3 replications (seeds 0 to 2) ± their 95% CI" in out
    assert re.search(r"fifo\s+\d+\.\d min ±\d+\.\d", out)
    # promises come from every replication, and say so
    assert "(holds in each of 3 runs)" in out or "No promise is supported" in out
    assert "based on one run" not in out


def test_compare_report(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    importlib.import_module("matplotlib")
    target = tmp_path / "report.html"
    code, out, _ = run(
        capsys, "compare", "--synthetic", "250", "--policy", "equal_treatment",
        "--report", str(target),
    )  # fmt: skip
    assert code == 0
    assert out.rstrip().endswith(f"Report written to {target}")
    page = target.read_text(encoding="utf-8")
    assert page.count("<svg") >= 4 and "What influence buys" in page


def test_score(capsys, tmp_path, queries_csv) -> None:  # type: ignore[no-untyped-def]
    out_csv = tmp_path / "ranked.csv"
    code, out, _ = run(
        capsys, "score", str(queries_csv), "--policy", "balanced", "--top", "5", "--out",
        str(out_csv),
    )  # fmt: skip
    assert code == 0
    frame = pz.adapters.read_queries(queries_csv)
    now = frame["received_at"].max().to_pydatetime()
    ranked = pz.policies.balanced().rank(frame, now=now)
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("rank"))
    shown = [line.split()[1] for line in lines[header + 1 : header + 6]]
    assert shown == ranked["query_id"].head(5).tolist()
    assert "follower_reach" in lines[header] and "aging" in lines[header]
    written = pd.read_csv(out_csv)
    assert len(written) == 120
    assert written["query_id"].tolist() == ranked["query_id"].tolist()
    assert {"score", "urgency", "aging", "waited_minutes", "customer_id"} <= set(written.columns)


def test_score_at_a_given_time(capsys, queries_csv) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "score", str(queries_csv), "--policy", "fifo", "--now", "2026-01-06T00:00Z",
        "--top", "1",
    )  # fmt: skip
    assert code == 0 and "at 2026-01-06T00:00:00+00:00" in out


def test_audit(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "audit", "--policy", "influencer_weighted", "--synthetic", "150")
    assert code == 0
    assert out.startswith("Audit of a synthetic backlog of 150 queries over 4 hours.")
    assert "Audit of policy 'influencer_weighted'" in out and "Rank shift" in out
    code, out, _ = run(
        capsys, "audit", "--policy", "fifo", "--synthetic", "150", "--simulate", "--agents", "4"
    )
    assert code == 0 and "Simulated:" in out and "By follower_band" in out


def test_audit_of_the_text_lexicon(capsys) -> None:  # type: ignore[no-untyped-def]
    # The synthetic backlog's urgency is given, so by default shouting gains nothing.
    args = ("audit", "--policy", "equal_treatment", "--synthetic", "150")
    code, out, _ = run(capsys, *args)
    assert code == 0 and "urgency is given for every query" in out
    code, out, _ = run(capsys, *args, "--derive-urgency")
    assert code == 0 and "urgency is given for every query" not in out
    row = next(line.split() for line in out.splitlines() if line.strip().startswith("urgent_word"))
    assert row[1] == "150" and float(row[2]) > 0  # applicable to all, gains places


def test_staff_one_rate(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "staff", "--arrivals-per-hour", "40", "--handle-minutes", "6", "--target", "0.8",
        "--within-minutes", "1",
    )  # fmt: skip
    assert code == 0
    agents = staffing.agents_needed(40, 6, target=0.8, within_minutes=1)
    level = staffing.service_level(40, 6, agents, within_minutes=1)
    busy = staffing.occupancy(40, 6, agents)
    assert f"Agents needed: {agents} to answer 80% within 1 min" in out
    assert f"service level  {level:.1%}" in out and f"occupancy      {busy:.1%}" in out
    fewer = staffing.service_level(40, 6, agents - 1, within_minutes=1)
    assert f"with {agents - 1} agents: {fewer:.1%}" in out


def test_staff_with_patience(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "staff", "--arrivals-per-hour", "40", "--handle-minutes", "6",
        "--patience-minutes", "10", "--within-minutes", "2",
    )  # fmt: skip
    assert code == 0 and "Erlang A" in out
    agents = staffing.agents_needed(40, 6, target=0.8, within_minutes=2, patience_minutes=10)
    result = staffing.erlang_a(40, 6, agents, 10, within_minutes=2)
    assert f"give up        {result.abandon_probability:.1%}" in out


def test_staff_intervals(capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    csv = tmp_path / "intervals.csv"
    csv.write_text("interval,arrivals\n09:00,10\n09:30,25\n10:00,0\n", encoding="utf-8")
    plan_csv = tmp_path / "plan.csv"
    code, out, _ = run(
        capsys, "staff", "--intervals", str(csv), "--handle-minutes", "6", "--within-minutes", "5",
        "--out", str(plan_csv),
    )  # fmt: skip
    assert code == 0
    expected = staffing.plan_intervals(
        pd.read_csv(csv), handle_minutes=6, target=0.8, within_minutes=5, interval_minutes=30
    )
    written = pd.read_csv(plan_csv)
    assert written["agents"].tolist() == expected["agents"].tolist()
    assert f"at most {int(expected['agents'].max())} agents at once" in out
    assert "09:30" in out


def test_progress_bars_without_tqdm_are_silent(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(sys.modules, "tqdm", None)  # the optional extra is not installed
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    code, out, err = run(
        capsys, "compare", "--synthetic", "200", "--policy", "fifo", "--policy",
        "influencer_weighted", "--replications", "2", "--agents", "1", "--progress",
    )  # fmt: skip
    assert code == 0 and err == ""
    assert "means over 2 replications" in out


def test_compare_prints_states_and_changes_against_the_baseline(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "compare", "--synthetic", "400", "--policy", "influencer_weighted",
        "--policy", "fifo", "--agents", "2", "--within-minutes", "15",
    )  # fmt: skip
    assert code == 0
    assert "Against fifo, by follower band" in out
    assert "influencer_weighted 100k+" in out
    assert "FAIL" not in out  # the states are named, in words
    assert re.search(
        r"followers \d\.\d\d \(\d\.\d\d-\d\.\d\d\), n=[\d,]+ (pass|fail|too few to tell)", out
    )
    assert "≤ 15 min" in out and "60 min" not in out
    code, out, _ = run(
        capsys, "compare", "--synthetic", "200", "--policy", "influencer_weighted",
        "--policy", "fifo", "--agents", "2", "--baseline", "influencer_weighted",
    )  # fmt: skip
    assert code == 0 and "Against influencer_weighted, by follower band" in out
    code, _, err = run(
        capsys, "compare", "--synthetic", "200", "--policy", "fifo", "--baseline", "balanced"
    )
    assert code == 2 and "--baseline balanced: not among the policies" in err


def test_staff_default_answer_time_is_one_constant(capsys) -> None:  # type: ignore[no-untyped-def]
    from prioritize.cli._commands import StaffOptions
    from prioritize.cli._common import STAFF_WITHIN_MINUTES

    assert StaffOptions().within_minutes == STAFF_WITHIN_MINUTES == 1.0
    code, out, _ = run(capsys, "staff", "--arrivals-per-hour", "40", "--handle-minutes", "6")
    assert code == 0
    assert "within 1 min" in out
