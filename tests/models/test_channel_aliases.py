"""One alias table for channel names: Query and read_queries accept the same names."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz
from prioritize.adapters import read_queries
from prioritize.models import CHANNEL_ALIASES, channel_of, public_by_default

AT = datetime(2026, 1, 5, tzinfo=UTC)


def _query(channel: object) -> pz.Query:
    return pz.Query(query_id="q", customer_id="c", received_at=AT, channel=channel)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "channel"),
    [
        ("Twitter", pz.Channel.TWITTER),
        ("x", pz.Channel.TWITTER),
        ("X.com", pz.Channel.TWITTER),
        ("e-mail", pz.Channel.EMAIL),
        ("E-Mail", pz.Channel.EMAIL),
        ("Web Form", pz.Channel.WEB_FORM),
        ("web-form", pz.Channel.WEB_FORM),
        ("Live chat", pz.Channel.CHAT),
        (" FB ", pz.Channel.FACEBOOK),
        ("Review site", pz.Channel.REVIEW_SITE),
    ],
)
def test_usual_names_resolve(name: str, channel: pz.Channel) -> None:
    assert channel_of(name) is channel
    query = _query(name)
    assert query.channel is channel
    assert query.is_public is public_by_default(channel)


def test_twitter_is_public_whatever_it_is_called() -> None:
    assert _query("twitter").is_public and _query("Twitter").is_public and _query("x").is_public
    assert not _query("e-mail").is_public


def test_unknown_channel_is_a_validation_error_naming_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        _query("carrier pigeon")
    (error,) = err.value.errors(include_url=False)
    assert error["loc"] == ("channel",) and error["input"] == "carrier pigeon"
    assert channel_of("carrier pigeon") is None


def test_every_alias_names_a_channel_and_no_alias_shadows_a_channel() -> None:
    values = {c.value.replace("_", "") for c in pz.Channel}
    assert all(isinstance(c, pz.Channel) for c in CHANNEL_ALIASES.values())
    assert not set(CHANNEL_ALIASES) & values


def _decorate(draw: st.DrawFn, name: str) -> str:
    cased = "".join(ch.upper() if draw(st.booleans(), label="upper") else ch.lower() for ch in name)
    cased = cased.replace("_", draw(st.sampled_from(["_", "-", " ", ""]), label="sep"))
    pad = draw(st.sampled_from(["", " ", "  "]), label="pad")
    return pad + cased + pad


@given(st.data())
def test_query_and_read_queries_agree_on_any_spelling(data: st.DataObject) -> None:
    """Any casing, separator or padding of a channel value or alias means that channel."""
    names = [c.value for c in pz.Channel] + list(CHANNEL_ALIASES)
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=6), label="names")
    spelled = [_decorate(data.draw, n) for n in chosen]
    expected = [channel_of(n) for n in chosen]
    assert [_query(s).channel for s in spelled] == expected
    frame = pd.DataFrame(
        {
            "query_id": [f"q{i}" for i in range(len(spelled))],
            "customer_id": "c",
            "received_at": "2026-01-05T09:00:00Z",
            "channel": spelled,
            "text": "",
            "followers": 0,
        }
    )
    crm = {"lifetime_value": 0.0, "purchase_count": 0, "total_spend": 0.0}
    out = read_queries(frame, defaults={**crm, "days_since_last_purchase": float("nan")})
    assert list(out["channel"].astype(str)) == [c.value for c in expected if c is not None]
