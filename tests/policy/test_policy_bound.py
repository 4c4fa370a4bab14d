"""A policy binds its compiled scorers on itself: ``policy.score`` is one call, nothing else changes.

``Policy.score`` and ``Policy.score_value`` are the documented methods; on an
instance the plan's compiled functions answer directly (an instance entry
shadows the method). They give what the methods give, take the same arguments
(by keyword too), stay out of equality, iteration and pickles, and a subclass
that overrides a method keeps its override.
"""

from __future__ import annotations

import copy
import pickle
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize import InputError
from prioritize.models import Customer, Query
from prioritize.policy import Policy
from prioritize.testing import strategies as pst


def _same(a: pz.Score, b: pz.Score) -> None:
    assert a == b
    assert (a.query_id, a.value, a.waited_minutes) == (b.query_id, b.value, b.waited_minutes)
    assert a.contributions == b.contributions and a.signals == b.signals
    assert a.rules == b.rules and a.explain() == b.explain() and repr(a) == repr(b)


@given(pst.policies(), pst.customers(), pst.queries(), st.integers(0, 10_000))
def test_the_bound_scorers_equal_the_methods(
    policy: Policy, customer: Customer, query: Query, minutes: int
) -> None:
    query = query.model_copy(update={"customer_id": customer.customer_id})
    now = query.received_at + timedelta(minutes=minutes)
    assert "score" in vars(policy) and "score_value" in vars(policy)
    bound = policy.score(query, customer, now=now)
    _same(bound, Policy.score(policy, query, customer, now=now))
    _same(bound, policy.score(query=query, customer=customer, now=now))
    _same(policy.score(query, customer), Policy.score(policy, query, customer))
    value = policy.score_value(query, customer)
    assert value == Policy.score_value(policy, query, customer)
    assert value == policy.score_value(query=query, customer=customer)
    assert value == policy.score(query, customer).value


@given(pst.policies())
@settings(max_examples=25, deadline=None)
def test_the_bound_scorers_are_not_configuration(policy: Policy) -> None:
    fields = set(type(policy).model_fields)
    assert {k for k, _ in policy} == fields
    assert set(policy.model_dump()) == fields
    for twin in (
        pickle.loads(pickle.dumps(policy)),
        copy.deepcopy(policy),
        policy.model_copy(),
        type(policy).model_validate(policy.model_dump()),
    ):
        assert twin == policy
        assert callable(vars(twin)["score"])
    # Two policies of one configuration are equal though their compiled functions differ.
    rebuilt = type(policy).model_validate(policy.model_dump())
    assert rebuilt.score is not policy.score and rebuilt == policy
    assert b"make" not in pickle.dumps(policy)


class Overriding(pz.Policy):
    """A subclass that overrides score and calls the method of the base class."""

    def score(self, query: Query, customer: Customer, *, now: datetime | None = None) -> pz.Score:
        score = super().score(query, customer, now=now)
        score.value += 1.0
        return score


def test_a_subclass_override_is_kept() -> None:
    policy = Overriding(weights={"urgency": 1.0})
    assert "score" not in vars(policy) and "score_value" in vars(policy)
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    q = pz.Query(query_id="q", customer_id="c", received_at=t0, channel="chat", urgency=0.5)
    c = pz.Customer(customer_id="c")
    assert policy.score(q, c).value == 1.5
    assert policy.score_value(q, c) == 0.5
    assert pickle.loads(pickle.dumps(policy)).score(q, c).value == 1.5


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 3, 2, 10),  # naive
        date(2026, 3, 2),
        time(10, tzinfo=UTC),
        "2026-03-02T10:00Z",
        1_772_445_600,
        np.datetime64("2026-03-02T10:00"),
    ],
    ids=["naive", "date", "time", "str", "int", "datetime64"],
)
def test_now_that_is_not_an_aware_datetime_is_an_input_error(now: object) -> None:
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    q = pz.Query(query_id="q", customer_id="c", received_at=t0, channel="chat", urgency=0.5)
    with pytest.raises(InputError, match="now must be"):
        pz.policies.balanced().score(q, pz.Customer(customer_id="c"), now=now)  # type: ignore[arg-type]
