"""Gaming audit: who gains by shouting or buying followers, measured one customer at a time."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import prioritize as pz
from prioritize.audit import GAMING_STATS, MANIPULATIONS, Manipulation, gaming
from prioritize.testing import strategies as pst

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _frame(texts, urgency=None, followers=None) -> pd.DataFrame:
    n = len(texts)
    frame = pd.DataFrame(
        {
            "query_id": [f"Q{i}" for i in range(n)],
            "customer_id": [f"C{i}" for i in range(n)],
            "received_at": pd.to_datetime([T0 + timedelta(minutes=i) for i in range(n)], utc=True),
            "channel": ["email"] * n,
            "followers": np.asarray(followers or [0] * n, dtype=np.int64),
            "lifetime_value": np.zeros(n),
            "purchase_count": np.zeros(n, dtype=np.int64),
            "total_spend": np.zeros(n),
            "days_since_last_purchase": np.full(n, np.nan),
            "text": texts,
        }
    )
    if urgency is not None:
        frame["urgency"] = urgency
    return frame


def test_hand_computed_text_gaming() -> None:
    # equal_treatment: score = urgency (+ aging). Q0 "refund" (0.6 points), Q1 plain.
    frame = _frame(["refund please", "hello there", "order"])
    result = gaming(frame, pz.policies.equal_treatment(), manipulations=["urgent_word"])
    q = result.queries.loc["urgent_word"]
    lex = pz.signals.UrgencyLexicon()
    assert q["score_gain"].to_numpy() == pytest.approx(
        [lex.score(t + " urgent") - lex.score(t) for t in frame["text"]]
    )
    # Arrival order breaks the tie between Q1 and Q2; Q0 is first already.
    assert list(q["rank"]) == [1, 2, 3]
    assert list(q["rank_gamed"]) == [1, 1, 1]
    assert list(q["rank_gain"]) == [0, 1, 2]
    row = result.summary.loc["urgent_word"]
    assert row["applicable"] == 3
    assert row["mean_rank_gain"] == pytest.approx(1.0)
    assert row["share_gaining"] == pytest.approx(2 / 3)
    assert row["note"] == ""


def test_given_urgency_cannot_be_gamed_by_text() -> None:
    frame = pz.synthetic.queries(60, seed=3, days=0.1)  # urgency given for every row
    result = gaming(frame, pz.policies.equal_treatment())
    assert list(result.summary.columns) == list(GAMING_STATS)
    assert list(result.summary.index) == list(MANIPULATIONS)
    for name in ("exclamations", "caps", "urgent_word"):
        row = result.summary.loc[name]
        assert row["applicable"] == 0 and math.isnan(row["mean_rank_gain"])
        assert "derive_urgency=True" in row["note"]
        assert (result.queries.loc[name, "rank_gain"] == 0).all()
    # equal_treatment is blind to followers: buying them buys nothing.
    assert result.summary.loc["followers_x10", "applicable"] == 60
    assert result.summary.loc["followers_x10", "mean_rank_gain"] == 0


def test_derive_urgency_audits_the_lexicon() -> None:
    frame = pz.synthetic.queries(60, seed=3, days=0.1)
    before = frame.copy(deep=True)
    result = gaming(frame, pz.policies.equal_treatment(), derive_urgency=True)
    pd.testing.assert_frame_equal(frame, before)
    assert result.derive_urgency
    summary = result.summary
    assert (summary.loc[["exclamations", "caps", "urgent_word"], "applicable"] == 60).all()
    # Adding a cue never lowers urgency (lexicon guarantee), so nobody loses places.
    assert (result.queries["rank_gain"] >= 0).all()
    assert summary.loc["urgent_word", "mean_rank_gain"] > 0


def test_mixed_urgency_measures_only_text_driven_rows() -> None:
    frame = _frame(["refund", "hello", "hello", "order"], urgency=[0.9, np.nan, 0.1, np.nan])
    result = gaming(frame, pz.policies.equal_treatment(), manipulations=["exclamations"])
    q = result.queries.loc["exclamations"]
    assert list(q["applicable"]) == [False, True, False, True]
    assert result.summary.loc["exclamations", "applicable"] == 2
    assert (q.loc[~q["applicable"], "score_gain"] == 0).all()


@settings(max_examples=20)
@given(pst.query_frames(max_rows=10))
def test_followers_x10_per_query_equals_brute_force(frame) -> None:
    policy = pz.policies.influencer_weighted()
    now = frame["received_at"].max().to_pydatetime()
    q = gaming(frame, policy, manipulations=["followers_x10"]).queries.loc["followers_x10"]
    assert (q["rank_gain"] >= 0).all()
    for i in range(len(frame)):
        alone = frame.copy()
        alone["followers"] = alone["followers"].astype(np.float64)
        alone.iloc[i, alone.columns.get_loc("followers")] *= 10
        ranked = policy.rank(alone, now=now)
        rank = int(ranked.loc[ranked["query_id"] == frame["query_id"].iat[i], "rank"].iloc[0])
        assert q["rank_gamed"].iat[i] == rank


def test_fifo_rewards_nothing_and_scope_all() -> None:
    frame = pz.synthetic.queries(40, seed=8, days=0.1)
    assert (gaming(frame, pz.policies.fifo(), derive_urgency=True).queries["rank_gain"] == 0).all()
    everyone = gaming(frame, pz.policies.influencer_weighted(), scope="all").queries
    # Everybody buying followers: the gains cancel out on average (ranks are a permutation).
    assert everyone.loc["followers_x10", "rank_gain"].sum() == 0


def test_custom_manipulations() -> None:
    frame = pz.synthetic.queries(30, seed=9, days=0.1)
    bought = {"bought_50k": lambda f: f.assign(followers=f["followers"] + 50_000)}
    result = gaming(frame, pz.policies.influencer_weighted(), manipulations=bought)
    assert list(result.summary.index) == ["bought_50k"]
    assert result.summary.loc["bought_50k", "share_gaining"] > 0.5
    manip = Manipulation("shout", MANIPULATIONS["caps"].apply, reads_text=True)
    assert gaming(frame, pz.policies.balanced(), manipulations=[manip]).summary.index[0] == "shout"


def test_no_text_column_note() -> None:
    frame = pz.synthetic.queries(10, seed=1).drop(columns="text")
    result = gaming(frame, pz.policies.balanced(), manipulations=["caps"])
    assert result.summary.loc["caps", "note"] == "the frame has no text column"
    with pytest.raises(pz.SchemaError, match="needs a 'text' column"):
        gaming(frame, pz.policies.balanced(), derive_urgency=True)


@pytest.mark.parametrize(
    ("manipulations", "match"),
    [
        (["whine"], "unknown manipulation 'whine'"),
        ([], "empty"),
        (["caps", "caps"], "unique"),
        ({"drop": lambda f: f.iloc[1:]}, "same rows and index"),
    ],
)
def test_bad_manipulations(manipulations, match) -> None:
    frame = pz.synthetic.queries(10, seed=1)
    with pytest.raises(pz.InputError, match=match):
        gaming(frame, pz.policies.balanced(), manipulations=manipulations)
