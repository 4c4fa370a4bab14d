"""The signal registry and the signals a policy declares as data."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz
from prioritize.audit import COLUMN_SIGNALS, SIGNAL_COLUMNS
from prioritize.signals import BUILTIN, SIGNALS, CustomSignal, signals_of
from prioritize.testing import (
    assert_batch_independent,
    assert_blind,
    assert_bounded_influence,
)
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

#: One declared signal per normaliser of the menu, each reading a column of its own.
MENU: dict[str, dict[str, Any]] = {
    "churn_risk": {"input": "churn", "normaliser": "identity"},
    "plan_tier": {"input": "tier", "normaliser": {"kind": "linear", "low": 1, "high": 4}},
    "tickets": {"input": "open_tickets", "normaliser": {"kind": "log", "saturation": 50}},
    "login_recency": {"input": "days_since_login", "normaliser": {"kind": "decay", "half_life": 7}},
    "incident": {"input": "has_incident", "on": "query", "normaliser": "boolean"},
}
ALL = pz.Policy(
    name="declared",
    weights={"urgency": 0.3, **{name: 0.2 for name in MENU}},
    rules=[pz.rules.Cap(signal="tickets", max_points=0.05), pz.rules.Aging(points_per_hour=0.5)],
    signals={"custom": MENU},
)


def _frame_and_objects(
    frame: pd.DataFrame, policy: pz.Policy
) -> list[tuple[pz.Query, pz.Customer]]:
    """The (query, customer) of every row, the declared columns carried as attributes."""
    custom = policy.signals.custom.values()
    out = []
    for _, row in frame.iterrows():
        days = row.days_since_last_purchase
        urgency = row.urgency if "urgency" in frame.columns else math.nan
        on_query = {d.input: row[d.input] for d in custom if d.on == "query"}
        on_customer = {d.input: row[d.input] for d in custom if d.on == "customer"}
        q = pz.Query(
            query_id=row.query_id,
            customer_id=row.customer_id,
            received_at=row.received_at.to_pydatetime(),
            channel=row.channel,
            text=row.text,
            urgency=None if math.isnan(urgency) else urgency,
            attributes={k: _plain(v) for k, v in on_query.items()},
        )
        c = pz.Customer(
            customer_id=row.customer_id,
            followers=int(row.followers),
            lifetime_value=row.lifetime_value,
            purchase_count=int(row.purchase_count),
            total_spend=row.total_spend,
            days_since_last_purchase=None if math.isnan(days) else days,
            attributes={k: _plain(v) for k, v in on_customer.items()},
        )
        out.append((q, c))
    return out


def _frame(n: int) -> pd.DataFrame:
    """A fixed canonical frame of ``n`` rows with valid values for every column of MENU."""
    rng = np.random.default_rng(7)
    return pz.synthetic.queries(n, seed=3).assign(
        churn=rng.uniform(0, 1, n),
        tier=rng.integers(0, 6, n).astype(float),
        open_tickets=rng.integers(0, 80, n),
        days_since_login=rng.exponential(10, n),
        has_incident=rng.uniform(0, 1, n) < 0.2,
    )


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------- registry


def test_everything_is_derived_from_the_registry() -> None:
    assert tuple(s.name for s in BUILTIN) == SIGNALS
    assert {s.name: s.columns for s in BUILTIN} == SIGNAL_COLUMNS
    assert COLUMN_SIGNALS["followers"] == "follower_reach"
    assert COLUMN_SIGNALS["text"] == "urgency"
    assert ALL.signal_names == (*SIGNALS, *MENU)
    assert [s.name for s in signals_of(ALL.signals)] == list(ALL.signal_names)
    frame = _frame(5)
    assert list(ALL.score_frame(frame).columns) == ["score", *ALL.signal_names, "aging"]


def test_builtin_reach_and_value_are_log_saturating_declarations() -> None:
    # follower_reach is exactly a declared log signal with the same saturation.
    own = pz.Policy(
        weights={"reach2": 1.0},
        signals={
            "custom": {
                "reach2": {"input": "reach", "normaliser": {"kind": "log", "saturation": 1e6}}
            }
        },
    )
    builtin = pz.Policy(weights={"follower_reach": 1.0})
    q = pz.Query(query_id="q", customer_id="c", received_at=T0, channel="email")
    for followers in (0, 7, 999, 123_456, 5_000_000):
        c = pz.Customer(customer_id="c", followers=followers, attributes={"reach": followers})
        assert own.score(q, c).value == builtin.score(q, c).value


# ---------------------------------------------------------------- scalar == vector


@settings(max_examples=40)
@given(pst.query_frames(max_rows=6, policy=ALL), st.integers(0, 600))
def test_declared_signals_scalar_equals_vectorised(frame: pd.DataFrame, later: int) -> None:
    now = frame["received_at"].max().to_pydatetime() + timedelta(minutes=later)
    scores = ALL.score_frame(frame, now=now)
    for (q, c), idx in zip(_frame_and_objects(frame, ALL), frame.index, strict=True):
        s = ALL.score(q, c, now=now)
        assert math.isclose(s.value, scores.at[idx, "score"], rel_tol=1e-9, abs_tol=1e-9)
        for name in ALL.signal_names:
            assert math.isclose(
                s.contributions[name], scores.at[idx, name], rel_tol=1e-9, abs_tol=1e-9
            )
        assert min(s.signals.values()) >= 0.0 and max(s.signals.values()) <= 1.0


@pytest.mark.parametrize(
    ("normaliser", "x", "expected"),
    [
        ("identity", 0.25, 0.25),
        ({"kind": "linear", "low": 1, "high": 5}, 2.0, 0.25),
        ({"kind": "linear", "low": 1, "high": 5}, -3.0, 0.0),
        ({"kind": "linear", "low": 1, "high": 5}, 9.0, 1.0),
        ({"kind": "linear", "low": 10, "high": 0}, 2.5, 0.75),  # reversed scale
        ({"kind": "log", "saturation": 99}, 9.0, math.log(10) / math.log(100)),
        ({"kind": "log", "saturation": 99}, 1e6, 1.0),
        ({"kind": "decay", "half_life": 30}, 60.0, 0.25),
        ("boolean", True, 1.0),
        ("boolean", False, 0.0),
    ],
)
def test_menu_values(normaliser: Any, x: Any, expected: float) -> None:
    p = pz.Policy(
        weights={"s": 1.0}, signals={"custom": {"s": {"input": "x", "normaliser": normaliser}}}
    )
    q = pz.Query(query_id="q", customer_id="c", received_at=T0, channel="email")
    got = p.score(q, pz.Customer(customer_id="c", attributes={"x": x})).value
    assert got == pytest.approx(expected, abs=1e-12)
    frame = _frame(1).assign(x=[x])
    assert p.score_frame(frame)["s"].iloc[0] == pytest.approx(expected, abs=1e-12)


# ---------------------------------------------------------------- rule guarantees (the kit)


def test_declared_signal_made_blind_has_no_effect() -> None:
    policy = ALL.with_changes(rules=[*ALL.rules, pz.rules.Blind(signals=["churn_risk"])])
    assert_blind(policy, "churn_risk", max_examples=30)
    assert_blind(policy, "churn", max_examples=10)  # by its column, too
    with pytest.raises(AssertionError, match="is not blind to \\['churn'\\]"):
        assert_blind(ALL, "churn_risk", max_examples=30)


def test_declared_signal_cap_bounds_its_influence() -> None:
    assert_bounded_influence(ALL, "tickets", max_points=0.05, max_examples=30)
    with pytest.raises(AssertionError, match="move a score by"):
        assert_bounded_influence(ALL, "plan_tier", max_points=0.05, max_examples=50)


def test_declared_signals_are_batch_independent() -> None:
    assert_batch_independent(ALL, max_examples=30)


# ---------------------------------------------------------------- config


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_declared_signals_round_trip_through_files(tmp_path: Path, suffix: str) -> None:
    path = ALL.to_file(tmp_path / f"p{suffix}")
    loaded = pz.Policy.from_file(path)
    assert loaded == ALL
    assert loaded.signal_names == ALL.signal_names
    assert loaded.weights.churn_risk == 0.2 and loaded.weights.urgency == 0.3


def test_toml_declaration_as_documented(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        """
name = "churn_aware"

