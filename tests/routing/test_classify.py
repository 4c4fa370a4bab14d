"""Classifying a query: type, topic and tone; frame = scalar; config as data."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz
from prioritize import ConfigError, InputError, SchemaError
from prioritize.routing import (
    LABEL_COLUMNS,
    TYPES,
    Classifier,
    Cues,
    Labels,
    classify,
    classify_frame,
)
from prioritize.signals import DEFAULT_TONE_WORDS

CLASSIFIER = Classifier()
WORDS = [
    *DEFAULT_TONE_WORDS,
    "refund",
    "parcel",
    "password",
    "app",
    "price",
    "how",
    "please",
    "not",
    "?",
    "!!!",
    "THIS",
    "quote",
    "thanks",
    "never arrived",
]
TEXTS = st.text(max_size=60) | st.lists(st.sampled_from(WORDS), max_size=10).map(" ".join)
ZERO_WIDTH = st.sampled_from(["\u200b", "\u200d", "\ufeff", "\u2060"])


@given(TEXTS)
def test_labels_are_valid_and_deterministic(text: str) -> None:
    labels = classify(text)
    assert labels == classify(text)
    assert labels.type in TYPES
    assert labels.topic in {*CLASSIFIER.topics, "general"}
    assert labels.tone in ("negative", "neutral", "positive")
    assert -1 <= labels.tone_score <= 1
    for c in (labels.type_confidence, labels.topic_confidence, labels.tone_confidence):
        assert 0 <= c <= 1


@given(TEXTS, st.data())
def test_zero_width_characters_change_no_label(text: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(text)))
    marked = text[:at] + data.draw(ZERO_WIDTH) + text[at:]
    a, b = classify(text), classify(marked)
    assert (a.type, a.topic, a.tone) == (b.type, b.topic, b.tone)
    assert a.tone_score == pytest.approx(b.tone_score)


@given(st.lists(st.none() | TEXTS, min_size=0, max_size=12), st.integers(0, 3))
def test_frame_equals_scalar_per_row_and_keeps_the_index(
    texts: list[str | None], shift: int
) -> None:
    index = np.arange(len(texts)) * 7 + shift
    frame = pd.DataFrame({"text": pd.Series(texts, dtype=object, index=index)})
    out = classify_frame(frame)
    assert len(out) == len(frame)
    assert out.index.equals(frame.index)
    for (_, row), text in zip(out.iterrows(), texts, strict=True):
        want = classify(text or "")
        assert tuple(row[c] for c in LABEL_COLUMNS) == tuple(
            getattr(want, c) for c in LABEL_COLUMNS
        )
    assert out.attrs["text_missing"] == sum(1 for t in texts if not t)


@given(st.lists(TEXTS, min_size=2, max_size=8), st.data())
def test_batch_independent(texts: list[str], data: st.DataObject) -> None:
    frame = pd.DataFrame({"text": texts})
    keep = data.draw(st.lists(st.integers(0, len(texts) - 1), min_size=1, unique=True))
    whole = classify_frame(frame).loc[keep, list(LABEL_COLUMNS)]
    part = classify_frame(frame.loc[keep]).loc[keep, list(LABEL_COLUMNS)]
    pd.testing.assert_frame_equal(whole, part)


@pytest.mark.parametrize(
    ("text", "kind", "topic", "tone"),
    [
        ("my parcel never arrived 😡", "complaint", "delivery", "negative"),
        ("How do I change the password on my account?", "question", "account", "neutral"),
        ("please send me a copy of my invoice", "request", "billing", "neutral"),
        ("Thank you so much, the app works perfectly now!", "praise", "technical", "positive"),
        (
            "Could you send a quote for 50 seats on the enterprise plan?",
            "lead",
            "general",
            "neutral",
        ),
        ("lol", "other", "general", "neutral"),
        ("I'm not happy, you charged me twice", "complaint", "billing", "negative"),
    ],
)
def test_clear_messages(text: str, kind: str, topic: str, tone: str) -> None:
    labels = classify(text)
    assert (labels.type, labels.topic, labels.tone) == (kind, topic, tone)


def test_low_confidence_goes_to_the_general_label() -> None:
    # "price" (lead, 1.0) and "how" (question, 1.0) tie: neither is sure.
    text = "how about the price"
    unsure = Classifier(min_type_confidence=0.6)(text)
    assert unsure.type == "other"
    assert unsure.type_confidence < 0.6
    assert Classifier(min_type_confidence=0.0)(text).type in ("question", "lead")
    # no cue at all: the general label, and sure of it
    assert classify("hello there").topic == "general"
    assert classify("hello there").topic_confidence == 1.0


def test_missing_text_is_general_with_confidence_zero() -> None:
    frame = pd.DataFrame(
        {"text": ["broken app", None, float("nan"), ""], "language": ["en", "es", None, "fr"]}
    )
    out = classify_frame(frame)
    assert list(out["type"][1:]) == ["other"] * 3
    assert list(out["tone"][1:]) == ["neutral"] * 3
    assert (
        (out[["type_confidence", "topic_confidence", "tone_confidence"]].iloc[1:] == 0).all().all()
    )
    assert out.attrs["text_missing"] == 3
    assert list(out["language"][:2]) == ["en", "es"]  # kept as given


def test_query_and_custom_callable() -> None:
    query = pz.Query(
        query_id="Q1",
        customer_id="C",
        received_at=datetime(2026, 1, 1, tzinfo=UTC),
        channel="twitter",
        text="refund NOW 🤬",
    )
    assert classify(query) == classify("refund NOW 🤬")

    def always(text: str) -> Labels:
        return Labels("lead", 0.9, "sales", 0.9, "positive", 0.5, 0.9)

    assert (
        classify_frame(pd.DataFrame({"text": ["a", "b"]}), classifier=always)["topic"].tolist()
        == ["sales"] * 2
    )


def test_a_bad_custom_classifier_is_named() -> None:
    with pytest.raises(InputError, match="expected Labels"):
        classify("x", classifier=lambda t: ("complaint",))  # type: ignore[arg-type,return-value]
    with pytest.raises(InputError, match="tone_score"):
        classify("x", classifier=lambda t: Labels("other", 1, "general", 1, "neutral", 2.0, 1))


def test_bad_frames_name_the_column() -> None:
    with pytest.raises(SchemaError, match="'text'"):
        classify_frame(pd.DataFrame({"body": ["x"]}))
    with pytest.raises(SchemaError, match="'text'.*a string"):
        classify_frame(pd.DataFrame({"text": ["ok", 3]}))


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_config_round_trips(tmp_path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    config = Classifier(
        topics={
            "returns": Cues(cues={"return": 2.0, "send it back": 2.5}),
            "billing": Cues(cues={"refund": 2}),
        },
        min_type_confidence=0.6,
        general_points=0.8,
    )
    path = config.to_file(tmp_path / f"classifier{suffix}")
    again = Classifier.from_file(path)
    assert again == config
    assert again("I want to send it back").topic == "returns"


@pytest.mark.parametrize(
    ("config", "loc"),
    [
        ({"types": {"rant": {"cues": {"argh": 1}}}}, ("types", "rant")),
        ({"topics": {"general": {"cues": {"x": 1}}}}, ("topics",)),
        ({"topics": {"billing": {"cues": {}}}}, ("topics", "billing", "cues")),
        (
            {"topics": {"billing": {"cues": {"one two three four five": 1}}}},
            ("topics", "billing", "cues"),
        ),
        (
            {"topics": {"billing": {"cues": {"refund": -1}}}},
            ("topics", "billing", "cues", "refund"),
        ),
        ({"min_type_confidence": 2}, ("min_type_confidence",)),
        ({"tone": {"threshold": 0}}, ("tone", "threshold")),
        ({"typo": 1}, ("typo",)),
    ],
)
def test_bad_config_names_the_key(config: dict[str, object], loc: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as info:
        Classifier.model_validate(config)
    assert info.value.errors()[0]["loc"][: len(loc)] == loc


def test_unreadable_config_file_is_a_config_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "c.toml"
    bad.write_text("topics = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="c.toml"):
        Classifier.from_file(bad)
    with pytest.raises(ConfigError, match="unknown"):
        Classifier().to_file(tmp_path / "c.yaml")


def test_scores_feed_the_negativity_signal() -> None:
    frame = pz.synthetic.queries(30, seed=2)
    labelled = classify_frame(frame)
    policy = pz.Policy(weights={"negativity": 1.0})
    from_column = policy.score_frame(labelled)["negativity"].to_numpy()
    from_text = policy.score_frame(frame)["negativity"].to_numpy()
    assert from_column == pytest.approx(from_text)  # one tone definition
    assert math.isclose(from_column.max(), max(0.0, -labelled["tone_score"].min()))
