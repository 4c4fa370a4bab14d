"""The compiled per-query scorers (every policy's fast path) equal the general loop bit for bit.

:func:`prioritize.policy._evaluate.compile_scorers` compiles every active
signal's code (its kernel read as source) and the weighted sum into
``Policy.score`` and ``Policy.score_value``; the general path calls each bound
signal's own evaluator and sums ``min(weight × signal, cap)`` in registry
order. For any weights, rules, parameters, declared signals, customer and
query (urgency given or from text) both give the same score and the same
signal values, exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.models import Customer, Query
from prioritize.policy import Policy
from prioritize.signals import PurchaseParams, SignalParams
from prioritize.testing import strategies as pst

saturation = st.floats(1.5, 1e7, allow_nan=False)
params = st.builds(
    SignalParams,
    follower_saturation=saturation,
    value_saturation=saturation,
    purchase=st.builds(
        lambda half_life, frequency, spend, shares: PurchaseParams(
            recency_half_life_days=half_life,
            frequency_saturation=frequency,
            spend_saturation=spend,
            recency_weight=shares[0],
            frequency_weight=shares[1],
            monetary_weight=shares[2],
        ),
        st.floats(0.5, 1000.0),
        saturation,
        saturation,
        st.sampled_from([(0.4, 0.4, 0.2), (0.7, 0.2, 0.1), (1.0, 0.0, 0.0), (0.0, 0.5, 0.5)]),
    ),
)


def _general(policy: Policy, query: Query, customer: Customer) -> tuple[float, list[float]]:
    values, total = [], 0.0
    for evaluate, weight, cap in policy._compiled.scalar:
        s = evaluate(query, customer)
        values.append(s)
        p = weight * s
        total += cap if p > cap else p
    return total, values


def _compiled(policy: Policy, query: Query, customer: Customer) -> tuple[float, list[float]]:
    """``Policy.score``'s total and signal values, and ``score_value`` agreeing with it."""
    score = policy.score(query, customer)
    assert policy.score_value(query, customer) == score.value
    return score.value, list(score.signals.values())


@given(pst.policies(), st.booleans(), params, pst.customers(), pst.queries())
def test_compiled_scorers_equal_the_general_loop(
    policy: Policy, builtin_only: bool, signals: SignalParams, customer: Customer, query: Query
) -> None:
    changes: dict[str, object] = {"signals": signals.model_dump()}
    if builtin_only:
        changes["weights"] = {"negativity": 0.0}
    policy = policy.with_changes(**changes)
    assert _compiled(policy, query, customer) == _general(policy, query, customer)
    later = query.received_at + timedelta(minutes=37)
    score = policy.score(query, customer, now=later)
    total = _general(policy, query, customer)[0]
    assert score.value == total + score.contributions["aging"]
    assert policy.score_value(query, customer) == total


#: One declared signal per normaliser of the menu (the customer's or the query's attributes).
DECLARED = {
    "churn": {"input": "churn", "normaliser": "identity"},
    "tier": {"input": "tier", "normaliser": {"kind": "linear", "low": 4, "high": 1}},
    "tickets": {"input": "tickets", "normaliser": {"kind": "log", "saturation": 50}},
    "login": {"input": "login", "normaliser": {"kind": "decay", "half_life": 7}},
    "incident": {"input": "incident", "on": "query", "normaliser": "boolean"},
    "vip": {
        "input": "vip",
        "normaliser": {"kind": "tiers", "thresholds": [10, 500], "levels": [0.5, 1.0]},
    },
}
_share = st.floats(0.0, 1.0)


@given(
    st.fixed_dictionaries({name: _share for name in ("urgency", *DECLARED)}),
    st.dictionaries(st.sampled_from(sorted(DECLARED)), _share, max_size=3),
    pst.queries(),
    st.fixed_dictionaries(
        {
            "churn": _share,
            "tier": st.floats(-10.0, 10.0),
            "tickets": st.floats(0.0, 1e6) | st.integers(0, 10**6),
            "login": st.floats(0.0, 1e4),
            "vip": st.floats(-1e3, 1e3),
        }
    ),
    st.booleans(),
)
def test_compiled_scorers_equal_the_general_loop_for_declared_signals(
    weights: dict[str, float],
    caps: dict[str, float],
    query: Query,
    attributes: dict[str, float],
    incident: bool,
) -> None:
    policy = Policy(
        weights=weights,
        rules=[{"kind": "cap", "signal": s, "max_points": m} for s, m in caps.items()],
        signals={"custom": DECLARED},
    )
    customer = Customer(customer_id=query.customer_id, attributes=attributes)
    query = query.model_copy(update={"attributes": {"incident": incident}})
    assert _compiled(policy, query, customer) == _general(policy, query, customer)
    assert policy.score_value(query, customer) == _general(policy, query, customer)[0]


def test_now_is_checked_in_full_unless_a_utc_datetime() -> None:
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    query = Query(query_id="q", customer_id="c", received_at=t0, channel="email")
    customer = Customer(customer_id="c")
    policy = Policy(weights={"urgency": 1.0}, rules=[{"kind": "aging", "points_per_hour": 6.0}])
    utc = policy.score(query, customer, now=datetime(2026, 3, 2, 10, tzinfo=UTC))
    berlin = datetime(2026, 3, 2, 11, tzinfo=timezone(timedelta(hours=1)))
    assert policy.score(query, customer, now=berlin) == utc
    assert policy.score(query, customer, now=pd.Timestamp("2026-03-02 10:00", tz="UTC")) == utc
    with pytest.raises(InputError, match="now must be a timezone-aware datetime; got str"):
        policy.score(query, customer, now="2026-03-02T10:00Z")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="timezone-aware"):
        policy.score(query, customer, now=datetime(2026, 3, 2, 10))