[weights]
urgency = 0.6
churn_risk = 0.4

[signals.custom.churn_risk]
input = "churn_probability"
normaliser = { kind = "identity" }
description = "probability the customer leaves this quarter (our CRM model)"

[[rules]]
kind = "cap"
signal = "churn_risk"
max_points = 0.2
""",
        encoding="utf-8",
    )
    p = pz.Policy.from_file(path)
    q = pz.Query(query_id="q", customer_id="c", received_at=T0, channel="chat", urgency=0.5)
    c = pz.Customer(customer_id="c", attributes={"churn_probability": 0.9})
    s = p.score(q, c)
    assert s.value == pytest.approx(0.3 + 0.2)
    assert "cap(churn_risk, 0.2): 0.36 -> 0.2" in s.rules
    assert s.contributions["churn_risk"] == 0.2


# ---------------------------------------------------------------- errors


def test_unknown_names_in_weights_and_rules_list_the_known_signals() -> None:
    data = {
        "weights": {"churn": 1.0},
        "rules": [{"kind": "cap", "signal": "chrn_risk", "max_points": 1}],
        "signals": {"custom": {"churn_risk": {"input": "churn", "normaliser": "identity"}}},
    }
    with pytest.raises(ValidationError) as info:
        pz.Policy.model_validate(data)
    errors = {tuple(e["loc"]): e["msg"] for e in info.value.errors(include_url=False)}
    assert set(errors) == {("weights", "churn"), ("rules", 0, "cap", "signal")}
    for message in errors.values():
        assert "'churn_risk'" in message and "'urgency'" in message
    assert "'chrn_risk' is not a signal of this policy" in errors[("rules", 0, "cap", "signal")]
    with pytest.raises(ValidationError, match=r"rules\.0\.blind\.signals\.1"):
        pz.Policy(rules=[pz.rules.Blind(signals=["urgency", "nope"])])


@pytest.mark.parametrize(
    ("custom", "loc", "message"),
    [
        ({"urgency": {"input": "x", "normaliser": "identity"}}, ("signals", "custom"), "taken"),
        ({"Bad": {"input": "x", "normaliser": "identity"}}, ("signals", "custom"), "lower-case"),
        (
            {"s": {"input": "followers", "normaliser": "identity"}},
            ("signals", "custom", "s", "input"),
            "canonical column",
        ),
        (
            {"s": {"input": "x", "normaliser": {"kind": "linear", "low": 1, "high": 1}}},
            ("signals", "custom", "s", "normaliser", "linear"),
            "must differ",
        ),
        (
            {"s": {"input": "x", "normaliser": {"kind": "log", "saturation": 0}}},
            ("signals", "custom", "s", "normaliser", "log", "saturation"),
            "greater than 0",
        ),
        (
            {"s": {"input": "x", "normaliser": "sigmoid"}},
            ("signals", "custom", "s", "normaliser"),
            "does not match any of the expected tags",
        ),
        (
            {"s": {"input": "x", "normaliser": {"kind": "identity", "code": "1+1"}}},
            ("signals", "custom", "s", "normaliser", "identity", "code"),
            "Extra inputs",
        ),
    ],
)
def test_bad_declarations_name_the_key(custom: dict, loc: tuple, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        pz.Policy.model_validate({"signals": {"custom": custom}})
    errors = info.value.errors(include_url=False)
    assert any(tuple(e["loc"])[: len(loc)] == loc and message in e["msg"] for e in errors), errors


def test_missing_or_bad_input_is_an_error_naming_signal_and_input() -> None:
    frame = _frame(2).drop(columns=["churn"])
    p = pz.Policy(
        weights={"churn_risk": 1.0}, signals={"custom": {"churn_risk": MENU["churn_risk"]}}
    )
    with pytest.raises(pz.SchemaError, match="signal 'churn_risk' reads column 'churn'"):
        p.score_frame(frame)
    with pytest.raises(pz.SchemaError, match="signal 'churn_risk': column 'churn'.*<= 1"):
        p.score_frame(frame.assign(churn=[0.5, 1.5]))
    with pytest.raises(pz.SchemaError, match="signal 'churn_risk': column 'churn'.*NaN"):
        p.score_frame(frame.assign(churn=[0.5, np.nan]))
    q = pz.Query(query_id="q", customer_id="c", received_at=T0, channel="chat")
    with pytest.raises(pz.InputError, match=r"reads customer.attributes\['churn'\].*has none"):
        p.score(q, pz.Customer(customer_id="c"))
    with pytest.raises(pz.InputError, match=r"number in \[0, 1\]; customer 'c' has 1.5"):
        p.score_value(q, pz.Customer(customer_id="c", attributes={"churn": 1.5}))
    with pytest.raises(pz.InputError, match="has 'high'"):
        p.score(q, pz.Customer(customer_id="c", attributes={"churn": "high"}))
    # Blind or unweighted: the column is not read, so it need not exist.
    assert len(p.with_changes(weights={"churn_risk": 0.0}).score_frame(frame)) == 2


def test_boolean_reads_bool_columns_and_zero_one() -> None:
    p = pz.Policy(weights={"incident": 1.0}, signals={"custom": {"incident": MENU["incident"]}})
    frame = _frame(2)
    assert p.score_frame(frame.assign(has_incident=[True, False]))["score"].tolist() == [1.0, 0.0]
    assert p.score_frame(frame.assign(has_incident=[0, 1]))["score"].tolist() == [0.0, 1.0]
    with pytest.raises(pz.SchemaError, match="whole number"):
        p.score_frame(frame.assign(has_incident=[0.5, 1]))
    with pytest.raises(ValidationError):
        CustomSignal.model_validate({"input": "x", "on": "agent", "normaliser": "boolean"})


def test_attributes_are_validated() -> None:
    with pytest.raises(ValidationError, match="finite number"):
        pz.Customer(customer_id="c", attributes={"x": math.inf})
    c = pz.Customer(customer_id="c", attributes={"flag": True, "n": 3, "label": "gold"})
    assert c.attributes == {"flag": True, "n": 3.0, "label": "gold"}
    # Still values: equal customers hash equal, so they can be set members and keys.
    same = pz.Customer(customer_id="c", attributes={"label": "gold", "n": 3, "flag": True})
    assert hash(c) == hash(same) and len({c, same}) == 1


def test_audit_counts_declared_signals() -> None:
    shares = pz.audit.variance_share(ALL.score_frame(_frame(40)))
    assert list(shares.index) == [*ALL.signal_names, "aging"]
    assert shares.sum() == pytest.approx(1.0)
    assert shares["churn_risk"] > 0


# ------------------------------------------------------------------ urgency of recent texts

_TEXT_POLICY = pz.Policy(weights={"urgency": 1.0})


def _text_query(i: int, text: str) -> tuple[pz.Query, pz.Customer]:
    q = pz.Query(query_id=f"q{i}", customer_id="c", received_at=T0, channel="email", text=text)
    return q, pz.Customer(customer_id="c")


@given(st.lists(st.text(max_size=600), min_size=1, max_size=8), st.integers(0, 3))
def test_policy_urgency_of_a_text_is_the_lexicon_score_seen_or_not(
    texts: list[str], repeats: int
) -> None:
    # The policy keeps recent texts' urgency: re-scoring a text gives what the
    # lexicon gives, however often and in whatever order texts come.
    for _ in range(repeats + 1):
        for i, text in enumerate(texts):
            got = _TEXT_POLICY.score(*_text_query(i, text)).signals["urgency"]
            assert got == pz.signals.text_urgency(text)


def test_policy_text_cache_is_bounded() -> None:
    from prioritize.signals._registry import TEXT_CACHE_CHARS, TEXT_CACHE_SIZE

    policy = pz.Policy(weights={"urgency": 1.0})
    bound = next(a.bound for a in policy._compiled.active if a.name == "urgency")
    recent = next(
        cell.cell_contents
        for cell in bound.scalar.__closure__ or ()
        if isinstance(cell.cell_contents, dict)
    )
    texts = [f"refund number {i}" for i in range(TEXT_CACHE_SIZE * 2 + 5)]
    texts.append("x" * (TEXT_CACHE_CHARS + 1))  # too long to keep
    for i, text in enumerate(texts):
        assert policy.score(*_text_query(i, text)).signals["urgency"] == (
            pz.signals.text_urgency(text)
        )
        assert len(recent) <= TEXT_CACHE_SIZE
    assert texts[-1] not in recent
