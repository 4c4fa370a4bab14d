"""The urgency lexicon: bounded work, a text cap, normalisation (issue 15 item 8)."""

from __future__ import annotations

import string
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize.signals import MAX_TEXT_CHARS, UrgencyLexicon
from prioritize.signals._lexicon import FORMAT_RANGES

VOCAB = ["no", "answer", "still", "waiting", "refund", "the", "x", "now"]
WORDS = {"refund": 0.6, "now": 0.25, "x": 0.125}
PHRASES = {
    "no answer": 0.7,
    "still waiting": 0.8,
    "still no answer": 0.3,
    "no no": 0.05,
    "the x": 0.01,
    "the x now": 0.02,
}
LEX = UrgencyLexicon(words=WORDS, phrases=PHRASES, exclamation_points=0, caps_points=0)


def naive_points(tokens: list[str]) -> float:
    """Reference: every cue found as whole consecutive tokens counts once."""
    found = []
    for rank_base, cues in ((0, WORDS), (1, PHRASES)):
        for order, (cue, points) in enumerate(cues.items()):
            words = cue.split()
            starts = [i for i in range(len(tokens)) if tokens[i : i + len(words)] == words]
            if starts:
                found.append((starts[0], rank_base, order, points))
    return sum(points for *_, points in sorted(found))


separators = st.sampled_from([" ", "  ", ", ", ". ", "\n", "\x00", "!", " - "])


@given(st.lists(st.tuples(st.sampled_from(VOCAB), separators), max_size=40))
def test_score_equals_the_naive_reference(pieces: list[tuple[str, str]]) -> None:
    text = "".join(word + sep for word, sep in pieces)
    tokens = [word for word, _ in pieces]
    assert LEX.points(text) == pytest.approx(naive_points(tokens), abs=1e-12)


invisible = st.sampled_from(["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad"])


@given(st.lists(st.sampled_from(VOCAB), max_size=20), st.data())
def test_format_characters_change_nothing(words: list[str], data: st.DataObject) -> None:
    text = " ".join(words)
    chars = list(text)
    for _ in range(data.draw(st.integers(0, 6))):
        chars.insert(data.draw(st.integers(0, len(chars))), data.draw(invisible))
    assert LEX.points("".join(chars)) == LEX.points(text)


@pytest.mark.parametrize(
    "hidden",
    [
        "refund\x00",
        "ｒｅｆｕｎｄ",
        "re\u200bfund",
        "\x00refund\x7f",
        "REFUND\u2060",
        "ref\u00adund",
    ],
)
def test_hidden_cues_are_found(hidden: str) -> None:
    lex = UrgencyLexicon()
    assert lex.points(hidden) == lex.points("refund") > 0
    assert lex.points(f"still{chr(0)}waiting") == lex.points("still waiting")


def test_format_ranges_cover_this_pythons_unicode() -> None:
    covered = {c for lo, hi in FORMAT_RANGES for c in range(lo, hi + 1)}
    cf = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    assert cf <= covered


@given(st.text(string.ascii_letters + " !", max_size=200), st.integers(0, 60))
def test_only_the_first_max_text_chars_are_read(head: str, cut: int) -> None:
    lex = UrgencyLexicon()
    text = (head + " ") * (MAX_TEXT_CHARS // (len(head) + 1) + 1)
    text = text[: MAX_TEXT_CHARS - cut]
    more = text + " refund !! STILL WAITING" * 500
    assert lex.points(more) == lex.points(more[:MAX_TEXT_CHARS])
    if cut == 0:
        assert lex.points(more) == lex.points(text)


def test_phrases_sharing_a_first_word_cost_per_token() -> None:
    # 10,000 phrases starting with "the": every cue is still found once, in order.
    phrases = {f"the x{i}": 0.001 for i in range(10_000)}
    lex = UrgencyLexicon(words={}, phrases=phrases, exclamation_points=0, caps_points=0)
    text = " ".join(f"the x{i}" for i in range(0, 10_000, 7))[:MAX_TEXT_CHARS]
    expected = sum(0.001 for i in range(0, 10_000, 7) if f"the x{i} " in text + " ")
    assert lex.points(text) == pytest.approx(expected)
    assert lex.points("the " * 50_000) == 0.0
