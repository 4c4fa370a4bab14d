"""Tone from text: a small, documented, replaceable lexicon scoring in [-1, 1].

The one definition of tone: the ``negativity`` signal and the classifier in
:mod:`prioritize.routing` both read it.

The text is normalised first (NFKC, so full-width "！" is "!"; format
characters such as zero-width spaces and joiners, and emoji variation
selectors, removed), then split into tokens in one linear pass: runs of
letters and digits (apostrophes dropped, so "can't" is "cant"), and each
emoji or other symbol on its own. There is no regular expression.

Walking the tokens once, left to right:

* a lexicon phrase (2-4 tokens, e.g. "never arrived", "thanks for nothing")
  starting at a token adds its valence and consumes its tokens; phrases
  carry their own meaning, so they are never negated;
* a lexicon word or emoji adds its valence, times ``intensifier_factor`` if
  the token before is an intensifier ("very", "so"), times
  ``caps_factor`` if the word is written in ALL CAPS (three letters or
  more) in a text that is not all capitals, and times ``negation_factor``
  (negative: the sign flips, "not happy" < 0 < "not bad") if a negator
  ("not", "never", "dont"...) is among the ``negation_window`` tokens
  before it;
* after "but", valences weigh ``but_factor`` more and those before it
  less (``1 / but_factor``): "nice box but it arrived broken" is negative.

Then ``exclamation_step`` per "!" (at most three) is added in the direction
of the sum; a shouted text (``caps_min_letters`` letters or more in ALL-CAPS
tokens of three letters or more) is multiplied by ``caps_factor``, or, if
nothing else scored, gets ``shout_valence`` (a shouted customer message with
no other cue is usually an angry one). Emoticons (":)", ":(") count once
each, by substring. The score is ``s / sqrt(s² + saturation)``, in (-1, 1)
(VADER's normalisation). Tone is ``negative`` at ``score <= -threshold``,
``positive`` at ``score >= threshold``, else ``neutral``.

Work is linear in the length of the text for a given lexicon.
"""

from __future__ import annotations

import math
import string
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
)

from prioritize.signals._lexicon import MAX_TEXT_CHARS, cue_entries

__all__ = [
    "DEFAULT_EMOTICONS",
    "DEFAULT_TONE_PHRASES",
    "DEFAULT_TONE_WORDS",
    "ToneLexicon",
    "ToneReading",
    "normalise_text",
    "text_tokens",
    "text_tone",
]

Tone = Literal["negative", "neutral", "positive"]
_Valence = Annotated[float, Field(ge=-5, le=5, allow_inf_nan=False)]
_Factor = Annotated[float, Field(ge=1, le=5, allow_inf_nan=False)]

