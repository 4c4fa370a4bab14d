"""The urgency lexicon equals, bit for bit, the one-pass reading it replaced (issue 12 §8).

``reference_points`` is the lexicon's reading as it was at revision b8ae1e8
(str tokens, one trie walk from every token, the cues found sorted by place
and rank), before it read ASCII text as bytes and summed cues in the order
found: kept here, self-contained, as the definition the fast reading must
reproduce exactly, float for float (same cues, same order of summation). Texts are built from the lexicon's own words and phrases, in
every case, glued with punctuation, "!" runs, emoji, apostrophes, digits,
invisible and control characters, so every branch of both readings is hit.
"""

from __future__ import annotations

import math
import string
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize.signals import DEFAULT_PHRASES, DEFAULT_WORDS, MAX_TEXT_CHARS, UrgencyLexicon
from prioritize.signals._lexicon import FORMAT_RANGES

_PUNCT = string.punctuation.replace("'", "") + "“”‘–—…«»¿¡"
_CONTROL = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
_FORMAT = [chr(c) for lo, hi in FORMAT_RANGES for c in range(lo, hi + 1)]
_TRANSLATE = str.maketrans(
    dict.fromkeys(_PUNCT + "".join(_CONTROL), " ") | dict.fromkeys(_FORMAT) | {"'": None, "’": None}
)


def _reference_trie(lex: UrgencyLexicon) -> dict[str, list[Any]]:
    trie: dict[str, list[Any]] = {}
    ranks: dict[str, int] = {}
    entries = [(w, p, True) for w, p in lex.words.items()]
    entries += [(ph, p, False) for ph, p in lex.phrases.items()]
    for number, (cue, points, is_word) in enumerate(entries):
        tokens = cue.split(" ")
        if is_word:
            rank = 0
        else:
            rank = ranks.get(tokens[0], 0) + 1
            ranks[tokens[0]] = rank
        level = trie
        for token in tokens[:-1]:
            level = level.setdefault(token, [None, {}])[1]
        node = level.setdefault(tokens[-1], [None, {}])
        node[0] = (rank, points, number)
    return trie


def reference_points(lex: UrgencyLexicon, text: str) -> float:
    """The points of ``text`` as revision b8ae1e8 read them: its str path, which its ASCII
    shortcuts (bytes translation, the capitals pre-count) equalled."""
    if not text:
        return 0.0
    text = text[:MAX_TEXT_CHARS]
    trie = _reference_trie(lex)
    text = unicodedata.normalize("NFKC", text)  # the identity on ASCII text
    clean = text.translate(_TRANSLATE)
    tokens = clean.lower().split()
    points = 0.0
    found: dict[int, tuple[int, int, float]] = {}
    n = len(tokens)
    for at, token in enumerate(tokens):
        node = trie.get(token)
        depth = at
        while node is not None:
            cue = node[0]
            if cue is not None and cue[2] not in found:
                found[cue[2]] = (at, cue[0], cue[1])
            depth += 1
            children = node[1]
            node = children.get(tokens[depth]) if children and depth < n else None
    for _, _, cue_points in sorted(found.values()):
        points += cue_points
    if "!!" in text:
        points += lex.exclamation_points
    caps = 0
    for token in filter(str.isupper, clean.split()):
        if len(token) >= 3:
            caps += len(token)
    if caps >= lex.caps_min_letters:
        points += lex.caps_points
    return points


_CUES = [*DEFAULT_WORDS, *DEFAULT_PHRASES, "can't log", "doesn't work", "café", "ＲＥＦＵＮＤ"]
_FILLER = ["the", "my", "order", "please", "hello", "it", "x1", "OK"]
_ASCII_GLUE = [" ", "  ", ", ", ". ", "\n", "\t", "!", "!! ", "!!!", "?! ", " - ", "'", "\x00"]
_ASCII_GLUE += [" 123 ", "\x1f", " :( ", "\x7f", "-"]
_GLUE = [*_ASCII_GLUE, "’", "\u200b", "\u00ad", " 😡 ", "🔥", "—", "\x85", "！！", " ÉCHEC "]
_CASES = [str.lower, str.upper, str.title, str.lower, str.swapcase]


