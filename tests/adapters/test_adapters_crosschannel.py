"""End to end: tweets + helpdesk tickets + a social inbox + CRM -> one person, one case.

Ann Lee (CRM C-1001) e-mailed on Monday evening, then on Tuesday morning wrote
again by e-mail, phoned, tweeted, left a voicemail, filled in the web form and
tweeted again. Seen query by query these are seven routine messages on four
channels; the identity graph and cases() must see one ignored customer.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import prioritize as pz
from prioritize.adapters import join_customers, read_queries, twitter, zendesk
from prioritize.identity import IdentityGraph, case_members, cases, repeat_contact_urgency
from prioritize.models import validate_frame

DATA = Path(__file__).parent / "data"
ANN_CASE = (
    "zd-35436",  # Mon 17:22 e-mail ticket
    "IN-20240305-0002",  # Tue 07:14 e-mail in the social inbox
    "zd-35441",  # 07:51 phone call
    "tw-1764924352494698497",  # 08:02 tweet
    "IN-20240305-0004",  # 08:20 voicemail
    "zd-35447",  # 08:40 web form
    "tw-1764940378930282500",  # 09:05 "still waiting..." tweet
)


@pytest.fixture(scope="module")
def crm() -> pd.DataFrame:
    return pd.read_csv(DATA / "crm_customers.csv", dtype={"crm_id": str})


@pytest.fixture(scope="module")
def queries() -> pd.DataFrame:
    inbox = read_queries(
        DATA / "inbox_export.csv",
        {
            "message_id": "query_id",
            "contact": "customer_id",
            "received": "received_at",
            "network": "channel",
            "message": "text",
            "public": "is_public",
        },
        channel_map={"Live chat": "chat"},
        defaults={
            "lifetime_value": 0.0,
            "purchase_count": 0,
            "total_spend": 0.0,
            "days_since_last_purchase": math.nan,
        },
    )
    frames = [
        twitter.from_tweets(DATA / "twitter_search_recent.json"),
        zendesk.from_tickets(DATA / "zendesk_tickets.json"),
        inbox,
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def graph(crm: pd.DataFrame, queries: pd.DataFrame) -> IdentityGraph:
    g = IdentityGraph.from_frame(
        crm, {"crm_id": "crm", "email": "email", "twitter": "twitter", "phone": "phone"}
    )
    g.link_frame(
        queries, {"customer_id": None, "requester_email": "email", "requester_phone": "phone"}
    )
    return g


def test_adapters_concatenate_into_one_canonical_frame(queries: pd.DataFrame) -> None:
    validate_frame(queries)
    assert len(queries) == 6 + 8 + 6  # tweets + tickets + inbox: nothing dropped
    scores = pz.policies.balanced().score_frame(queries)
    assert scores.index.equals(queries.index)


def test_one_person_one_case_across_four_channels(
    queries: pd.DataFrame, graph: IdentityGraph
) -> None:
    assert graph.conflicts() == []
    out = cases(queries, graph)
    ann = out[out["person_id"] == "crm:C-1001"]
    assert set(ann["query_id"]) == set(ANN_CASE)
    assert ann["case_id"].nunique() == 1
    assert case_members(out, query_id="tw-1764940378930282500") == ANN_CASE
    last = out.set_index("query_id").loc[ANN_CASE[-1]]
    assert (last["contacts_in_case"], last["channels_in_case"]) == (7, 4)
    # the influencer wrote twice (two adapters, two spellings of one handle)
    tgd = out[out["person_id"] == "twitter:techgeardaily"]
    assert sorted(tgd["contacts_in_case"]) == [1, 2]
    # with a two-hour window Monday's e-mail is a case of its own
    short = cases(queries, graph, window=pd.Timedelta(hours=2)).set_index("query_id")
    assert short.loc["zd-35436", "case_id"] != short.loc["zd-35441", "case_id"]
    assert short.loc["zd-35441", "case_id"] == short.loc[ANN_CASE[-1], "case_id"]


def test_repeat_contacts_and_crm_move_ann_up(
    queries: pd.DataFrame, graph: IdentityGraph, crm: pd.DataFrame
) -> None:
    policy = pz.policies.balanced()
    out = repeat_contact_urgency(cases(queries, graph), lexicon=policy.signals.urgency)
    customers = crm.assign(customer_id="crm:" + crm["crm_id"]).drop(
        columns=["crm_id", "email", "twitter", "phone"]
    )
    out = join_customers(out, customers, on="person_id")
    assert out.loc[out["person_id"] == "crm:C-1001", "crm_matched"].all()
    before = policy.score_frame(queries)["score"]
    after = policy.score_frame(out)["score"]
    is_ann = out["person_id"] == "crm:C-1001"
    repeat = out["contacts_in_case"] > 1
    assert (after[is_ann] >= before[is_ann]).all()
    assert (out.loc[repeat, "repeat_contact"] > 0).all()
    assert (out.loc[~repeat, "repeat_contact"] == 0).all()
    # Ann's first tweet ranked below the 845k-follower influencer's complaint; seen as
    # the fourth contact of a loyal customer's case it now ranks above it
    ann_tweet, influencer = "tw-1764924352494698497", "tw-1764928269974634498"
    for frame, ann_first in ((queries, False), (out, True)):
        ranked = policy.rank(frame)
        position = dict(zip(ranked["query_id"], range(len(ranked)), strict=True))
        assert (position[ann_tweet] < position[influencer]) is ann_first
    # answering the case takes all seven queries off the queue at once
    remaining = out[~out["query_id"].isin(case_members(out, query_id=ANN_CASE[0]))]
    assert len(remaining) == len(out) - len(ANN_CASE)
