"""The serving order: the one definition used by rank, TriageQueue, the simulator and the audit.

The rule, piece by piece (each piece is defined here once):

* **Static key** (:func:`heap_key`). With linear aging a query's score at time
  ``t`` is ``base + rate·(t − arrival)``, so ordering by score at any ``t`` is
  ordering by ``base − rate·arrival``: the order of waiting queries never
  changes by itself, and a heap keyed once stays valid.
* **Ties**: larger key first, then earlier arrival, then smaller ``query_id``:
  the heap entries ``(−key, arrival, id, seq)`` of :class:`Picker`, and
  :func:`tiebreak_rank` + :func:`serving_order` for arrays (a property test
  keeps the two forms in one order).
* **Overdue** (:func:`is_overdue`, :func:`channel_limits`): under ``MaxWait`` a
  query that has waited *strictly longer* than its channel's limit is served
  before every query that is not overdue, overdue ones oldest first (ties by
  ``query_id``).
* **Group shares** (:class:`ShareLedger`): under ``GroupShare`` the group to
  serve is chosen by a credit ledger; :meth:`ShareLedger.choose` answers "who
  would be next" without changing anything, :meth:`ShareLedger.record` books
  a service start.

Vectorised, for a whole frame at one instant: :func:`order_keys` and
:func:`rank_order` (:meth:`Policy.rank`, the audit). Incrementally, for a
line of waiting queries: :class:`Picker` (TriageQueue keys it by its own
entries in tuple heaps; the simulator uses its rank mode, :class:`Rows`: int
heaps of the places :func:`rank_order` gives, the same rule without a tuple
per query). The simulator's fixed-staff fast path runs on those ranks too,
so it needs no rule of its own.

Eligibility ("which waiting queries may this agent take", by skills) lives
here, in :class:`Picker`, and nowhere else: :meth:`~Picker.pick` and
:meth:`~Picker.peek` take ``agent`` (a set of skills; None: any agent). Each
pushed query is filed under its required skill set (plus its preferred skills
until they time out): one bucket of lines per distinct set, and a pick reads
only the buckets whose set the agent covers, applying the rule above to them
(through the agent's merged view: one bucket holding all of them; the view
of every query, kept from the first skilled push, serves plain picks and the
agents who may take from every bucket). TriageQueue (``pop(now,
agent=...)``) and the simulator (an agent group freeing up) get the same
rule at once; a picker that never saw a skill keeps its lean single-bucket
paths.

Data structures (tuple mode; rank mode holds ints, see :class:`Picker`):
``waiting`` (id -> handle); a :class:`_Bucket` per distinct skill set, each a
score :class:`_Line` of ``(−key, arrival, id, seq)`` (one per group under
``GroupShare``) and, under ``MaxWait``, a lane of ``(arrival, id, seq)`` per
limit; merged views (buckets themselves) per agent skill set, the view of
every query among them; ``_seq`` (id -> the push number ``seq`` of its live
entries; not kept by a picker without rules until its first remove, peek or
skill, when every entry is live). A ``seq`` also names the query's bucket
(its place in ``_all``, in the bits above :data:`_PUSH_BITS`), so a pick
through a view finds the bucket to take its entry out of without another
look-up; a pending preference carries what filing it again needs in its
``_relax`` entry ``(time it drops, id, seq, key, arrival, limit, group,
required, held)``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Container, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from heapq import heapify, heappop, heappush
from itertools import chain
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._internal.times import NS_PER_MINUTE, aware_ns, minutes_between, timestamp_ns
from prioritize.models import Channel

if TYPE_CHECKING:
    from prioritize.policy._policy import Policy

__all__ = [
    "KEY_EPOCH_NS",
    "OrderKeys",
    "Picker",
    "Reason",
    "Rows",
    "ShareLedger",
    "channel_limits",
    "deadline_minutes",
    "heap_key",
    "heap_key_at",
    "is_overdue",
    "limit_minutes",
    "order_keys",
    "overdue_span",
    "rank_order",
    "serving_order",
    "tiebreak_rank",
]

#: Reference instant for heap keys (2020-01-01 UTC) so keys stay small numbers.
KEY_EPOCH_NS = 1_577_836_800_000_000_000
_KEY_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_KEY_EPOCH_MINUTES = KEY_EPOCH_NS // NS_PER_MINUTE  # exact: the epoch is whole minutes
_MICROSECOND = timedelta(microseconds=1)
G = TypeVar("G", bound=Hashable)
H = TypeVar("H", bound=Hashable)
#: Why a query is served now: past its ``MaxWait`` limit, owed by ``GroupShare``, or its score.
Reason = Literal["overdue", "group_share", "score"]


def heap_key(base: Any, received_ns: Any, rate_per_minute: float) -> Any:
    """Static priority key ``base − rate·minutes since KEY_EPOCH``: larger is served first.

    Works on ints or int64 arrays with the same result bit for bit: the
    minutes are split into whole minutes and a remainder, both exact in a
    float, so numpy (which would round nanoseconds past 2**53 before
    dividing) and Python integers round once, in the same place.
    """
    # KEY_EPOCH_NS is whole minutes, so it is subtracted after the divmod:
    # ``received_ns - KEY_EPOCH_NS`` overflows int64 for arrivals before 1728.
    whole, part = divmod(received_ns, NS_PER_MINUTE)
    return base - rate_per_minute * ((whole - _KEY_EPOCH_MINUTES) + part / NS_PER_MINUTE)


def heap_key_at(base: float, received_at: datetime, rate_per_minute: float) -> float:
    """:func:`heap_key` of one query from its ``received_at``, without converting it to ns.

    Equal to ``heap_key(base, ns, rate)`` bit for bit: the same whole minutes
    and the same remainder (a ``pandas.Timestamp``, which may carry
    nanoseconds, goes through :func:`heap_key` itself).
    """
    if type(received_at) is not datetime:
        return heap_key(base, aware_ns(received_at), rate_per_minute)  # type: ignore[no-any-return]
    since = received_at - _KEY_EPOCH
    seconds = since.seconds
    whole = since.days * 1440 + seconds // 60
    part = (seconds % 60) * 1_000_000 + since.microseconds
    return base - rate_per_minute * (whole + part / 60_000_000)


def is_overdue(waited_minutes: Any, limit_minutes: Any) -> Any:
    """``MaxWait``'s test: waited strictly longer than the limit (scalars or arrays)."""
    return waited_minutes > limit_minutes


def overdue_span(limit_minutes: float, per_minute: Any) -> timedelta | None:
    """The shortest wait that :func:`is_overdue` finds past ``limit_minutes``, as a timedelta.

    For datetimes (``per_minute`` a timedelta of whole microseconds), with
    ``waited = (t - arrival) / per_minute``: ``is_overdue(waited, limit)``
    exactly when ``arrival <= t - span`` (the division is correctly rounded,
    so the test is monotone in the wait, and ``span`` is its first overdue
    microsecond). None when there is no such timedelta: another unit, or a
    limit that is infinite or beyond the datetime range.
    """
    if not isinstance(per_minute, timedelta) or not 0 <= limit_minutes < 1e9:
        return None
    unit = per_minute // _MICROSECOND
    if unit <= 0 or per_minute != unit * _MICROSECOND:
        return None
    span = math.floor(limit_minutes * unit)  # within a few microseconds of the answer
    while span > 0 and is_overdue((span - 1) / unit, limit_minutes):
        span -= 1
    while not is_overdue(span / unit, limit_minutes):
        span += 1
    return span * _MICROSECOND


def limit_minutes(policy: Policy, channel: str) -> float:
    """The ``MaxWait`` limit in minutes of ``channel`` (inf without a ``MaxWait`` rule)."""
    rule = policy.max_wait
    return np.inf if rule is None else rule.minutes_for(channel)


def channel_limits(policy: Policy) -> dict[str, float]:
    """:func:`limit_minutes` of every channel, as a table."""
    return {c.value: limit_minutes(policy, c.value) for c in Channel}


