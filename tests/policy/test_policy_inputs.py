"""Wrong arguments to a policy's scorers, and copies of a policy.

``Policy.score`` and ``Policy.score_value`` are compiled functions: a wrong
object in either place (the two swapped, a dict, None, a frame row...) is an
``InputError`` naming the argument, never a KeyError or AttributeError from
the generated code, whatever the policy reads. ``model_copy(update=...)``
validates and compiles again: a copy never scores with the old weights.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz
from prioritize import InputError
from prioritize.models import Customer, Query
from prioritize.policy import Policy
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
QUERY = pz.Query(
    query_id="q1",
    customer_id="c1",
    received_at=T0,
    channel="chat",
    text="my order never arrived",
    attributes={"mood": 0.4},
)
CUSTOMER = pz.Customer(customer_id="c1", followers=30, lifetime_value=250.0, attributes={"mood": 1})

_CUSTOM = {
    "custom": {"mood": {"input": "mood", "normaliser": {"kind": "linear", "low": 0, "high": 1}}}
}

#: Policies that read only customer fields, only query fields, none, or only a declared signal.
SHAPES = [
    Policy(),
    Policy(weights={"crm_value": 1.0}),
    Policy(weights={"follower_reach": 0.5, "purchase_history": 0.5}),
    Policy(weights={"urgency": 1.0}),
    Policy(weights={"urgency": 1.0}, rules=[pz.rules.Blind(signals=["urgency"])]),
    Policy(weights={"mood": 1.0}, signals=_CUSTOM),
    pz.policies.balanced(),
]


def _wrong(right: Any) -> st.SearchStrategy[Any]:
    # Objects that are not a Query (or not a Customer), the other kind among them.
    other = CUSTOMER if isinstance(right, Query) else QUERY
    return st.sampled_from(
        [
            None,
            other,
            right.model_dump(),
            pd.Series(right.model_dump()),
            "q1",
            3,
            (right,),
            object(),
            Policy(),
        ]
    )


policies = st.one_of(st.sampled_from(SHAPES), pst.policies())


@given(policies, _wrong(QUERY), st.booleans())
def test_a_wrong_query_is_an_input_error_naming_it(policy: Policy, query: Any, aged: bool) -> None:
    now = T0 + timedelta(minutes=5) if aged else None
    for call in (
        lambda: policy.score(query, CUSTOMER, now=now),
        lambda: policy.score(query=query, customer=CUSTOMER),
        lambda: policy.score_value(query, CUSTOMER),
        lambda: Policy.score(policy, query, CUSTOMER),
        lambda: Policy.score_value(policy, query, CUSTOMER),
    ):
        with pytest.raises(InputError, match=r"^query must be a prioritize Query; got ") as info:
            call()
        assert info.value.__suppress_context__  # not "during handling of KeyError"


@given(policies, _wrong(CUSTOMER), st.booleans())
def test_a_wrong_customer_is_an_input_error_naming_it(
    policy: Policy, customer: Any, aged: bool
) -> None:
    now = T0 + timedelta(minutes=5) if aged else None
    for call in (
        lambda: policy.score(QUERY, customer, now=now),
        lambda: policy.score_value(query=QUERY, customer=customer),
        lambda: policy.score_value(QUERY, customer),
        lambda: Policy.score_value(policy, QUERY, customer),
    ):
        with pytest.raises(InputError, match=r"^customer must be a prioritize Customer; got "):
            call()


@pytest.mark.parametrize("policy", SHAPES, ids=range(len(SHAPES)))
def test_swapped_arguments_say_so(policy: Policy) -> None:
    for call in (policy.score, policy.score_value):
        with pytest.raises(InputError, match=r"got Customer \(query and customer swapped\?\)"):
            call(CUSTOMER, QUERY)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="^query must be a prioritize Query; got None$"):
        policy.score_value(None, CUSTOMER)  # type: ignore[arg-type]


@pytest.mark.parametrize("policy", SHAPES, ids=range(len(SHAPES)))
def test_right_arguments_keep_their_own_errors(policy: Policy) -> None:
    stranger = CUSTOMER.model_copy(update={"customer_id": "c2"})
    for call in (policy.score, policy.score_value):
        with pytest.raises(InputError, match="is from customer 'c1' but was scored with"):
            call(QUERY, stranger)
    with pytest.raises(InputError, match="after now="):
        policy.score(QUERY, CUSTOMER, now=T0 - timedelta(minutes=1))
    with pytest.raises(TypeError, match=r"^Policy.score_value\(\) missing 1 required"):
        policy.score_value(QUERY)  # type: ignore[call-arg]


# ------------------------------------------------------------------ copies


@given(pst.policies(), pst.weights(), pst.customers(), pst.queries())
def test_model_copy_update_scores_with_the_new_weights(
    policy: Policy, weights: pz.Weights, customer: Customer, query: Query
) -> None:
    query = query.model_copy(update={"customer_id": customer.customer_id})
    copied = policy.model_copy(update={"weights": weights})
    fresh = Policy(weights=weights, rules=policy.rules, signals=policy.signals)
    assert copied == fresh and copied.weights == weights
    assert copied.score_value(query, customer) == fresh.score_value(query, customer)
    assert copied.score(query, customer) == fresh.score(query, customer)
    # A mapping replaces the weights whole, as pydantic's update replaces a field.
    only = policy.model_copy(update={"weights": {"urgency": 1.0}})
    assert only.weights.as_dict() == Policy(weights={"urgency": 1.0}).weights.as_dict()
    assert only.score_value(query, customer) == Policy(
        weights={"urgency": 1.0}, rules=policy.rules
    ).score_value(query, customer)


@given(pst.policies(), pst.customers(), pst.queries(), st.booleans())
def test_model_copy_without_update_scores_like_the_original(
    policy: Policy, customer: Customer, query: Query, deep: bool
) -> None:
    query = query.model_copy(update={"customer_id": customer.customer_id})
    for twin in (policy.model_copy(deep=deep), policy.model_copy(update={}), copy.copy(policy)):
        assert twin == policy and type(twin) is type(policy)
        assert twin.score_value(query, customer) == policy.score_value(query, customer)
        assert twin.score(query, customer) == policy.score(query, customer)


def test_model_copy_update_is_validated() -> None:
    policy = pz.policies.balanced()
    with pytest.raises(ValidationError, match="weights.urgency"):
        policy.model_copy(update={"weights": {"urgency": -1.0}})
    with pytest.raises(ValidationError, match="score"):
        policy.model_copy(update={"score": lambda q, c: 0.0})
    with pytest.raises(ValidationError, match="at most one 'aging' rule"):
        policy.model_copy(update={"rules": [pz.rules.Aging(points_per_hour=1.0)] * 2})


class Team(pz.Policy):
    team: str = "support"


def test_model_copy_update_keeps_a_subclass_and_its_fields() -> None:
    policy = Team(weights={"urgency": 1.0}, team="billing")
    copied = policy.model_copy(update={"weights": {"crm_value": 1.0}, "name": "vip"})
    assert type(copied) is Team and copied.team == "billing" and copied.name == "vip"
    assert copied.score_value(QUERY, CUSTOMER) == Policy(weights={"crm_value": 1.0}).score_value(
        QUERY, CUSTOMER
    )
    assert copied.score_value(QUERY, CUSTOMER) != policy.score_value(QUERY, CUSTOMER)
