"""Urgency from text: a small, documented, replaceable lexicon.

The score is ``1 - exp(-points)`` where ``points`` adds, each at most once:

* the points of every distinct lexicon word in the text (case-insensitive,
  punctuation ignored, apostrophes dropped so "can't" is "cant"),
* the points of every distinct lexicon phrase (2–4 consecutive words, e.g.
  "still waiting", "third time" — repeat-contact phrases weigh most),
* ``exclamation_points`` if the text has a run of two or more "!",
* ``caps_points`` if the text is shouted: at least ``caps_min_letters``
  letters in ALL-CAPS words of three or more letters (so "I" and "OK" do not
  count; a text full of long acronyms may).

Each cue counts once, so repeating a word cannot push urgency further. Every
cue only grows as text is added, so appending anything after a space never
lowers urgency (a property test).

Only the first :data:`MAX_TEXT_CHARS` (10,000) characters are read: the
urgency of a message is in its first few thousand characters, and a bound on
the text is a bound on the work. The text is normalised first (Unicode NFKC,
so fullwidth ``ＲＥＦＵＮＤ`` is ``REFUND``; format characters such as
zero-width spaces removed; control characters such as NUL read as spaces), so
none of them hides a cue.

The work per character is bounded whatever the lexicon: ``translate`` and
``split`` (an ASCII text as bytes, never decoded: its tokens are looked up
in a bytes-keyed copy of the trie), a C set test of whether any token starts
a cue, then one set test per token and one walk of a word trie from each
token that starts a cue, at most four tokens deep (a phrase has at most four
words), so 10,000 phrases sharing a first word cost no more per token than
one. Cues are summed in the order the walk finds them, which is the order of
(place, rank) unless a lexicon lists a phrase before a shorter one it starts
with (then sorted). There is no regular expression to blow up on hostile
input. The lexicon keeps no cache; a policy keeps the urgency of a bounded
number of recent short texts (``TEXT_CACHE_SIZE`` in the signal registry), so
a query re-scored as it waits does not pay for its text again.
"""

from __future__ import annotations

import math
import string
import unicodedata
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

__all__ = [
    "DEFAULT_PHRASES",
    "DEFAULT_WORDS",
    "MAX_TEXT_CHARS",
    "UrgencyLexicon",
    "text_urgency",
]

#: Only the first this many characters of a text are read for urgency.
MAX_TEXT_CHARS = 10_000

_Points = Annotated[float, Field(ge=0, allow_inf_nan=False)]

DEFAULT_WORDS: dict[str, float] = {
    # money and orders
    "refund": 0.6,
    "refunded": 0.4,
    "chargeback": 0.8,
    "charged": 0.4,
    "overcharged": 0.7,
    "fraud": 0.9,
    "scam": 0.7,
    "stolen": 0.8,
    "hacked": 0.9,
    "cancel": 0.5,
    "cancelled": 0.5,
    "canceled": 0.5,
    "cancellation": 0.5,
    # things broken
    "broken": 0.5,
    "broke": 0.4,
    "damaged": 0.5,
    "defective": 0.5,
    "missing": 0.4,
    "lost": 0.4,
    "error": 0.3,
    "failed": 0.4,
    "outage": 0.7,
    "crash": 0.4,
    "crashed": 0.4,
    # explicit urgency
    "urgent": 0.7,
    "urgently": 0.7,
    "asap": 0.6,
    "emergency": 0.9,
    "immediately": 0.5,
    "today": 0.2,
    # escalation
    "unacceptable": 0.5,
    "complaint": 0.4,
    "lawyer": 0.8,
    "legal": 0.5,
    "ridiculous": 0.3,
    "worst": 0.3,
    "terrible": 0.3,
    "furious": 0.4,
    "disgusted": 0.4,
}

DEFAULT_PHRASES: dict[str, float] = {
    # repeat contact: the customer already tried and got nowhere
    "still waiting": 0.8,
    "still no": 0.6,
    "no answer": 0.7,
    "no response": 0.7,
    "no reply": 0.7,
    "nobody answered": 0.7,
    "nobody replied": 0.7,
    "second time": 0.6,
    "third time": 0.8,
    "called twice": 0.7,
    "emailed twice": 0.7,
    "tried calling": 0.6,
    "tried everything": 0.6,
    "been waiting": 0.6,
    "on hold": 0.5,
    "days ago": 0.4,
    "weeks ago": 0.6,
    # things broken
    "not working": 0.5,
    "doesnt work": 0.5,
    "does not work": 0.5,
    "cant log": 0.6,
    "locked out": 0.7,
    "double charged": 0.8,
    "charged twice": 0.8,
    "money back": 0.6,
}

