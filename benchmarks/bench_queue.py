"""Benchmark: TriageQueue push + pop against a bare ``heapq`` of tuples, in one run.

Run: ``python benchmarks/bench_queue.py [--n 100000]``.

* bare heapq: push ``(-key, arrival, id, seq)`` tuples with precomputed keys,
  then pop them all — the floor for any priority queue in Python;
* scoring alone: ``Policy.score_value`` for every query (what any
  policy-driven queue must pay once per push; the explanation is built only
  when an entry's ``score`` is read);
* TriageQueue: ``push(query, customer)`` then ``pop(now)`` for every query,
  scoring included; and the same minus scoring alone (the queue's own cost:
  lazy deletion, MaxWait bookkeeping, locking, building the Entry);
* the served-id memory: the same queue with ``remember=0``, the difference.
"""

from __future__ import annotations

import argparse
import heapq
import random

from _timing import best_of, timed

import prioritize as pz
from prioritize.models import frame_to_objects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    frame = pz.synthetic.queries(args.n, seed=0)
    pairs = list(frame_to_objects(frame))
    now = frame["received_at"].max().to_pydatetime()
    print(f"{args.n:,} queries; push all, then pop all (best of {args.repeat})\n")

    for name in ("balanced", "influencer_weighted", "fifo"):
        policy = pz.policies.PRESETS[name]()
        keys = [(-policy.score(q, c).value, i, q.query_id, i) for i, (q, c) in enumerate(pairs)]

        def bare(keys: list[tuple[float, int, str, int]] = keys) -> None:
            heap: list[tuple[float, int, str, int]] = []
            push, pop = heapq.heappush, heapq.heappop
            for k in keys:
                push(heap, k)
            while heap:
                pop(heap)

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

        t_bare, t_score, t_queue, t_forget = best_of([bare, scoring, queue, forgetful], args.repeat)
        own = t_queue - t_score
        per = 1e6 / args.n
        print(f"{name}:")
        print(f"  bare heapq push+pop          {t_bare * per:7.2f} µs/query")
        print(f"  Policy.score_value alone     {t_score * per:7.2f} µs/query")
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


if __name__ == "__main__":
    main()
    agents()