DEFAULT_TONE_WORDS: dict[str, float] = {
    # negative
    "angry": -2.5, "annoyed": -2.0, "annoying": -2.0, "awful": -2.5, "bad": -2.0,
    "broken": -1.8, "broke": -1.5, "crap": -2.5, "damaged": -1.8, "defective": -2.0,
    "disappointed": -2.2, "disappointing": -2.2, "disgusted": -2.8, "disgrace": -2.8,
    "disgraceful": -2.8, "dreadful": -2.5, "fail": -2.0, "failed": -1.8, "fails": -1.8,
    "frustrated": -2.2, "frustrating": -2.2, "furious": -3.0, "garbage": -2.5,
    "hate": -2.8, "horrible": -2.8, "joke": -1.5, "lost": -1.2, "mess": -1.8,
    "missing": -1.2, "nightmare": -2.5, "pathetic": -2.8, "poor": -1.8,
    "problem": -1.2, "problems": -1.2, "rubbish": -2.5, "ridiculous": -2.5,
    "rude": -2.5, "sad": -1.8, "scam": -3.0, "shocking": -2.3, "sucks": -2.5,
    "terrible": -2.8, "unacceptable": -2.8, "unhappy": -2.2, "upset": -2.0,
    "useless": -2.5, "waste": -2.0, "wasted": -2.0, "worse": -2.3, "worst": -3.0,
    "wrong": -1.5, "fed": -0.5, "incompetent": -2.8, "ignored": -2.2, "ignoring": -2.2,
    "overcharged": -2.2, "stolen": -2.0, "fraud": -2.8, "hopeless": -2.5,
    "appalling": -3.0, "outrageous": -2.8, "lousy": -2.3, "ugh": -1.8, "wtf": -2.5,
    "sick": -1.5, "tired": -1.2, "unusable": -2.5, "refund": -0.8, "late": -1.2,
    "delayed": -1.2, "stuck": -1.5, "cancelled": -0.8, "error": -1.0, "crashes": -1.5,
    "crashed": -1.5, "crashing": -1.5, "freezes": -1.5, "leaking": -1.5,
    "slow": -1.2, "never": -0.8, "sorry": -0.3, "twice": -1.2, "hacked": -2.2, "nobody": -1.2,
    "disappeared": -1.8, "gone": -0.8, "bricked": -2.8, "complaint": -1.5, "faulty": -2.0,
    "invalid": -1.0, "misleading": -2.3, "declined": -1.2, "suspended": -1.5,
    "ignores": -1.5, "issue": -1.0, "issues": -1.0, "charged": -0.8, "devastated": -3.0,
    "seriously": -0.5, "escalated": -1.5, "escalate": -1.5, "again": -0.6,
    # positive
    "amazing": 2.8, "appreciate": 2.0, "appreciated": 2.0, "awesome": 2.8,
    "best": 2.5, "brilliant": 2.8, "cheers": 1.2, "delighted": 2.8, "easy": 1.5,
    "excellent": 2.8, "fantastic": 2.8, "fast": 1.2, "fine": 0.8, "good": 1.9,
    "glad": 2.0, "great": 2.3, "happy": 2.3, "helpful": 2.2, "impressed": 2.4,
    "kind": 1.8, "love": 2.6, "loved": 2.6, "loving": 2.4, "lovely": 2.5,
    "nice": 1.8, "perfect": 2.7, "pleased": 2.2, "quick": 1.2, "recommend": 2.0,
    "smooth": 1.5, "superb": 2.8, "thank": 1.8, "thanks": 1.8, "thx": 1.6,
    "ty": 1.4, "wonderful": 2.8, "wow": 1.5, "works": 0.8, "worked": 0.8,
    "resolved": 1.5, "fixed": 1.2, "legend": 2.2, "legends": 2.2, "kudos": 2.4,
    "star": 1.2, "stars": 1.0, "hero": 2.2, "heroes": 2.2, "cool": 1.3,
    "exceeded": 2.0, "grateful": 2.5, "thankful": 2.4, "pleasure": 2.0,
    "wonderfully": 2.5, "beautiful": 2.4, "beautifully": 2.4, "solid": 1.2,
    "please": 0.2, "interested": 0.3, "excited": 2.2,
    # emoji
    "😡": -3.0, "😠": -2.8, "🤬": -3.2, "👎": -2.5, "😤": -2.4, "😞": -2.0,
    "😢": -2.0, "😭": -2.2, "🙄": -1.8, "💩": -2.5, "😒": -1.8, "😩": -2.0,
    "😫": -2.0, "😑": -1.0, "😐": -0.5, "🤦": -1.8,
    "😊": 2.4, "🙏": 1.8, "👍": 2.0, "❤": 2.6, "😍": 2.8, "🥰": 2.8, "😀": 2.2,
    "😃": 2.2, "😄": 2.2, "🙂": 1.5, "👏": 2.2, "🎉": 2.2, "💯": 2.0, "⭐": 1.5,
    "🌟": 1.8, "😁": 2.2, "💙": 2.2, "💚": 2.2, "🤩": 2.8, "👌": 1.8,
}  # fmt: skip

