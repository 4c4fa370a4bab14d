"""Entry point: ``prioritize <command>``; an error is one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from prioritize._errors import PrioritizeError
from prioritize._internal.constants import SERVICE_TARGET, SLA_MINUTES
from prioritize._internal.version import __version__
from prioritize.cli._common import STAFF_WITHIN_MINUTES, CLIError, ReadOptions, one_line

__all__ = ["main"]

PATIENCE_HELP = (
    "how long customers wait before giving up: MIN (exponential, that mean), "
    "CHANNEL=MIN,... (per channel; default=MIN for the rest), survey (documented per-channel "
    "assumptions) or none (nobody gives up); default: the stream's patience_minutes, else none"
)
_EPILOG = "Errors are one line on stderr (prioritize: error: ...) with exit code 2."


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see {self.prog} --help)")


def _add_team(cmd: argparse.ArgumentParser) -> None:
    team = cmd.add_mutually_exclusive_group()
    team.add_argument(
        "--agents",
        type=int,
        metavar="N",
        help="agents on duty all the time (default: the least team meeting --target within "
        "--within-minutes at the stream's load, Erlang A/C)",
    )
    team.add_argument(
        "--schedule",
        metavar="FILE.toml",
        help="shifts instead: [[shift]] tables with start, end, count, tz, days",
    )


_FORMAT_NAMES = "twitter, zendesk, csv, or another registered reader"


def _add_read(cmd: argparse.ArgumentParser) -> None:
    group = cmd.add_argument_group(
        "reading the queries file",
        "The file may be any supported export: its format is detected from the content "
        "(or named with --format). What a reader skips because it is not a customer message "
        "(retweets, deleted tickets...) is reported on one line on stderr.",
    )
    group.add_argument(
        "--format", metavar="NAME", help=f"the file's format ({_FORMAT_NAMES}); default: detected"
    )
    group.add_argument(
        "--tz", metavar="ZONE", help="time zone of times without an offset, e.g. Europe/Berlin"
    )
    group.add_argument(
        "--date-format",
        metavar="FMT",
        help="strptime format of the times, e.g. '%%d/%%m/%%Y %%H:%%M' (default: every "
        "documented vendor form)",
    )
    group.add_argument(
        "--ambiguous",
        choices=("raise", "earliest", "latest", "infer"),
        help="local times that occur twice on the night clocks go back (default: an error)",
    )
    group.add_argument(
        "--nonexistent",
        choices=("raise", "shift_forward", "shift_backward"),
        help="local times skipped on the night clocks go forward (default: an error)",
    )
    group.add_argument(
        "--keep",
        metavar="KIND,...",
        type=lambda text: tuple(k.strip() for k in text.split(",") if k.strip()),
        help="read these skipped kinds as queries, e.g. retweet,duplicate",
    )
    group.add_argument(
        "--unknown-followers",
        type=int,
        metavar="N",
        help="follower count for a tweet whose author is unknown (default: an error)",
    )
    group.add_argument(
        "--followers",
        type=int,
        metavar="N",
        help="twcs: follower count to assume for every author (the dataset has none)",
    )
    group.add_argument(
        "--on-errors",
        choices=("raise", "ignore"),
        help="twitter: an API error about a tweet's author (default raise)",
    )


def _read_options(args: argparse.Namespace) -> ReadOptions:
    return ReadOptions(
        format=args.format,
        tz=args.tz,
        date_format=args.date_format,
        ambiguous=args.ambiguous,
        nonexistent=args.nonexistent,
        keep=args.keep,
        unknown_followers=args.unknown_followers,
        followers=args.followers,
        on_errors=args.on_errors,
    )


def _add_targets(
    cmd: argparse.ArgumentParser,
    *,
    within_minutes: float = SLA_MINUTES,
    within_help: str = f"answer time of the service level shown (default {SLA_MINUTES:g})",
    target_help: str = (
        f"share to answer in time, for the target line and promise ({SERVICE_TARGET})"
    ),
) -> None:
    cmd.add_argument(
        "--within-minutes",
        type=float,
        default=within_minutes,
        metavar="MIN",
        help=within_help,
    )
    cmd.add_argument(
        "--target", type=float, default=SERVICE_TARGET, metavar="SHARE", help=target_help
    )


def _add_seed(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


_QUERIES_HELP = "queries: canonical CSV/Parquet or any supported export (see --format)"


def _add_queries(cmd: argparse.ArgumentParser, *, synthetic: int, what: str) -> None:
    """``--queries FILE``, else ``--synthetic N`` queries of a generated ``what``."""
    cmd.add_argument(
        "--queries", metavar="FILE", help=f"{_QUERIES_HELP}; default: a synthetic {what}"
    )
    cmd.add_argument(
        "--synthetic",
        type=int,
        default=synthetic,
        metavar="N",
        help=f"size of the synthetic {what} (default {synthetic})",
    )


def _add_policy(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--policy",
        required=True,
        metavar="FILE|PRESET",
        help="policy file (.toml/.json) or preset name",
    )


_RAW_CSV_HELP = (
    "write text as is in CSV output; by default a cell starting with =, +, -, @, tab or "
    "carriage return gets a leading ' so a spreadsheet does not run it as a formula"
)


def _add_force(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--force",
        action="store_true",
        help="overwrite an existing output file (an input file is never overwritten)",
    )


def _add_out(cmd: argparse.ArgumentParser, what: str) -> None:
    cmd.add_argument(
        "--out",
        metavar="FILE.csv",
        help=f"write {what} to a CSV (or Parquet, for a .parquet name)",
    )
    cmd.add_argument("--raw-csv", action="store_true", help=_RAW_CSV_HELP)
    _add_force(cmd)


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="prioritize",
        description="Decide who gets answered first, and measure what it costs.",
        epilog=_EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo",
        help="a synthetic week through the five presets: who waits how long",
        description="Simulate a synthetic week of queries under the five preset policies with "
        "one team and show who waits how long, by follower band and value band, with value at "
        "risk, public exposure, the four-fifths rule, a reading and the promise each supports. "
        "Needs no optional extra.",
        epilog=_EPILOG,
    )
    demo.add_argument(
        "--queries",
        type=int,
        default=None,
        metavar="N",
        help="synthetic queries in the week (default 5000)",
    )
    _add_seed(demo)
    demo.add_argument(
        "--agents",
        type=int,
        metavar="N",
        help="agents on duty (default: the least team meeting --target within --within-minutes "
        "at the stream's load, Erlang A/C)",
    )
    demo.add_argument("--patience", metavar="SPEC", help=PATIENCE_HELP)
    _add_targets(demo)

    compare = sub.add_parser(
        "compare",
        help="compare policies on a stream with a team; optional HTML report",
        description="Simulate policies on the same stream with the same team and compare "
        "waits, abandonment, expected loss, public exposure and fairness by band. With no "
        "options: the five presets on a synthetic week.",
        epilog=_EPILOG,
    )
    _add_queries(compare, synthetic=5000, what="week")
    compare.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="FILE|PRESET",
        help="a policy file (.toml/.json) or preset name; repeat for several "
        "(default: the five presets)",
    )
    _add_team(compare)
    compare.add_argument(
        "--team",
        metavar="FILE.toml",
        help="agent groups with skills instead of --agents/--schedule: a pz.Team file "
        "([[groups]] with name, agents, skills, capacity); results by agent group",
    )
    compare.add_argument(
        "--routes",
        metavar="FILE.toml",
        help="with --team: what each query needs (a pz.Routes file: [[routes]] with when, "
        "require, prefer); default: the stream's skills column, else anyone may answer",
    )
    compare.add_argument("--patience", metavar="SPEC", help=PATIENCE_HELP)
    compare.add_argument(
        "--retry",
        metavar="FILE.toml",
        help="customers who give up contact again (a pz.Retry file: probability, after_minutes, "
        "optional channel); the tables then count people beside contacts",
    )
    _add_seed(compare)
    compare.add_argument(
        "--replications",
        type=int,
        default=1,
        metavar="R",
        help="runs per policy on new streams, for 95%% intervals (default 1)",
    )
    compare.add_argument(
        "--baseline",
        metavar="NAME",
        help="the policy the others are read against (default: fifo if compared, else the first)",
    )
    compare.add_argument(
        "--report",
        metavar="FILE.html",
        help="write a self-contained HTML report (needs prioritize[plot])",
    )
    _add_read(compare)
    _add_force(compare)
    compare.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bars on stderr, with the optional tqdm (default: when stderr is a terminal)",
    )
    _add_targets(compare)

    score = sub.add_parser(
        "score",
        help="rank a file of queries with a policy, with each contribution",
        description="Rank the queries of a CSV/Parquet file with a policy at a moment and show "
        "the top of the queue with the points each signal contributes.",
        epilog=_EPILOG,
    )
    score.add_argument("queries", metavar="FILE", help=_QUERIES_HELP)
    _add_policy(score)
    score.add_argument(
        "--now",
        metavar="TIME",
        help="ISO 8601 time with zone, e.g. 2024-03-05T10:00Z (default: the newest arrival)",
    )
    score.add_argument("--top", type=int, default=20, metavar="N", help="rows shown (default 20)")
    _add_out(score, "every ranked query")
    _add_read(score)

    audit = sub.add_parser(
        "audit",
        help="counterfactual, gaming and fairness audit of a policy",
        description="What drives a policy's order, how far followers, value, purchases and "
        "urgency move each query, what gaming gains, and (with --simulate) who waits.",
        epilog=_EPILOG,
    )
    _add_policy(audit)
    _add_queries(audit, synthetic=1000, what="4-hour backlog")
    audit.add_argument(
        "--simulate",
        action="store_true",
        help="also simulate the stream and tabulate waits by band",
    )
    audit.add_argument(
        "--derive-urgency",
        action="store_true",
        help="gaming audit of the text lexicon: derive every query's urgency from its text "
        "(by default a given urgency cannot be gamed by rewriting the text)",
    )
    _add_team(audit)
    _add_seed(audit)
    _add_read(audit)

    staff = sub.add_parser(
        "staff",
        help="agents needed for a service target (Erlang C, or A with patience)",
        description="The least number of agents answering --target of queries within "
        "--within-minutes, for one arrival rate or for every interval of a CSV (columns: a label, "
        "arrivals, optionally handle_minutes).",
        epilog=_EPILOG,
    )
    staff.add_argument("--arrivals-per-hour", type=float, metavar="RATE", help="arrival rate")
    staff.add_argument("--handle-minutes", type=float, metavar="MIN", help="mean handling time")
    _add_targets(
        staff,
        within_minutes=STAFF_WITHIN_MINUTES,
        within_help=f"answer time in minutes (default {STAFF_WITHIN_MINUTES:g})",
        target_help=f"share to answer in time, in (0, 1) (default {SERVICE_TARGET})",
    )
    staff.add_argument(
        "--max-occupancy", type=float, metavar="SHARE", help="also keep agents at most this busy"
    )
    staff.add_argument(
        "--patience-minutes",
        type=float,
        metavar="MIN",
        help="mean patience: Erlang A, customers give up",
    )
    staff.add_argument("--intervals", metavar="FILE.csv", help="plan every interval of a CSV")
    staff.add_argument(
        "--interval-minutes",
        type=int,
        default=30,
        metavar="MIN",
        help="interval length of --intervals (default 30)",
    )
    _add_out(staff, "the interval plan of --intervals")
    return parser


def _given(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The parsed options ``names`` by name: the commands' keyword arguments bear their names."""
    return {name: getattr(args, name) for name in names}


