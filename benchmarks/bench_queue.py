"""Benchmark: TriageQueue push + pop against a bare ``heapq`` of tuples, in one run.

Run: ``python benchmarks/bench_queue.py [--n 100000] [--repeat 5] [--section push-pop|agents]``;
``--against SRC [--preset NAME ...]`` instead times this checkout's queue against
the package in ``SRC`` (e.g. ``../base/src`` of a ``git worktree add ../base
main``), interleaved in one process (:func:`against`).

* bare heapq: push ``(-key, arrival, id, seq)`` tuples with precomputed keys,
  then pop them all — the floor for any priority queue in Python;
* scoring alone: ``Policy.score_value`` for every query (what any
  policy-driven queue must pay once per push; the explanation is built only
  when an entry's ``score`` is read);
* TriageQueue: ``push(query, customer)`` then ``pop(now)`` for every query,
  scoring included; and the same minus scoring alone (the queue's own cost:
  lazy deletion, MaxWait bookkeeping, locking, building the Entry);
* the served-id memory: the same queue with ``remember=0``, the difference;
* a lean queue (:class:`LeanQueue`, written here): the smallest correct
  thread-safe queue with TriageQueue's contract minus its rules (a lock, an
  Entry-like object per push, duplicate ``query_id`` refused, remove by id,
  the score order with ties by arrival then id), scoring included: what the
  contract itself costs against a bare heapq.

Before each timed run the garbage collector is run (``gc.collect()``), as
``timeit`` switches it off: each queue keeps one object per waiting query, and
otherwise a full collection (walking the ~0.8 million objects of the 100,000
prebuilt queries and customers) lands in whichever queue run crosses its
threshold, adding ~2.5 µs/query to that contender alone.
"""

from __future__ import annotations

import argparse
import functools
import gc
import heapq
import importlib
import random
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from types import ModuleType
from typing import Any

from _timing import timed

import prioritize as pz
from prioritize.models import frame_to_objects
from prioritize.policy import heap_key_at


class LeanEntry:
    """What LeanQueue hands out: the query, its customer and base score, and its push number."""

    __slots__ = ("base", "customer", "query", "seq")

    def __init__(self, query: pz.Query, customer: pz.Customer, base: float, seq: int) -> None:
        self.query, self.customer, self.base, self.seq = query, customer, base, seq


class LeanQueue:
    """The contract's floor: one lock, one heap, one dict; no rule, no served-id memory.

    Heap entries ``(-key, arrival, query_id, seq)`` (the static key of
    :func:`~prioritize.policy.heap_key`, so aging keeps its order); an entry is
    live while its id's waiting LeanEntry has its ``seq`` (remove is lazy).
    """

    def __init__(self, policy: pz.Policy) -> None:
        self._score = policy.score_value
        self._rate = policy.aging_rate_per_minute
        self._lock = threading.Lock()
        self._heap: list[tuple[float, datetime, str, int]] = []
        self._waiting: dict[str, LeanEntry] = {}
        self._seq = 0

    def push(self, query: pz.Query, customer: pz.Customer) -> None:
        base = self._score(query, customer)
        at = query.received_at
        key = heap_key_at(base, at, self._rate) if self._rate else base
        qid = query.query_id
        with self._lock:
            if qid in self._waiting:
                raise pz.InputError(f"query {qid!r} is already in the queue")
            self._seq = seq = self._seq + 1
            self._waiting[qid] = LeanEntry(query, customer, base, seq)
            heapq.heappush(self._heap, (-key, at, qid, seq))

    def pop(self) -> LeanEntry:
        with self._lock:
            heap, waiting = self._heap, self._waiting
            while heap:
                _, _, qid, seq = heapq.heappop(heap)
                entry = waiting.get(qid)
                if entry is not None and entry.seq == seq:
                    del waiting[qid]
                    return entry
            raise pz.QueueEmpty("pop from an empty LeanQueue")

    def remove(self, query_id: str) -> pz.Query:
        with self._lock:
            entry = self._waiting.pop(query_id, None)
            if entry is None:
                raise pz.InputError(f"query {query_id!r} is not waiting in the queue")
            return entry.query


def _check_lean(
    policy: pz.Policy, pairs: list[tuple[pz.Query, pz.Customer]], now: datetime
) -> None:
    """The lean queue is a fair contender: without rules it serves TriageQueue's order."""
    lq, tq = LeanQueue(policy), pz.TriageQueue(policy, remember=0)
    for q, c in pairs:
        lq.push(q, c)
        tq.push(q, c)
    lean = [lq.pop().query.query_id for _ in pairs]
    assert lean == [tq.pop(now).query_id for _ in pairs], "the lean queue's order differs"


