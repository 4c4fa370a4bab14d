"""Tests written against the mutants ``make mutate`` found alive in the signals group.

Each test names the mutant kind it kills (benchmarks/MUTATION.md lists them): the
input domains of declared signals at their edges, the lexicon's checks of its
entries, the ASCII fast path of the lexicon and the order in which cue points are
summed.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from prioritize.signals import Domain, UrgencyLexicon

UNIT = Domain(minimum=0.0, maximum=1.0)
NON_NEGATIVE = Domain(minimum=0.0)
ANY = Domain()
BOOLEAN = Domain(boolean=True)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (True, True),
        (False, True),
        (0, True),
        (1, True),
        (0.0, True),
        (1.0, True),
        (2, False),
        (0.5, False),
        (-1, False),
        ("1", False),
        (None, False),
    ],
)
def test_a_boolean_domain_takes_booleans_and_zero_or_one(value: object, accepted: bool) -> None:
    assert BOOLEAN.accepts(value) is accepted


@pytest.mark.parametrize(
    ("domain", "value", "accepted"),
    [
        (UNIT, 0.0, True),
        (UNIT, 1.0, True),  # the maximum is inside
        (UNIT, 1, True),
        (UNIT, 1.0000001, False),
        (UNIT, -0.5, False),  # below the minimum
        (UNIT, -1e-12, False),
        (NON_NEGATIVE, 0.0, True),
        (NON_NEGATIVE, 1e300, True),
        (NON_NEGATIVE, -1, False),
        (NON_NEGATIVE, math.inf, False),
        (ANY, -1e300, True),
        (ANY, math.inf, False),
        (ANY, -math.inf, False),
        (ANY, math.nan, False),
        (ANY, True, False),  # a boolean is not a number here
        (ANY, "3", False),
    ],
)
def test_a_numeric_domain_takes_finite_numbers_within_its_bounds(
    domain: Domain, value: object, accepted: bool
) -> None:
    assert domain.accepts(value) is accepted


@given(
    st.one_of(st.floats(), st.integers(-(10**6), 10**6)),
    st.one_of(st.none(), st.floats(-10, 10)),
    st.one_of(st.none(), st.floats(-10, 10)),
)
def test_numeric_domain_accepts_exactly_the_finite_values_between_its_bounds(
    value: float, low: float | None, high: float | None
) -> None:
    expected = (
        math.isfinite(value) and (low is None or value >= low) and (high is None or value <= high)
    )
    assert Domain(minimum=low, maximum=high).accepts(value) is expected


def test_an_entry_with_no_words_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="entry '!!' has no words after removing punc"):
        UrgencyLexicon(words={"!!": 1.0})


def test_a_phrase_may_have_two_to_four_words() -> None:
    lexicon = UrgencyLexicon(words={}, phrases={"one two three four": 1.0, "a b": 0.5})
    assert lexicon.points("so one two three four") == 1.0
    assert lexicon.points("a b") == 0.5
    with pytest.raises(ValidationError, match="phrase 'one two three four five' must have 2 to 4"):
        UrgencyLexicon(phrases={"one two three four five": 1.0})
    with pytest.raises(ValidationError, match="phrase 'one' must have 2 to 4 words; use 'words'"):
        UrgencyLexicon(phrases={"one": 1.0})


def test_capital_x_is_read_like_any_letter_on_the_ascii_path() -> None:
    lexicon = UrgencyLexicon(words={"tax": 1.0}, phrases={})
    assert lexicon.points("TAX") == 1.0
    assert lexicon.points("Tax") == 1.0
    # ten capitals in long words, all of them X: shouted
    assert UrgencyLexicon().points("XXXXX XXXXX") == UrgencyLexicon().caps_points


def test_at_one_token_the_word_is_summed_before_the_phrases_it_starts() -> None:
    # Float sums depend on their order: (0.1 + 0.4) + 0.1 is 0.6, while
    # (0.1 + 0.1) + 0.4 is 0.6000000000000001. The documented order is the order
    # of first appearance, and at one token its word, then its phrases.
    lexicon = UrgencyLexicon(words={"c": 0.1, "w": 0.4}, phrases={"w z": 0.1})
    assert lexicon.points("c w z") == (0.1 + 0.4) + 0.1
    assert (0.1 + 0.4) + 0.1 != (0.1 + 0.1) + 0.4  # the test can tell the orders apart