def _run(args: argparse.Namespace) -> str:
    if args.command == "demo":
        from prioritize.cli._demo import DEMO_QUERIES, run_demo

        return run_demo(
            DEMO_QUERIES if args.queries is None else args.queries,
            **_given(args, "seed", "agents", "within_minutes", "target", "patience"),
        )
    if args.command == "compare":
        from prioritize.cli._compare import CompareOptions, run_compare

        return run_compare(
            CompareOptions(
                policies=args.policy,
                read=_read_options(args),
                **_given(
                    args, "queries", "synthetic", "agents", "schedule", "team", "routes",
                    "retry", "seed", "replications", "report", "force", "within_minutes",
                    "target", "progress", "patience", "baseline",
                ),
            )
        )  # fmt: skip
    if args.command == "score":
        from prioritize.cli._commands import run_score

        return run_score(
            args.queries,
            args.policy,
            read=_read_options(args),
            **_given(args, "now", "top", "out", "force", "raw_csv"),
        )
    if args.command == "audit":
        from prioritize.cli._commands import run_audit

        return run_audit(
            args.policy,
            read=_read_options(args),
            **_given(
                args, "queries", "synthetic", "simulate", "agents", "schedule", "seed",
                "derive_urgency",
            ),
        )  # fmt: skip
    from prioritize.cli._commands import StaffOptions, run_staff

    return run_staff(
        StaffOptions(
            **_given(
                args, "arrivals_per_hour", "handle_minutes", "target", "within_minutes",
                "max_occupancy", "patience_minutes", "intervals", "interval_minutes", "out",
                "force", "raw_csv",
            )
        )
    )  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0, or 2 after a one-line error)."""
    try:
        args = _build_parser().parse_args(argv)
        print(_run(args))
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    except (_UsageError, CLIError, PrioritizeError, ValueError, OSError, ImportError) as exc:
        print(f"prioritize: error: {one_line(exc)}", file=sys.stderr)
        return 2
    return 0
