"""The tone lexicon: one definition of tone in [-1, 1], read by the negativity signal and routing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from prioritize.signals import (
    DEFAULT_TONE_WORDS,
    ToneLexicon,
    normalise_text,
    text_tokens,
    text_tone,
)
from prioritize.signals._tone import DEFAULT_NEGATORS, DEFAULT_TONE_PHRASES, _tokens_slow

LEX = ToneLexicon()
ZERO_WIDTH = st.sampled_from(["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u00ad"])
TEXTS = st.text(max_size=80) | st.lists(
    st.sampled_from(
        [*DEFAULT_TONE_WORDS, "not", "very", "but", "!", "?", ".", "THIS", "😡", "never"]
    ),
    max_size=12,
).map(" ".join)

# Words whose valence is clear and that no negator turns into a phrase of their own.
_PHRASE_WORDS = {w for p in DEFAULT_TONE_PHRASES for w in p.split()}
SIMPLE = sorted(
    w
    for w, v in DEFAULT_TONE_WORDS.items()
    if w.isalpha()
    and w.isascii()
    and abs(v) >= 1
    and w not in DEFAULT_NEGATORS
    and w not in _PHRASE_WORDS
)


@given(TEXTS)
def test_score_is_in_the_open_interval_and_deterministic(text: str) -> None:
    score = text_tone(text)
    assert -1 < score < 1
    assert text_tone(text) == score == LEX.read(text).score


@given(TEXTS, st.data())
def test_zero_width_and_format_characters_change_nothing(text: str, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(text)))
    mark = data.draw(ZERO_WIDTH)
    assert text_tone(text[:at] + mark + text[at:]) == pytest.approx(text_tone(text))


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_fast_path_tokenises_like_the_general_one(text: str) -> None:
    assert text_tokens(text) == _tokens_slow(text)


@given(st.sampled_from(SIMPLE), st.sampled_from(["not", "dont", "isnt", "wasnt"]))
def test_negation_flips_the_sign(word: str, negator: str) -> None:
    plain, negated = text_tone(f"it is {word}"), text_tone(f"it {negator} {word}")
    assert plain * negated < 0, (plain, negated)


def test_negation_stops_at_the_sentence_end() -> None:
    assert text_tone("Nothing arrived. 😡") < 0  # the emoji is not negated by "nothing"
    assert text_tone("not. happy") > 0
    assert text_tone("not happy") < 0


def test_negated_negative_is_mildly_positive() -> None:
    assert 0 < text_tone("not bad") < text_tone("good")


@pytest.mark.parametrize(
    ("weaker", "stronger"),
    [
        ("this is bad", "this is very bad"),
        ("this is bad", "this is bad!!!"),
        ("this is bad", "this is BAD"),
        ("this is good", "this is so good"),
        ("where is my order", "WHERE IS MY ORDER"),  # shouting with no cue reads as anger
    ],
)
def test_intensity_cues_push_away_from_zero(weaker: str, stronger: str) -> None:
    assert abs(text_tone(stronger)) > abs(text_tone(weaker))
    assert text_tone(stronger) * text_tone(weaker) >= 0


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("😡", -1),
        ("🤬🤬", -1),
        ("👎", -1),
        ("😠", -1),
        ("😊", 1),
        ("🙏", 1),
        ("👍", 1),
        ("❤️", 1),
        ("❤", 1),
    ],
)
def test_emoji(text: str, sign: int) -> None:
    assert text_tone(f"my order {text}") * sign > 0


def test_but_weighs_the_second_clause() -> None:
    assert text_tone("nice box but it arrived broken") < 0
    assert text_tone("it arrived broken but the refund was quick and the staff were lovely") > 0


def test_phrases_carry_their_own_meaning() -> None:
    assert text_tone("my parcel never arrived") < 0
    assert text_tone("thanks for nothing") < 0
    assert text_tone("thank you") > 0


def test_labels_follow_the_threshold() -> None:
    lex = ToneLexicon(threshold=0.3)
    for text in ("awful", "fine", "hello", "amazing"):
        reading = lex.read(text)
        want = (
            "negative"
            if reading.score <= -0.3
            else "positive"
            if reading.score >= 0.3
            else "neutral"
        )
        assert reading.tone == want
        assert 0 <= reading.confidence <= 1


def test_normalisation_nfkc_and_format_characters() -> None:
    assert normalise_text("ｂａｄ！") == "bad!"
    assert normalise_text("ba\u200bd") == "bad"
    assert text_tokens("can't STOP 😡!") == ["cant", "STOP", "😡", "."]


def test_hostile_text_is_linear_enough() -> None:
    # 200k characters of negators, intensifiers and cues: one pass, no blow-up.
    text = "not very bad but never!!! " * 8_000
    assert -1 < text_tone(text) < 1


def test_config_round_trips_through_json() -> None:
    lex = ToneLexicon(words={"meh": -0.5}, phrases={"so so": -0.2}, threshold=0.3)
    again = ToneLexicon.model_validate(json.loads(lex.model_dump_json()))
    assert again == lex
    assert again.score("meh") == lex.score("meh") < 0


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"words": {"two words": 1.0}}, "words"),
        ({"phrases": {"single": 1.0}}, "phrases"),
        ({"words": {"bad": 9.0}}, "words"),
        ({"threshold": 1.5}, "threshold"),
        ({"negators": ["not at all"]}, "negators"),
        ({"emoticons": {" :)": 1.0}}, "emoticons"),
        ({"typo": 1}, "typo"),
    ],
)
def test_bad_config_names_the_key(config: dict[str, object], key: str) -> None:
    with pytest.raises(ValidationError) as info:
        ToneLexicon.model_validate(config)
    assert info.value.errors()[0]["loc"][0] == key