def bare_heapq(keys: list[tuple[float, int, str, int]]) -> None:
    """The floor: push the precomputed tuples into a bare heapq, then pop them all."""
    heap: list[tuple[float, int, str, int]] = []
    push, pop = heapq.heappush, heapq.heappop
    for k in keys:
        push(heap, k)
    while heap:
        pop(heap)


def best_collected(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best CPU time of each function over ``repeat`` interleaved rounds, each run
    started after ``gc.collect()`` (see the module notes)."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            gc.collect()
            seconds, _ = timed(fn)
            best[i] = min(best[i], seconds)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args, _ = parser.parse_known_args()  # --section: see the end of the file
    frame = pz.synthetic.queries(args.n, seed=0)
    pairs = list(frame_to_objects(frame))
    now = frame["received_at"].max().to_pydatetime()
    print(f"{args.n:,} queries; push all, then pop all (best of {args.repeat})\n")

    for name in ("balanced", "influencer_weighted", "fifo"):
        policy = pz.policies.PRESETS[name]()
        keys = [(-policy.score(q, c).value, i, q.query_id, i) for i, (q, c) in enumerate(pairs)]

        bare = functools.partial(bare_heapq, keys)

        def scoring(policy: pz.Policy = policy) -> None:
            for q, c in pairs:
                policy.score_value(q, c)

        def queue(policy: pz.Policy = policy, remember: int = pz.queue.SERVED_MEMORY) -> None:
            tq = pz.TriageQueue(policy, remember=remember)
            for q, c in pairs:
                tq.push(q, c)
            pop = tq.pop
            for _ in range(len(pairs)):
                pop(now)

        def forgetful(policy: pz.Policy = policy) -> None:
            queue(policy, remember=0)

        if policy.max_wait is None and policy.group_share is None:
            _check_lean(policy, pairs[:2000], now)

        def lean(policy: pz.Policy = policy) -> None:
            lq = LeanQueue(policy)
            for q, c in pairs:
                lq.push(q, c)
            pop = lq.pop
            for _ in range(len(pairs)):
                pop()

        t_bare, t_score, t_queue, t_forget, t_lean = best_collected(
            [bare, scoring, queue, forgetful, lean], args.repeat
        )
        own = t_queue - t_score
        per = 1e6 / args.n
        print(f"{name}:")
        print(f"  bare heapq push+pop          {t_bare * per:7.2f} µs/query")
        print(f"  Policy.score_value alone     {t_score * per:7.2f} µs/query")
        print(
            f"  lean queue, scoring incl.    {t_lean * per:7.2f} µs/query"
            f"   {t_lean / t_bare:5.1f}x bare heapq"
        )
        print(
            f"  lean queue, scoring excl.    {(t_lean - t_score) * per:7.2f} µs/query"
            f"   {(t_lean - t_score) / t_bare:5.1f}x bare heapq"
        )
        print(
            f"  TriageQueue, scoring incl.   {t_queue * per:7.2f} µs/query"
            f"   {t_queue / t_bare:5.1f}x bare heapq (goal <= 5x)"
        )
        print(
            f"  TriageQueue, scoring excl.   {own * per:7.2f} µs/query"
            f"   {own / t_bare:5.1f}x bare heapq (goal <= 3x)"
        )
        print(f"  served-id memory (remember=)  {(t_queue - t_forget) * per:7.2f} µs/query\n")


# -- pop(now, agent=...) with skills (teams): added after perf's sections ---------------

#: Ten distinct skill sets (five skills, alone and in pairs), drawn per query.
SKILL_SETS = [
    frozenset(s)
    for s in (
        {"es"},
        {"en"},
        {"billing"},
        {"technical"},
        {"social"},
        {"es", "billing"},
        {"en", "billing"},
        {"es", "technical"},
        {"en", "social"},
        {"billing", "technical"},
    )
]


def agents() -> None:
    """pop(now, agent=...) with 10 distinct skill sets waiting against a plain pop(now).

    The same stream is pushed into two queues: one without skills, one where
    each query needs one of :data:`SKILL_SETS`. Only the pops are timed
    (process CPU time, best of ``--repeat``, the contenders interleaved):
    draining the plain queue with ``pop(now)``, and the skilled one with
    ``pop(now, agent=...)`` by an agent who has every skill (all ten sets are
    eligible: the most a pop reads) and by one who may take four of them
    (a specialist, its pops falling back to a generalist when it has none).
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args, _ = parser.parse_known_args()
    frame = pz.synthetic.queries(args.n, seed=0)
    plain_pairs = list(frame_to_objects(frame))
    rng = random.Random(0)
    frame["skills"] = [rng.choice(SKILL_SETS) for _ in range(len(frame))]
    skilled_pairs = list(frame_to_objects(frame))
    now = frame["received_at"].max().to_pydatetime()
    everyone = pz.AgentGroup("all", agents=1, skills=frozenset().union(*SKILL_SETS))
    specialist = pz.AgentGroup("es-billing", agents=1, skills={"es", "billing"})
    print(f"pop(now, agent=...) with {len(SKILL_SETS)} skill sets waiting, {args.n:,} queries")
    for name in ("balanced", "influencer_weighted", "fifo"):
        policy = pz.policies.PRESETS[name]()

        def filled(
            pairs: list[tuple[pz.Query, pz.Customer]], policy: pz.Policy = policy
        ) -> pz.TriageQueue:
            tq = pz.TriageQueue(policy, remember=0)
            for q, c in pairs:
                tq.push(q, c)
            return tq

        def plain(tq: pz.TriageQueue) -> None:
            pop = tq.pop
            for _ in range(args.n):
                pop(now)

        def generalist(tq: pz.TriageQueue) -> None:
            pop = tq.pop
            for _ in range(args.n):
                pop(now, agent=everyone)

        def mixed(tq: pz.TriageQueue) -> None:
            take = tq.try_pop
            for _ in range(args.n):
                if take(now, agent=specialist) is None:
                    take(now, agent=everyone)

        contenders = [(plain, plain_pairs), (generalist, skilled_pairs), (mixed, skilled_pairs)]
        best = [float("inf")] * len(contenders)
        for _ in range(args.repeat):
            for i, (fn, pairs) in enumerate(contenders):
                tq = filled(pairs)
                seconds, _ = timed(lambda fn=fn, tq=tq: fn(tq))
                best[i] = min(best[i], seconds)
                assert len(tq) == 0
        per = 1e6 / args.n
        t_plain, t_all, t_mixed = best
        print(f"{name}:")
        print(f"  plain pop(now)                        {t_plain * per:6.2f} µs/pop")
        print(
            f"  pop(now, agent=every skill)           {t_all * per:6.2f} µs/pop"
            f"   {t_all / t_plain:4.2f}x plain (goal <= 2x)"
        )
        print(
            f"  specialist try_pop, else generalist   {t_mixed * per:6.2f} µs/query"
            f"   {t_mixed / t_plain:4.2f}x plain\n"
        )


# -- this checkout's TriageQueue against another's (e.g. main's), in one process ---------


#: The backlog of the live rhythm in :func:`against` (then one push and one pop a query).
LIVE_BACKLOG = 1_000


def _of_package(module: str) -> bool:
    return module == "prioritize" or module.startswith("prioritize.")


def load_copy(src: str) -> ModuleType:
    """The ``prioritize`` package of another checkout (``src``: the folder holding it),
    loaded beside this one: its modules are imported under their own names, kept by
    the returned module, then this checkout's are put back in ``sys.modules``.

    The names a contender needs are read while that copy is loaded (the package's
    lazy attributes import on first access); the two copies share no module.
    """
    ours = {k: m for k, m in sys.modules.items() if _of_package(k)}
    for k in ours:
        del sys.modules[k]
    sys.path.insert(0, src)
    try:
        other = importlib.import_module("prioritize")
        for name in ("TriageQueue", "queue", "synthetic", "policies"):
            getattr(other, name)
        importlib.import_module("prioritize.models")
    finally:
        sys.path.remove(src)
        for k in [k for k in sys.modules if _of_package(k)]:
            del sys.modules[k]
        sys.modules.update(ours)
    assert other.__file__ is not None and other.__file__.startswith(src), other.__file__
    return other


def against(src: str) -> None:
    """push + pop of this checkout's TriageQueue and of the one in ``src``, interleaved.

    Per preset the contenders run in turn, ``--repeat`` rounds, best of each (each
    run after ``gc.collect()``, as :func:`best_collected`; the two copies' order
    swapped every other round): a bare heapq, scoring alone, each queue's push then
    pop of every query, and each queue in a live rhythm (:data:`LIVE_BACKLOG`).
    Both copies read the same query and customer objects (each its own policy). The
    ratio of the two queues (and of their own costs, scoring excluded) is the
    comparison that holds on a loaded machine: an A/A run (``SRC`` a copy of this
    checkout) gave 0.99-1.01 push-all/pop-all, 0.99-1.02 in the live rhythm.
    """
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--preset", action="append", default=None)
    args, _ = parser.parse_known_args()
    other = load_copy(src)
    copies = {"this": pz, "other": other}
    # One set of queries for both copies (the models are duck-typed: the other copy's
    # queue and policy read them as their own), so that neither copy's objects sit in
    # a better part of the heap than the other's.
    frame = pz.synthetic.queries(args.n, seed=0)
    shared = (list(frame_to_objects(frame)), frame["received_at"].max().to_pydatetime())
    data = {"this": shared, "other": shared}
    print(f"{args.n:,} queries; push all, then pop all (best of {args.repeat})")
    print(f"this: {pz.__file__}\nother: {other.__file__}\n")
    for name in args.preset or ("balanced", "influencer_weighted", "fifo"):
        policies = {label: lib.policies.PRESETS[name]() for label, lib in copies.items()}
        pairs = data["this"][0]
        score = policies["this"].score_value
        keys = [(-score(q, c), i, q.query_id, i) for i, (q, c) in enumerate(pairs)]

        bare = functools.partial(bare_heapq, keys)

        def scoring(label: str, policies: dict[str, Any] = policies) -> Callable[[], None]:
            def run() -> None:
                score = policies[label].score_value
                for q, c in data[label][0]:
                    score(q, c)

            return run

        def queue(label: str, policies: dict[str, Any] = policies) -> Callable[[], None]:
            def run() -> None:
                tq = copies[label].TriageQueue(policies[label])
                pairs, now = data[label]
                push = tq.push
                for q, c in pairs:
                    push(q, c)
                pop = tq.pop
                for _ in range(len(pairs)):
                    pop(now)

            return run

        def live(label: str, policies: dict[str, Any] = policies) -> Callable[[], None]:
            # A live queue's rhythm: a backlog of LIVE_BACKLOG, then a push and a pop
            # for each further query (the served-id memory files one id at each push).
            def run() -> None:
                tq = copies[label].TriageQueue(policies[label])
                pairs, now = data[label]
                push, pop = tq.push, tq.pop
                for q, c in pairs[:LIVE_BACKLOG]:
                    push(q, c)
                for q, c in pairs[LIVE_BACKLOG:]:
                    push(q, c)
                    pop(now)

            return run

        check = {}
        for label, lib in copies.items():
            tq = lib.TriageQueue(policies[label])
            for q, c in data[label][0][:3000]:
                tq.push(q, c)
            check[label] = [tq.pop(data[label][1]).query_id for _ in range(3000)]
        assert check["this"] == check["other"], "the two copies serve different orders"

        # Each round runs the pairs in turn, this copy first in even rounds and the other
        # first in odd ones: a run inherits the heap its predecessor freed.
        fns = [
            bare,
            scoring("this"),
            scoring("other"),
            queue("this"),
            queue("other"),
            live("this"),
            live("other"),
        ]
        best = [float("inf")] * len(fns)
        for round_ in range(args.repeat):
            order = [0, 1, 2, 3, 4, 5, 6] if round_ % 2 == 0 else [0, 2, 1, 4, 3, 6, 5]
            for i in order:
                gc.collect()
                seconds, _ = timed(fns[i])
                best[i] = min(best[i], seconds)
        t_bare, s_this, s_other, q_this, q_other, l_this, l_other = best
        per = 1e6 / args.n
        own_this, own_other = q_this - s_this, q_other - s_other
        print(f"{name}:  bare heapq {t_bare * per:5.2f} µs/query")
        for label, t_q, own in (("this ", q_this, own_this), ("other", q_other, own_other)):
            print(
                f"  {label} TriageQueue {t_q * per:5.2f} µs ({t_q / t_bare:4.2f}x),"
                f" scoring excl. {own * per:5.2f} µs ({own / t_bare:4.2f}x bare heapq)"
            )
        print(
            f"  this/other: {q_this / q_other:5.3f} (scoring incl.),"
            f" {own_this / own_other:5.3f} (scoring excl.)"
        )
        print(
            f"  live rhythm (a push, a pop; {LIVE_BACKLOG:,} waiting): this {l_this * per:5.2f} µs,"
            f" other {l_other * per:5.2f} µs, this/other {l_this / l_other:5.3f}\n"
        )


if __name__ == "__main__":
    # --section push-pop | agents runs one of the two (both parse their own options);
    # --against SRC: this checkout's queue against the package in SRC (only that)
    section = argparse.ArgumentParser(add_help=False)
    section.add_argument("--section", choices=("all", "push-pop", "agents"), default="all")
    section.add_argument("--against", default=None)
    known = section.parse_known_args()[0]
    chosen = known.section
    if known.against is not None:
        against(known.against)
    else:
        if chosen in ("all", "push-pop"):
            main()
        if chosen in ("all", "agents"):
            agents()