_PUNCT = string.punctuation.replace("'", "") + "“”‘–—…«»¿¡"
# Control characters (NUL, DEL, C1) read as spaces; format characters (zero-width
# space and joiners, soft hyphen, bidi marks) are removed: neither can hide a cue.
_CONTROL = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
#: Unicode format characters (category Cf, as of Unicode 15.1), as inclusive ranges.
FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip
_FORMAT = [chr(c) for lo, hi in FORMAT_RANGES for c in range(lo, hi + 1)]
_TRANSLATE = str.maketrans(
    dict.fromkeys(_PUNCT + "".join(_CONTROL), " ") | dict.fromkeys(_FORMAT) | {"'": None, "’": None}
)
# The same cleaning for ASCII text as bytes: one C pass instead of a look-up per character.
_ASCII_PUNCT = "".join(c for c in _PUNCT + "".join(_CONTROL) if c.isascii()).encode("ascii")
_ASCII_TABLE = bytes.maketrans(_ASCII_PUNCT, b" " * len(_ASCII_PUNCT))
# The cleaning and lower-casing at once, for the tokens (apostrophes deleted too).
_ASCII_LOWER = bytes.maketrans(
    _ASCII_PUNCT + string.ascii_uppercase.encode("ascii"),
    b" " * len(_ASCII_PUNCT) + string.ascii_lowercase.encode("ascii"),
)
# Bytes of a raw ASCII text that cannot be in an ALL-CAPS token once cleaned: ASCII
# lowercase letters, whitespace, and what the cleaning turns into spaces or deletes.
_ASCII_NOT_CAPS = (string.ascii_lowercase + string.whitespace + "'").encode("ascii") + _ASCII_PUNCT
_MAX_PHRASE_WORDS = 4


def cue_entries(
    entries: dict[str, float],
    tokens: Callable[[str], list[str]],
    *,
    phrases: bool,
    max_words: int,
) -> dict[str, float]:
    """A lexicon's ``words`` or ``phrases`` keyed by their lower-case tokens, checked.

    The one check of a lexicon entry (urgency and tone): a word is one token,
    a phrase 2 to ``max_words``; an entry with no token is an error.
    """
    out: dict[str, float] = {}
    for key, value in entries.items():
        found = [t.lower() for t in tokens(key)]
        if not found:
            raise ValueError(f"entry {key!r} has no words after removing punctuation")
        if phrases and not 2 <= len(found) <= max_words:
            raise ValueError(
                f"phrase {key!r} must have 2 to {max_words} words; use 'words' for one"
            )
        if not phrases and len(found) != 1:
            raise ValueError(f"word {key!r} must be a single word; put it in 'phrases'")
        out[" ".join(found)] = value
    return out


def _normalise(words: dict[str, float], *, phrases: bool) -> dict[str, float]:
    return cue_entries(
        words,
        lambda key: key.translate(_TRANSLATE).split(),
        phrases=phrases,
        max_words=_MAX_PHRASE_WORDS,
    )


# What _read reads after its first argument (see UrgencyLexicon.model_post_init).
_Tables = tuple[
    dict[Any, Any],
    frozenset[Any],
    dict[Any, Any],
    frozenset[Any],
    tuple[float, ...],
    tuple[int, ...] | None,
    float,
    float,
    int,
]


