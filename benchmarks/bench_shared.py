"""SharedQueue: claims + completes per second against the plainest SQL queue on the same database.

Contenders, on SQLite (a file, WAL) and on PostgreSQL (a throwaway local
cluster, or ``PRIORITIZE_TEST_POSTGRES_URL``), each draining the same N
queries with one process and with four processes:

* ``baseline``: one table, one indexed FIFO column (arrival), the same
  payload (query and customer JSON) fetched, the same locking (SQLite
  ``BEGIN IMMEDIATE``; PostgreSQL ``FOR UPDATE SKIP LOCKED`` and psycopg's
  pipeline mode, as SharedQueue), the same durability (SQLite: WAL,
  ``synchronous=NORMAL``, SharedQueue's connection settings), the same lease
  semantics (a claim takes a waiting row or one whose lease ran out, and
  leases it with a token until a time; a complete checks the token; completed
  ids stay), in the plainest SQL: ``SELECT ... WHERE state < 2 AND (state = 0
  OR lease_ns < now) ORDER BY arrival LIMIT 1``, then ``UPDATE`` by id; the
  index is ``(arrival) WHERE state < 2``;
* ``shared/plain``: ``SharedQueue`` under a policy without rules;
* ``shared/rules``: ``SharedQueue`` under Aging + per-channel MaxWait +
  GroupShare (the ledger read and written in every claim's transaction).

Two cases (``--case``): ``overdue``, every claim at T0 + 1 day, when every
query has waited past its MaxWait limit (the worst case for the lanes: each
lane's head is overdue and read), and ``fresh``, the queries arriving one a
second and the claims following one a second (the workers share one clock,
30 minutes after the last arrival at the first claim, a second later at each
claim of any worker; shared, so that no worker's now passes another's lease):
waits are minutes, and only the last claims find an overdue query
(the ``overdue`` column: the share of the rules contender's claims served as
overdue).

Rounds are interleaved and the best of ``--rounds`` is kept; the ratio is
baseline rate / contender rate (goal: ≤ 1.5 for the policy's features).
On a loaded machine the wall-clock ratios swing by tens of percent between
runs; the CPU columns swing far less: the CPU time per claim + complete of
the workers (``time.process_time``) plus, on PostgreSQL, of their server
processes (``pg_backend_pid``, read from ``/proc``), best of the rounds, and
its ratio to the baseline's.

    python benchmarks/bench_shared.py [--n 1500] [--rounds 3] [--case both]
        [--backend both] [--procs both]
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing as mp
import os
import queue
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import prioritize as pz

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# A day's lease: long against the fresh case's clock (a second per claim), so that a worker
# descheduled for many claims on a loaded machine still holds its lease (the baseline's the same).
LEASE_MINUTES = 24 * 60
LEASE_NS = LEASE_MINUTES * 60 * 10**9
# fork is fastest; Python 3.12+ warns about fork in a process with threads, so use forkserver
# there (checked to pass on 3.11 too).
CTX = mp.get_context("fork" if sys.version_info < (3, 12) else "forkserver")
PLAIN = pz.Policy(weights={"urgency": 1.0, "follower_reach": 0.5})
RULES = pz.Policy(
    weights={"urgency": 1.0, "follower_reach": 0.5},
    rules=[
        pz.rules.Aging(points_per_hour=2.0),
        pz.rules.MaxWait(minutes=240, per_channel={"twitter": 60, "email": 1440}),
        pz.rules.GroupShare(group="follower_band", shares={"<1k": 0.3}),
    ],
)


def pairs(n: int) -> list[tuple[pz.Query, pz.Customer]]:
    out = []
    for i in range(n):
        q = pz.Query(
            query_id=f"q{i:06d}",
            customer_id=f"c{i}",
            received_at=T0 + timedelta(seconds=i),
            channel=("chat", "email", "twitter", "phone")[i % 4],
            urgency=(i * 7 % 10) / 10,
        )
        out.append((q, pz.Customer(customer_id=f"c{i}", followers=i * 997 % 300_000)))
    return out


# ------------------------------------------------------------------ baseline
class Fifo:
    """The plainest SQL queue: one indexed FIFO column, the same locking as SharedQueue."""

    def __init__(self, url: str, table: str) -> None:
        self.table = table
        self.pg = url.startswith("postgresql")
        if self.pg:
            import psycopg

            self.conn: Any = psycopg.connect(url, autocommit=True)
            self.lock = " FOR UPDATE SKIP LOCKED"
            self.p = "%s"
        else:
            path = url[len("sqlite:///") :]
            self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.lock = ""
            self.p = "?"

    def begin(self) -> None:
        self.conn.execute("BEGIN" if self.pg else "BEGIN IMMEDIATE")

    def create(self, rows: list[tuple[pz.Query, pz.Customer]]) -> None:
        t, p = self.table, self.p
        self.conn.execute(
            f"CREATE TABLE {t} (id TEXT PRIMARY KEY, arrival BIGINT NOT NULL,"
            " state INTEGER NOT NULL, token TEXT, lease_ns BIGINT, query TEXT, customer TEXT)"
        )
        self.conn.execute(f"CREATE INDEX {t}_fifo ON {t} (arrival) WHERE state < 2")
        self.begin()
        data = [
            (q.query_id, i, q.model_dump_json(), c.model_dump_json())
            for i, (q, c) in enumerate(rows)
        ]
        sql = f"INSERT INTO {t} VALUES ({p}, {p}, 0, NULL, NULL, {p}, {p})"
        if self.pg:
            with self.conn.cursor() as cur:
                cur.executemany(sql, data)
        else:
            self.conn.executemany(sql, data)
        self.conn.execute("COMMIT")

    def batch(self) -> Any:
        """PostgreSQL: pipeline mode, as SharedQueue uses it (same round trips)."""
        return self.conn.pipeline() if self.pg else nullcontext()

    def claim(self, now_ns: int) -> tuple[str, str] | None:
        t, p = self.table, self.p
        with self.batch():
            self.begin()
            row = self.conn.execute(
                f"SELECT id, query, customer FROM {t} WHERE state < 2"
                f" AND (state = 0 OR lease_ns < {p}) ORDER BY arrival LIMIT 1" + self.lock,
                (now_ns,),
            ).fetchone()
            if row is None:
                self.conn.execute("COMMIT")
                return None
            token = uuid.uuid4().hex
            self.conn.execute(
                f"UPDATE {t} SET state = 1, token = {p}, lease_ns = {p} WHERE id = {p}",
                (token, now_ns + LEASE_NS, row[0]),
            )
            self.conn.execute("COMMIT")
        return row[0], token

    def complete(self, qid: str, token: str) -> None:
        """One statement, its own transaction (as SharedQueue.complete)."""
        t, p = self.table, self.p
        self.conn.execute(
            f"UPDATE {t} SET state = 2, token = NULL, lease_ns = NULL"
            f" WHERE id = {p} AND state = 1 AND token = {p}",
            (qid, token),
        )


# ------------------------------------------------------------------ workers
def server_cpu(execute: Callable[[str], Any] | None) -> Callable[[], float]:
    """The CPU seconds so far of this connection's PostgreSQL server process (0 for SQLite,
    whose work is the worker's own, or when /proc cannot be read)."""
    if execute is None:
        return lambda: 0.0
    pid = execute("SELECT pg_backend_pid()").fetchone()[0]
    stat = Path(f"/proc/{pid}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return read


def first_now(case: str, n: int) -> datetime:
    """The first claim's now (see the module's docstring)."""
    if case == "overdue":
        return T0 + timedelta(days=1)
    return T0 + timedelta(seconds=n, minutes=30)


def tick(ticks: Any, step: bool) -> int:
    """The shared clock's seconds since the first claim, moved on a second if ``step``
    (unlocked: an increment lost to a race only slows the clock)."""
    if not step:
        return 0
    seconds: int = ticks.value
    ticks.value = seconds + 1
    return seconds


def drain_fifo(url: str, table: str, clk: Any, start: Any, cpu: Any) -> None:
    q = Fifo(url, table)
    server = server_cpu(q.conn.execute if q.pg else None)
    first, ticks, step = clk
    first_ns = int(first.timestamp()) * 10**9
    start.wait()
    t0, s0 = time.process_time(), server()
    while (got := q.claim(first_ns + tick(ticks, step) * 10**9)) is not None:
        q.complete(*got)
    cpu.put((time.process_time() - t0 + server() - s0, 0))


def drain_shared(url: str, name: str, policy: pz.Policy, clk: Any, start: Any, cpu: Any) -> None:
    q = pz.SharedQueue(policy, url, name=name)
    db = q._db  # the benchmark's view of the connection: its server process
    server = server_cpu(db.run if db.for_update else None)
    first, ticks, step = clk
    second = timedelta(seconds=1)
    overdue = 0
    start.wait()
    t0, s0 = time.process_time(), server()
    while (
        entry := q.claim(first + tick(ticks, step) * second, lease_minutes=LEASE_MINUTES)
    ) is not None:
        q.complete(entry.query_id, entry.token)
        overdue += entry.reason == "overdue"
    cpu.put((time.process_time() - t0 + server() - s0, overdue))
    q.close()


def timed(
    target: Callable[..., None], args: tuple[Any, ...], procs: int, case: str
) -> tuple[float, float, int]:
    """Wall seconds to drain, the CPU seconds of the workers and their servers, and the
    claims served as overdue (``args``' last: the first claim's now; the workers' shared
    clock is added)."""
    start, cpu = CTX.Event(), CTX.Queue()
    clk = (args[-1], CTX.RawValue("q", 0), case == "fresh")
    args = (*args[:-1], clk, start, cpu)
    workers = [CTX.Process(target=target, args=args) for _ in range(procs)]
    for w in workers:
        w.start()
    time.sleep(0.3)  # every worker connected and waiting
    t0 = time.perf_counter()
    start.set()
    got: list[tuple[float, int]] = []
    while len(got) < len(workers):
        try:
            got.append(cpu.get(timeout=1.0))
        except queue.Empty:  # a worker that died never reports: stop, do not wait for ever
            failed = [w for w in workers if w.exitcode not in (None, 0)]
            if failed:
                for w in workers:
                    w.kill()
                raise SystemExit(
                    f"a {case} worker (pid {failed[0].pid}) exited with {failed[0].exitcode}"
                ) from None
    for w in workers:
        w.join()
        assert w.exitcode == 0
    return time.perf_counter() - t0, sum(g[0] for g in got), sum(g[1] for g in got)


def run(
    database: Callable[[], str], n: int, procs: int, case: str
) -> dict[str, tuple[float, float, int]]:
    """Seconds to drain n queries (wall, CPU), per contender (one round); ``database()``: the URL of
    each contender's database (SQLite: a new file each, so that none reads another's or an
    earlier round's rows)."""
    rows = pairs(n)
    first = first_now(case, n)
    out = {}
    table = "bench_" + uuid.uuid4().hex[:12]
    url = database()
    Fifo(url, table).create(rows)
    out["baseline"] = timed(drain_fifo, (url, table, first), procs, case)
    for label, policy in (("shared/plain", PLAIN), ("shared/rules", RULES)):
        name = uuid.uuid4().hex
        url = database()
        with pz.SharedQueue(policy, url, name=name) as q:
            q.push_many(rows)
        out[label] = timed(drain_shared, (url, name, policy, first), procs, case)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--case", choices=["overdue", "fresh", "both"], default="both")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--procs", choices=["1", "4", "both"], default="both")
    args = parser.parse_args()
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        pg = os.environ.get("PRIORITIZE_TEST_POSTGRES_URL")
        if not pg and args.backend != "sqlite":
            conftest = Path(__file__).parent.parent / "tests" / "queue" / "conftest.py"
            spec = importlib.util.spec_from_file_location("shared_conftest", conftest)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            pg = stack.enter_context(module.throwaway_cluster())
        backends: dict[str, Callable[[], str]] = {
            "sqlite": lambda: f"sqlite:///{tmp}/{uuid.uuid4().hex}.db",
            "postgresql": lambda: pg,
        }
        if args.backend != "both":
            backends = {args.backend: backends[args.backend]}
        print(f"claims + completes per second, {args.n} queries, best of {args.rounds} rounds")
        print(
            f"{'case':<8} {'backend':<11} {'procs':>5} {'contender':<13} {'per s':>8}"
            f" {'x baseline':>10} {'CPU us':>8} {'CPU x base':>10} {'overdue':>8}"
        )
        cases = ["overdue", "fresh"] if args.case == "both" else [args.case]
        for case in cases:
            for backend, database in backends.items():
                for procs in (1, 4) if args.procs == "both" else (int(args.procs),):
                    best: dict[str, float] = {}
                    cpu: dict[str, float] = {}
                    late: dict[str, int] = {}
                    for _ in range(args.rounds):
                        for label, (seconds, spent, n_late) in run(
                            database, args.n, procs, case
                        ).items():
                            best[label] = min(best.get(label, float("inf")), seconds)
                            cpu[label] = min(cpu.get(label, float("inf")), spent)
                            late[label] = n_late
                    for label, seconds in best.items():
                        ratio = seconds / best["baseline"]
                        rate = args.n / seconds
                        used = cpu[label] / args.n * 1e6
                        share = f"{late[label] / args.n:.0%}" if label == "shared/rules" else ""
                        print(
                            f"{case:<8} {backend:<11} {procs:>5} {label:<13} {rate:>8.0f}"
                            f" {ratio:>10.2f} {used:>8.0f} {cpu[label] / cpu['baseline']:>10.2f}"
                            f" {share:>8}",
                            flush=True,
                        )


if __name__ == "__main__":
    main()