DEFAULT_TONE_PHRASES: dict[str, float] = {
    # things that did not happen (neutral words, negative as a whole)
    "never arrived": -2.2, "never came": -2.2, "never received": -2.2,
    "not arrived": -1.8, "hasnt arrived": -1.8, "havent received": -1.8,
    "didnt arrive": -1.8, "didnt receive": -1.8, "not received": -1.8,
    "still waiting": -2.0, "still not": -1.5, "still no": -1.8, "no answer": -1.8,
    "no response": -1.8, "no reply": -1.8, "no one": -1.2,
    "not working": -2.0, "doesnt work": -2.0, "does not work": -2.0, "dont work": -2.0,
    "stopped working": -2.0, "not work": -2.0, "cant log": -1.5, "cannot log": -1.5,
    "locked out": -1.8, "charged twice": -2.0, "double charged": -2.0,
    "waste of time": -2.5, "waste of money": -2.8, "fed up": -2.5, "had enough": -2.3,
    "sick of": -2.3, "tired of": -2.0, "for weeks": -1.0, "for days": -0.8,
    "on hold": -1.2, "no help": -2.0, "no show": -2.2, "not here": -1.5,
    "did not authorise": -2.2, "didnt authorise": -2.2, "days ago": -0.8, "weeks ago": -1.2,
    "no complaints": 2.0, "cant fault": 2.4, "cannot fault": 2.4, "would love": 0.8,
    "not answering": -1.8, "passed between": -1.8, "take my money": -1.5, "let down": -2.2,
    "third time": -1.5,
    # sarcasm and idioms
    "thanks for nothing": -3.0, "thanks a lot": -0.5, "oh great": -2.0,
    "just great": -2.0, "oh wonderful": -2.0, "yeah right": -2.0,
    "great job": 1.0, "love how": -1.5, "love that": -0.5, "love waiting": -2.5,
    "so much for": -2.0, "what a joke": -2.5, "not impressed": -2.4,
    "never again": -2.8, "not good enough": -2.5, "well done": 2.2,
    # positive idioms
    "thank you": 2.2, "thanks so much": 2.5, "much appreciated": 2.4,
    "no problem": 1.0, "no worries": 1.2, "no issues": 1.2, "not a problem": 1.0,
    "sorted out": 1.2, "above and beyond": 2.8, "spot on": 2.2, "top notch": 2.6,
    "made my day": 2.8, "keep it up": 2.0, "five stars": 2.4, "5 stars": 2.4,
    "thank u": 2.0, "works perfectly": 2.6, "works great": 2.6,
}  # fmt: skip

DEFAULT_EMOTICONS: dict[str, float] = {
    ":)": 1.8, ":-)": 1.8, ":D": 2.2, ";)": 1.2, ":(": -1.8, ":-(": -1.8, ":/": -1.0,
    ">:(": -2.5, "</3": -2.0, "<3": 2.2,
}  # fmt: skip

DEFAULT_NEGATORS: tuple[str, ...] = (
    "not", "no", "never", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent",
    "cant", "cannot", "couldnt", "wont", "wouldnt", "hasnt", "havent", "hadnt",
    "shouldnt", "aint", "nothing", "nowhere", "neither", "nor", "without", "hardly",
)  # fmt: skip

DEFAULT_INTENSIFIERS: tuple[str, ...] = (
    "very", "so", "really", "extremely", "totally", "absolutely", "super", "incredibly",
    "completely", "utterly", "truly", "soo", "sooo", "too", "most", "such", "fully",
    "seriously", "literally", "beyond", "highly",
)  # fmt: skip

_MAX_PHRASE_TOKENS = 4
_APOSTROPHES = "'’‘ʼ"
#: The token a sentence end (".", "!", "?", ";") becomes: negation does not cross it.
STOP = "."
_STOPS = ".!?;"
# ASCII fast path: punctuation and control characters become spaces, apostrophes vanish.
_ASCII_SEPARATORS = (
    "".join(c for c in string.punctuation if c not in _APOSTROPHES and c not in _STOPS)
    + "".join(map(chr, range(32)))
    + "\x7f"
)
_ASCII_TABLE = str.maketrans(
    dict.fromkeys(_ASCII_SEPARATORS, " ")
    | dict.fromkeys(_APOSTROPHES, None)
    | dict.fromkeys(_STOPS, f" {STOP} ")
)
# Variation selectors and skin-tone modifiers: kept off emoji tokens so "❤️" is "❤".
_DROPPED_MARKS = frozenset(
    [chr(c) for c in range(0xFE00, 0xFE10)] + [chr(c) for c in range(0x1F3FB, 0x1F400)]
)


