"""Entry: a waiting query as the queue holds it and as an agent receives it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from prioritize.policy import Reason, limit_minutes

if TYPE_CHECKING:
    from prioritize.models import Customer, Query
    from prioritize.policy import Policy, Score

__all__ = ["Entry"]

_NO_SKILLS: frozenset[str] = frozenset()


class Entry:
    """A query handed to an agent (or looked at with ``peek``).

    Attributes
    ----------
    query, customer
        What was pushed.
    score
        The policy's score at the ``now`` of the pop, with its explanation.
    reason
        Why this query now: ``"overdue"`` (past its ``MaxWait`` limit),
        ``"group_share"`` (its group was owed service under ``GroupShare``)
        or ``"score"`` (the highest score; ties by arrival then id).
    group
        Its ``GroupShare`` group, if the policy has one.
    skills, prefer
        The skills an agent needs to take it, and those it should also have
        until the routes' ``skills_timeout_minutes`` (frozensets; empty:
        anyone may take it).
    overdue_at
        The *rule's* deadline: when it has waited past the policy's
        ``MaxWait`` limit for its channel. From then on it is overdue and is
        served before any query that is not (oldest first): this moment
        changes the order. None without a ``MaxWait`` rule.
    due_at
        The *promise's* deadline: when the service level the policy publishes
        for its channel (``Policy.service_levels``; every preset publishes
        :data:`~prioritize.policies.SURVEY_SERVICE_LEVELS`) falls due. It is
        informational and never changes the order: a query past ``due_at``
        is late against the promise, not moved ahead. None when no level is
        published for the channel. ``due_in(now)`` is the time left.

    The two coincide only when a policy sets its ``MaxWait`` limits to its
    service levels; the snapshot of a queue shows both columns.
    """

    # One object per push, also the queue's handle for it: the score and the
    # deadlines are computed on first access, ``now`` and ``reason`` set by the pop.
    # TriageQueue.push sets these slots itself (as __init__ does, without the call).
    __slots__ = (
        "_base",
        "_now",
        "_policy",
        "_qid",
        "_score",
        "customer",
        "group",
        "prefer",
        "query",
        "reason",
        "skills",
    )

    def __init__(
        self,
        query: Query,
        customer: Customer,
        base: float,
        group: str | None,
        policy: Policy,
        skills: frozenset[str] = _NO_SKILLS,
        prefer: frozenset[str] = _NO_SKILLS,
    ) -> None:
        self.query = query
        self._qid = query.query_id  # kept on the entry: the pop reads no query
        self.customer = customer
        self._base = base
        self.group = group
        self._policy = policy
        self.skills = skills
        self.prefer = prefer
        # Set by the pop (``_now``, ``reason``) and on first access (``_score``).
        self._now: datetime | None
        self._score: Score
        self.reason: Reason

    @property
    def query_id(self) -> str:
        return self._qid

    def _at(self, now: datetime, reason: Reason) -> Entry:
        """A copy as seen at ``now`` (what ``peek`` hands out)."""
        out = Entry(
            self.query,
            self.customer,
            self._base,
            self.group,
            self._policy,
            self.skills,
            self.prefer,
        )
        out._now, out.reason = now, reason
        return out

    @property
    def score(self) -> Score:
        try:
            return self._score
        except AttributeError:
            query, now = self.query, self._now
            if now is not None and now < query.received_at:
                now = query.received_at  # it arrived after ``now`` (another clock): waited 0
            self._score = self._policy.score(query, self.customer, now=now)
            return self._score

    @property
    def overdue_at(self) -> datetime | None:
        limit = limit_minutes(self._policy, self.query.channel)
        if limit == float("inf"):
            return None
        return self.query.received_at + timedelta(minutes=limit)

    @property
    def due_at(self) -> datetime | None:
        due = self._policy.service_level_minutes(self.query.channel)
        return None if due is None else self.query.received_at + timedelta(minutes=due)

    def due_in(self, now: datetime) -> timedelta | None:
        """Time left until ``due_at``, the promise (negative when late; None without one).

        Not the time left before the query becomes overdue (``overdue_at``).
        """
        due = self.due_at
        return None if due is None else due - now

    def explain(self) -> str:
        """The score's explanation, prefixed with why the query was chosen."""
        prefix = {"overdue": "overdue (max wait passed); ", "group_share": "group share; "}
        return prefix.get(self.reason, "") + self.score.explain()

    def __repr__(self) -> str:
        value = self.score.value
        return f"Entry(query_id={self.query_id!r}, reason={self.reason!r}, score={value:.4g})"
