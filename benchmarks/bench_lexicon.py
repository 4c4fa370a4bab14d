"""Benchmark: the urgency lexicon against a baseline revision, interleaved in one run.

Run: ``python benchmarks/bench_lexicon.py [--baseline REV] [--repeat 5]``.

The baseline is ``signals/_lexicon.py`` as it was at ``REV`` (default
``14a0e96``, before the word trie and the text cap), loaded from git into a
module of its own, so both contenders run in the same process on the same
texts: best of ``--repeat`` interleaved rounds (process CPU time), reported
as ratios new / baseline.

Cases: ordinary texts (synthetic queries: short messages, ASCII and not),
and the adversarial ones of issue 15: 10,000 custom phrases sharing the
first word "the" on a 100 KB text, and "no no no …" (default lexicon) on
100 KB and 1 MB.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

from _timing import best_of  # the one interleaved best-of timer (run from benchmarks/)

import prioritize as pz
from prioritize.signals import UrgencyLexicon

ROOT = Path(__file__).resolve().parent.parent


def baseline_module(rev: str) -> types.ModuleType:
    source = subprocess.run(
        ["git", "show", f"{rev}:src/prioritize/signals/_lexicon.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module = types.ModuleType("baseline_lexicon")
    sys.modules[module.__name__] = module  # pydantic resolves annotations through it
    exec(compile(source, f"{rev}:_lexicon.py", "exec"), module.__dict__)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default="14a0e96")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--n", type=int, default=20_000, help="ordinary texts")
    args = parser.parse_args()
    old = baseline_module(args.baseline)
    texts = pz.synthetic.queries(args.n, seed=0)["text"].tolist()
    accented = [t + " — café déjà vu" for t in texts[: args.n // 4]]
    many = {f"the x{i}": 0.1 for i in range(10_000)}
    hostile_text = ("the quick brown fox " * 5_000)[:100_000]
    # bench_scoring.py's new text each call: 48 characters, three cues, "!!".
    short = [f"Third time asking: still waiting, refund {i:05d}!!" for i in range(args.n)]
    cases: list[tuple[str, dict[str, Any], list[str]]] = [
        ("48-character texts", {}, short),
        ("ordinary ASCII texts", {}, texts),
        ("ordinary non-ASCII texts", {}, accented),
        ("10k phrases 'the …', 100 KB", {"phrases": many}, [hostile_text]),
        ("'no no no …', 100 KB", {}, ["no " * 33_333]),
        ("'no no no …', 1 MB", {}, ["no " * 333_333]),
    ]
    print(f"baseline {args.baseline}; best of {args.repeat}, interleaved (process time)\n")
    print(f"{'case':32} {'baseline':>12} {'new':>12} {'new/baseline':>13}")
    for name, config, inputs in cases:
        lex_old: Any = old.UrgencyLexicon(**config)
        lex_new = UrgencyLexicon(**config)

        def run(lex: Any, inputs: list[str] = inputs) -> None:
            for text in inputs:
                lex.score(text)

        t_old, t_new = best_of([lambda a=lex_old: run(a), lambda b=lex_new: run(b)], args.repeat)
        print(f"{name:32} {t_old * 1e3:10.2f}ms {t_new * 1e3:10.2f}ms {t_new / t_old:12.3f}x")


if __name__ == "__main__":
    main()