def normalise_text(text: str) -> str:
    """``text`` in NFKC with format characters (zero-width spaces, joiners...) removed."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    category = unicodedata.category
    return "".join(c for c in text if category(c) != "Cf" and c not in _DROPPED_MARKS)


def _tokens_slow(text: str) -> list[str]:
    """Tokens of normalised ``text``, one character at a time (any text)."""
    out: list[str] = []
    word: list[str] = []
    category = unicodedata.category
    for c in text:
        if c.isalnum():
            word.append(c)
        elif c in _APOSTROPHES:
            continue
        else:
            if word:
                out.append("".join(word))
                word = []
            if c in _STOPS:
                out.append(STOP)
            elif not c.isascii() and category(c) == "So":
                out.append(c)
    if word:
        out.append("".join(word))
    return out


def text_tokens(text: str) -> list[str]:
    """The tokens of ``text`` after :func:`normalise_text`, case kept.

    Words are runs of letters and digits (apostrophes dropped); each
    non-ASCII symbol (an emoji: Unicode category So) is a token of its own,
    and so is each sentence end (".", "!", "?", ";" become :data:`STOP`);
    everything else separates.
    """
    text = normalise_text(text)
    if text.isascii():
        return text.translate(_ASCII_TABLE).split()
    return _tokens_slow(text)


def _check_entries(value: dict[str, float], *, phrases: bool) -> dict[str, float]:
    return cue_entries(value, text_tokens, phrases=phrases, max_words=_MAX_PHRASE_TOKENS)


@dataclass(frozen=True, slots=True)
class ToneReading:
    """What the tone lexicon read in a text.

    Attributes
    ----------
    tokens
        The lower-cased tokens (:func:`text_tokens`).
    score
        Tone in (-1, 1): negative below 0.
    tone
        ``"negative"``, ``"neutral"`` or ``"positive"`` by the lexicon's threshold.
    confidence
        How far the score is past the threshold it crossed (or, for neutral,
        from the nearer threshold), scaled to [0, 1].
    exclamations, shouted, questions
        The number of "!" (all of them), whether the text is shouted, the number of "?".
    """

    tokens: tuple[str, ...]
    score: float
    tone: Tone
    confidence: float
    exclamations: int
    shouted: bool
    questions: int


class ToneLexicon(BaseModel):
    """Tone cues and their valences; replace any part in a config (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    words: dict[str, _Valence] = Field(default_factory=lambda: dict(DEFAULT_TONE_WORDS))
    phrases: dict[str, _Valence] = Field(default_factory=lambda: dict(DEFAULT_TONE_PHRASES))
    emoticons: dict[str, _Valence] = Field(default_factory=lambda: dict(DEFAULT_EMOTICONS))
    negators: tuple[str, ...] = DEFAULT_NEGATORS
    intensifiers: tuple[str, ...] = DEFAULT_INTENSIFIERS
    negation_factor: Annotated[float, Field(ge=-2, le=0, allow_inf_nan=False)] = -0.74
    negation_window: Annotated[int, Field(ge=0, le=5)] = 3
    intensifier_factor: _Factor = 1.3
    caps_factor: _Factor = 1.4
    but_factor: _Factor = 1.5
    caps_min_letters: Annotated[int, Field(ge=1)] = 10
    shout_valence: _Valence = -1.5
    exclamation_step: Annotated[float, Field(ge=0, le=2, allow_inf_nan=False)] = 0.3
    saturation: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 15.0
    threshold: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)] = 0.2

    _phrase_starts: dict[str, tuple[tuple[tuple[str, ...], float], ...]] = PrivateAttr(
        default_factory=dict
    )

    def model_post_init(self, context: Any, /) -> None:
        starts: dict[str, list[tuple[tuple[str, ...], float]]] = {}
        for phrase, valence in self.phrases.items():
            words = tuple(phrase.split(" "))
            starts.setdefault(words[0], []).append((words, valence))
        # Longest phrase first at a token: "thanks for nothing" before "thanks a lot".
        self._phrase_starts = {
            w: tuple(sorted(v, key=lambda e: -len(e[0]))) for w, v in starts.items()
        }

    @field_validator("words", "phrases")
    @classmethod
    def _check_cues(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        return _check_entries(value, phrases=info.field_name == "phrases")

    @field_validator("emoticons")
    @classmethod
    def _check_emoticons(cls, value: dict[str, float]) -> dict[str, float]:
        for key in value:
            if not key or key != key.strip():
                raise ValueError(f"emoticon {key!r} must be non-empty without spaces around")
        return value

    @field_validator("negators", "intensifiers")
    @classmethod
    def _single_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for entry in value:
            tokens = [t.lower() for t in text_tokens(entry)]
            if len(tokens) != 1:
                raise ValueError(f"{entry!r} must be a single word")
            out.append(tokens[0])
        return tuple(out)

    def read(self, text: str) -> ToneReading:
        """Everything the lexicon reads in ``text`` (see :class:`ToneReading`)."""
        return _read(self, text)

    def score(self, text: str) -> float:
        """Tone of ``text`` in (-1, 1)."""
        return _read(self, text).score


def _read(lex: ToneLexicon, text: str) -> ToneReading:
    # The same bound as the urgency lexicon: the tone of a message is in its start.
    text = normalise_text(text[:MAX_TEXT_CHARS])
    raw = text.translate(_ASCII_TABLE).split() if text.isascii() else _tokens_slow(text)
    lower = [t.lower() for t in raw]
    words, negators, intensifiers = lex.words, lex.negators, lex.intensifiers
    starts = lex._phrase_starts
    caps_letters = sum(len(t) for t in raw if len(t) >= 3 and t.isupper())
    letters = sum(len(t) for t in raw if t.isalpha())
    all_caps = letters > 0 and caps_letters >= letters
    terms: list[float] = []  # valence of each cue, with its position in `but` order
    but_at = -1
    last_negator = -(10**9)
    n = len(lower)
    i = 0
    while i < n:
        token = lower[i]
        matched = False
        for phrase, valence in starts.get(token, ()):
            k = len(phrase)
            if tuple(lower[i : i + k]) == phrase:
                terms.append(valence)
                i += k
                matched = True
                break
        if matched:
            continue
        if token == "but":
            but_at = len(terms)
        elif token == STOP:
            last_negator = -(10**9)  # negation ends with the sentence
        found = words.get(token)
        if found is None:
            pass
        elif token.isalnum():
            valence = found
            if i > 0 and lower[i - 1] in intensifiers:
                valence *= lex.intensifier_factor
            if not all_caps and len(raw[i]) >= 3 and raw[i].isupper():
                valence *= lex.caps_factor
            if i - last_negator <= lex.negation_window:
                valence *= lex.negation_factor
            terms.append(valence)
        else:
            terms.append(found)  # an emoji: never negated or intensified
        if token in negators:
            last_negator = i
        i += 1
    for emoticon, valence in lex.emoticons.items():
        if emoticon in text:
            terms.append(valence)
    if but_at >= 0:
        terms = [t / lex.but_factor for t in terms[:but_at]] + [
            t * lex.but_factor for t in terms[but_at:]
        ]
    total = math.fsum(terms)
    exclamations = text.count("!")
    shouted = caps_letters >= lex.caps_min_letters
    if shouted:
        total = total * lex.caps_factor if total else lex.shout_valence
    if total and exclamations:
        total += math.copysign(lex.exclamation_step * min(exclamations, 3), total)
    score = total / math.sqrt(total * total + lex.saturation)
    threshold = lex.threshold
    if score <= -threshold:
        tone: Tone = "negative"
        confidence = (-score - threshold) / (1 - threshold)
    elif score >= threshold:
        tone = "positive"
        confidence = (score - threshold) / (1 - threshold)
    else:
        tone = "neutral"
        confidence = 1 - abs(score) / threshold
    return ToneReading(
        tuple(lower),
        score,
        tone,
        min(1.0, max(0.0, confidence)),
        exclamations,
        shouted,
        text.count("?"),
    )


_DEFAULT = ToneLexicon()


def text_tone(text: str, lexicon: ToneLexicon | None = None) -> float:
    """Tone in (-1, 1) of ``text`` under ``lexicon`` (the default one if None)."""
    return _read(lexicon or _DEFAULT, text).score
