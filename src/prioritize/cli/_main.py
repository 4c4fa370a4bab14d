"""Entry point: ``prioritize <command>``; errors are one clear line and exit code 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from prioritize._errors import PrioritizeError

__all__ = ["main"]


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prioritize",
        description="Decide who gets answered first, and measure what it costs.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo", help="score a synthetic batch under the five presets and show who goes first"
    )
    demo.add_argument("--queries", type=int, default=2000, help="synthetic queries (default 2000)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--top", type=int, default=5, help="queries to show per policy (default 5)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            from prioritize.cli._demo import run_demo

            run_demo(n=args.queries, seed=args.seed, top=args.top)
    except (PrioritizeError, ValueError, OSError) as exc:
        print(f"prioritize: error: {exc}", file=sys.stderr)
        return 2
    return 0