def _texts(cues: list[str]) -> st.SearchStrategy[str]:
    """Texts of a few cues (a text's fast search), or of many (its one pass), in pieces.

    A piece is a cue, the start of a phrase (so a phrase's first word often
    comes before the phrase itself), or a filler word, in any case.
    """

    def pieces(chosen: list[str]) -> st.SearchStrategy[list[str]]:
        starts = [c.rsplit(" ", 1)[0] for c in chosen if " " in c]
        piece = st.sampled_from([*chosen, *starts, *_FILLER])
        cased = st.tuples(piece, st.sampled_from(_CASES)).map(lambda pc: pc[1](pc[0]))
        return st.lists(cased, max_size=30)

    few = st.lists(st.sampled_from(cues), min_size=1, max_size=3).flatmap(pieces)
    words = st.one_of(few, st.lists(st.sampled_from(cues), max_size=40).flatmap(pieces))
    # ASCII texts (read as bytes), or any.
    glue = st.sampled_from([_ASCII_GLUE, _GLUE]).flatmap(
        lambda g: st.lists(st.sampled_from(g), min_size=30, max_size=30)
    )
    return st.tuples(words, glue).map(lambda wg: "".join(w + g for w, g in zip(*wg, strict=False)))


@given(_texts(_CUES), st.integers(1, 30))
def test_default_cues_read_as_the_reference(text: str, caps_min_letters: int) -> None:
    lex = UrgencyLexicon(caps_min_letters=caps_min_letters)
    assert lex.points(text) == reference_points(lex, text)
    assert lex.score(text) == 1.0 - math.exp(-reference_points(lex, text))
    assert lex.scorer()(text) == lex.score(text)


# Phrases sharing first words and nested ("a b" in "a b c"), listed in any order
# (rank order is then not always depth order), overlapping; points whose sum
# depends on the order of summation (1 + 2**-53 + 2**-53 is not 2**-53 + 2**-53 + 1).
_SMALL = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "ß"]
_PHRASE = st.lists(st.sampled_from(_SMALL[:4]), min_size=2, max_size=4).map(" ".join)
_UNEVEN = st.sampled_from([1.0, 2.0**-53, 3 * 2.0**-54, 0.1, 0.7, 1e-9, 3.0])


@given(
    st.dictionaries(st.sampled_from(_SMALL), _UNEVEN),
    st.dictionaries(_PHRASE, _UNEVEN, max_size=30),
    st.data(),
)
def test_custom_cues_read_as_the_reference(
    words: dict[str, float], phrases: dict[str, float], data: st.DataObject
) -> None:
    lex = UrgencyLexicon(words=words, phrases=phrases, caps_min_letters=3)
    text = data.draw(_texts([*words, *phrases, *_SMALL]))
    assert lex.points(text) == reference_points(lex, text)


@pytest.mark.parametrize("longest_first", [False, True])
def test_nested_phrases_sum_in_lexicon_order(longest_first: bool) -> None:
    # At one place: the word, then its phrases in lexicon order, whatever their length.
    tiny = 2.0**-53
    nested = [("a b", tiny), ("a b c", 1.0)]
    phrases = dict(nested[::-1] if longest_first else nested)
    lex = UrgencyLexicon(words={"a": tiny}, phrases=phrases, caps_min_letters=3)
    expected = (tiny + 1.0) + tiny if longest_first else (tiny + tiny) + 1.0
    assert lex.points("x a b c") == reference_points(lex, "x a b c") == expected


@given(_texts(_CUES))
def test_long_texts_read_as_the_reference(text: str) -> None:
    lex = UrgencyLexicon()
    long = (text + " ") * (MAX_TEXT_CHARS // (len(text) + 1) + 2)
    assert lex.points(long) == reference_points(lex, long)


@pytest.mark.parametrize(
    "text",
    [
        "still here, still waiting",  # the phrase at the second "still"
        "no, no, no answer!!",
        "Still no... STILL NO ANSWER",
        "cancel it. I said cancel. third time: third time I ask",
        "refund refund REFUND. money? money back",
        "can't log in, cant log, CAN'T LOG",
    ],
)
def test_phrases_at_a_later_place_of_their_first_word(text: str) -> None:
    lex = UrgencyLexicon(caps_min_letters=5)
    assert lex.points(text) == reference_points(lex, text)
    assert lex.points(text) > 0
