"""Tests written against the mutants of signals/_lexicon.py left alive by the run of
2026-11-30 on the bytes reading (benchmarks/MUTATION.md lists them).

The order in which cue points are summed when a lexicon lists a phrase before a
shorter one it starts with (the cues found are then sorted by place and rank), and
the counting of shouted capitals on the ASCII path (punctuation splits tokens,
apostrophes are dropped, as on the str path).
"""

from __future__ import annotations

import pytest

from prioritize.signals import UrgencyLexicon

TINY = 2.0**-53  # 1 + TINY rounds to 1; TINY + TINY + 1 does not


@pytest.mark.parametrize("text", ["a b z y", "x a b z y!", "a b, z. y"])
def test_cues_are_summed_by_place_when_a_longer_phrase_is_listed_first(text: str) -> None:
    # "a b c" listed before "a b": ranks do not grow with depth, so the cues found are
    # sorted by (place, rank). "a b" comes first in the text: 1.0 is summed first and
    # the two tiny words after it round away. Summed by rank alone, or by cue number
    # (lexicon order: the words first), the tiny words would count.
    lexicon = UrgencyLexicon(
        words={"z": TINY, "y": TINY},
        phrases={"a b c": 0.5, "a b": 1.0},
        exclamation_points=0.0,
        caps_points=0.0,
    )
    assert lexicon.points(text) == (1.0 + TINY) + TINY == 1.0
    assert (TINY + TINY) + 1.0 != 1.0  # the test can tell the orders apart
    # Non-ASCII text (the str path) sums in the same order.
    assert lexicon.points(text + " é") == 1.0


def test_punctuation_splits_capitals_on_the_ascii_path() -> None:
    # Ten capitals, but in words of two letters once the hyphens are spaces: not shouted.
    lexicon = UrgencyLexicon(words={}, phrases={}, caps_min_letters=10)
    assert lexicon.points("AB-CD-EF-GH-IJ") == 0.0
    assert lexicon.points("AB-CD-EF-GH-IJ é") == 0.0  # as on the str path
    assert lexicon.points("ABCDE-FGHIJ") == lexicon.caps_points


def test_apostrophes_are_not_counted_as_capitals_on_the_ascii_path() -> None:
    # "CAN'T DON'T" is 8 capitals (the apostrophes dropped), not 10; the digits make
    # the pre-count reach 10 so the words are counted.
    lexicon = UrgencyLexicon(words={}, phrases={}, caps_min_letters=10)
    assert lexicon.points("CAN'T DON'T 12") == 0.0
    assert lexicon.points("CAN'T DON'T 12 é") == 0.0  # as on the str path
    assert lexicon.points("CAN'T DON'T WON'T") == lexicon.caps_points
