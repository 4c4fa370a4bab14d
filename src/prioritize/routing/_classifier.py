"""The default classifier: keyword rules and the tone lexicon, configured as data.

A query's ``type`` and ``topic`` are each chosen from points: every cue of a
label (a word, or a phrase of 2-4 words) found in the text adds its points
once. ``type`` also gets ``question_mark_points`` if the text has a "?",
``tone_points × negativity`` for ``complaint`` and ``tone_points ×
positivity`` for ``praise`` (tone from :class:`~prioritize.signals.ToneLexicon`).
The points of the labels that have any, and ``general_points`` for the
general label (``other`` for type, ``general`` for topic), go through a
softmax: the winner's share is its **confidence** (a text with no cue at all
gets the general label with confidence 1). A label below ``min_confidence`` is
replaced by the general one (with the general label's own share as its
confidence), so an unsure message goes to a general queue rather than to a
wrong specialist. Tone is the lexicon's own label (``neutral`` between its
thresholds).

Work is linear in the length of the text for a given config: one
tokenisation, one set intersection per label, one substring search per cue
the text contains. No regular expression.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from prioritize.routing._teams import _FileModel
from prioritize.signals import ToneLexicon, text_tokens

__all__ = [
    "DEFAULT_TOPICS",
    "DEFAULT_TYPES",
    "GENERAL_TOPIC",
    "OTHER_TYPE",
    "TYPES",
    "Classifier",
    "Cues",
    "Labels",
]

TypeName = Literal["complaint", "question", "request", "praise", "lead"]
#: The query types a classifier may return, ``other`` last (the general one).
TYPES: tuple[str, ...] = ("complaint", "question", "request", "praise", "lead", "other")
OTHER_TYPE = "other"
GENERAL_TOPIC = "general"
_MAX_PHRASE_WORDS = 4
_Points = Annotated[float, Field(ge=0, le=20, allow_inf_nan=False)]
_Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


def _cue_key(key: str) -> str:
    tokens = [t.lower() for t in text_tokens(key)]
    if not tokens:
        raise ValueError(f"cue {key!r} has no words after removing punctuation")
    if len(tokens) > _MAX_PHRASE_WORDS:
        raise ValueError(f"cue {key!r} has more than {_MAX_PHRASE_WORDS} words")
    return " ".join(tokens)


class Cues(BaseModel):
    """The cues of one label: words or phrases (up to four words) and their points."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cues: dict[str, _Points]

    @field_validator("cues")
    @classmethod
    def _normalise(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("a label needs at least one cue")
        return {_cue_key(k): v for k, v in value.items()}

    def points(self, tokens: frozenset[str], joined: str) -> float:
        """Points of the cues found: a word among ``tokens``, a phrase in ``joined``."""
        total = 0.0
        for cue, points in self.cues.items():
            if " " not in cue:
                if cue in tokens:
                    total += points
            elif cue.split(" ", 1)[0] in tokens and f" {cue} " in joined:
                total += points
        return total


def _cues(**groups: dict[str, float]) -> dict[str, Cues]:
    return {name: Cues(cues=cues) for name, cues in groups.items()}


DEFAULT_TYPES: dict[str, Cues] = _cues(
    complaint={
        "complaint": 2.0, "complain": 2.0, "unacceptable": 2.0, "refund": 1.0,
        "broken": 1.5, "damaged": 1.5, "never arrived": 2.0, "still waiting": 2.0,
        "worst": 1.5, "disappointed": 1.5, "terrible": 1.5, "awful": 1.5,
        "charged twice": 2.0, "double charged": 2.0, "not working": 1.0, "wrong": 1.0,
        "no response": 1.5, "no reply": 1.5, "no answer": 1.5, "ridiculous": 1.5,
        "scam": 1.5, "missing": 1.0, "late": 1.0, "rude": 1.5, "overcharged": 2.0,
        "ignored": 1.5, "useless": 1.5, "fed up": 1.5, "never again": 2.0,
        "escalate": 1.5, "thanks for nothing": 2.0, "joke": 1.0, "waste": 1.0,
        "twice": 1.5, "hacked": 1.5, "disappeared": 1.5, "faulty": 1.5, "misleading": 2.0,
        "not authorise": 2.0, "no show": 2.0, "not here": 1.5, "suspended": 1.2,
        "declined": 1.0, "still nothing": 2.0, "never comes": 1.5, "not in": 0.8,
        "days ago": 1.0, "weeks ago": 1.2, "days later": 1.2, "bricked": 2.0,
        "again": 0.8, "not impressed": 2.0, "not happy": 2.0, "wrong item": 2.0,
        "formal complaint": 2.0, "explained": 1.0, "deleted": 1.0, "ignores": 1.2,
    },
    question={
        "how": 1.0, "what": 0.8, "when": 0.8, "where": 0.8, "why": 0.8, "which": 0.8,
        "does": 0.6, "is there": 1.0, "do you": 1.2, "can i": 1.0, "wondering": 1.5,
        "any idea": 1.5, "question": 1.5, "is it possible": 1.5, "how long": 1.5,
        "how do i": 1.5, "what is": 1.0, "whats": 0.8, "anyone know": 1.5,
        "difference between": 1.5, "do i need": 1.2, "quick question": 2.0,
        "do u": 1.2, "is it": 0.8, "are you": 0.8, "will i": 1.0,
    },
    request={
        "please": 1.0, "pls": 1.0, "plz": 1.0, "cancel": 1.5, "change": 1.0,
        "update": 1.0, "reset": 1.5, "send": 1.0, "resend": 1.5, "need": 0.8,
        "would like": 1.5, "id like": 1.5, "want to": 1.2, "can you": 1.2,
        "could you": 1.5, "unsubscribe": 2.0, "remove": 1.2, "delete": 1.2,
        "close my": 1.5, "add": 0.8, "switch": 1.0, "return": 1.0, "exchange": 1.2,
        "invoice": 0.8, "receipt": 0.8, "copy of": 1.0, "callback": 1.5,
        "call me": 1.5, "refund": 0.8, "check": 0.8, "arrange": 1.5, "speak to": 1.2,
        "manager": 1.0, "pass my": 1.2, "log a": 1.5, "need a": 0.8, "want a": 0.8,
        "unsubscribe me": 2.0, "hold my": 1.5, "collect": 1.0, "apply": 1.0,
    },
    praise={
        "thank you": 1.5, "thanks": 1.0, "love": 1.0, "amazing": 1.0, "awesome": 1.0,
        "great": 0.5, "excellent": 1.0, "kudos": 2.0, "shoutout": 2.0,
        "shout out": 2.0, "well done": 1.5, "best": 0.5, "recommend": 1.0,
        "impressed": 1.0, "fantastic": 1.0, "legend": 1.5, "brilliant": 1.0,
        "above and beyond": 2.0, "made my day": 2.0, "appreciate": 1.0,
        "no complaints": 2.0, "cant fault": 2.0, "happy": 0.8, "cheers": 0.8,
    },
    lead={
        "pricing": 2.0, "price": 1.0, "prices": 1.0, "quote": 2.0, "demo": 2.0,
        "trial": 1.5, "enterprise": 2.0, "bulk": 2.0, "wholesale": 2.5,
        "interested in": 2.0, "looking to buy": 2.5, "buy": 1.0, "purchase": 0.8,
        "plans": 1.2, "sales": 1.5, "licence": 1.5, "license": 1.5, "seats": 2.0,
        "discount": 1.0, "volume": 1.2, "reseller": 2.5, "partnership": 2.0,
        "for my team": 1.5, "for our team": 1.5, "for our company": 2.0,
        "business account": 1.5, "upgrade": 0.8, "annual plan": 1.5,
        "quotation": 2.5, "stock your": 2.0, "stocking": 2.0, "trade": 1.5,
        "corporate": 2.0, "sites": 1.0, "our new office": 2.0, "whole office": 2.0,
        "contract": 1.2, "collab": 2.0, "work with": 1.2, "resellers": 2.5,
    },
)  # fmt: skip

DEFAULT_TOPICS: dict[str, Cues] = _cues(
    billing={
        "bill": 2.0, "billing": 2.5, "billed": 2.0, "charge": 2.0, "charged": 2.0,
        "charges": 2.0, "invoice": 2.5, "payment": 2.0, "paid": 1.5, "pay": 1.2,
        "refund": 2.0, "refunded": 2.0, "card": 1.2, "subscription": 1.5,
        "price": 1.0, "pricing": 1.0, "overcharged": 2.5, "receipt": 2.0,
        "money": 1.2, "fee": 2.0, "fees": 2.0, "vat": 2.0, "chargeback": 2.5,
        "discount": 1.0, "coupon": 1.5, "promo": 1.2, "credit": 1.0, "paypal": 2.0,
        "cost": 1.2, "klarna": 2.0, "direct debit": 2.5, "overdrawn": 2.0,
    },
    delivery={
        "delivery": 2.5, "delivered": 2.0, "deliver": 2.0, "shipping": 2.5,
        "shipped": 2.0, "ship": 1.5, "package": 2.0, "parcel": 2.5, "courier": 2.5,
        "tracking": 2.5, "arrived": 1.5, "arrive": 1.5, "order": 1.0, "orders": 1.0,
        "dispatch": 2.0, "dispatched": 2.0, "postman": 2.0, "driver": 1.5,
        "box": 1.0, "return": 1.2, "returns": 1.2, "exchange": 1.0, "damaged": 1.0,
        "address": 1.0, "collection": 1.2, "pickup": 1.5, "warehouse": 2.0,
        "packaging": 1.5, "wrong item": 2.0, "received": 1.0, "ordered": 0.8,
        "collect": 1.2, "click and collect": 2.5, "fitters": 1.5, "next day": 1.5,
    },
    account={
        "account": 2.5, "login": 2.5, "log in": 2.5, "password": 2.5, "username": 2.5,
        "email address": 1.5, "sign in": 2.5, "signin": 2.5, "locked out": 2.5,
        "locked": 1.5, "profile": 2.0, "verification": 2.0, "verify": 2.0,
        "2fa": 2.5, "hacked": 2.5, "unsubscribe": 1.5, "close my": 1.5,
        "delete my": 1.5, "membership": 1.5, "details": 1.0, "sign up": 1.5,
        "gdpr": 2.5, "personal data": 2.5, "sign me out": 2.5, "logs me out": 2.5,
        "points": 1.0, "loyalty": 1.5,
    },
    technical={
        "app": 2.0, "bug": 2.5, "crash": 2.5, "crashes": 2.5, "crashed": 2.5,
        "crashing": 2.5, "error": 2.5, "website": 1.5, "site": 1.2, "page": 1.2,
        "loading": 2.0, "load": 1.5, "update": 1.0, "install": 2.0, "wifi": 2.0,
        "connect": 1.5, "connection": 1.5, "firmware": 2.5, "software": 2.0,
        "api": 2.5, "browser": 2.0, "android": 2.0, "iphone": 1.5, "ios": 2.0,
        "glitch": 2.5, "freezes": 2.5, "frozen": 2.0, "not working": 1.0,
        "download": 1.5, "device": 1.5, "settings": 1.5, "sync": 2.0, "battery": 1.5,
        "screen": 1.5, "button": 1.5, "checkout": 1.0, "outage": 2.5, "down": 0.8,
        "thermostat": 2.0, "charger": 2.0, "manual": 1.5, "broadband": 2.5, "fault": 1.5,
        "printer": 2.0, "hub": 2.0, "reset": 1.0, "bluetooth": 2.5, "router": 2.5,
        "pair": 1.5, "pairing": 2.0, "offline": 2.0, "notifications": 2.0,
    },
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Labels:
    """What a classifier says about one query.

    Attributes
    ----------
    type, type_confidence
        One of :data:`TYPES`, and its confidence in [0, 1].
    topic, topic_confidence
        A topic of the config, or ``"general"``, and its confidence.
    tone, tone_score, tone_confidence
        ``"negative"``, ``"neutral"`` or ``"positive"``, the tone score in
        [-1, 1], and the confidence of the tone label.
    """

    type: str
    type_confidence: float
    topic: str
    topic_confidence: float
    tone: str
    tone_score: float
    tone_confidence: float


#: The labels of a query without text: general labels, confidence 0.
NO_TEXT = Labels(OTHER_TYPE, 0.0, GENERAL_TOPIC, 0.0, "neutral", 0.0, 0.0)


def _softmax_pick(
    points: dict[str, float], general: str, general_points: float, minimum: float
) -> tuple[str, float]:
    """The label with most points (ties: config order) and its softmax share, or the general."""
    # Labels with no evidence take no share: only cues found compete with the general label.
    logits = {k: v for k, v in points.items() if v > 0}
    logits[general] = general_points
    top = max(logits.values())
    weights = {k: math.exp(v - top) for k, v in logits.items()}
    total = math.fsum(weights.values())
    best = max(points, key=points.__getitem__) if points else general
    if not points or points[best] <= 0:
        best = general
    share = weights[best] / total
    if best != general and share < minimum:
        return general, weights[general] / total
    return best, share


class Classifier(_FileModel):
    """The default classifier: type and topic rules plus the tone lexicon, all data.

    Call it on a text (``classifier(text)`` -> :class:`Labels`). Load and save
    it like a policy (:meth:`from_file`, :meth:`to_file`: TOML or JSON).

    Parameters
    ----------
    types
        Cues of each type (``complaint``, ``question``, ``request``,
        ``praise``, ``lead``); ``other`` is the general type.
    topics
        The team's own topics and their cues; ``general`` is the general topic.
    tone
        The :class:`~prioritize.signals.ToneLexicon` (the one the
        ``negativity`` signal reads by default).
    question_mark_points
        Added to ``question`` when the text has a "?".
    tone_points
        ``complaint`` gets ``tone_points × max(0, -tone_score)``, ``praise``
        ``tone_points × max(0, tone_score)``.
    general_points
        The points of the general label in the softmax: a label needs more to win.
    min_type_confidence, min_topic_confidence
        Below these a label becomes the general one (default 0.5).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    types: dict[TypeName, Cues] = Field(default_factory=lambda: dict(DEFAULT_TYPES))  # type: ignore[arg-type]
    topics: dict[str, Cues] = Field(default_factory=lambda: dict(DEFAULT_TOPICS))
    tone: ToneLexicon = ToneLexicon()
    question_mark_points: _Points = 1.5
    tone_points: _Points = 3.0
    general_points: _Points = 0.5
    min_type_confidence: _Share = 0.5
    min_topic_confidence: _Share = 0.5

    _order: tuple[TypeName, ...] = PrivateAttr(default=())

    def model_post_init(self, context: Any, /) -> None:
        self._order = tuple(t for t in self.types if t in TYPES)  # a config's own order

    @field_validator("topics")
    @classmethod
    def _topic_names(cls, value: dict[str, Cues]) -> dict[str, Cues]:
        for name in value:
            if not name or name != name.strip() or name == GENERAL_TOPIC:
                raise ValueError(
                    f"topic name {name!r} must be non-empty, without spaces around, "
                    f"and not {GENERAL_TOPIC!r} (the general topic)"
                )
        return value

    def __call__(self, text: str) -> Labels:
        """The :class:`Labels` of ``text``."""
        if not text:
            return NO_TEXT
        reading = self.tone.read(text)
        tokens = frozenset(reading.tokens)
        joined = f" {' '.join(reading.tokens)} "
        type_points: dict[str, float] = {
            t: self.types[t].points(tokens, joined) for t in self._order
        }
        if "question" in type_points and reading.questions:
            type_points["question"] += self.question_mark_points
        score = reading.score
        if "complaint" in type_points:
            type_points["complaint"] += self.tone_points * max(0.0, -score)
        if "praise" in type_points:
            type_points["praise"] += self.tone_points * max(0.0, score)
        kind, kind_confidence = _softmax_pick(
            type_points, OTHER_TYPE, self.general_points, self.min_type_confidence
        )
        topic_points = {name: cues.points(tokens, joined) for name, cues in self.topics.items()}
        topic, topic_confidence = _softmax_pick(
            topic_points, GENERAL_TOPIC, self.general_points, self.min_topic_confidence
        )
        return Labels(
            kind,
            kind_confidence,
            topic,
            topic_confidence,
            reading.tone,
            score,
            reading.confidence,
        )
