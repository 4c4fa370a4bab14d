"""Customer Support on Twitter (twcs) on a generated sample, and the replay of what happened."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError, SchemaError, SkippedRecordsWarning
from prioritize.adapters import twcs
from prioritize.models import validate_frame

HERE = Path(__file__).parent / "data" / "twcs"
SAMPLE = HERE / "twcs_sample.csv"


def followers() -> dict[str, int]:
    table = pd.read_csv(HERE / "followers.csv", dtype={"author_id": str})
    return dict(zip(table["author_id"], table["followers"].astype(int), strict=True))


def raw() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)


def read(source: Any = SAMPLE, **options: Any) -> pd.DataFrame:
    options.setdefault("followers", followers())
    with pytest.warns(SkippedRecordsWarning, match="brand_reply"):
        return twcs.from_csv(source, **options)


def test_the_fixture_is_what_its_script_writes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_fixture", HERE / "make_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows, counts = module.build()
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == rows
    assert counts == followers()


def test_opening_tweets_become_queries_and_the_rest_is_counted() -> None:
    table = raw()
    frame = read()
    validate_frame(frame)
    inbound = table["inbound"] == "True"
    opening = inbound & (table["in_response_to_tweet_id"] == "")
    assert list(frame["query_id"]) == ["twcs-" + t for t in table.loc[opening, "tweet_id"]]
    assert frame.attrs["skipped"] == {
        "brand_reply": int((~inbound).sum()),
        "follow_up": int((inbound & ~opening).sum()),
    }
    assert len(table) == len(frame) + sum(frame.attrs["skipped"].values())
    assert (frame["channel"] == "twitter").all() and frame["is_public"].all()
    assert list(frame["customer_id"]) == ["twcs:" + a for a in table.loc[opening, "author_id"]]
    counts = followers()
    assert list(frame["followers"]) == [counts[a] for a in frame["author_id"]]
    # "Mon Oct 30 07:24:00 +0000 2017"
    assert frame["received_at"].iloc[0] == pd.Timestamp("2017-10-30T07:24:00Z")


def test_the_brands_first_reply_is_the_observed_wait() -> None:
    table = raw().set_index("tweet_id")
    stamps = pd.to_datetime(table["created_at"], format=twcs.DATE_FORMAT, utc=True)
    frame = read()
    answered = 0
    for query, wait, brand in zip(
        frame["query_id"], frame["observed_wait_minutes"], frame["brand"], strict=True
    ):
        tweet = query.removeprefix("twcs-")
        replies = table.index[
            (table["in_response_to_tweet_id"] == tweet) & (table["inbound"] == "False")
        ]
        if len(replies) == 0:
            assert np.isnan(wait)
            assert brand is None or brand in table["text"][tweet]  # named in the tweet
            continue
        answered += 1
        first = min(replies, key=lambda r: stamps[r])
        assert wait == pytest.approx((stamps[first] - stamps[tweet]).total_seconds() / 60)
        assert brand == table.loc[first, "author_id"]
    assert 0 < answered < len(frame)


def test_two_replies_the_first_one_counts() -> None:
    table = raw()
    outbound = table[(table["inbound"] == "False") & (table["in_response_to_tweet_id"] != "")]
    twice = outbound["in_response_to_tweet_id"].value_counts()
    tweet = twice.index[twice > 1][0]
    frame = read().set_index("query_id")
    replies = outbound[outbound["in_response_to_tweet_id"] == tweet]
    stamps = pd.to_datetime(replies["created_at"], format=twcs.DATE_FORMAT, utc=True)
    opened = pd.to_datetime(
        table.loc[table["tweet_id"] == tweet, "created_at"].iloc[0],
        format=twcs.DATE_FORMAT,
        utc=True,
    )
    expected = (stamps.min() - opened).total_seconds() / 60
    assert frame.loc[f"twcs-{tweet}", "observed_wait_minutes"] == pytest.approx(expected)


def test_followers_must_be_said_and_known() -> None:
    with pytest.raises(InputError, match="no follower counts; say what to assume: followers=0"):
        twcs.from_csv(SAMPLE)
    frame = read(followers=0)
    assert (frame["followers"] == 0).all()
    partial = followers()
    first = raw()["author_id"].iloc[0]
    del partial[first]
    with pytest.raises(InputError, match=f"author_id '{first}' has no follower count"):
        twcs.from_csv(SAMPLE, followers=partial)


def test_keep_reads_follow_ups_without_an_observed_wait() -> None:
    with pytest.warns(SkippedRecordsWarning):
        frame = twcs.from_csv(SAMPLE, followers=0, keep={"follow_up"})
    table = raw()
    assert len(frame) == int((table["inbound"] == "True").sum())
    assert "follow_up" not in frame.attrs["skipped"]
    with pytest.raises(InputError, match="cannot read"):
        twcs.from_csv(SAMPLE, followers=0, keep={"brand_reply"})


def test_bad_rows_are_named_by_tweet_and_field() -> None:
    table = raw()
    table.loc[3, "inbound"] = "maybe"
    table.loc[5, "author_id"] = ""
    table.loc[7, "tweet_id"] = table.loc[6, "tweet_id"]
    with pytest.raises(InputError) as caught:
        twcs.from_csv(table, followers=0)
    message = str(caught.value)
    assert f"tweet {table.loc[3, 'tweet_id']}: missing or malformed inbound" in message
    assert f"tweet {table.loc[5, 'tweet_id']}: missing or malformed author_id" in message
    assert f"tweet {table.loc[7, 'tweet_id']}: tweet_id repeats row 8" in message
    bad_time = raw()
    bad_time.loc[2, "created_at"] = "yesterday"
    with pytest.raises(SchemaError, match=f"tweet {bad_time.loc[2, 'tweet_id']} = 'yesterday'"):
        twcs.from_csv(bad_time, followers=0)
    with pytest.raises(SchemaError, match=r"missing column\(s\) \['inbound'\]"):
        twcs.from_csv(raw().drop(columns=["inbound"]), followers=0)


def test_a_reply_dated_before_its_tweet_is_an_error() -> None:
    table = raw()
    reply = table[(table["inbound"] == "False") & (table["in_response_to_tweet_id"] != "")].index[0]
    query = table.index[table["tweet_id"] == table.loc[reply, "in_response_to_tweet_id"]][0]
    table.loc[reply, "created_at"] = "Sun Oct 29 00:00:00 +0000 2017"
    with pytest.raises(InputError, match=f"tweet {table.loc[query, 'tweet_id']}: its first reply"):
        twcs.from_csv(table, followers=0)


def test_round_trip_through_score_frame_and_rank() -> None:
    frame = read()
    policy = pz.policies.influencer_weighted()
    scores = policy.score_frame(frame)
    assert scores.index.equals(frame.index)
    assert sorted(policy.rank(frame)["query_id"]) == sorted(frame["query_id"])


def test_replay_sets_what_happened_beside_what_the_policy_does() -> None:
    frame = read()
    table = twcs.replay(frame, pz.policies.fifo(), agents=1, seed=0, handle=40.0)
    answered = frame["observed_wait_minutes"].notna()
    assert int(table["queries"].sum()) == len(frame)
    assert int(table["observed_answered"].sum()) == int(answered.sum())
    assert int(table["policy_answered"].sum()) == len(frame)  # nobody gives up
    assert table.attrs == {"agents": 1, "unanswered": int((~answered).sum())}
    bands = pz.models.group_labels(frame, group="follower_band")
    for band, row in table.iterrows():
        mine = frame.loc[(bands == band).to_numpy() & answered.to_numpy(), "observed_wait_minutes"]
        assert row["observed_median_wait_answered"] == pytest.approx(float(np.median(mine)))
        assert row["observed_median_wait_answered_low"] <= row["observed_median_wait_answered"]
    change = table["policy_median_wait_answered"] - table["observed_median_wait_answered"]
    np.testing.assert_allclose(table["median_wait_change"], change)
    # the policy side is the simulator's, run by hand
    result = pz.simulate(frame, pz.policies.fifo(), agents=1, seed=0, handle=40.0)
    waits = result.records["wait_minutes"].to_numpy()
    first = table.index[0]
    mine = (bands == first).to_numpy()
    assert table.loc[first, "policy_median_wait_answered"] == pytest.approx(
        float(np.median(waits[mine]))
    )


def test_replay_by_brand_with_a_team_per_brand() -> None:
    frame = read()
    staff = {"NorthwindHelp": 1, "ContosoCares": 2, "FabrikamSupport": 1, twcs.NO_GROUP: 1}
    table = twcs.replay(frame, pz.policies.fifo(), agents=staff, group="brand", handle=30.0)
    assert set(table.index) <= set(staff)
    assert int(table["queries"].sum()) == len(frame)
    one_pool = twcs.replay(frame, pz.policies.fifo(), agents=1, group="brand", handle=30.0)
    # three teams wait less than one agent for everyone
    assert (table["policy_median_wait_answered"] <= one_pool["policy_median_wait_answered"]).all()
    with pytest.raises(InputError, match="no staffing for brand"):
        twcs.replay(frame, pz.policies.fifo(), agents={"NorthwindHelp": 1}, group="brand")


def test_replay_needs_observed_waits() -> None:
    frame = read()
    with pytest.raises(SchemaError, match="observed_wait_minutes"):
        twcs.replay(frame.drop(columns=["observed_wait_minutes"]), pz.policies.fifo(), agents=1)
    frame.loc[0, "observed_wait_minutes"] = -5.0
    with pytest.raises(
        SchemaError, match=r"'observed_wait_minutes'.*expected minutes >= 0.*row 0 "
    ):
        twcs.replay(frame, pz.policies.fifo(), agents=1)
