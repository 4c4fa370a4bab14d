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
until they time out): one line of heaps per distinct set, and a pick reads
only the lines whose set the agent covers, applying the rule above to them.
TriageQueue (``pop(now, agent=...)``) and the simulator (an agent group
freeing up) get the same rule at once; ``pick(t)`` of a picker that never saw
a skill keeps the lean single-heap path.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from heapq import heapify, heappop, heappush
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

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
    "rank_order",
    "serving_order",
    "tiebreak_rank",
]

#: Reference instant for heap keys (2020-01-01 UTC) so keys stay small numbers.
KEY_EPOCH_NS = 1_577_836_800_000_000_000
_KEY_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_KEY_EPOCH_MINUTES = KEY_EPOCH_NS // NS_PER_MINUTE  # exact: the epoch is whole minutes
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


class _Line:
    """The waiting queries filed under one skill set: score heap(s) and ``MaxWait`` lanes.

    ``skills`` is who may take them (required, plus preferred while pending);
    ``gone`` (rank mode) is the flags an int of its heaps is stale by: the
    picker's ``_out``, or ``_away`` for a line whose rows move on when their
    preference times out.
    """

    __slots__ = ("by_limit", "gone", "heaps", "main", "skills")

    def __init__(self, skills: frozenset[str], by_limit: bool, gone: bytearray) -> None:
        self.skills = skills
        self.main: list[Any] = []
        self.heaps: dict[str, list[Any]] = {}  # group -> heap, under GroupShare
        self.by_limit: dict[float, list[Any]] | None = {} if by_limit else None
        self.gone = gone

    def heads(self, grouped: bool) -> Any:
        """``(group, heap)`` of its score heaps (one, labelled ``""``, without GroupShare)."""
        return self.heaps.items() if grouped else (("", self.main),)


