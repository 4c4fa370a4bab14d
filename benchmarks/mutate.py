"""Mutation testing of the core modules with mutmut, one module group at a time.

Each group's modules are mutated and judged by that group's own tests directory only,
so a run takes minutes on two cores.  mutmut reads its configuration from the
working directory, so every group runs in a staging directory of its own
(``.mutate/<group>``) holding a snapshot of ``src/`` and ``tests/`` and a
``pyproject.toml`` with the group's ``[tool.mutmut]`` section; the working tree is
never touched and can be edited while a run goes on.

    python benchmarks/mutate.py                  # every group
    python benchmarks/mutate.py signals queue    # some groups
    python benchmarks/mutate.py --max-children 1 staffing
    python benchmarks/mutate.py --only '*Picker*admit*' --only '*_relax_due*' policy

Prints, per group, the mutants and how many were killed, survived, timed out or had
no test, and lists the survivors (``mutmut show <name>`` in the staging directory
prints one).  Not part of ``make test``: run it with ``make mutate``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGING = ROOT / ".mutate"

# group -> (modules to mutate, relative to src/prioritize, and the tests that judge them)
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "signals": (
        ["signals/_formulas.py", "signals/_lexicon.py", "signals/_normalisers.py"],
        ["tests/signals"],
    ),
    "policy": (
        ["policy/_rules.py", "policy/_order.py", "policy/_evaluate.py", "policy/_score.py"],
        ["tests/policy"],
    ),
    # The triage queue; SharedQueue (_shared, _shared_db: SQLite/PostgreSQL storage, tests
    # that start processes and database clusters) is judged by its own tests, not here.
    "queue": (
        ["queue/_triage.py", "queue/_entry.py", "queue/_snapshot.py", "queue/_prepare.py"],
        ["tests/queue", "--ignore-glob=tests/queue/test_shared*"],
    ),
    "engine": (["simulation/_engine.py"], ["tests/simulation"]),
    # The engine judged by its direct tests only (the loops driven without pandas, the
    # reference and guarantee tests, staffing): a kill here is a kill of "engine" (a
    # subset of its tests), in minutes rather than hours; rerun the survivors with
    # "engine" (--keep --only NAME) to judge them by every simulation test.
    "engine-core": (
        ["simulation/_engine.py"],
        [
            "tests/simulation/test_engine_mutants.py",
            "tests/simulation/test_simulation_engine.py",
            "tests/simulation/test_simulation_schedule.py",
        ],
    ),
    "fairness": (
        ["fairness/_inequality.py", "fairness/_disparity.py", "fairness/_stats.py"],
        ["tests/fairness"],
    ),
    "staffing": (
        ["staffing/_erlang.py", "staffing/_erlang_a.py", "staffing/_agents.py"],
        ["tests/staffing"],
    ),
}

MUTMUT_SECTION = """
[tool.mutmut]
source_paths = ["src"]
only_mutate = {only}
also_copy = ["examples"]
pytest_add_cli_args = ["-p", "no:cacheprovider"]
pytest_add_cli_args_test_selection = {tests}
timeout_multiplier = 5.0
"""


def _stage(group: str) -> Path:
    modules, tests = GROUPS[group]
    where = STAGING / group
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copytree(ROOT / "src", where / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", where / "tests", ignore=ignore)
    shutil.copytree(ROOT / "examples", where / "examples", ignore=ignore)  # files tests read
    only = [f"src/prioritize/{module}" for module in modules]
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config += MUTMUT_SECTION.format(only=json.dumps(only), tests=json.dumps(tests))
    (where / "pyproject.toml").write_text(config, encoding="utf-8")
    return where


def _mutmut(where: Path, *args: str, capture: bool = False) -> str:
    env = {**os.environ, "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "mutate")}
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    done = subprocess.run(
        [mutmut, *args], cwd=where, env=env, text=True, capture_output=capture, check=False
    )
    if done.returncode != 0 and args[0] != "run":
        raise SystemExit(f"mutmut {' '.join(args)} failed in {where}:\n{done.stderr}")
    return done.stdout or ""


def _statuses(where: Path) -> dict[str, str]:
    out = _mutmut(where, "results", "--all", "true", capture=True)
    statuses = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep:
            statuses[name] = status
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", help=f"some of {', '.join(GROUPS)} (default: all)")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument(
        "--keep", action="store_true", help="reuse the staging directory (rerun survivors only)"
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PATTERN",
        help="check only the mutants whose names match (fnmatch: '*Picker*admit*'; repeatable)",
    )
    options = parser.parse_args()
    unknown = sorted(set(options.groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {unknown}; expected some of {list(GROUPS)}")
    rows = []
    for group in options.groups or list(GROUPS):
        where = STAGING / group if options.keep and (STAGING / group).exists() else _stage(group)
        started = time.monotonic()
        _mutmut(where, "run", "--max-children", str(options.max_children), *options.only)
        minutes = (time.monotonic() - started) / 60
        statuses = _statuses(where)
        counts = Counter(statuses.values())
        survivors = sorted(name for name, status in statuses.items() if status == "survived")
        rows.append((group, len(statuses), counts, minutes))
        print(f"\n== {group}: {len(statuses)} mutants, {dict(counts)}, {minutes:.1f} min")
        for name in survivors:
            print(f"   survived: {name}")
    print("\ngroup      mutants  killed  survived  timeout  no tests  score  minutes")
    for group, total, counts, minutes in rows:
        killed = counts["killed"] + counts["timeout"]
        judged = total - counts["no tests"] - counts["skipped"] - counts["not checked"]
        score = 100 * killed / judged if judged else float("nan")
        print(
            f"{group:<10} {total:>7} {counts['killed']:>7} {counts['survived']:>9} "
            f"{counts['timeout']:>8} {counts['no tests']:>9} {score:>5.1f}% {minutes:>8.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