def deadline_minutes(policy: Policy, channels: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Per-row ``MaxWait`` limit in minutes (inf without a ``MaxWait`` rule)."""
    limits = channel_limits(policy)
    chan = pd.Series(np.asarray(channels, dtype=object)).astype(str)
    out: npt.NDArray[np.float64] = chan.map(limits).to_numpy(dtype=np.float64)
    return out


def tiebreak_rank(received_ns: npt.ArrayLike, query_id: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Each row's position in (arrival, ``query_id``) order: the tie-break of the serving order."""
    received = np.asarray(received_ns)
    id_rank = pd.factorize(np.asarray(query_id), sort=True)[0]
    out = np.empty(len(received), dtype=np.int64)
    out[np.lexsort((id_rank, received))] = np.arange(len(received))
    return out


def serving_order(
    key: npt.NDArray[np.float64], overdue: npt.NDArray[np.bool_], tiebreak: npt.NDArray[np.int64]
) -> npt.NDArray[np.intp]:
    """Row positions in serving order: overdue by ``tiebreak``, then the rest by key desc.

    ``tiebreak`` is :func:`tiebreak_rank` (or any array in the same order).
    """
    first = np.flatnonzero(overdue)
    rest = np.flatnonzero(~overdue)
    first = first[np.argsort(tiebreak[first], kind="stable")]
    rest = rest[np.lexsort((tiebreak[rest], -key[rest]))]
    return np.concatenate([first, rest]).astype(np.intp)


@dataclass(frozen=True, slots=True)
class OrderKeys:
    """What the serving order of a frame at one instant reads: keys, arrivals, ids, overdue."""

    key: npt.NDArray[np.float64]
    received_ns: npt.NDArray[np.int64]
    query_id: npt.NDArray[Any]
    overdue: npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Rows:
    """The inputs of :class:`Picker`'s rank mode: queries known in advance, as rows.

    Rows ``0..n-1`` are in (arrival, id) order. ``rank[row]`` is the row's
    place in the static order (0 = served first: :func:`rank_order` by
    :func:`heap_key`, arrival, id), ``row_at`` its inverse. ``arrival`` is in
    the picker's time unit; ``limits`` (``MaxWait`` minutes) and ``groups``
    (``GroupShare`` labels) are needed only under those rules; ``skills``
    (required) and ``prefer`` (preferred) skill sets only when agents differ.
    """

    rank: Sequence[int]
    row_at: Sequence[int]
    arrival: Sequence[Any]
    limits: Sequence[float] | None = None
    groups: Sequence[str] | None = None
    skills: Sequence[frozenset[str]] | None = None
    prefer: Sequence[frozenset[str]] | None = None


def order_keys(
    frame: pd.DataFrame,
    policy: Policy,
    *,
    base: npt.NDArray[np.float64],
    received_ns: npt.NDArray[np.int64],
    now: datetime | None,
) -> OrderKeys:
    """The sort keys of every row at ``now`` (base = score without aging)."""
    key = heap_key(base, received_ns, policy.aging_rate_per_minute)
    overdue = np.zeros(len(frame), dtype=bool)
    if policy.max_wait is not None and now is not None:
        waited = minutes_between(timestamp_ns(now), received_ns)
        overdue = is_overdue(waited, deadline_minutes(policy, frame["channel"].to_numpy()))
    return OrderKeys(
        key=np.asarray(key, dtype=np.float64),
        received_ns=received_ns,
        query_id=frame["query_id"].to_numpy(dtype=object),
        overdue=np.asarray(overdue, dtype=bool),
    )


def rank_order(keys: OrderKeys) -> npt.NDArray[np.intp]:
    """Positions in serving order: overdue oldest first, then by key desc, arrival, id."""
    return serving_order(keys.key, keys.overdue, tiebreak_rank(keys.received_ns, keys.query_id))


class ShareLedger(Generic[G]):
    """GroupShare bookkeeping: weighted fair sharing of service starts between groups.

    One instance per queue or simulation run. At every service start each
    listed group that has a waiting query earns its share in credit (a listed
    group with no waiting query has its credit reset to 0). If some waiting
    group holds at least one unit of credit, the one with the most credit is
    served (ties: the group whose best query comes first); otherwise the best
    query overall is served, by the policy's normal order. The served group
    pays one unit (never going below 0).

    Guarantee (a property test): over any ``k`` consecutive service starts
    during which listed group ``g`` always has a waiting query, ``g`` gets at
    least ``shares[g]·k − (G + 1)`` of them, ``G`` being the number of listed
    groups. Groups not listed have no guarantee and are served by order.
    """

    __slots__ = ("credit", "shares")

    def __init__(self, shares: Mapping[G, float]) -> None:
        self.shares = dict(shares)
        self.credit: dict[G, float] = dict.fromkeys(self.shares, 0.0)

    def choose(self, best: Mapping[G, Any]) -> G:
        """The group the next service start goes to; changes nothing.

        ``best`` maps every group with waiting queries to a sortable token of
        its best query (smaller = served first, e.g. a :class:`Picker` heap entry).
        """
        chosen: G | None = None
        top = 1.0
        credit = self.credit
        for group, share in self.shares.items():
            if group in best:
                owed = credit[group] + share
                if owed > top or (owed == top and (chosen is None or best[group] < best[chosen])):
                    chosen, top = group, owed
        if chosen is None:
            chosen = min(best, key=best.__getitem__)
        return chosen

    def pick(self, best: Mapping[G, Any]) -> G:
        """:meth:`choose` the group, then :meth:`record` the service start."""
        chosen = self.choose(best)
        self.record(best, chosen)
        return chosen

    def record(self, backlogged: Container[G], served: G) -> None:
        """Book a service start: the groups with waiting queries, and the one served."""
        credit = self.credit
        for group, share in self.shares.items():
            credit[group] = credit[group] + share if group in backlogged else 0.0
        if served in credit:
            credit[served] = max(credit[served] - 1.0, 0.0)


#: A heap of more entries than this (and than its line's run) is sorted into the run.
_SETTLE_AT = 64
#: Stale line entries are swept only past this many (:meth:`Picker._stale_limit`).
_COMPACT_AT = 64
#: Stale line entries are swept once they outnumber this many times the line entries
#: the waiting queries hold (:meth:`Picker._stale_limit`). An integer, at least 1: the
#: picks' inline first test (stale entries past the waiting queries times the line
#: kinds, the limit without merged views at a ratio of 1) never passes a sweep due.
_SWEEP_RATIO = 1


class _Line:
    """Entries (tuples or ints) in ascending order: a sorted run plus a heap.

    An entry larger than every one in the run is appended to it (a deque:
    O(1) in and out); any other goes to the heap (:meth:`Picker.push` adds,
    inline). Arrivals mostly come in
    order, so most entries never see the heap. The first entry is the smaller
    of the two heads. A heap grown larger than the run (and than
    :data:`_SETTLE_AT`) is
    sorted into the run by the next pick that reads the line (:meth:`settle`),
    so a backlog pushed out of order (e.g. all open tickets after a restart)
    is sorted once and then popped in O(1). ``edge`` serves a ``MaxWait`` lane: the newest arrival
    found overdue so far; ``cut`` (with the ``t`` it was computed at, ``cut_t``):
    the newest arrival overdue at that ``t`` (:func:`overdue_span`).
    """

    __slots__ = ("cut", "cut_t", "edge", "heap", "run")

    def __init__(self, entries: list[Any] | None = None) -> None:
        self.run: deque[Any] = deque()
        self.heap: list[Any] = [] if entries is None else entries
        if entries:
            heapify(self.heap)
        self.edge: Any = None
        self.cut: Any = None
        self.cut_t: Any = None

    def __len__(self) -> int:
        return len(self.run) + len(self.heap)

    def settle(self) -> None:
        """Sort the heap into the run when it holds more (and more than _SETTLE_AT) entries.

        Tuple mode's score lines (not rank mode's int heaps). One sort of the
        m + r entries (Timsort merges the sorted run in linear time), m > r
        added to the heap since the last settle: O(log n) a push, amortised,
        and a pick then pops the run's head in O(1) instead of sifting a heap.
        Callers test the sizes inline (the hot path); the order is unchanged.
        """
        heap, run = self.heap, self.run
        if len(heap) > _SETTLE_AT and len(heap) > len(run):
            heap.sort()
            if run:
                heap[:0] = run  # two sorted runs: one merge
                heap.sort()
                run.clear()
            run.extend(heap)
            heap.clear()

    def first(self) -> Any:
        """The smallest entry (None if empty)."""
        run, heap = self.run, self.heap
        if heap and (not run or heap[0] < run[0]):
            return heap[0]
        return run[0] if run else None

    def drop(self) -> Any:
        """Remove and return the smallest entry (the line is not empty)."""
        run, heap = self.run, self.heap
        if heap and (not run or heap[0] < run[0]):
            return heappop(heap)
        return run.popleft()

    def add(self, entry: Any) -> None:
        """Add an entry (:meth:`Picker.push` does the same, inline)."""
        run = self.run
        if not run or entry > run[-1]:
            run.append(entry)
        else:
            heappush(self.heap, entry)

    def entries(self) -> list[Any]:
        return [*self.run, *self.heap]

    def copy(self) -> _Line:
        """The same entries, in a line of its own."""
        out = _Line()
        out.run.extend(self.run)
        out.heap = list(self.heap)
        return out


class _Bucket:
    """The waiting queries filed under one skill set: score line(s) and ``MaxWait`` lanes.

    ``skills`` is who may take them (required, plus preferred while pending).
    The containers are :class:`_Line` s, except the score heaps of rank mode
    (int lists). ``views``: the merged views (:meth:`Picker._merge`) that hold
    this bucket's entries too.

    A merged view is a bucket itself: ``skills`` is its agent's, and its
    containers hold the entries of every bucket that agent may take from.
    """

    __slots__ = ("by_limit", "heaps", "main", "number", "skills", "views")

    def __init__(
        self, skills: frozenset[str], main: Any, by_limit: dict[float, _Line] | None
    ) -> None:
        self.skills = skills
        self.number = 0  # its place in Picker._all (the plain bucket's 0; views: unused)
        self.main = main
        self.heaps: dict[str, Any] = {}  # group -> score line, under GroupShare
        self.by_limit = by_limit
        self.views: list[_Bucket] = []

    def lines(self, grouped: bool) -> Any:
        """``(group, score line)`` pairs (one, labelled ``""``, without GroupShare)."""
        return self.heaps.items() if grouped else (("", self.main),)


def _keep_live(line: _Line, live: Any) -> None:
    """Drop, in place, the entries of a tuple-mode line whose id's push number
    (``live``: :attr:`Picker._seq`'s ``get``) is not theirs."""
    run = [e for e in line.run if live(e[-2]) == e[-1]]  # still sorted
    line.run.clear()
    line.run.extend(run)
    line.heap[:] = [e for e in line.heap if live(e[-2]) == e[-1]]
    heapify(line.heap)


_NO_SKILLS: frozenset[str] = frozenset()
_PLAIN = (_NO_SKILLS, _NO_SKILLS)
_NO_SPAN: Any = object()
#: Bits of a push number (tuple mode): above them, the number of the query's bucket
#: (2**48 pushes: nine thousand years of a thousand a second, per picker).
_PUSH_BITS = 48


class Picker(Generic[H]):
    """The line of waiting queries, in the policy's serving order.

    Parameters
    ----------
    policy
        Its ``MaxWait`` and ``GroupShare`` rules are applied (the keys come
        with each :meth:`push`).
    per_minute
        One minute in the units of the ``t`` given to :meth:`pick` and of the
        arrivals given to :meth:`push`: ``timedelta(minutes=1)`` for datetimes
        (the queue), 1.0 for float minutes (the simulator).
    expires
        Optional ``id -> time`` after which a query has given up (the
        simulator's patience): a query with ``expires[id] < t`` is dropped
        when met, never picked.
    rows
        Rank mode (the simulator): every query known in advance as a row
        ``0..n-1`` in (arrival, id) order, with its place in the static order
        precomputed (:class:`Rows`). Rows enter with :meth:`admit`, the row
        number is both the id and the handle, and the heaps hold plain ints.
    skills_timeout
        After this long (in the units of ``t``: ``per_minute ·`` minutes) a
        query's preferred skills are dropped; None: never.

    Notes
    -----
    Each waiting query has an id (its tie-break: ``query_id`` in the queue,
    the row number in the simulator), unique among the waiting queries, and a
    handle, the object :meth:`pick` returns (the queue's :class:`Entry`, the
    simulator's row number). :attr:`waiting` maps id -> handle. Every push
    gets a sequence number, and a line entry is live while its id's current
    push has its number, so an id removed and pushed again leaves none of its
    old entries alive (nor its old ``MaxWait`` deadline). Without rules, until
    the first remove, peek or skill, every entry is live (one line, each pick
    takes its entry out): the numbers are not looked up, and ``_seq`` (id ->
    number) is built from the line when one of those first happens.
    Entries leave the lines lazily. When a query leaves (picked, removed or
    found expired) every entry it leaves behind is counted stale
    (:meth:`_left_behind`: those in its bucket, in each merged view that
    holds it, and those its dropped preference filed), and the lines are
    swept by one rule, :meth:`_stale_limit`, checked after every pick, peek
    and removal: once stale entries outnumber :data:`_SWEEP_RATIO` (1) times
    the line entries the waiting queries may hold (one per line kind in their
    bucket and in each merged view, a view shared by several agents counted
    once), and :data:`_COMPACT_AT`. The lines so hold at most that many stale
    entries (a property test), and a sweep reads at most two entries a stale
    one it removes. Time never runs backwards for ``MaxWait``:
    a ``t`` earlier than a previous one is taken as the previous one.

    Lines (:class:`_Line`: a sorted run for entries pushed in order, a heap
    for the others): the score line of ``(−key, arrival, id, seq)`` (one per
    group under ``GroupShare``); under ``MaxWait`` one lane by
    ``(arrival, id, seq)`` per distinct limit, whose first entry is its oldest
    query and so the first to be overdue: the oldest overdue query is the
    oldest of the overdue heads. Queries arriving in order make both O(1)
    (FIFO lanes); the score line is a heap unless keys come in order too
    (e.g. every key equal: ``fifo``).

    Rank mode, the same rule on ints: the score heaps hold each row's place in
    the static order (:attr:`Rows.rank`, from :func:`rank_order`: key, then
    arrival, then id), the limit heaps (``_Line.heap``) hold row numbers
    (arrival order), and an int in a heap is live while its row's ``_out``
    flag is 0 (set to 1 when the row is picked, removed or found expired; a
    row is admitted once): no sequence numbers, no tuples, no compaction (a
    stale int costs one pop when it surfaces). Without skills (one bucket: the
    simulator's general path) a pick reads the plain bucket's heaps directly
    (:meth:`_pick_rows`), not through :meth:`_select`'s views and buckets.

    Eligibility (skills). An agent with skills ``A`` may take a query whose
    required skills are a subset of ``A`` and, until ``skills_timeout`` has
    passed since its arrival (``t >= arrival + skills_timeout`` drops them),
    whose preferred skills are too; ``agent=None`` is any agent (every query).
    Each distinct (required, pending preferred) pair of skill sets is a
    bucket (:class:`_Bucket`) with its own score line(s) and ``MaxWait``
    lanes; a pick reads only the buckets whose skills the agent covers and
    applies the same rule to them: overdue first, the ``GroupShare`` ledger
    between the groups that have a query *this agent may take*, then the
    score. A query with a pending preference is also in a heap by the time
    its preference drops; when that time comes it is filed again, with the
    same entries, under its required skills alone (once: amortised
    O(log n)). Its entries in the first bucket stay live and need not go: an
    agent who may take from that bucket may take from the second too, and
    the identical entries leave together (the id's sequence number, or the
    row's ``_out`` flag).

    Merged views. An agent's first pick merges the buckets it may take from
    into one bucket of its own (O(n log n), once per distinct agent skill set,
    for at most :attr:`max_views` of them); from then on every filing also
    enters the views that cover it (one entry more per covering view), and
    that agent's picks read its view alone: O(log n) whatever the number S of
    skill sets waiting. Agents past :attr:`max_views` read their buckets one
    by one, O(S · log n) (a property test keeps both in one order). A picker
    that never saw a skill keeps its single-bucket paths.

    The view of every query (tuple mode, without ``expires``): made at the
    first push with skills (the live entries of the plain bucket's lines, the
    only ones so far) and filed into by every push after it, so it is never
    merged at a pick. A plain pick (``agent=None``) reads it, and so does an agent that
    may take from every bucket (its view *is* that one, until a bucket it may
    not take from appears; then it gets a view of its own at its next pick).
    A pick through a view takes the query's entry out of its bucket when it
    comes first in that bucket's sorted run; its other entries are left
    behind, counted stale, and compacted once they outnumber the live ones
    (on every path: a property test checks that each stale entry held is
    counted).
    """

    #: Merged views kept per picker (one per distinct agent skill set); agents past
    #: it are served by reading their buckets one by one (the same rule, O(S) a pick).
    max_views: ClassVar[int] = 32

    __slots__ = (
        "_all",
        "_arrival",
        "_buckets",
        "_by_agent",
        "_by_limit",
        "_clock",
        "_copies",
        "_count",
        "_expires",
        "_extra",
        "_filed",
        "_group",
        "_group_of",
        "_heaps",
        "_lanes_only",
        "_lean",
        "_ledger",
        "_limit_of",
        "_main",
        "_out",
        "_per_minute",
        "_plain",
        "_prefer_of",
        "_pushes",
        "_rank",
        "_ranked",
        "_relax",
        "_routes",
        "_row_at",
        "_rows",
        "_seq",
        "_skills_of",
        "_spans",
        "_stale",
        "_timeout",
        "_untracked",
        "_views",
        "waiting",
    )

    def __init__(
        self,
        policy: Policy,
        *,
        per_minute: Any,
        expires: Sequence[float] | Mapping[Any, float] | None = None,
        rows: Rows | None = None,
        skills_timeout: Any = None,
    ) -> None:
        share = policy.group_share
        self._ledger: ShareLedger[str] | None = None if share is None else ShareLedger(share.shares)
        # Under MaxWait, per distinct limit: its lane (a _Line; ``edge`` the newest
        # arrival found overdue so far: time only moves forward, so every older
        # query in that lane is overdue too, the test is not repeated).
        self._by_limit: dict[float, _Line] | None = None if policy.max_wait is None else {}
        self._plain = share is None and policy.max_wait is None
        self._per_minute = per_minute
        self._spans: dict[float, timedelta | None] = {}  # limit -> overdue_span
        self._expires: Any = expires
        self._timeout: Any = skills_timeout
        #: id -> handle of every waiting query (read it; change it only through the methods).
        self.waiting: dict[Any, H] = {}
        # id -> sequence number of its push. Line entries carry the number, not the
        # handle: a tuple of plain values leaves the garbage collector's lists.
        self._seq: dict[Any, int] = {}
        # Tuple mode without rules, until anything but a plain push or pick happens (a
        # remove, a peek, a skill): every entry of the one line is live, _seq is not kept
        # (:meth:`_track` builds it, once, from the line).
        self._untracked = self._plain and rows is None
        self._pushes = 0
        self._group: dict[Any, str] = {}  # id -> group, under GroupShare
        # Rank mode: int heaps (lists); otherwise _Line of tuples.
        self._ranked = rows is not None
        self._main: Any = [] if self._ranked else _Line()
        self._heaps: dict[str, Any] = {}
        self._clock: Any = None
        self._copies = 1 if self._by_limit is None else 2  # line entries per query
        self._stale = 0
        # Tuple mode: id -> the line entries its preference's drop filed it under (in
        # its required skills' bucket and views), counted stale when it leaves.
        self._extra: dict[Any, int] = {}
        # Rank mode: per-row inputs, 1 = has left the line, the count of waiting rows.
        self._rows: range = range(0 if rows is None else len(rows.rank))  # row -> row
        self._rank: Sequence[int] = () if rows is None else rows.rank
        self._row_at: Sequence[int] = () if rows is None else rows.row_at
        self._arrival: Sequence[Any] = () if rows is None else rows.arrival
        self._limit_of = None if rows is None or self._by_limit is None else rows.limits
        self._group_of = None if rows is None or self._ledger is None else rows.groups
        self._out = bytearray(len(self._rows))
        self._skills_of = None if rows is None else rows.skills
        self._prefer_of = None if rows is None else rows.prefer
        self._count = 0
        if rows is not None and (
            (self._ledger is not None and rows.groups is None)
            or (self._by_limit is not None and rows.limits is None)
        ):
            raise ValueError("rank mode: the policy's GroupShare/MaxWait need Rows.groups/limits")
        if self._ledger is not None and self._group_of is not None:
            self._heaps = {g: [] for g in sorted(set(self._group_of))}
        if self._by_limit is not None and self._limit_of is not None:
            self._by_limit = {m: _Line() for m in sorted(set(self._limit_of))}
        # The buckets by (required, pending preferred) skills. The plain bucket's
        # containers are also _main, _heaps and _by_limit (the single-bucket paths).
        plain = _Bucket(_NO_SKILLS, self._main, self._by_limit)
        plain.heaps = self._heaps
        self._buckets: dict[tuple[frozenset[str], frozenset[str]], _Bucket] = {_PLAIN: plain}
        self._all: list[_Bucket] = [plain]
        # agent skills -> (its buckets, their score lines, their (limit, lane) pairs)
        self._by_agent: dict[frozenset[str] | None, tuple[list[_Bucket], list[Any], list[Any]]] = {}
        # agent skills -> its merged view (a bucket holding what it may take); None ->
        # the view of every query (tuple mode, from the first skilled push), also the
        # view of each agent that may take from every bucket (until a bucket it may not).
        self._views: dict[frozenset[str] | None, _Bucket] = {}
        # Rank mode: (required, preferred) of a row -> (its bucket, the score heaps it
        # enters without rules, whether its preference lapses); dropped with a new view.
        self._routes: dict[tuple[frozenset[str], frozenset[str]], tuple[Any, Any, bool]] = {}
        # Pending preferences, a heap: (time they drop, row) in rank mode; in tuple mode
        # (time, id, seq, then what _relax_due files again: key, arrival, limit, group,
        # required, held). (time, id, seq) is unique: the rest is never compared.
        self._relax: list[Any] = []
        # _lean: the one-line pick (no rule, no skill); _lanes_only: MaxWait alone.
        self._lean = self._plain
        self._lanes_only = not self._plain and self._ledger is None and not self._ranked
        # Rank mode with skills: rows are filed by (required, preferred) skills.
        self._filed = rows is not None and (rows.skills is not None or rows.prefer is not None)
        if self._filed:
            self._lean = self._lanes_only = False
            none = [_NO_SKILLS] * len(self._rows)
            self._skills_of = none if rows.skills is None else rows.skills  # type: ignore[union-attr]
            self._prefer_of = none if rows.prefer is None else rows.prefer  # type: ignore[union-attr]

    def __len__(self) -> int:
        return self._count if self._ranked else len(self.waiting)

    # ---------------------------------------------------------------- buckets
    def _bucket(self, required: frozenset[str], prefer: frozenset[str]) -> _Bucket:
        """The bucket of this (required, pending preferred) pair, made on first use."""
        bucket = self._buckets.get((required, prefer))
        if bucket is None:
            ranked = self._ranked
            by_limit = None if self._by_limit is None else {m: _Line() for m in self._by_limit}
            bucket = _Bucket(required | prefer, [] if ranked else _Line(), by_limit)
            bucket.heaps = {g: [] if ranked else _Line() for g in self._heaps}
            every = self._views.get(None)
            views = self._views
            for agent in [a for a, v in views.items() if v is every and a is not None]:
                if not bucket.skills <= agent:
                    del views[agent]  # it may no longer take every query: a view of its own
            bucket.views = [
                v
                for a, v in views.items()
                if a is None or (v is not every and bucket.skills <= v.skills)
            ]
            self._buckets[(required, prefer)] = bucket
            bucket.number = len(self._all)
            self._all.append(bucket)
            self._by_agent.clear()
        return bucket

    def _view(self, agent: frozenset[str] | None) -> tuple[list[_Bucket], list[Any], list[Any]]:
        """The buckets ``agent`` may take from (all of them for None), their score lines
        (without GroupShare) and their ``(limit, lane)`` pairs: cached per agent, dropped
        when a bucket or a lane is added. An agent with a merged view reads it alone."""
        found = self._by_agent.get(agent)
        if found is None:
            if len(self._by_agent) > 1024:
                self._by_agent.clear()
            merged = self._merge(agent)
            if merged is None:
                buckets = [b for b in self._all if agent is None or b.skills <= agent]
            else:
                buckets = [merged]
            lanes = [pair for b in buckets for pair in (b.by_limit or {}).items()]
            found = self._by_agent[agent] = (buckets, [b.main for b in buckets], lanes)
        return found

    def _merge(self, agent: frozenset[str] | None) -> _Bucket | None:
        """The merged view of ``agent``: one bucket holding the entries of every bucket it
        may take from, kept up to date by every filing (None: only the plain bucket
        exists, or :attr:`max_views` views do already).

        Made once per agent skill set from the live entries (each once: a query whose
        preference dropped is in two of those buckets with identical entries); after
        that a query is filed in its bucket and in the views that cover it, so that an
        agent's pick reads one bucket, whatever the number of skill sets waiting.
        """
        view = self._views.get(agent)
        if view is not None or agent is None or len(self._all) == 1:
            return view
        mine = [b for b in self._all if b.skills <= agent]
        every = self._views.get(None)
        if every is not None and len(mine) == len(self._all):
            self._views[agent] = every  # it may take every query: the view of every query
            self._routes.clear()
            return every
        if len(self._views) >= self.max_views:
            return None
        twice = self._timeout is not None  # a refiled query is in two buckets

        def merged(parts: list[Any]) -> list[Any]:
            # Sorted (a valid heap, and the run of a _Line: O(1) a pop), each entry
            # once; in rank mode stale ints come along and are dropped when met.
            entries = list(chain.from_iterable(parts))
            entries.sort()
            if twice:
                entries = [e for i, e in enumerate(entries) if not i or e != entries[i - 1]]
            return entries

        live, extra, buckets = self._seq.get, self._extra, self._all

        def line(lines: list[_Line]) -> _Line:
            # Tuple mode: the live entries alone (a stale one is counted where it is,
            # once). A query filed again by its dropped preference whose first bucket
            # this view does not cover is here by that filing: one more entry of it.
            entries = merged([part for ln in lines for part in (ln.run, ln.heap)])
            entries = [e for e in entries if live(e[-2]) == e[-1]]
            if extra:
                for e in entries:
                    if e[-2] in extra and not buckets[e[-1] >> _PUSH_BITS].skills <= agent:
                        extra[e[-2]] += 1
            out = _Line()
            out.run.extend(entries)
            return out

        limits = [b.by_limit or {} for b in mine]
        lanes = dict.fromkeys(m for by in limits for m in by)
        heaps: dict[str, Any]
        by_limit: dict[float, _Line]
        if self._ranked:
            main: Any = merged([b.main for b in mine])
            heaps = {g: merged([b.heaps[g] for b in mine]) for g in self._heaps}
            by_limit = {m: _Line(merged([by[m].heap for by in limits])) for m in lanes}
        else:
            main = line([b.main for b in mine])
            groups = dict.fromkeys(g for b in mine for g in b.heaps)
            heaps = {g: line([b.heaps[g] for b in mine if g in b.heaps]) for g in groups}
            by_limit = {m: line([by[m] for by in limits if m in by]) for m in lanes}
        view = _Bucket(agent, main, None if self._by_limit is None else by_limit)
        view.heaps = heaps
        for b in mine:
            b.views.append(view)
        self._views[agent] = view
        self._routes.clear()
        return view

    def _track(self) -> None:
        """Keep :attr:`_seq` from now on: the push number of every entry (all live)."""
        self._untracked = False
        self._seq = {e[2]: e[3] for e in self._main.entries()}

    def _skilled(self) -> None:
        """Tuple mode, the first query with skills: leave the single-bucket paths, and
        start the view of every query (the live entries of the plain bucket's lines; not
        with ``expires``: a pick then drops the expired heads of every bucket it reads,
        as rank mode's, which has no such view, does)."""
        self._lean = self._lanes_only = False
        if self.max_views < 1 or self._expires is not None or None in self._views:
            return
        plain, live = self._all[0], self._seq.get

        def copy(line: _Line) -> _Line:  # its live entries (the stale ones are counted)
            out = line.copy()
            _keep_live(out, live)
            return out

        every = _Bucket(_NO_SKILLS, copy(plain.main), None)
        every.heaps = {g: copy(line) for g, line in plain.heaps.items()}
        if plain.by_limit is not None:
            every.by_limit = {m: copy(lane) for m, lane in plain.by_limit.items()}
        for bucket in self._all:
            bucket.views.append(every)
        self._views[None] = every
        self._by_agent.clear()

    def _relax_due(self, t: Any) -> None:
        """File again, under their required skills alone, the queries whose preference dropped."""
        relax = self._relax
        if self._ranked:
            out, skills_of = self._out, self._skills_of
            while relax and relax[0][0] <= t:
                row = heappop(relax)[1]
                if out[row]:
                    continue  # picked, expired or removed meanwhile
                required = _NO_SKILLS if skills_of is None else skills_of[row]
                held = required | self._prefer_of[row]  # type: ignore[index]
                self._enter(row, self._bucket(required, _NO_SKILLS), held)
            return
        seqs = self._seq
        while relax and relax[0][0] <= t:
            _, tiebreak, seq, key, arrival, limit, group, required, held = heappop(relax)
            if seqs.get(tiebreak) != seq:
                continue  # picked, expired or removed meanwhile
            bucket = self._bucket(required, _NO_SKILLS)
            filed = self._file(key, arrival, tiebreak, seq, limit, group, bucket, held)
            self._extra[tiebreak] = self._copies * filed  # left behind once it leaves

    # ------------------------------------------------------------------ entry
    def admit(self, row: int) -> None:
        """Rank mode: row ``row`` starts waiting (each row is admitted at most once)."""
        group_of = self._group_of
        self._count += 1
        if self._filed:
            need = self._skills_of[row]  # type: ignore[index]
            wish = self._prefer_of[row]  # type: ignore[index]
            route = self._routes.get((need, wish))
            if route is None:
                bucket = self._bucket(need, wish - need)
                mains = None
                if group_of is None and self._by_limit is None:
                    mains = [b.main for b in (bucket, *bucket.views)]
                lapses = bool(wish - need) and self._timeout is not None
                route = self._routes[(need, wish)] = (bucket, mains, lapses)
            bucket, mains, lapses = route
            if lapses:
                heappush(self._relax, (self._arrival[row] + self._timeout, row))
            if mains is None:
                self._enter(row, bucket)
            else:  # no rule: its bucket's score heap and its views', nothing else
                rank = self._rank[row]
                for main in mains:
                    heappush(main, rank)
            return
        heappush(self._main if group_of is None else self._heaps[group_of[row]], self._rank[row])
        if self._by_limit is not None:
            heappush(self._by_limit[self._limit_of[row]].heap, row)  # type: ignore[index]

    def _enter(self, row: int, bucket: _Bucket, held: frozenset[str] | None = None) -> None:
        """Rank mode: file row ``row`` in ``bucket`` and in the merged views that cover it,
        but for those that cover ``held`` (the skills of a bucket it is in already)."""
        rank = self._rank[row]
        group = None if self._group_of is None else self._group_of[row]
        limit = None if bucket.by_limit is None else self._limit_of[row]  # type: ignore[index]
        for b in (bucket, *bucket.views):
            if held is not None and b is not bucket and held <= b.skills:
                continue
            heappush(b.main if group is None else b.heaps[group], rank)
            if limit is not None:
                heappush(b.by_limit[limit].heap, row)  # type: ignore[index]

    def push(
        self,
        handle: H,
        key: float,
        arrival: Any,
        tiebreak: Any,
        limit: float = np.inf,
        group: str | None = None,
        skills: frozenset[str] = _NO_SKILLS,
        prefer: frozenset[str] = _NO_SKILLS,
    ) -> None:
        """Add a waiting query: its :func:`heap_key`, arrival, id (tie-break), limit and group;
        the skills an agent needs to take it, and those it should also have until the
        ``skills_timeout``.

        The id must not be waiting already (the caller checks).
        """
        self.waiting[tiebreak] = handle
        self._pushes = seq = self._pushes + 1
        if skills or prefer:
            if self._untracked:
                self._track()
            if self._lean or not self._views:
                self._skilled()
            prefer = prefer - skills
            bucket = self._bucket(skills, prefer)
            seq |= bucket.number << _PUSH_BITS  # its bucket, read back by the picks
            if prefer and self._timeout is not None:
                due = arrival + self._timeout
                held = skills | prefer
                heappush(
                    self._relax, (due, tiebreak, seq, key, arrival, limit, group, skills, held)
                )
            self._seq[tiebreak] = seq
            self._file(key, arrival, tiebreak, seq, limit, group, bucket)
            return
        if not self._untracked:
            self._seq[tiebreak] = seq
        if self._views:  # merged views hold every query an agent may take
            self._file(key, arrival, tiebreak, seq, limit, group, self._all[0])
            return
        entry = (-key, arrival, tiebreak, seq)
        if self._ledger is None:
            line = self._main
        else:
            label = str(group)
            self._group[tiebreak] = label
            line = self._heaps.get(label)
            if line is None:
                line = self._heaps[label] = _Line()
        run = line.run  # _Line.add, inline: the hot path
        if not run or entry > run[-1]:
            run.append(entry)
        else:
            heappush(line.heap, entry)
        if self._by_limit is not None:
            lane = self._by_limit.get(limit)
            if lane is None:
                lane = self._by_limit[limit] = _Line()
                self._by_agent.clear()
            oldest = (arrival, tiebreak, seq)
            run = lane.run
            if not run or oldest > run[-1]:
                run.append(oldest)
            else:
                heappush(lane.heap, oldest)

    def _file(
        self,
        key: float,
        arrival: Any,
        tiebreak: Any,
        seq: int,
        limit: float,
        group: Any,
        bucket: _Bucket,
        held: frozenset[str] | None = None,
    ) -> int:
        """Tuple mode: file a query's entries in ``bucket`` and in the merged views that
        cover it, but for those that cover ``held`` (the skills of a bucket it is in);
        the number of buckets (views included) it was filed in."""
        entry = (-key, arrival, tiebreak, seq)
        oldest = (arrival, tiebreak, seq)
        label = None if self._ledger is None else str(group)
        if label is not None:
            self._group[tiebreak] = label
        every = self._views.get(None)
        filed = 0
        for b in (bucket, *bucket.views):
            if held is not None and b is not bucket and (b is every or held <= b.skills):
                continue
            filed += 1
            if label is None:
                line = b.main
            else:
                line = b.heaps.get(label)
                if line is None:
                    line = b.heaps[label] = _Line()
            line.add(entry)
            if b.by_limit is not None:
                lane = b.by_limit.get(limit)
                if lane is None:
                    lane = b.by_limit[limit] = _Line()
                    self._by_agent.clear()
                lane.add(oldest)
        return filed

    def _left_behind(self, tiebreak: Any, seq: int) -> int:
        """Tuple mode: the line entries of a query leaving the line (all stale once it
        has left): one per line kind in its bucket and in each view that holds it (its
        bucket's views: those that cover it), and those its preference's drop filed."""
        n = self._copies * (1 + len(self._all[seq >> _PUSH_BITS].views))
        if self._extra:
            n += self._extra.pop(tiebreak, 0)
        return n

    def remove(self, tiebreak: Any) -> H | None:
        """Take the query with this id out of the line; its handle (None: not waiting)."""
        if self._ranked:
            # Rare (the simulator never removes): whether the row was admitted is
            # read from its score heap, so that admit stays one push per heap.
            group_of = self._group_of
            if (
                tiebreak not in self._rows
                or self._out[tiebreak]
                or not any(
                    self._rank[tiebreak]
                    in (b.main if group_of is None else b.heaps[group_of[tiebreak]])
                    for b in self._all
                )
            ):
                return None
            self._out[tiebreak] = 1
            self._count -= 1
            return tiebreak  # type: ignore[no-any-return]
        if self._untracked:
            self._track()
        handle = self.waiting.pop(tiebreak, None)
        if handle is not None:
            seq = self._seq.pop(tiebreak)
            self._group.pop(tiebreak, None)
            self._gone(self._left_behind(tiebreak, seq))
        return handle

    def pick(self, t: Any, agent: frozenset[str] | None = None) -> tuple[H, Reason] | None:
        """Remove and return the query served at ``t`` and why (None: none it may take).

        ``agent``: the skills of the agent asking (None: any agent, every query).
        """
        main = self._main
        if not self._lean:
            if self._lanes_only:
                return self._pick_lanes(t)  # type: ignore[no-any-return]
            if self._ranked and not self._filed:
                # Rank mode, one bucket, under rules: the simulator's general path.
                if self._by_limit is not None:
                    clock = self._clock
                    if clock is not None and t < clock:
                        t = clock  # time never runs backwards for MaxWait
                    self._clock = t
                found = self._pick_rows(t)
                if found is not None or self._ledger is not None:
                    return found  # else no one is overdue: the score heap, below
            elif not self._plain or (agent is None and self._ranked):
                if self._ledger is None and not self._ranked:
                    return self._pick_view_lanes(t, agent)
                return self._select(t, True, agent)
            else:
                # No rule: the score line of the agent's merged view (None: every query's).
                view = self._views.get(agent)
                relax = self._relax
                if view is not None and not (relax and relax[0][0] <= t):
                    main = view.main
                elif (main := self._merged_line(t, agent)) is None:
                    return self._select(t, True, agent)
                if not self._ranked:
                    return self._pick_line(t, main)
        # The common case, kept lean: one line, nothing left behind.
        if self._ranked:
            row_at, out, expires = self._row_at, self._out, self._expires
            while main:
                row = row_at[heappop(main)]
                if out[row]:
                    continue
                out[row] = 1
                self._count -= 1
                if expires is not None and expires[row] < t:
                    continue
                return row, "score"
            return None
        line, seqs, expires = self._main, self._seq, self._expires
        run, heap = line.run, line.heap
        if len(heap) > _SETTLE_AT and len(heap) > len(run):
            line.settle()
        if self._untracked:  # every entry is live (_Line.drop, inline)
            waiting = self.waiting
            while True:
                if heap and (not run or heap[0] < run[0]):
                    tiebreak = heappop(heap)[2]
                elif run:
                    tiebreak = run.popleft()[2]
                else:
                    return None
                handle = waiting.pop(tiebreak)
                if expires is None or expires[tiebreak] >= t:
                    return handle, "score"
        while True:  # _Line.drop, inline
            if heap and (not run or heap[0] < run[0]):
                _, _, tiebreak, seq = heappop(heap)
            elif run:
                _, _, tiebreak, seq = run.popleft()
            else:
                return None
            if seqs.get(tiebreak) != seq:
                self._stale -= 1  # a stale entry met: no longer held
                continue
            del seqs[tiebreak]
            handle = self.waiting.pop(tiebreak)
            if expires is not None and expires[tiebreak] < t:
                continue
            stale = self._stale  # the line shrank: _gone's first test, inline
            if stale > _COMPACT_AT and stale > self._copies * len(self.waiting):
                self._gone(0)
            return handle, "score"

    def _pick_rows(self, t: Any) -> tuple[H, Reason] | None:
        """Rank mode, one bucket (no skills), under ``MaxWait`` and/or ``GroupShare``
        (``t`` is past the clock): :meth:`_select`'s steps on the plain bucket, inline.

        The oldest overdue row; else, under ``GroupShare``, the head of the group the
        ledger chooses (None: no row waits). None without ``GroupShare``: nobody is
        overdue, and :meth:`pick` pops the score heap (its lean path).
        """
        out, ledger = self._out, self._ledger
        if self._by_limit is not None:
            found = self._overdue(t, self._by_limit.items())
            if found is not None:
                heap, row = found
                if ledger is not None:  # booked while the row still heads its group
                    heads = self._heaps.items()
                    backlogged = {g for g, h in heads if self._head(h, t, self._row_at) is not None}
                    ledger.record(backlogged, self._group_of[row])  # type: ignore[index]
                heappop(heap)
                out[row] = 1
                self._count -= 1
                return row, "overdue"
        if ledger is None:
            return None
        row_at, expires = self._row_at, self._expires
        best: dict[str, int] = {}
        low = -1
        for group, heap in self._heaps.items():
            if not heap:
                continue
            head = heap[0]  # usually live; _head drops the stale and expired ones
            if out[row := row_at[head]] or (expires is not None and expires[row] < t):
                head = self._head(heap, t, row_at)
                if head is None:
                    continue
            best[group] = head
            if low < 0 or head < low:
                low = head
        if low < 0:
            return None
        top = heappop(self._heaps[ledger.pick(best)])
        row = row_at[top]
        out[row] = 1
        self._count -= 1
        return row, "score" if top == low else "group_share"

    def _merged_line(self, t: Any, agent: frozenset[str] | None) -> Any:
        """The score line of ``agent``'s merged view, preferences due dropped first
        (None: no merged view, :meth:`_select` reads the buckets)."""
        relax = self._relax
        if relax and relax[0][0] <= t:
            self._relax_due(t)
        view = self._views.get(agent) or self._merge(agent)
        return None if view is None else view.main

    def _pick_line(self, t: Any, line: _Line) -> tuple[H, Reason] | None:
        # Tuple mode, no rule: the first live entry of a merged view's score line,
        # stale and expired entries dropped on the way (_head and _Line.drop, inline).
        seqs, waiting, expires, buckets = self._seq, self.waiting, self._expires, self._all
        run, heap = line.run, line.heap
        if len(heap) > _SETTLE_AT and len(heap) > len(run):
            line.settle()
        while True:
            if heap and (not run or heap[0] < run[0]):
                entry = heappop(heap)
            elif run:
                entry = run.popleft()
            else:
                return None
            tiebreak = entry[2]
            seq = seqs.pop(tiebreak, None)
            if seq != entry[3]:  # stale: served through another line, or removed
                if seq is not None:
                    seqs[tiebreak] = seq  # (pushed again since: that push's number)
                continue
            handle = waiting.pop(tiebreak)
            # Its entries in its bucket and in the other views that hold it are left
            # behind, stale, but for the one in its bucket's sorted run when it comes
            # first there (O(1); the view holds every entry of the bucket, so a run
            # of queries pushed in order, e.g. fifo, leaves nothing behind).
            bucket = buckets[entry[3] >> _PUSH_BITS]
            left = len(bucket.views)
            if self._extra:  # _left_behind, inline
                left += self._extra.pop(tiebreak, 0)
            own = bucket.main
            other = own.run
            if len(own.heap) > _SETTLE_AT and len(own.heap) > len(other):
                own.settle()  # sorted, its bucket's line gives up its entries in order too
            if other and other[0] is entry:
                other.popleft()
                left -= 1
            self._stale = stale = self._stale + left
            if stale > _COMPACT_AT and stale > self._copies * len(waiting):
                self._gone(0)
            if expires is not None and expires[tiebreak] < t:
                continue
            return handle, "score"

    def _pick_view_lanes(self, t: Any, agent: frozenset[str] | None) -> tuple[H, Reason] | None:
        # Tuple mode, MaxWait alone, an agent: _select's steps on its merged view,
        # inline (the overdue scan of its lanes is _pick_lanes'), and the query's
        # entry in its bucket taken out when it comes first in that line's sorted run.
        clock = self._clock
        if clock is not None and t < clock:
            t = clock  # time never runs backwards for MaxWait
        self._clock = t
        relax = self._relax
        if relax and relax[0][0] <= t:
            self._relax_due(t)
        view = self._views.get(agent) or self._merge(agent)
        if view is None or view.by_limit is None:
            return self._select(t, True, agent)
        lanes = view.by_limit
        found = self._pick_lanes(t, lanes.items())
        reason: Reason
        if found is not None:
            line, top, limit = found
            tiebreak, reason = top[1], "overdue"
        else:
            line = view.main
            run, heap = line.run, line.heap  # _Line.first, inline: usually live
            if len(heap) > _SETTLE_AT and len(heap) > len(run):
                line.settle()
            top = heap[0] if heap and (not run or heap[0] < run[0]) else run[0] if run else None
            if top is None or self._seq.get(top[2]) != top[3] or self._expires is not None:
                top = self._head(line, t)
                if top is None:
                    self._gone(0)  # expired queries may have been dropped on the way
                    return None
            tiebreak, reason = top[2], "score"
        line.drop()
        seq = self._seq.pop(tiebreak)
        waiting = self.waiting
        handle = waiting.pop(tiebreak)
        # Its other entries: the view's other line, its bucket's two, its other views'.
        bucket = self._all[seq >> _PUSH_BITS]
        left = 2 * len(bucket.views) + 1  # _left_behind, inline
        if self._extra:
            left += self._extra.pop(tiebreak, 0)
        other = bucket.main
        if found is not None:  # the bucket's lane of the same limit
            other = bucket.by_limit[limit]  # type: ignore[index]
        run = other.run
        if len(other.heap) > _SETTLE_AT and len(other.heap) > len(run):
            other.settle()
        if run and run[0] is top:
            run.popleft()
            left -= 1
        self._stale = stale = self._stale + left
        if stale > _COMPACT_AT and stale > self._copies * len(waiting):  # _gone's first test
            self._gone(0)
        return handle, reason

    def _pick_lanes(self, t: Any, lanes: Any = None) -> Any:
        # pick under MaxWait without GroupShare (not rank mode): _select's two
        # steps, inline. The first entry of each line is usually live.
        # With ``lanes`` ((limit, lane) pairs: _overdue, tuple mode), the first
        # step alone, on them: the lane scan of MaxWait is written once, here.
        if lanes is None:
            clock = self._clock
            if clock is not None and t < clock:
                t = clock  # time never runs backwards for MaxWait
            self._clock = t
        seqs, expires, per_minute, spans = self._seq, self._expires, self._per_minute, self._spans
        oldest: Any = None
        chosen: Any = None
        at_limit = None
        for limit, lane in self._by_limit.items() if lanes is None else lanes:  # type: ignore[union-attr]
            run, heap = lane.run, lane.heap
            if heap and (not run or heap[0] < run[0]):
                head = heap[0]
            elif run:
                head = run[0]
            else:
                continue
            if seqs.get(head[1]) != head[2] or expires is not None:
                head = self._head(lane, t)
                if head is None:
                    continue
            arrival = head[0]
            edge = lane.edge
            if edge is None or arrival > edge:
                # is_overdue, inline: against the lane's cut at ``t`` when datetimes
                # allow it (one comparison), else the test itself.
                if lane.cut_t is not t:
                    span = spans.get(limit, _NO_SPAN)
                    if span is _NO_SPAN:
                        span = spans[limit] = overdue_span(limit, per_minute)
                    lane.cut = None if span is None or type(t) is not datetime else t - span
                    lane.cut_t = t
                cut = lane.cut
                if cut is not None and type(arrival) is datetime:
                    if arrival > cut:
                        continue
                elif not (t - arrival) / per_minute > limit:
                    continue
                lane.edge = arrival
            if oldest is None or head < oldest:
                oldest, chosen, at_limit = head, lane, limit
        if lanes is not None:
            return None if chosen is None else (chosen, oldest, at_limit)
        reason: Reason
        if chosen is not None:
            tiebreak, reason = oldest[1], "overdue"
        else:
            chosen = self._main
            chosen.settle()
            top = chosen.first()
            if top is None or seqs.get(top[2]) != top[3] or expires is not None:
                top = self._head(chosen, t)
                if top is None:
                    self._gone(0)  # expired queries may have been dropped on the way
                    return None
            tiebreak, reason = top[2], "score"
        chosen.drop()
        del seqs[tiebreak]
        handle = self.waiting.pop(tiebreak)
        # Its entry in the other line is left behind, stale (_gone, inline).
        self._stale = stale = self._stale + 1
        if stale > _COMPACT_AT and stale > self._copies * len(self.waiting):  # _gone's first test
            self._gone(0)
        return handle, reason

    def peek(self, t: Any, agent: frozenset[str] | None = None) -> tuple[H, Reason] | None:
        """What :meth:`pick` would return at ``t``, changing neither the line nor the ledger."""
        if self._untracked:
            self._track()
        return self._select(t, False, agent)

    # ---------------------------------------------------------------- inner
    def _head(self, heap: Any, t: Any, ids: Sequence[int] = ()) -> Any:
        """The first live entry of a line (None if empty), dropping stale and expired ones.

        Rank mode: ``heap`` is an int heap and ``ids`` maps its ints to rows
        (:attr:`_row_at` for a score heap, :attr:`_rows` for a limit heap).
        Otherwise ``heap`` is a :class:`_Line`.
        """
        seqs, expires = self._seq, self._expires
        if self._ranked:
            out = self._out
            while heap:
                row = ids[heap[0]]
                if out[row]:
                    heappop(heap)
                elif expires is not None and expires[row] < t:
                    heappop(heap)
                    out[row] = 1
                    self._count -= 1
                else:
                    return heap[0]
            return None
        line: _Line = heap
        while True:
            top = line.first()
            if top is None:
                return None
            tiebreak = top[-2]
            if seqs.get(tiebreak) != top[-1]:
                line.drop()
            elif expires is not None and expires[tiebreak] < t:
                line.drop()
                # Compacted later, not while lines are read.
                self._stale += self._left_behind(tiebreak, seqs.pop(tiebreak)) - 1
                del self.waiting[tiebreak]
                self._group.pop(tiebreak, None)
            else:
                return top

    def _overdue(self, t: Any, lanes: Iterable[tuple[float, _Line]]) -> tuple[Any, ...] | None:
        """The limit lane whose first live entry is the oldest overdue query, and that entry
        (None: none is overdue). Tuple mode: :meth:`_pick_lanes`' scan, on these lanes
        (and the lane's limit, third)."""
        if not self._ranked:
            return self._pick_lanes(t, lanes)  # type: ignore[no-any-return]
        # Rank mode: each lane's first live row (its first int, usually; _head drops
        # the stale and expired ones before it).
        oldest = None
        expires, out, arrival_of = self._expires, self._out, self._arrival
        for limit, lane in lanes:
            heap = lane.heap
            if not heap:
                continue
            row = heap[0]
            if out[row] or (expires is not None and expires[row] < t):
                row = self._head(heap, t, self._rows)
                if row is None:
                    continue
            arrival = arrival_of[row]
            if lane.edge is None or arrival > lane.edge:
                if not is_overdue((t - arrival) / self._per_minute, limit):
                    continue
                lane.edge = arrival
            if oldest is None or row < oldest[1]:
                oldest = (heap, row)
        return oldest

    def _select(
        self, t: Any, remove: bool, agent: frozenset[str] | None = None
    ) -> tuple[H, Reason] | None:
        ledger, ranked, row_at = self._ledger, self._ranked, self._row_at
        seqs, expires = self._seq, self._expires
        found = None
        if self._by_limit is not None:
            if self._clock is not None and t < self._clock:
                t = self._clock  # time never runs backwards for MaxWait
            self._clock = t
        relax = self._relax
        if relax and relax[0][0] <= t:
            self._relax_due(t)
        buckets, mains, lanes = self._view(agent)
        if self._by_limit is not None:
            found = self._overdue(t, lanes)
        reason: Reason
        top: Any
        if found is not None:
            heap, top = found[0], found[1]
            tiebreak = top if ranked else top[1]
            reason = "overdue"
            if remove and ledger is not None:
                backlogged = {
                    g
                    for b in buckets
                    for g, h in b.heaps.items()
                    if self._head(h, t, row_at) is not None
                }
                group = self._group_of[tiebreak] if ranked else self._group[tiebreak]  # type: ignore[index]
                ledger.record(backlogged, group)
        elif ledger is None and not ranked:
            # The best first live entry of the score lines (usually their first entries).
            low: Any = None
            for line in mains:
                run, heap = line.run, line.heap  # _Line.first, inline
                if heap:
                    top = heap[0]
                    if run and run[0] < top:
                        top = run[0]
                elif run:
                    top = run[0]
                else:
                    continue
                if seqs.get(top[2]) != top[3] or (expires is not None and expires[top[2]] < t):
                    top = self._head(line, t)
                    if top is None:
                        continue
                if low is None or top < low:
                    low, found = top, line
            if low is None:
                self._gone(0)  # expired queries may have been dropped on the way
                return None
            top, heap, reason, tiebreak = low, found, "score", low[2]
        else:
            # The first entry of each score line (one per group under GroupShare) of
            # each bucket, checked inline: it is usually live, and _head drops the
            # stale and expired ones. Per group, the best over the buckets.
            grouped = ledger is not None
            best: dict[str, Any] = {}
            where: dict[str, Any] = {}
            low = None
            out = self._out
            for bucket in buckets:
                for group, group_heap in bucket.lines(grouped):
                    if ranked:
                        head = group_heap[0] if group_heap else None
                        if head is not None and (
                            out[r := row_at[head]] or (expires is not None and expires[r] < t)
                        ):
                            head = self._head(group_heap, t, row_at)
                    else:
                        head = group_heap.first()
                        if (
                            head is None
                            or seqs.get(head[2]) != head[3]
                            or (expires is not None and expires[head[2]] < t)
                        ):
                            head = self._head(group_heap, t)
                    if head is not None:
                        known = best.get(group)
                        if known is None or head < known:
                            best[group], where[group] = head, group_heap
                        if low is None or head < low:
                            low = head
            if low is None:
                self._gone(0)  # expired queries may have been dropped on the way
                return None
            if ledger is None:
                top, reason, heap = low, "score", where[""]
            else:
                chosen = ledger.pick(best) if remove else ledger.choose(best)
                top = best[chosen]
                reason = "score" if top is low else "group_share"
                heap = where[chosen]
            tiebreak = row_at[top] if ranked else top[2]
        # Served: take its entry out here; its others (_left_behind) are left behind, stale.
        if ranked:
            if remove:
                heappop(heap)
                self._out[tiebreak] = 1
                self._count -= 1
            return tiebreak, reason
        waiting = self.waiting
        handle = waiting[tiebreak]
        if remove:
            heap.drop()
            del waiting[tiebreak]
            seq = seqs.pop(tiebreak)
            if ledger is not None:
                del self._group[tiebreak]
            left = self._copies - 1  # no view: its other line kind's entry
            if self._views or self._extra:
                left = self._left_behind(tiebreak, seq) - 1
            self._stale += left
        stale = self._stale  # _gone's first test, inline (a peek may find expired queries)
        if stale > _COMPACT_AT and stale > self._copies * len(waiting):
            self._gone(0)
        return handle, reason

    def _stale_limit(self) -> int:
        """The most stale line entries the lines hold after a pick, peek or removal.

        :data:`_SWEEP_RATIO` times the line entries the waiting queries may hold (one
        per line kind, score and ``MaxWait`` lane, in its bucket and in each merged
        view), and at least :data:`_COMPACT_AT`. Each view is counted once: every view
        holds the plain bucket's queries, so the plain bucket lists each of them once,
        however many agents share it (the view of every query, for one).
        """
        held = self._copies * (1 + len(self._all[0].views)) * len(self.waiting)
        return max(_COMPACT_AT, _SWEEP_RATIO * held)

    def _gone(self, stale: int) -> None:
        """Count ``stale`` more line entries left behind, and sweep the lines once the
        count passes :meth:`_stale_limit`.

        Every pick, peek and removal in tuple mode ends here, or in its inline first
        test (past :data:`_COMPACT_AT` and the waiting queries times the line kinds,
        neither more than the limit), so that after each the lines hold at most
        :meth:`_stale_limit` stale entries: the count is at least the stale entries
        held (each counted when left behind), and a sweep leaves only those of the
        kinds of lines it passes over, counted, fewer than the limit. Rank mode keeps
        no count and never sweeps (a stale int costs one pop when it surfaces).
        """
        self._stale = count = self._stale + stale
        if count > _COMPACT_AT and count > (limit := self._stale_limit()):
            live = self._seq.get  # lines compacted in place: the views hold them
            left = 0  # stale entries left in lines not worth compacting
            if len(self._all) == 1 and not self._views:
                # One bucket: each waiting query has one entry in the score lines and
                # one in the lanes, so each kind's stale count is its length minus the
                # waiting ones. A kind holding at most half the limit (e.g. the lanes,
                # when overdue picks take their entries out) is left as it is, counted.
                bucket, waiting = self._all[0], len(self.waiting)
                for lines in (
                    [bucket.main, *bucket.heaps.values()],
                    list((bucket.by_limit or {}).values()),
                ):
                    stale = sum(map(len, lines)) - waiting
                    if stale > limit // 2:
                        for line in lines:
                            _keep_live(line, live)
                    elif lines:
                        left += stale
            else:
                views = {id(v): v for v in self._views.values()}  # each once (aliases)
                for bucket in (*self._all, *views.values()):
                    _keep_live(bucket.main, live)
                    for h in bucket.heaps.values():
                        _keep_live(h, live)
                    for lane in (bucket.by_limit or {}).values():
                        _keep_live(lane, live)
            if self._relax:
                self._relax = [e for e in self._relax if live(e[1]) == e[2]]
                heapify(self._relax)
            self._stale = left