_NO_SKILLS: frozenset[str] = frozenset()
_PLAIN_LINE = (_NO_SKILLS, _NO_SKILLS)


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
    gets a sequence number, and a heap entry is live while its id's current
    push has its number, so an id removed and pushed again leaves none of its
    old heap entries alive (nor its old ``MaxWait`` deadline).
    Entries leave the heaps lazily; the heaps are compacted when stale
    entries outnumber live ones. Time never runs backwards for ``MaxWait``:
    a ``t`` earlier than a previous one is taken as the previous one.

    Heaps: the score heap of ``(−key, arrival, id, seq)`` (one per group under
    ``GroupShare``); under ``MaxWait`` one heap by (arrival, id) per distinct
    limit, whose head is its oldest query and so the first to be overdue: the
    oldest overdue query is the oldest of the overdue heads.

    Eligibility (skills). An agent with skills ``A`` may take a query whose
    required skills are a subset of ``A`` and, until ``skills_timeout`` has
    passed since its arrival (``t >= arrival + skills_timeout`` drops them),
    whose preferred skills are too; ``agent=None`` is any agent (every query).
    Each distinct (required, pending preferred) pair of skill sets is a
    *line* (:class:`_Line`) with its own score heap(s) and ``MaxWait`` lanes;
    a pick reads only the lines whose skills the agent covers, and applies
    the same rule to them (overdue first, the ``GroupShare`` ledger between
    the groups that have a query *this agent may take*, then the score). A
    query with a pending preference is also in a heap by the time its
    preference drops; when that time comes it is filed again under its
    required skills alone (once: amortised O(log n)). So a pick costs
    O(S · log n), S the number of lines (distinct skill sets seen), and a
    picker that never saw a skill keeps its lean single-line path.

    Rank mode, the same rule on ints: the score heaps hold each row's place in
    the static order (:attr:`Rows.rank`, from :func:`rank_order`: key, then
    arrival, then id), the limit heaps hold row numbers (arrival order), and
    an int in a heap is live while its row's ``_out`` flag is 0 (set to 1
    when the row is picked, removed or found expired; a row is admitted
    once): no sequence numbers, no tuples, no compaction (a stale int costs
    one pop when it surfaces). A row moved on when its preference timed out
    is flagged in ``_away`` (which also holds every ``_out`` row), the flags
    its former line reads.
    """

    __slots__ = (
        "_all",
        "_arrival",
        "_away",
        "_by_agent",
        "_by_limit",
        "_clock",
        "_copies",
        "_count",
        "_expires",
        "_group",
        "_group_of",
        "_heaps",
        "_info",
        "_lean",
        "_ledger",
        "_limit_of",
        "_lines",
        "_main",
        "_out",
        "_per_minute",
        "_plain",
        "_prefer_of",
        "_pushes",
        "_rank",
        "_ranked",
        "_relax",
        "_row_at",
        "_rows",
        "_seq",
        "_skills_of",
        "_stale",
        "_timeout",
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
        self._plain = share is None and policy.max_wait is None
        self._lean = self._plain  # and no skill seen: the one-heap path
        self._per_minute = per_minute
        self._expires: Any = expires
        self._timeout: Any = skills_timeout
        #: id -> handle of every waiting query (read it; change it only through the methods).
        self.waiting: dict[Any, H] = {}
        # id -> sequence number of its push. Heap entries carry the number, not the
        # handle: a tuple of plain values leaves the garbage collector's lists.
        self._seq: dict[Any, int] = {}
        self._pushes = 0
        self._group: dict[Any, str] = {}  # id -> group, under GroupShare
        self._clock: Any = None
        self._copies = 1 if policy.max_wait is None else 2  # heap entries per query
        self._stale = 0
        # Rank mode: per-row inputs, 1 = has left the line, the count of waiting rows.
        self._ranked = rows is not None
        self._rows: range = range(0 if rows is None else len(rows.rank))  # row -> row
        self._rank: Sequence[int] = () if rows is None else rows.rank
        self._row_at: Sequence[int] = () if rows is None else rows.row_at
        self._arrival: Sequence[Any] = () if rows is None else rows.arrival
        self._limit_of = None if rows is None or policy.max_wait is None else rows.limits
        self._group_of = None if rows is None or self._ledger is None else rows.groups
        self._skills_of = None if rows is None else rows.skills
        self._prefer_of = None if rows is None else rows.prefer
        self._out = bytearray(len(self._rows))
        self._away = self._out  # a separate copy once a preference can time out
        self._count = 0
        if rows is not None and (
            (self._ledger is not None and rows.groups is None)
            or (policy.max_wait is not None and rows.limits is None)
        ):
            raise ValueError("rank mode: the policy's GroupShare/MaxWait need Rows.groups/limits")
        # The lines by (required, pending preferred) skills; the plain line's containers
        # are also _main, _heaps and _by_limit (the single-line code reads those).
        plain = _Line(_NO_SKILLS, policy.max_wait is not None, self._out)
        self._lines: dict[tuple[frozenset[str], frozenset[str]], _Line] = {_PLAIN_LINE: plain}
        self._all: list[_Line] = [plain]
        self._by_agent: dict[frozenset[str], list[_Line]] = {}
        self._main: list[Any] = plain.main  # tuples, or ints in rank mode
        self._heaps: dict[str, list[Any]] = plain.heaps
        self._by_limit: dict[float, list[Any]] | None = plain.by_limit
        if self._group_of is not None:
            plain.heaps.update({g: [] for g in sorted(set(self._group_of))})
        if plain.by_limit is not None and self._limit_of is not None:
            plain.by_limit.update({m: [[], None] for m in sorted(set(self._limit_of))})
        # Pending preferences: a heap by the time they drop; the tuple mode's filing data.
        self._relax: list[Any] = []
        self._info: dict[Any, tuple[Any, ...]] = {}
        if self._skills_of is not None or self._prefer_of is not None:
            self._lean = False
            if self._prefer_of is not None and self._timeout is not None:
                self._away = bytearray(len(self._rows))

    def __len__(self) -> int:
        return self._count if self._ranked else len(self.waiting)

    # ------------------------------------------------------------------ lines
    def _line(self, required: frozenset[str], prefer: frozenset[str]) -> _Line:
        """The line of this (required, pending preferred) pair, made on first use."""
        key = (required, prefer)
        line = self._lines.get(key)
        if line is None:
            pending = bool(prefer) and self._timeout is not None
            line = _Line(
                required | prefer, self._by_limit is not None, self._away if pending else self._out
            )
            if self._ranked:
                if self._group_of is not None:
                    line.heaps = {g: [] for g in self._heaps}
                if line.by_limit is not None and self._limit_of is not None:
                    line.by_limit = {m: [[], None] for m in self._by_limit or ()}
            self._lines[key] = line
            self._all.append(line)
            self._by_agent.clear()
        return line

    def _lines_for(self, agent: frozenset[str] | None) -> list[_Line]:
        """The lines ``agent`` may take from (every line for None)."""
        if agent is None:
            return self._all
        lines = self._by_agent.get(agent)
        if lines is None:
            if len(self._by_agent) > 1024:
                self._by_agent.clear()
            lines = self._by_agent[agent] = [line for line in self._all if line.skills <= agent]
        return lines

    # ------------------------------------------------------------------ entry
    def admit(self, row: int) -> None:
        """Rank mode: row ``row`` starts waiting (each row is admitted at most once)."""
        group_of = self._group_of
        if self._skills_of is None and self._prefer_of is None:
            line = self._lines[_PLAIN_LINE]
        else:
            required = _NO_SKILLS if self._skills_of is None else self._skills_of[row]
            prefer = _NO_SKILLS if self._prefer_of is None else self._prefer_of[row] - required
            line = self._line(required, prefer)
            if prefer and self._timeout is not None:
                heappush(self._relax, (self._arrival[row] + self._timeout, row))
        heap = line.main if group_of is None else line.heaps[group_of[row]]
        heappush(heap, self._rank[row])
        if line.by_limit is not None:
            heappush(line.by_limit[self._limit_of[row]][0], row)  # type: ignore[index]
        self._count += 1

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
        """Add a waiting query: its :func:`heap_key`, arrival, id (tie-break), limit and group,
        the skills an agent needs to take it and those it should have until the timeout.

        The id must not be waiting already (the caller checks).
        """
        self.waiting[tiebreak] = handle
        self._pushes = seq = self._pushes + 1
        self._seq[tiebreak] = seq
        if skills or prefer:
            self._lean = False
        if self._lean:
            heappush(self._main, (-key, arrival, tiebreak, seq))
            return
        if prefer:
            prefer = prefer - skills
            if prefer and self._timeout is not None:
                heappush(self._relax, (arrival + self._timeout, tiebreak, seq))
                self._info[tiebreak] = (key, arrival, limit, group, skills)
        self._file(key, arrival, tiebreak, seq, limit, group, self._line(skills, prefer))

    def _file(
        self,
        key: float,
        arrival: Any,
        tiebreak: Any,
        seq: int,
        limit: float,
        group: Any,
        line: _Line,
    ) -> None:
        if self._ledger is None:
            heappush(line.main, (-key, arrival, tiebreak, seq))
        else:
            label = str(group)
            self._group[tiebreak] = label
            heap = line.heaps.get(label)
            if heap is None:
                heap = line.heaps[label] = []
            heappush(heap, (-key, arrival, tiebreak, seq))
        if line.by_limit is not None:
            lane = line.by_limit.get(limit)
            if lane is None:
                lane = line.by_limit[limit] = [[], None]
            heappush(lane[0], (arrival, tiebreak, seq))

    def _relax_due(self, t: Any) -> None:
        """File again, under their required skills alone, the queries whose preference dropped."""
        relax = self._relax
        if self._ranked:
            away, skills_of = self._away, self._skills_of
            while relax and relax[0][0] <= t:
                row = heappop(relax)[1]
                if away[row]:
                    continue  # picked, expired or removed meanwhile
                away[row] = 1
                line = self._line(_NO_SKILLS if skills_of is None else skills_of[row], _NO_SKILLS)
                group_of = self._group_of
                heappush(
                    line.main if group_of is None else line.heaps[group_of[row]], self._rank[row]
                )
                if line.by_limit is not None:
                    heappush(line.by_limit[self._limit_of[row]][0], row)  # type: ignore[index]
            return
        seqs = self._seq
        while relax and relax[0][0] <= t:
            _, tiebreak, seq = heappop(relax)
            if seqs.get(tiebreak) != seq:
                continue
            key, arrival, limit, group, required = self._info.pop(tiebreak)
            self._pushes = seq = self._pushes + 1
            seqs[tiebreak] = seq  # the old entries are stale from now on
            self._file(key, arrival, tiebreak, seq, limit, group, self._line(required, _NO_SKILLS))
            self._gone(self._copies)

    def remove(self, tiebreak: Any) -> H | None:
        """Take the query with this id out of the line; its handle (None: not waiting)."""
        if self._ranked:
            # Rare (the simulator never removes): whether the row was admitted is
            # read from its score heaps, so that admit stays one push per heap.
            group_of = self._group_of
            if self._out[tiebreak] or not any(
                self._rank[tiebreak]
                in (line.main if group_of is None else line.heaps[group_of[tiebreak]])
                for line in self._all
            ):
                return None
            self._out[tiebreak] = self._away[tiebreak] = 1
            self._count -= 1
            return tiebreak  # type: ignore[no-any-return]
        handle = self.waiting.pop(tiebreak, None)
        if handle is not None:
            del self._seq[tiebreak]
            self._group.pop(tiebreak, None)
            self._info.pop(tiebreak, None)
            self._gone(self._copies)
        return handle

    def pick(self, t: Any, agent: frozenset[str] | None = None) -> tuple[H, Reason] | None:
        """Remove and return the query served at ``t`` and why (None: nobody it may take).

        ``agent``: the skills of the agent asking (None: any agent, every query).
        """
        if not self._lean:
            return self._select(t, True, agent)
        # The common case, kept lean: one heap, nothing left behind.
        if self._ranked:
            main, row_at, out, expires = self._main, self._row_at, self._out, self._expires
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
        main, seqs, expires = self._main, self._seq, self._expires
        while main:
            _, _, tiebreak, seq = heappop(main)
            if seqs.get(tiebreak) == seq:
                del seqs[tiebreak]
                handle = self.waiting.pop(tiebreak)
                if expires is not None and expires[tiebreak] < t:
                    continue
                return handle, "score"
        return None

    def peek(self, t: Any, agent: frozenset[str] | None = None) -> tuple[H, Reason] | None:
        """What :meth:`pick` would return at ``t``, changing neither the line nor the ledger."""
        return self._select(t, False, agent)

    # ---------------------------------------------------------------- inner
    def _head(self, heap: list[Any], t: Any, ids: Sequence[int] = (), gone: Any = None) -> Any:
        """The first live entry of ``heap`` (None if empty), dropping stale and expired ones.

        Rank mode: ``ids`` maps the heap's ints to rows (:attr:`_row_at` for a
        score heap, :attr:`_rows` for a limit heap); ``gone`` the stale flags
        (the line's, default ``_out``).
        """
        seqs, expires = self._seq, self._expires
        if self._ranked:
            out = self._out
            if gone is None:
                gone = out
            while heap:
                row = ids[heap[0]]
                if gone[row]:
                    heappop(heap)
                elif expires is not None and expires[row] < t:
                    heappop(heap)
                    out[row] = self._away[row] = 1
                    self._count -= 1
                else:
                    return heap[0]
            return None
        while heap:
            top = heap[0]
            tiebreak = top[-2]
            if seqs.get(tiebreak) != top[-1]:
                heappop(heap)
            elif expires is not None and expires[tiebreak] < t:
                heappop(heap)
                del seqs[tiebreak], self.waiting[tiebreak]
                self._group.pop(tiebreak, None)
                self._info.pop(tiebreak, None)
                self._stale += self._copies - 1  # compacted later, not while heaps are read
            else:
                return top
        return None

    def _overdue(self, t: Any, lines: Sequence[_Line]) -> tuple[list[Any], Any] | None:
        """The limit heap whose head is the oldest overdue query, and that head."""
        oldest = None
        seqs, expires, ranked, rows = self._seq, self._expires, self._ranked, self._rows
        for line in lines:
            gone = line.gone
            for limit, lane in line.by_limit.items():  # type: ignore[union-attr]
                heap = lane[0]
                if ranked:
                    head = heap[0] if heap else None
                    if head is None or gone[head] or (expires is not None and expires[head] < t):
                        head = self._head(heap, t, rows, gone)
                        if head is None:
                            continue
                    arrival = self._arrival[head]
                else:
                    # The head is usually live: check it here before calling _head.
                    head = heap[0] if heap else None
                    if (
                        head is None
                        or seqs.get(head[1]) != head[2]
                        or (expires is not None and expires[head[1]] < t)
                    ):
                        head = self._head(heap, t)
                        if head is None:
                            continue
                    arrival = head[0]
                edge = lane[1]
                if edge is None or arrival > edge:
                    if not is_overdue((t - arrival) / self._per_minute, limit):
                        continue
                    lane[1] = arrival
                if oldest is None or head < oldest[1]:
                    oldest = (heap, head)
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
        if self._relax and self._relax[0][0] <= t:
            self._relax_due(t)
        lines = self._lines_for(agent)
        if self._by_limit is not None:
            found = self._overdue(t, lines)
        grouped = ledger is not None
        reason: Reason
        top: Any
        if found is not None:
            heap, top = found
            tiebreak = top if ranked else top[1]
            reason = "overdue"
            if remove and ledger is not None:
                backlogged = {
                    g
                    for line in lines
                    for g, h in line.heaps.items()
                    if self._head(h, t, row_at, line.gone) is not None
                }
                group = self._group_of[tiebreak] if ranked else self._group[tiebreak]  # type: ignore[index]
                ledger.record(backlogged, group)
                # the served query's score entry: popped when it surfaces (stale)
        else:
            # The head of each heap (one per group under GroupShare), checked inline:
            # it is usually live, and _head drops the stale and expired ones.
            best: dict[str, Any] = {}
            where: dict[str, list[Any]] = {}
            low: Any = None
            for line in lines:
                gone = line.gone
                for group, group_heap in line.heads(grouped):
                    head = group_heap[0] if group_heap else None
                    if ranked:
                        if head is not None and (
                            gone[r := row_at[head]] or (expires is not None and expires[r] < t)
                        ):
                            head = self._head(group_heap, t, row_at, gone)
                    elif (
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
                return None
            if ledger is None:
                top, reason, heap = low, "score", where[""]
            else:
                chosen = ledger.pick(best) if remove else ledger.choose(best)
                top = best[chosen]
                reason = "score" if top is low else "group_share"
                heap = where[chosen]
            tiebreak = row_at[top] if ranked else top[2]
        # Served: pop its entry here; its other entries (if any) are left behind, stale.
        if ranked:
            if remove:
                heappop(heap)
                self._out[tiebreak] = self._away[tiebreak] = 1
                self._count -= 1
            return tiebreak, reason
        handle = self.waiting[tiebreak]
        if remove:
            heappop(heap)
            del self.waiting[tiebreak], seqs[tiebreak]
            if ledger is not None:
                del self._group[tiebreak]
            if self._info:
                self._info.pop(tiebreak, None)
            if self._copies > 1:
                self._gone(self._copies - 1)
        return handle, reason

    def _gone(self, stale: int) -> None:
        self._stale += stale
        if self._stale > 64 and self._stale > len(self.waiting):
            seqs = self._seq

            def keep(heap: list[Any]) -> None:
                heap[:] = [e for e in heap if seqs.get(e[-2]) == e[-1]]
                heapify(heap)

            for line in self._all:
                keep(line.main)
                for h in line.heaps.values():
                    keep(h)
                for lane in (line.by_limit or {}).values():
                    keep(lane[0])
            keep(self._relax)
            self._stale = 0