class UrgencyLexicon(BaseModel):
    """Urgency cues and their points; replace any part in a policy's config."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    words: dict[str, _Points] = Field(default_factory=lambda: dict(DEFAULT_WORDS))
    phrases: dict[str, _Points] = Field(default_factory=lambda: dict(DEFAULT_PHRASES))
    exclamation_points: _Points = 0.4
    caps_points: _Points = 0.5
    caps_min_letters: Annotated[int, Field(ge=1)] = 10

    # What _read reads, in one private read: the word trie keyed by bytes (the
    # ASCII tokens of the cues: an ASCII text's tokens are never decoded) and the
    # set of its first tokens, the same two keyed by str, the points and the rank
    # of each cue by number (no ranks: they grow with depth on every path of the
    # trie), exclamation_points, caps_points, caps_min_letters. Plain values:
    # equal lexicons compare equal, and pickle.
    _tables: _Tables = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        # The word trie: token -> node, a node is (cue number or None, children).
        # A cue's rank at its first token: 0 for the word itself, then the phrases
        # starting with that word in lexicon order.
        trie: dict[str, Any] = {}
        ranks: list[int] = []
        firsts: dict[str, int] = {}  # first token -> cues starting with it so far
        entries = [(w, True) for w in self.words]
        entries += [(ph, False) for ph in self.phrases]
        for number, (cue, is_word) in enumerate(entries):
            tokens = cue.split(" ")
            if is_word:
                ranks.append(0)
            else:
                firsts[tokens[0]] = firsts.get(tokens[0], 0) + 1
                ranks.append(firsts[tokens[0]])
            level = trie
            for token in tokens[:-1]:
                level = level.setdefault(token, [None, {}])[1]
            level.setdefault(tokens[-1], [None, {}])[0] = number
        by_bytes, by_str = _frozen(trie, bytes_keys=True), _frozen(trie, bytes_keys=False)
        self._tables = (
            by_bytes,
            frozenset(by_bytes),
            by_str,
            frozenset(by_str),
            (*self.words.values(), *self.phrases.values()),
            None if _deeper_ranks_higher(trie, ranks, -1) else tuple(ranks),
            self.exclamation_points,
            self.caps_points,
            self.caps_min_letters,
        )

    @field_validator("words")
    @classmethod
    def _check_words(cls, value: dict[str, float]) -> dict[str, float]:
        return _normalise(value, phrases=False)

    @field_validator("phrases")
    @classmethod
    def _check_phrases(cls, value: dict[str, float]) -> dict[str, float]:
        return _normalise(value, phrases=True)

    def points(self, text: str) -> float:
        """The raw points of ``text`` (see the module docstring)."""
        tables: _Tables = self.__pydantic_private__["_tables"]  # type: ignore[index]
        return _read(False, *tables, text)

    def score(self, text: str) -> float:
        """Urgency of ``text`` in [0, 1): ``1 - exp(-points)``."""
        tables: _Tables = self.__pydantic_private__["_tables"]  # type: ignore[index]
        return _read(True, *tables, text)

    def scorer(self) -> Callable[[str], float]:
        """:meth:`score` as one function of the text (one call: a policy's per-query path)."""
        return partial(_read, True, *self._tables)


def _frozen(trie: dict[str, Any], *, bytes_keys: bool) -> dict[Any, Any]:
    """``trie`` with tuple nodes, keyed by str or by ASCII bytes (then only its ASCII cues).

    An ASCII text can only hold ASCII tokens: its tokens are looked up as
    bytes, without decoding them, in the trie of the lexicon's ASCII tokens.
    """
    out: dict[Any, Any] = {}
    for token, (number, children) in trie.items():
        if not bytes_keys:
            out[token] = (number, _frozen(children, bytes_keys=False))
        elif token.isascii():
            out[token.encode("ascii")] = (number, _frozen(children, bytes_keys=True))
    return out


def _deeper_ranks_higher(level: dict[str, Any], ranks: list[int], above: int) -> bool:
    """Whether on every path down from ``level`` the cues' ranks grow (above: the last one).

    Then the cues found from one token, in the order the walk finds them
    (deeper later), are in rank order: no sort is needed.
    """
    for number, children in level.values():
        rank = above if number is None else ranks[number]
        if rank < above or not _deeper_ranks_higher(children, ranks, rank):
            return False
    return True


def _read(
    score: bool,
    by_bytes: dict[Any, Any],
    firsts_bytes: frozenset[Any],
    by_str: dict[Any, Any],
    firsts_str: frozenset[Any],
    points_of: tuple[float, ...],
    ranks: tuple[int, ...] | None,
    exclamation_points: float,
    caps_points: float,
    caps_min_letters: int,
    text: str,
) -> float:
    """The points of ``text`` (``score``: its urgency, ``1 - exp(-points)``)."""
    if not text:
        return 0.0
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
    trie: dict[Any, Any]
    tokens: list[Any]
    clean: Any
    if text.isascii():
        raw = text.encode("ascii")
        # Every character of an ALL-CAPS token is neither lowercase nor a space once
        # cleaned: fewer such characters than caps_min_letters means no shouting.
        shout = len(raw.translate(None, _ASCII_NOT_CAPS))
        clean = None
        tokens = raw.translate(_ASCII_LOWER, b"'").split()
        trie, firsts = by_bytes, firsts_bytes
    else:
        text = unicodedata.normalize("NFKC", text)
        clean = text.translate(_TRANSLATE)
        shout = len(clean)
        tokens = clean.lower().split()
        trie, firsts = by_str, firsts_str
    points = 0.0
    if not firsts.isdisjoint(tokens):
        # Each cue counts once, at its first appearance; cues are summed in the
        # order they first appear (at one token: its word, then the phrases it
        # starts, in lexicon order). Deterministic, and appending text only adds
        # terms, so urgency never drops. Phrases match whole consecutive tokens.
        found: dict[int, int] = {}  # cue number -> where it first appears
        n = len(tokens)
        at = -1
        for token in tokens:
            at += 1
            if token not in firsts:
                continue
            # A walk down the trie from a cue token: at most four tokens deep.
            number, level = trie[token]
            depth = at
            while True:
                if number is not None and number not in found:
                    found[number] = at
                depth += 1
                if not level or depth >= n:
                    break
                node = level.get(tokens[depth])
                if node is None:
                    break
                number, level = node
        # Found in order of (place, depth): the order of (place, rank) when ranks
        # grow with depth, else sorted.
        order = found if ranks is None else sorted(found, key=lambda k: (found[k], ranks[k]))
        for number in order:
            points += points_of[number]
    if "!!" in text:
        points += exclamation_points
    if shout >= caps_min_letters:
        caps = 0
        if clean is None:
            clean = text.encode("ascii").translate(_ASCII_TABLE, b"'")
        for token in clean.split():
            if len(token) >= 3 and token.isupper():
                caps += len(token)
        if caps >= caps_min_letters:
            points += caps_points
    return 1.0 - math.exp(-points) if score else points


_DEFAULT = UrgencyLexicon()


def text_urgency(text: str, lexicon: UrgencyLexicon | None = None) -> float:
    """Urgency in [0, 1) of ``text`` under ``lexicon`` (the default one if None)."""
    return (lexicon or _DEFAULT).score(text)
