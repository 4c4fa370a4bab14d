"""The negativity signal: a team may weight how negative a query sounds, or be blind to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prioritize as pz
from prioritize import InputError, SchemaError
from prioritize.audit import Manipulation, gaming
from prioritize.signals import SIGNALS, text_tone
from prioritize.testing import assert_blind

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANGRY = pz.Policy(weights={"negativity": 2.0, "crm_value": 1.0})
BLIND = pz.Policy(
    weights={"negativity": 2.0, "crm_value": 1.0}, rules=[pz.rules.Blind(signals=["negativity"])]
)


def _frame(texts: list[str], tone_score: list[float] | None = None) -> pd.DataFrame:
    n = len(texts)
    frame = pd.DataFrame(
        {
            "query_id": [f"Q{i}" for i in range(n)],
            "customer_id": [f"C{i}" for i in range(n)],
            "received_at": pd.to_datetime([T0 + timedelta(minutes=i) for i in range(n)], utc=True),
            "channel": ["twitter"] * n,
            "followers": np.zeros(n, dtype=np.int64),
            "lifetime_value": np.linspace(0, 500, n),
            "purchase_count": np.zeros(n, dtype=np.int64),
            "total_spend": np.zeros(n),
            "days_since_last_purchase": np.full(n, np.nan),
            "text": texts,
        }
    )
    if tone_score is not None:
        frame["tone_score"] = tone_score
    return frame


TEXTS = [
    "where is my parcel 😡",
    "thanks, all sorted 👍",
    "how do I reset my password?",
    "WORST SERVICE EVER!!!",
]


def test_negativity_is_a_builtin_signal() -> None:
    assert "negativity" in SIGNALS
    assert pz.Policy().weights.negativity == 0.0


def test_frame_and_scalar_agree_and_read_the_text() -> None:
    frame = _frame(TEXTS)
    scores = ANGRY.score_frame(frame, now=T0 + timedelta(hours=1))
    expected = np.maximum(0, -np.array([text_tone(t) for t in TEXTS]))
    assert scores["negativity"].to_numpy() == pytest.approx(2.0 * expected)
    for row, (_, q) in zip(scores.itertuples(), frame.iterrows(), strict=True):
        query = pz.Query(
            query_id=q.query_id,
            customer_id=q.customer_id,
            received_at=q.received_at,
            channel=q.channel,
            text=q.text,
        )
        customer = pz.Customer(customer_id=q.customer_id, lifetime_value=q.lifetime_value)
        s = ANGRY.score(query, customer, now=T0 + timedelta(hours=1))
        assert s.value == pytest.approx(row.score)


def test_given_tone_score_wins_over_the_text() -> None:
    frame = _frame(TEXTS, tone_score=[0.5, -0.25, -1.0, 0.0])
    scores = ANGRY.score_frame(frame)
    assert scores["negativity"].to_numpy() == pytest.approx([0.0, 0.5, 2.0, 0.0])
    query = pz.Query(
        query_id="Q",
        customer_id="C",
        received_at=T0,
        channel="email",
        text="awful",
        attributes={"tone_score": 0.4},
    )
    assert ANGRY.score(query, pz.Customer(customer_id="C")).contributions["negativity"] == 0.0


@pytest.mark.parametrize("bad", [1.5, -2.0, float("nan")])
def test_tone_score_out_of_range_names_the_column(bad: float) -> None:
    with pytest.raises(SchemaError, match="tone_score"):
        ANGRY.score_frame(_frame(TEXTS, tone_score=[0.0, 0.0, bad, 0.0]))


def test_bad_tone_score_attribute_names_the_query() -> None:
    query = pz.Query(
        query_id="Q7",
        customer_id="C",
        received_at=T0,
        channel="email",
        attributes={"tone_score": "angry"},
    )
    with pytest.raises(InputError, match="Q7"):
        ANGRY.score(query, pz.Customer(customer_id="C"))


def test_no_text_column_is_neutral() -> None:
    # like classify_frame: a query without text has no tone evidence
    frame = _frame(TEXTS).drop(columns="text").assign(urgency=0.5)
    assert (ANGRY.score_frame(frame)["negativity"] == 0).all()


@given(st.lists(st.text(max_size=30), min_size=1, max_size=6))
@settings(max_examples=30)
def test_negativity_is_in_the_unit_interval(texts: list[str]) -> None:
    values = ANGRY.score_frame(_frame(texts))["negativity"].to_numpy() / 2.0
    assert ((values >= 0) & (values <= 1)).all()


def test_a_policy_blind_to_negativity_is_blind_to_it() -> None:
    assert_blind(BLIND, "negativity", max_examples=20)
    with pytest.raises(AssertionError):
        assert_blind(ANGRY, "negativity", max_examples=20)


def test_the_gaming_audit_shows_what_sounding_angrier_buys() -> None:
    frame = _frame(["my parcel is late", "the app will not load", "where is my refund", "hello"])
    angrier = Manipulation("angrier", lambda f: f.assign(text=f["text"] + " 😡😡 worst!!!"), True)
    weighted = gaming(frame, ANGRY, manipulations=[angrier]).summary.loc["angrier"]
    unmoved = gaming(frame, BLIND, manipulations=[angrier]).summary.loc["angrier"]
    assert weighted["mean_score_gain"] > 0
    assert weighted["mean_rank_gain"] > 0
    assert unmoved["mean_score_gain"] == 0
    assert unmoved["mean_rank_gain"] == 0
