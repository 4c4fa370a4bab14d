"""The signal registry: every signal a policy can weight, built-in or declared, in one place.

A :class:`Signal` is a name, the :class:`Input` values it reads (a frame
column, and where a :class:`~prioritize.models.Query` or
:class:`~prioritize.models.Customer` carries the same value) and its
normaliser, written once against the ops namespace. Binding a signal to a
policy's :class:`~prioritize.signals.SignalParams` gives a :class:`Bound`
signal: an evaluator for one query and a reader plus formula for a frame.
Everything else (the names weights and rules may use, the compiled plan,
explanations, ``score_frame``'s columns, the audit's column map) is derived
from :data:`BUILTIN` and a policy's own declarations (:func:`signals_of`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.frames import FrameColumns, read_float
from prioritize.models import Customer, Query
from prioritize.signals._formulas import Kernel, rfm, rfm_constants
from prioritize.signals._normalisers import LogSaturating, Normaliser
from prioritize.signals._ops import SCALAR, VECTOR
from prioritize.signals._tone import text_tone

if TYPE_CHECKING:
    from prioritize.signals._params import CustomSignal, SignalParams

__all__ = ["BUILTIN", "FUSED", "SIGNALS", "Bound", "Input", "Signal", "fused_scorer", "signals_of"]

FloatArray = npt.NDArray[np.float64]
ScalarEvaluator = Callable[[Query, Customer], float]
FrameReader = Callable[[pd.DataFrame, FrameColumns], tuple[FloatArray, ...]]


@dataclass(frozen=True, slots=True)
class Input:
    """One value a signal reads.

    Attributes
    ----------
    column
        The frame column.
    on
        ``"customer"`` or ``"query"``: the object that carries it when one query is scored.
    attribute
        False: a field of that object named like the column; True: an entry
        of its ``attributes`` mapping (signals a policy declares).
    """

    column: str
    on: Literal["customer", "query"]
    attribute: bool = False

    @property
    def where(self) -> str:
        """How a user names it: ``customer.followers`` or ``query.attributes['x']``."""
        return (
            f"{self.on}.attributes[{self.column!r}]"
            if self.attribute
            else f"{self.on}.{self.column}"
        )


@dataclass(frozen=True, slots=True)
class Bound:
    """A signal with a policy's parameters, ready to evaluate.

    ``scalar(query, customer)`` is the signal of one query; for a frame,
    ``formula(*read(frame, columns))`` (the reader validates what it reads;
    the formula, the same kernel bound with ``VECTOR`` ops, may run on row
    blocks of what was read).
    """

    name: str
    scalar: ScalarEvaluator
    read: FrameReader
    formula: Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Signal:
    """A signal: its name, what it reads, how it normalises to [0, 1], its parameters.

    Attributes
    ----------
    name
        The name weights, rules and score columns use.
    inputs
        What it reads, in the formula's argument order.
    description
        One line for documentation and explanations.
    parameters
        Where its parameters live in a policy (e.g. ``signals.follower_saturation``).
    bind
        ``bind(params)`` -> :class:`Bound`.
    """

    name: str
    inputs: tuple[Input, ...]
    description: str
    parameters: str
    bind: Callable[[SignalParams], Bound]

    @property
    def columns(self) -> tuple[str, ...]:
        """The frame columns it reads."""
        return tuple(i.column for i in self.inputs)


# ------------------------------------------------------------------ built-in


def _frame_fields(*columns: str) -> FrameReader:
    # Canonical columns: validate_frame has checked them already.

    def read(frame: pd.DataFrame, cols: FrameColumns) -> tuple[FloatArray, ...]:
        return tuple(getattr(cols, c) for c in columns)

    return read


def _log_of_customer_field(
    name: str,
    field: str,
    evaluator: Callable[[Kernel], ScalarEvaluator],
    saturation: Callable[[SignalParams], float],
    parameter: str,
    doc: str,
) -> Signal:
    """A built-in signal of the declared shape: a log-saturating customer field.

    ``evaluator(kernel)`` is the per-query evaluator reading exactly ``field``
    (a literal attribute read: about twice as fast as ``attrgetter``).
    """

    def bind(params: SignalParams) -> Bound:
        normaliser = LogSaturating(saturation=saturation(params))
        source = Input(field, "customer")
        return _bind_one(name, source, normaliser, _frame_fields(field), evaluator)

    return Signal(name, (Input(field, "customer"),), doc, parameter, bind)


def _bind_one(
    name: str,
    source: Input,
    normaliser: Normaliser,
    read: FrameReader,
    evaluator: Callable[[Kernel], ScalarEvaluator] | None = None,
) -> Bound:
    # One kernel, bound twice: with SCALAR ops for one query, VECTOR ops for a frame.
    kernel = normaliser.kernel(SCALAR)
    scalar: ScalarEvaluator
    if evaluator is not None:
        scalar = evaluator(kernel)
    elif source.attribute:
        scalar = _attribute_evaluator(name, source, normaliser, kernel)
    elif source.on == "customer":
        get = attrgetter(source.column)

        def scalar(q: Query, c: Customer) -> float:
            return kernel(get(c))  # type: ignore[no-any-return]

    else:
        get = attrgetter(source.column)

        def scalar(q: Query, c: Customer) -> float:
            return kernel(get(q))  # type: ignore[no-any-return]

    return Bound(name, scalar, read, normaliser.kernel(VECTOR))


def _bind_purchase(params: SignalParams) -> Bound:
    constants = rfm_constants(params.purchase)
    kernel = rfm(constants, SCALAR)

    def scalar(q: Query, c: Customer) -> float:
        days = c.days_since_last_purchase
        return kernel(  # type: ignore[no-any-return]
            c.purchase_count, c.total_spend, math.nan if days is None else days
        )

    reader = _frame_fields("purchase_count", "total_spend", "days_since_last_purchase")
    return Bound("purchase_history", scalar, reader, rfm(constants, VECTOR))


#: Per policy, the lexicon's score of up to this many recent texts is kept (a
#: query re-scored as it waits, e.g. at each refresh of a queue view, reads its
#: text's urgency back); the set is emptied when full. Only texts of at most
#: :data:`TEXT_CACHE_CHARS` characters are kept, so it holds at most ~0.5 MB.
TEXT_CACHE_SIZE = 1024
TEXT_CACHE_CHARS = 512


def _bind_urgency(params: SignalParams) -> Bound:
    score = params.urgency.score
    recent: dict[str, float] = {}  # bounded: see TEXT_CACHE_SIZE

    def scalar(q: Query, c: Customer) -> float:
        u = q.urgency
        if u is not None:
            return u
        text = q.text
        u = recent.get(text)
        if u is None:
            u = score(text)
            if len(text) <= TEXT_CACHE_CHARS:
                if len(recent) >= TEXT_CACHE_SIZE:
                    recent.clear()
                recent[text] = u
        return u

    def read(frame: pd.DataFrame, cols: FrameColumns) -> tuple[FloatArray]:
        given = cols.urgency
        if given is not None:
            missing = np.isnan(given)
            if not missing.any():
                return (given,)
            values = given.copy()
        else:
            missing = np.ones(len(frame), dtype=bool)
            values = np.empty(len(frame))
        texts = frame["text"].to_numpy(dtype=object)[missing]
        cache: dict[str, float] = {}
        derived = np.empty(len(texts))
        for i, text in enumerate(texts):
            u = cache.get(text)
            if u is None:
                u = cache[text] = score(text)
            derived[i] = u
        values[missing] = derived
        return (values,)

    return Bound("urgency", scalar, read, _same)


def _bind_negativity(params: SignalParams) -> Bound:
    # Tone is not a policy parameter: the default lexicon, like the classifier's.
    recent: dict[str, float] = {}  # bounded: see TEXT_CACHE_SIZE

    def scalar(q: Query, c: Customer) -> float:
        given = q.attributes.get("tone_score")
        if given is not None:
            if isinstance(given, bool) or not (
                isinstance(given, int | float) and -1.0 <= given <= 1.0
            ):
                raise InputError(
                    f"signal 'negativity' reads query.attributes['tone_score'], expected a "
                    f"number in [-1, 1]; query {q.query_id!r} has {given!r}"
                )
            return max(0.0, -float(given))
        text = q.text
        tone = recent.get(text)
        if tone is None:
            tone = text_tone(text)
            if len(text) <= TEXT_CACHE_CHARS:
                if len(recent) >= TEXT_CACHE_SIZE:
                    recent.clear()
                recent[text] = tone
        return max(0.0, -tone)

    def read(frame: pd.DataFrame, cols: FrameColumns) -> tuple[FloatArray]:
        if "tone_score" in frame.columns:
            return (read_float(frame, "tone_score", minimum=-1.0, maximum=1.0),)
        if "text" not in frame.columns:
            # No text is no tone evidence: neutral, as classify_frame labels a missing text.
            return (np.zeros(len(frame)),)
        texts = frame["text"].to_numpy(dtype=object)
        cache: dict[str, float] = {}
        tones = np.empty(len(texts))
        for i, text in enumerate(texts):
            tone = cache.get(text)
            if tone is None:
                tone = cache[text] = text_tone(text)
            tones[i] = tone
        return (tones,)

    return Bound("negativity", scalar, read, _negativity)


def _negativity(tone: FloatArray) -> FloatArray:
    return np.maximum(0.0, -tone)


def _same(x: Any) -> Any:
    return x


def _of_lifetime_value(kernel: Kernel) -> ScalarEvaluator:
    def scalar(q: Query, c: Customer) -> float:
        return kernel(c.lifetime_value)  # type: ignore[no-any-return]

    return scalar


def _of_followers(kernel: Kernel) -> ScalarEvaluator:
    def scalar(q: Query, c: Customer) -> float:
        return kernel(c.followers)  # type: ignore[no-any-return]

    return scalar


#: The built-in signals, in the fixed order scores are summed and shown.
BUILTIN: tuple[Signal, ...] = (
    _log_of_customer_field(
        "crm_value",
        "lifetime_value",
        _of_lifetime_value,
        lambda p: p.value_saturation,
        "signals.value_saturation",
        "CRM lifetime value, log-scaled: min(1, log1p(lifetime_value) / log1p(value_saturation))",
    ),
    Signal(
        "purchase_history",
        (
            Input("purchase_count", "customer"),
            Input("total_spend", "customer"),
            Input("days_since_last_purchase", "customer"),
        ),
        "RFM blend of recency (half-life decay; never bought = 0), frequency and spend",
        "signals.purchase",
        _bind_purchase,
    ),
    _log_of_customer_field(
        "follower_reach",
        "followers",
        _of_followers,
        lambda p: p.follower_saturation,
        "signals.follower_saturation",
        "the author's audience, log-scaled: min(1, log1p(followers) / log1p(follower_saturation))",
    ),
    Signal(
        "urgency",
        (Input("urgency", "query"), Input("text", "query")),
        "the query's own urgency when given, else the urgency lexicon's score of its text",
        "signals.urgency",
        _bind_urgency,
    ),
    Signal(
        "negativity",
        # The canonical column it reads; a `tone_score` column (or query attribute),
        # e.g. from prioritize.routing.classify_frame, overrides the text when present.
        (Input("text", "query"),),
        "how negative the query sounds: max(0, -tone_score), the given tone_score column "
        "(query.attributes['tone_score']) when present, else the tone lexicon's score of its text",
        "(the default ToneLexicon)",
        _bind_negativity,
    ),
)
#: The built-in signal names, in the fixed order scores are summed.
SIGNALS: tuple[str, ...] = tuple(s.name for s in BUILTIN)


# ------------------------------------------------------------------ declared


def _attribute_evaluator(
    name: str, source: Input, normaliser: Normaliser, kernel: Callable[[float], float]
) -> ScalarEvaluator:
    domain, key = normaliser.domain, source.column
    of_customer = source.on == "customer"

    def scalar(q: Query, c: Customer) -> float:
        holder: Query | Customer = c if of_customer else q
        value = holder.attributes.get(key)
        if value is None or not domain.accepts(value):
            owner = f"customer {c.customer_id!r}" if of_customer else f"query {q.query_id!r}"
            found = "has none" if value is None else f"has {value!r}"
            raise InputError(
                f"signal {name!r} reads {source.where}, expected {domain.expected}; {owner} {found}"
            )
        return kernel(float(value))

    return scalar


def _column_reader(name: str, source: Input, normaliser: Normaliser) -> FrameReader:
    column, domain = source.column, normaliser.domain

    def read(frame: pd.DataFrame, cols: FrameColumns) -> tuple[FloatArray]:
        if column not in frame.columns:
            raise SchemaError(
                f"signal {name!r} reads column {column!r}, which the frame does not have "
                f"(columns: {list(frame.columns)})"
            )
        if domain.boolean and pd.api.types.is_bool_dtype(frame[column].dtype):
            return (frame[column].to_numpy(dtype=np.float64),)
        try:
            values = read_float(
                frame,
                column,
                minimum=domain.minimum,
                maximum=domain.maximum,
                integer=domain.boolean,
            )
        except SchemaError as exc:
            raise SchemaError(f"signal {name!r}: {exc}") from None
        return (values,)

    return read


def declared(name: str, declaration: CustomSignal) -> Signal:
    """The registry entry of a signal a policy declares (``signals.custom``)."""
    source = Input(declaration.input, declaration.on, attribute=True)
    normaliser = declaration.normaliser
    bound = _bind_one(name, source, normaliser, _column_reader(name, source, normaliser))
    return Signal(
        name,
        (source,),
        declaration.description or f"{normaliser.kind} of {source.where}",
        f"signals.custom.{name}",
        lambda params: bound,
    )


def signals_of(params: SignalParams) -> tuple[Signal, ...]:
    """Every signal a policy with ``params`` can weight: built-in first, then its own."""
    return BUILTIN + tuple(declared(n, d) for n, d in params.custom.items())


# ------------------------------------------------------------------ fast form

#: The built-in signals :func:`fused_scorer` evaluates inline.
FUSED = ("crm_value", "purchase_history", "follower_reach", "urgency")

#: ``scorer(query, customer) -> (Σ points, signal values)``.
Scorer = Callable[[Query, Customer], tuple[float, list[float]]]


def fused_scorer(
    params: SignalParams, active: Sequence[tuple[Bound, float, float]]
) -> Scorer | None:
    """One query's score over ``active`` signals (bound, weight, cap) in one call, or None.

    The per-query fast form of a policy whose active signals are all among
    :data:`FUSED` (every preset): the kernels of :mod:`._formulas` with
    their constants folded, written inline (no call per signal or per
    operation), summing ``min(weight × signal, cap)`` in registry order like
    the general loop, so the score and the values are equal bit for bit to
    those of the bound evaluators (a property test). Urgency derived from a
    text goes through the bound evaluator (its lexicon and cache).
    """
    names = [b.name for b, _, _ in active]
    if not set(names) <= set(FUSED) or names != sorted(names, key=FUSED.index):
        return None
    points = {b.name: (w, cap) for b, w, cap in active}
    use_v, use_h, use_r, use_u = (n in points for n in FUSED)
    inf = math.inf
    wv, cv = points.get("crm_value", (0.0, inf))
    wh, ch = points.get("purchase_history", (0.0, inf))
    wr, cr = points.get("follower_reach", (0.0, inf))
    wu, cu = points.get("urgency", (0.0, inf))
    l_value = math.log1p(params.value_saturation)  # as log_ratio's constant
    l_reach = math.log1p(params.follower_saturation)
    rate, l_count, l_spend, w_recency, w_count, w_spend = rfm_constants(params.purchase)
    urgency = next((b.scalar for b, _, _ in active if b.name == "urgency"), None)
    log1p, exp = math.log1p, math.exp

    def scorer(q: Query, c: Customer) -> tuple[float, list[float]]:
        values: list[float] = []
        total = 0.0
        if use_v:
            s = log1p(c.lifetime_value) / l_value
            if s > 1.0:
                s = 1.0
            values.append(s)
            p = wv * s
            total += cv if p > cv else p
        if use_h:
            days = c.days_since_last_purchase
            recency = 0.0 if days is None else exp(days * rate)
            if recency != recency:
                recency = 0.0
            count = log1p(c.purchase_count) / l_count
            if count > 1.0:
                count = 1.0
            spend = log1p(c.total_spend) / l_spend
            if spend > 1.0:
                spend = 1.0
            s = w_recency * recency + w_count * count + w_spend * spend
            values.append(s)
            p = wh * s
            total += ch if p > ch else p
        if use_r:
            s = log1p(c.followers) / l_reach
            if s > 1.0:
                s = 1.0
            values.append(s)
            p = wr * s
            total += cr if p > cr else p
        if use_u:
            given = q.urgency
            s = urgency(q, c) if given is None else given  # type: ignore[misc]
            values.append(s)
            p = wu * s
            total += cu if p > cu else p
        return total, values

    return scorer
