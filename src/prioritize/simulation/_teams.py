"""The team engine: agent groups with skills, capacity per channel and their own shifts.

The waiting line is the policy's serving-order core, :class:`prioritize.policy.Picker`
in its rank mode, asked with ``agent=`` for the best waiting query an agent may
take: eligibility (required skills, preferred skills until the timeout) lives
there and only there. This module decides *which agent* and *when*:

* **A free agent** (one who finishes a query, or comes on duty) asks the line
  for the best query it may take, again and again while it has room.
* **An arriving query** goes to a free agent who may take it, chosen by the
  team's ``select``: ``"longest_idle"`` (the least loaded agent, then the one
  at that load longest: with one query at a time, the agent idle longest),
  ``"random"`` (uniformly among the agents with room, from the run's seed) or
  ``"fewest_skills"`` (the group with the fewest skills first, keeping
  generalists free; longest idle within). If none may take it, it waits.
* **A query whose preferred skills lapse** (``skills_timeout_minutes`` after
  its arrival) is offered again to the free agents who may now take it.

Capacity is counted in whole units: an agent of a group has ``units`` (the least
common multiple of its capacities) and a query of channel ``c`` takes
``units // capacity[c]`` of them (Salesforce-style capacity weights). The
picker sees that as eligibility: each row also requires a token for its
channel, and an agent offers the tokens of the channels that fit its free
units (only when some group's capacity is not the default, so default teams
pay nothing).

Shifts are per group, as in the single pool: when a group's staffing rises,
new agents (lowest free seat first) start at once; when it drops, idle agents
leave at once and the next busy agents to free up stop taking work and leave
when they hold nothing. Seats are numbered from 0 within each group.

Events at one instant: staffing changes, then arrivals, then completions, then
lapsed preferred skills (as :func:`~prioritize.simulation._engine.run_general`).

Retry rows (a customer trying again) are known in advance as *potential* rows
with ``pred`` = the row they follow: one arrives only if its predecessor gave
up (a predecessor still unserved at the retry's arrival, which is after its
``abandon_at``, gave up); otherwise it never happens (agent ``-2``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from heapq import heappop, heappush, heapreplace
from random import Random
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._internal.skills import NO_SKILLS, Skills, skills_text
from prioritize.policy import Picker, Policy, Rows
from prioritize.routing import Team
from prioritize.simulation._engine import NEVER

__all__ = ["GroupPlan", "Needs", "TeamLine", "TeamPlan", "run_team", "team_line", "team_plan"]

_SHIFT = 0
_COMPLETE = 1
_LAPSE = 2
_NAN = float("nan")
_INF = float("inf")
#: Without arrivals, work or lapses pending, staffing events further than this
#: past the last event mean a query nobody on any shift can ever take (a bug:
#: simulate checks that every query has a group with agents on duty).
_STUCK_MINUTES = 15 * 1440.0


@dataclass(frozen=True, slots=True)
class GroupPlan:
    """One agent group as the engine needs it.

    ``units``: load units of one agent; ``weight[c]``: units a query of channel
    code ``c`` takes; ``offer[f]``: the ``agent=`` given to the picker by an
    agent with ``f`` free units (0..units); ``rank``: its number of skills
    (``"fewest_skills"``).
    """

    name: str
    units: int
    weight: tuple[int, ...]
    offer: tuple[Any, ...]
    rank: int


@dataclass(frozen=True, slots=True)
class TeamPlan:
    """The team: groups, and per class of query the groups that may take it.

    A row's class (``klass[j]``) stands for its required and preferred skills;
    ``reach_first[k]``: groups that may take it while its preferred skills
    hold, ``reach_late[k]``: once they lapsed (``lapse`` minutes after
    arrival; ``inf``: never). Both are in the order ``select`` scans them.
    """

    groups: tuple[GroupPlan, ...]
    reach_first: tuple[tuple[int, ...], ...]
    reach_late: tuple[tuple[int, ...], ...]
    lapse: float
    select: str


@dataclass(frozen=True, slots=True)
class TeamLine:
    """The waiting line of a team run (:func:`team_line`).

    ``picker``: the serving-order core in rank mode, with eligibility by
    skills; ``rank``/``row_at``: the rows' places in the policy's static
    order and its inverse (:class:`~prioritize.policy.Rows`); ``plain``: the
    policy has neither ``MaxWait`` nor ``GroupShare``, so the order is
    ``rank`` alone (what :func:`run_team`'s specialised loop needs).
    """

    picker: Picker[int]
    rank: Sequence[int]
    row_at: Sequence[int]
    plain: bool


#: The specialised loop reads the waiting line one heap per class of query; a
#: group that may take more classes than this goes through the picker's merged
#: view instead (one heap, whatever the number of classes).
_MAX_CLASSES = 16


def run_team(
    arrival: Sequence[float],
    service: Sequence[float],
    abandon_at: Sequence[float],
    pred: Sequence[int] | None,
    klass: Sequence[int],
    channel: Sequence[int],
    line: TeamLine,
    plan: TeamPlan,
    staffing: Sequence[Iterator[tuple[float, int]]],
    *,
    rnd: Random,
    book: bool,
    specialise: bool = True,
) -> tuple[list[float], list[int], list[int]]:
    """Run the team; per row its start (NaN: abandoned), seat and group (-1; NEVER).

    ``staffing[g]`` yields ``(time, agents of group g on duty from then on)``
    as for :func:`~prioritize.simulation._engine.run_general`. ``book``: an
    arriving query taken at once still goes through the picker (so that
    ``GroupShare`` books the service start); without it the picker is skipped.

    The common case (every group's staffing fixed, one query at a time, no
    rule, select by idle time, no retries, no lapsing preferences) runs
    :func:`_run_fixed`, the same rule on plain heaps; ``specialise=False``
    always runs the general loop (the tests compare the two).
    """
    first = [next(s) for s in staffing]
    upcoming = [next(s, None) for s in staffing]
    if specialise and pred is None and line.plain and _fixed(plan, upcoming):
        return _run_fixed(arrival, service, abandon_at, klass, line, plan, first)
    picker, admit = line.picker, line.picker.admit
    n = len(arrival)
    start = [_NAN] * n
    seat = [-1] * n
    grp = [-1] * n
    groups = plan.groups
    ng = len(groups)
    units = [g.units for g in groups]
    weight = [g.weight for g in groups]
    offer = [g.offer for g in groups]
    rank = [g.rank for g in groups]
    reach_first, reach_late, lapse = plan.reach_first, plan.reach_late, plan.lapse
    select = plan.select
    lanes = select != "random"
    pick = picker.pick

    # Agents, by a global id: group, seat, load (units held), stamp (a deque
    # entry (agent, stamp) is live while the stamp matches), since (when it
    # reached its current load), leaving (stops taking work, leaves when empty).
    a_group: list[int] = []
    a_seat: list[int] = []
    a_load: list[int] = []
    a_stamp: list[int] = []
    a_since: list[float] = []
    a_leaving = bytearray()
    a_slot: list[int] = []  # random: position in its level list (-1: not listed)
    # Per group: free agents by load level 0..units-1 (deques by arrival at the
    # level, or plain lists for "random"); seats; head count; departures owed.
    levels: list[list[Any]] = [
        [deque() if lanes else [] for _ in range(units[g])] for g in range(ng)
    ]
    seat_gid: list[dict[int, int]] = [{} for _ in range(ng)]
    free_seats: list[list[int]] = [[] for _ in range(ng)]
    next_seat = [0] * ng
    present = [0] * ng  # agents on duty, leavers included
    leavers = [0] * ng  # of them, marked to leave
    owed = [0] * ng  # departures still owed: the next agents to free up leave
    events: list[tuple[float, int, int, int]] = []
    state = [0, 0]  # queries in service, lapses pending

    def place(a: int, t: float) -> None:
        g = a_group[a]
        load = a_load[a]
        if load >= units[g]:
            return
        a_stamp[a] += 1
        a_since[a] = t
        if lanes:
            levels[g][load].append((a, a_stamp[a]))
        else:
            level = levels[g][load]
            a_slot[a] = len(level)
            level.append(a)

    def unplace(a: int) -> None:
        a_stamp[a] += 1
        if not lanes and a_slot[a] >= 0:
            level = levels[a_group[a]][a_load[a]]
            last = level.pop()
            slot = a_slot[a]
            if last != a:
                level[slot] = last
                a_slot[last] = slot
            a_slot[a] = -1

    def head(g: int, fits: int) -> int:
        """Longest at the lowest load among group g's agents with ``fits`` free units (-1)."""
        lv = levels[g]
        for load in range(units[g] - fits + 1):
            dq = lv[load]
            while dq:
                a, s = dq[0]
                if a_stamp[a] == s:
                    return a  # type: ignore[no-any-return]
                dq.popleft()
        return -1

    def choose(reach: tuple[int, ...], c: int) -> int:
        """The free agent an arriving (or lapsed) query of channel c goes to (-1: none)."""
        best = -1
        if lanes:
            best_key: tuple[float, float] = (_INF, _INF)
            tier = -1
            for g in reach:
                if best >= 0 and select == "fewest_skills" and rank[g] != tier:
                    break
                a = head(g, weight[g][c])
                if a >= 0:
                    key = (a_load[a] / units[g], a_since[a])
                    if key < best_key:
                        best, best_key, tier = a, key, rank[g]
            return best
        total = 0
        for g in reach:
            lv = levels[g]
            for load in range(units[g] - weight[g][c] + 1):
                total += len(lv[load])
        if not total:
            return -1
        r = rnd.randrange(total)
        for g in reach:
            lv = levels[g]
            for load in range(units[g] - weight[g][c] + 1):
                size = len(lv[load])
                if r < size:
                    return lv[load][r]  # type: ignore[no-any-return]
                r -= size
        raise AssertionError("unreachable")  # pragma: no cover

    def begin(a: int, j: int, t: float) -> None:
        g = a_group[a]
        start[j] = t
        seat[j] = a_seat[a]
        grp[j] = g
        a_load[a] += weight[g][channel[j]]
        state[0] += 1
        heappush(events, (t + service[j], _COMPLETE, a, j))

    def fill(a: int, t: float) -> int:
        """Agent a (not listed as free) takes queries while it has room, then is listed."""
        g = a_group[a]
        u, give = units[g], offer[g]
        taken = 0
        while a_load[a] < u:
            found = pick(t, agent=give[u - a_load[a]])
            if found is None:
                break
            begin(a, found[0], t)
            taken += 1
        place(a, t)
        return taken

    def depart(a: int) -> None:
        g = a_group[a]
        present[g] -= 1
        leavers[g] -= 1
        a_leaving[a] = 0
        heappush(free_seats[g], a_seat[a])

    def staff(g: int, target: int, t: float) -> None:
        active = present[g] - leavers[g]
        if target >= active:
            owed[g] = 0
            need = target - active
            if need and leavers[g]:  # staffing rose again: leavers stay on
                for b in [x for x in seat_gid[g].values() if a_leaving[x]][:need]:
                    a_leaving[b] = 0
                    leavers[g] -= 1
                    need -= 1
                    fill(b, t)
            for _ in range(need):
                if free_seats[g]:
                    s = heappop(free_seats[g])
                else:
                    s = next_seat[g]
                    next_seat[g] += 1
                a = seat_gid[g].get(s, -1)
                if a < 0:
                    a = seat_gid[g][s] = len(a_group)
                    a_group.append(g)
                    a_seat.append(s)
                    a_load.append(0)
                    a_stamp.append(0)
                    a_since.append(t)
                    a_leaving.append(0)
                    a_slot.append(-1)
                present[g] += 1
                fill(a, t)
            return
        drop = active - target
        level0 = levels[g][0]
        while drop and level0:  # idle agents leave at once (the most recently idle)
            if lanes:
                a, s = level0.pop()
                if a_stamp[a] != s:
                    continue
            else:
                a = level0[-1]
            unplace(a)
            present[g] -= 1
            heappush(free_seats[g], a_seat[a])
            drop -= 1
        owed[g] = drop

    def complete(a: int, j: int, t: float) -> None:
        g = a_group[a]
        state[0] -= 1
        if a_load[a] < units[g]:  # listed as free (with room for less than it holds)
            unplace(a)
        a_load[a] -= weight[g][channel[j]]
        if not a_leaving[a] and owed[g]:
            owed[g] -= 1
            a_leaving[a] = 1
            leavers[g] += 1
        if a_leaving[a]:
            if not a_load[a]:
                depart(a)
            return
        fill(a, t)

    def offer_to(reach: tuple[int, ...], j: int, t: float) -> None:
        """Free agents who may take row j (its preferred skills lapsed) take work."""
        c = channel[j]
        while start[j] != start[j]:
            a = choose(reach, c)
            if a < 0:
                return
            unplace(a)
            if not fill(a, t):  # pragma: no cover - the picker and the reach tables disagree
                raise RuntimeError(f"an agent free to take row {j} found nothing to take")

    for g in range(ng):
        t0, count = first[g]
        staff(g, count, t0)
        after = upcoming[g]
        if after is not None:
            heappush(events, (after[0], _SHIFT, g, after[1]))

    # The common case, kept lean: agents who hold one query at a time and a select
    # rule by idle time. An agent who finishes and takes the next query stays busy
    # (one heap replace, no listing); the free agents of a group are a deque of
    # (agent, stamp) in the order they became free, whose head is the longest idle.
    fast = lanes and all(u == 1 for u in units)
    idle0 = [levels[g][0] for g in range(ng)]
    offer1 = [offer[g][1] for g in range(ng)]
    tiers = select == "fewest_skills"
    lapsing = [first != late for first, late in zip(reach_first, reach_late, strict=True)]
    last = 0.0
    done = False
    for i, ta in enumerate([*arrival, _INF]):
        bound = (ta, _COMPLETE)  # events before it: earlier ones, and staffing at ta
        while events and events[0] < bound:
            te, kind, x, y = events[0]
            if kind == _COMPLETE:
                last = te
                g = a_group[x]
                if fast and not owed[g] and not a_leaving[x]:
                    found = pick(te, offer1[g])
                    if found is not None:
                        k = found[0]
                        start[k] = te
                        seat[k] = a_seat[x]
                        grp[k] = g
                        heapreplace(events, (te + service[k], _COMPLETE, x, k))
                        continue
                    heappop(events)
                    state[0] -= 1
                    a_load[x] = 0
                    a_stamp[x] = stamp = a_stamp[x] + 1  # place, inline
                    a_since[x] = te
                    idle0[g].append((x, stamp))
                    continue
                heappop(events)
                complete(x, y, te)
            elif kind == _SHIFT:
                if i == n and not state[0] and not state[1]:
                    if not len(picker):
                        done = True
                        break
                    if te - last > _STUCK_MINUTES:  # pragma: no cover - checked before the run
                        raise RuntimeError("queries wait that no agent on any shift may take")
                heappop(events)
                staff(x, y, te)
                after = next(staffing[x], None)
                if after is not None:
                    heappush(events, (after[0], _SHIFT, x, after[1]))
            else:
                heappop(events)
                last = te
                state[1] -= 1
                if start[y] != start[y] and abandon_at[y] >= te:
                    offer_to(reach_late[x], y, te)
        if done or i == n:
            break
        if pred is not None:
            p = pred[i]
            if p >= 0 and (seat[p] == NEVER or start[p] == start[p]):
                seat[i] = NEVER  # the customer was answered (or never came): no retry
                continue
        last = ta
        k = klass[i]
        if fast:
            a = -1
            best = _INF
            tier = -1
            for g in reach_first[k]:
                if tiers and a >= 0 and rank[g] != tier:
                    break
                dq = idle0[g]
                while dq:
                    b, s = dq[0]
                    if a_stamp[b] == s:
                        if a_since[b] < best:
                            a, best, tier = b, a_since[b], rank[g]
                        break
                    dq.popleft()
            if a >= 0:
                idle0[a_group[a]].popleft()
                a_stamp[a] += 1
        else:
            a = choose(reach_first[k], channel[i])
            if a >= 0:
                unplace(a)
        if a >= 0:
            if book:
                admit(i)
                fill(a, ta)
            elif fast:  # one query fills the agent: it is not listed as free
                g = a_group[a]
                start[i] = ta
                seat[i] = a_seat[a]
                grp[i] = g
                a_load[a] = 1
                state[0] += 1
                heappush(events, (ta + service[i], _COMPLETE, a, i))
            else:
                begin(a, i, ta)
                place(a, ta)
        else:
            admit(i)
            if lapsing[k]:
                state[1] += 1
                heappush(events, (ta + lapse, _LAPSE, k, i))
    return start, seat, grp


def _fixed(plan: TeamPlan, upcoming: Sequence[tuple[float, int] | None]) -> bool:
    """Whether :func:`_run_fixed` runs this plan: staffing never changes, one query at a
    time, select by idle time, no preference lapses, few classes per group."""
    if plan.select == "random" or any(u is not None for u in upcoming):
        return False
    if any(g.units != 1 for g in plan.groups) or plan.reach_first != plan.reach_late:
        return False
    counts = [0] * len(plan.groups)
    for reach in plan.reach_first:
        for g in reach:
            counts[g] += 1
    return max(counts, default=0) <= _MAX_CLASSES


def _run_fixed(
    arrival: Sequence[float],
    service: Sequence[float],
    abandon_at: Sequence[float],
    klass: Sequence[int],
    line: TeamLine,
    plan: TeamPlan,
    first: Sequence[tuple[float, int]],
) -> tuple[list[float], list[int], list[int]]:
    """:func:`run_team` specialised (:func:`_fixed`): the same records, without the picker.

    The waiting line is one heap of ``rank`` ints per class of query (with no
    rule the order is the rank alone, as in
    :func:`~prioritize.simulation._engine.run_fixed_plain`); a group's free
    agent reads the heads of the heaps of the classes it may take (the reach
    tables) and takes the lowest live one, a row past its ``abandon_at``
    being dropped when met (the picker's ``expires``). Agents are numbered
    as in the general loop (group by group, seats from 0), so completions at
    one instant come in the same order; the free agents of a group are a
    deque in the order they became free, the head idle longest.
    """
    n = len(arrival)
    start = [_NAN] * n
    seat = [-1] * n
    grp = [-1] * n
    rank, row_at = line.rank, line.row_at
    ng = len(plan.groups)
    tiers = plan.select == "fewest_skills"
    group_rank = [g.rank for g in plan.groups]
    reach = plan.reach_first
    heaps: list[list[int]] = [[] for _ in reach]
    cover: list[list[list[int]]] = [[] for _ in range(ng)]
    for k, groups in enumerate(reach):
        for g in groups:
            cover[g].append(heaps[k])
    a_group: list[int] = []
    a_seat: list[int] = []
    since: list[float] = []
    idle: list[deque[int]] = []
    for g, (t0, count) in enumerate(first):
        idle.append(deque(range(len(a_group), len(a_group) + count)))
        a_group += [g] * count
        a_seat += range(count)
        since += [t0] * count
    events: list[tuple[float, int]] = []  # (finish, agent)
    for i, ta in enumerate([*arrival, _INF]):
        # Completions before this arrival (one at the same instant comes after it).
        while events and events[0][0] < ta:
            te, x = events[0]
            best = -1
            where: list[int] = []
            for h in cover[a_group[x]]:
                while h:
                    top = h[0]
                    if abandon_at[row_at[top]] < te:
                        heappop(h)  # gave up while waiting
                        continue
                    if best < 0 or top < best:
                        best, where = top, h
                    break
            if best >= 0:
                heappop(where)
                k = row_at[best]
                start[k] = te
                seat[k] = a_seat[x]
                grp[k] = a_group[x]
                heapreplace(events, (te + service[k], x))
            else:
                heappop(events)
                since[x] = te
                idle[a_group[x]].append(x)
        if i == n:
            break
        a = -1
        low = _INF
        tier = -1
        k = klass[i]
        for g in reach[k]:
            if tiers and a >= 0 and group_rank[g] != tier:
                break
            dq = idle[g]
            if dq and since[b := dq[0]] < low:
                a, low, tier = b, since[b], group_rank[g]
        if a >= 0:
            g = a_group[a]
            idle[g].popleft()
            start[i] = ta
            seat[i] = a_seat[a]
            grp[i] = g
            heappush(events, (ta + service[i], a))
        else:
            heappush(heaps[k], rank[i])
    return start, seat, grp


def _token(channel: str) -> str:
    # A comma never appears in a skill name, so this cannot clash with one.
    return f"channel,{channel}"


@dataclass(frozen=True, slots=True)
class Needs:
    """What each row needs, by class: distinct (required, preferred) pairs.

    ``klass[row]`` indexes ``pairs``; preferred skills that lapse at once
    (``lapse <= 0``) are dropped from the pairs. ``texts[row]``: the required
    skills as the records write them.
    """

    required: npt.NDArray[np.object_]
    preferred: npt.NDArray[np.object_]
    lapse: float
    klass: npt.NDArray[np.int64]
    pairs: list[tuple[Skills, Skills]]
    texts: npt.NDArray[np.object_]

    @classmethod
    def none(cls, n: int) -> Needs:
        """Rows that need no skill (no ``skills`` column, no routes)."""
        empty = np.full(n, NO_SKILLS, dtype=object)
        klass = np.zeros(n, dtype=np.int64)
        texts = np.full(n, "", dtype=object)
        return cls(empty, empty, math.inf, klass, [(NO_SKILLS, NO_SKILLS)], texts)

    @classmethod
    def of(
        cls, required: npt.NDArray[np.object_], preferred: npt.NDArray[np.object_], lapse: float
    ) -> Needs:
        r_codes, r_sets = pd.factorize(required)
        p_codes, p_sets = pd.factorize(preferred)
        width = max(len(p_sets), 1)
        klass, uniq = pd.factorize(r_codes.astype(np.int64) * width + p_codes)
        drop = lapse <= 0
        pairs = [
            (r_sets[v // width], NO_SKILLS if drop else p_sets[v % width]) for v in uniq.tolist()
        ]
        texts = np.array([skills_text(r) for r in r_sets], dtype=object)[r_codes]
        return cls(required, preferred, lapse, klass.astype(np.int64), pairs, texts)

    def check(self, team: Team, query_ids: npt.NDArray[np.object_]) -> None:
        """Some group may take each query (required, and preferred if they never lapse)."""
        forever = self.lapse == math.inf
        bad = [
            k for k, (r, p) in enumerate(self.pairs) if not team.groups_for(r | p if forever else r)
        ]
        if bad:
            rows = np.isin(self.klass, bad)
            sets = self.required[rows] | self.preferred[rows] if forever else self.required[rows]
            team.check_answerable(sets.tolist(), query_ids=query_ids[rows].tolist())
            raise AssertionError("unreachable: check_answerable raises")  # pragma: no cover

    def covered_by(self, skills: Skills) -> bool:
        """Whether a group with ``skills`` may take every query at once (preferred too)."""
        return all(r <= skills and p <= skills for r, p in self.pairs)


def team_plan(
    team: Team,
    needs: Needs,
    required: npt.NDArray[np.object_],
    channels: npt.NDArray[np.object_],
) -> tuple[TeamPlan, list[int], list[Skills]]:
    """The engine's view of ``team`` for rows with these needs and channels (engine order).

    Returns the plan, each row's channel code, and the skills each row
    requires in the picker (with its channel's token when some group's
    capacity is not the default).
    """
    codes_arr, names = pd.factorize(pd.Series(channels, dtype=object).astype(str))
    chan_names = [str(c) for c in names]
    weighted = any(c != 1 for g in team.groups for c in g.capacity.values())
    tokens = [_token(c) for c in chan_names]
    plans = []
    for g in team.groups:
        units = math.lcm(*g.capacity.values()) if g.capacity else 1
        weight = tuple(units // g.capacity_of(c) for c in chan_names)
        if weighted:
            offer = tuple(
                g.skills | {tok for tok, w in zip(tokens, weight, strict=True) if w <= free}
                for free in range(units + 1)
            )
        else:
            offer = (g.skills,) * (units + 1)
        plans.append(GroupPlan(g.name, units, weight, offer, len(g.skills)))
    order = list(range(len(plans)))
    if team.select == "fewest_skills":
        order.sort(key=lambda i: (plans[i].rank, i))
    firsts: list[tuple[int, ...]] = []
    lates: list[tuple[int, ...]] = []
    for r, p in needs.pairs:
        both = r | p
        firsts.append(tuple(i for i in order if both <= team.groups[i].skills))
        lasting = not p or needs.lapse == math.inf
        lates.append(
            firsts[-1] if lasting else tuple(i for i in order if r <= team.groups[i].skills)
        )
    if weighted:
        r_codes, r_sets = pd.factorize(required)
        combo, uniq = pd.factorize(r_codes.astype(np.int64) * len(tokens) + codes_arr)
        sets = [r_sets[v // len(tokens)] | {tokens[v % len(tokens)]} for v in uniq.tolist()]
        table = np.empty(len(sets), dtype=object)
        table[:] = sets
        row_skills = table[combo].tolist()
    else:
        row_skills = required.tolist()
    lapse = max(needs.lapse, 0.0)
    plan = TeamPlan(tuple(plans), tuple(firsts), tuple(lates), lapse, team.select)
    return plan, codes_arr.tolist(), row_skills


def team_line(
    policy: Policy,
    prio: Sequence[int],
    by_prio: Sequence[int],
    arrival: Sequence[float],
    abandon_at: Sequence[float],
    limits: Sequence[float] | None,
    groups: Sequence[str] | None,
    required: Sequence[Skills],
    preferred: Sequence[Skills],
    lapse: float,
) -> TeamLine:
    """The serving-order core over the rows, with eligibility by skills (``pick(t, agent=)``).

    ``lapse``: minutes after which preferred skills are dropped (inf: never).
    """
    rows = Rows(prio, by_prio, arrival, limits, groups, skills=required, prefer=preferred)
    timeout = None if lapse == math.inf else lapse
    picker: Picker[int] = Picker(
        policy, per_minute=1.0, expires=abandon_at, rows=rows, skills_timeout=timeout
    )
    plain = policy.max_wait is None and policy.group_share is None
    return TeamLine(picker, prio, by_prio, plain)
