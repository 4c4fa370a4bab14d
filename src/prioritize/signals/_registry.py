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

The per-query evaluators are compiled from the same kernels read with
:data:`~prioritize.signals._source.SOURCE` ops (the formula as text, see
:mod:`~prioritize.signals._source`): one function per signal, and
:func:`weighted_sum`, a policy's whole weighted sum, inline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.frames import FrameColumns, read_float
from prioritize.models import Customer, Query
from prioritize.signals._formulas import Kernel, rfm, rfm_constants
from prioritize.signals._normalisers import Domain, LogSaturating, Normaliser
from prioritize.signals._ops import VECTOR, Ops
from prioritize.signals._source import SOURCE, Emitter, Expr, Fragment, build
from prioritize.signals._tone import text_tone

if TYPE_CHECKING:
    from prioritize.signals._params import CustomSignal, PurchaseParams, SignalParams

__all__ = ["BUILTIN", "SIGNALS", "Bound", "Input", "Signal", "signals_of", "weighted_sum"]

FloatArray = npt.NDArray[np.float64]
ScalarEvaluator = Callable[[Query, Customer], float]
FrameReader = Callable[[pd.DataFrame, FrameColumns], tuple[FloatArray, ...]]
#: ``emit(emitter)``: writes the signal of query ``q`` and customer ``c`` as code.
Emit = Callable[[Emitter], Expr]


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
    optional
        A field that may be None (e.g. ``days_since_last_purchase``, None for
        never bought): read as NaN, as the frame column holds it.
    """

    column: str
    on: Literal["customer", "query"]
    attribute: bool = False
    optional: bool = False

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
    blocks of what was read). ``code`` is the signal of query ``q`` and
    customer ``c`` as generated code: ``scalar`` is it compiled, and
    :func:`weighted_sum` splices it into a policy's weighted sum.
    """

    name: str
    scalar: ScalarEvaluator
    read: FrameReader
    formula: Callable[..., Any]
    code: Fragment


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


def _compiled(name: str, read: FrameReader, formula: Callable[..., Any], emit: Emit) -> Bound:
    # The one-query evaluator is the emitted code, compiled.
    code = Fragment.of(emit)
    return Bound(name, code.compiled("signal", ("q", "c")), read, formula, code)


def _called(name: str, scalar: ScalarEvaluator, read: FrameReader, formula: Any) -> Bound:
    # A signal whose evaluator is a function of its own: the code calls it.
    def emit(emitter: Emitter) -> Expr:
        return emitter.let(f"{emitter.constant(scalar)}(q, c)")

    return Bound(name, scalar, read, formula, Fragment.of(emit))


# ------------------------------------------------------------------ built-in


def _frame_fields(*columns: str) -> FrameReader:
    # Canonical columns: validate_frame has checked them already.

    def read(frame: pd.DataFrame, cols: FrameColumns) -> tuple[FloatArray, ...]:
        return tuple(getattr(cols, c) for c in columns)

    return read


def _field(source: Input, emitter: Emitter) -> Expr:
    # A built-in field: its name is the library's own (declared inputs are never written).
    value = emitter.let(emitter.field("c" if source.on == "customer" else "q", source.column))
    if not source.optional:
        return value
    return emitter.let(f"{emitter.constant(math.nan)} if {value} is None else {value}")


def _of_fields(
    name: str,
    inputs: tuple[Input, ...],
    parameters: Callable[[SignalParams], Hashable],
    kernel: Callable[[Any, Ops], Kernel],
    parameter: str,
    doc: str,
) -> Signal:
    """A built-in signal: ``kernel(parameters(params), ops)`` over fields of the query and customer.

    One :class:`Bound` per parameter value (it holds no state): policies
    that differ in weights and rules only share it, compiled once.
    """

    @lru_cache(maxsize=64)
    def bound(values: Hashable) -> Bound:
        def emit(emitter: Emitter) -> Expr:
            fields = (_field(i, emitter) for i in inputs)
            return kernel(values, SOURCE)(*fields)  # type: ignore[no-any-return]

        read = _frame_fields(*(i.column for i in inputs))
        return _compiled(name, read, kernel(values, VECTOR), emit)

    return Signal(name, inputs, doc, parameter, lambda params: bound(parameters(params)))


def _log_saturating(params: LogSaturating, ops: Ops) -> Kernel:
    return params.kernel(ops)


def _log_of(name: str, field: str, saturation: str, doc: str) -> Signal:
    """A customer field, log-saturating at ``signals.<saturation>``: a declared ``log`` signal."""

    def parameters(params: SignalParams) -> LogSaturating:
        return LogSaturating(saturation=getattr(params, saturation))

    inputs = (Input(field, "customer"),)
    return _of_fields(name, inputs, parameters, _log_saturating, f"signals.{saturation}", doc)


def _rfm(params: PurchaseParams, ops: Ops) -> Kernel:
    return rfm(rfm_constants(params), ops)


#: Per policy, the lexicon's score of up to this many recent texts is kept (a
#: query re-scored as it waits, e.g. at each refresh of a queue view, reads its
#: text's urgency back); the set is emptied when full. Only texts of at most
#: :data:`TEXT_CACHE_CHARS` characters are kept, so it holds at most ~0.5 MB.
TEXT_CACHE_SIZE = 1024
TEXT_CACHE_CHARS = 512


def _remember(emitter: Emitter, value: str, text: str, kept: str, score: Any) -> list[str]:
    """The lines that set ``value`` to ``score(text)`` and keep it in ``recent`` (bounded).

    The one definition of the memory of recent texts (TEXT_CACHE_SIZE,
    TEXT_CACHE_CHARS): written inline in a policy's per-query code (urgency),
    compiled as ``remember`` (:func:`_recent_texts`) elsewhere.
    """
    size = emitter.constant(len)
    return [
        f"{value} = {emitter.constant(score)}({text})",
        f"if {size}({text}) <= {emitter.constant(TEXT_CACHE_CHARS)}:",
        f"    if {size}({kept}) >= {emitter.constant(TEXT_CACHE_SIZE)}:",
        f"        {kept}.clear()",
        f"    {kept}[{text}] = {value}",
    ]


def _recent_texts(score: Callable[[str], float]) -> tuple[dict[str, float], Callable[[str], float]]:
    """A policy's memory of recent texts' ``score`` (bounded: see TEXT_CACHE_SIZE), and
    ``remember(text)``: score it and keep it."""
    recent: dict[str, float] = {}
    emitter = Emitter()
    lines = _remember(emitter, "value", "text", emitter.constant(recent), score)
    remember = build("remember", ("text",), emitter, [*lines, "return value"])
    return recent, remember


def _of_texts(texts: npt.NDArray[np.object_], score: Callable[[str], float]) -> FloatArray:
    """``score`` of every text of a frame column, each distinct text scored once."""
    cache: dict[str, float] = {}
    values = np.empty(len(texts))
    for i, text in enumerate(texts):
        value = cache.get(text)
        if value is None:
            value = cache[text] = score(text)
        values[i] = value
    return values


def _bind_urgency(params: SignalParams) -> Bound:
    score = params.urgency.scorer()
    recent: dict[str, float] = {}

    def emit(emitter: Emitter) -> Expr:
        # The given urgency; else the text's, from the recent texts or the lexicon
        # (then kept): inline, so a new text costs one call, the lexicon's.
        u, text = emitter.let(emitter.field("q", "urgency")), emitter.temp()
        kept = emitter.constant(recent)
        emitter.lines += [
            f"if {u} is None:",
            f"    {text} = {emitter.field('q', 'text')}",
            f"    {u} = {kept}.get({text})",
            f"    if {u} is None:",
            *(f"        {line}" for line in _remember(emitter, str(u), text, kept, score)),
        ]
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
        values[missing] = _of_texts(frame["text"].to_numpy(dtype=object)[missing], score)
        return (values,)

    return _compiled("urgency", read, _same, emit)


def _bind_negativity(params: SignalParams) -> Bound:
    # Tone is not a policy parameter: the default lexicon, like the classifier's.
    recent, remember = _recent_texts(text_tone)

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
        tone = recent.get(q.text)
        if tone is None:
            tone = remember(q.text)
        return max(0.0, -tone)

    def read(frame: pd.DataFrame, cols: FrameColumns) -> tuple[FloatArray]:
        if "tone_score" in frame.columns:
            return (read_float(frame, "tone_score", minimum=-1.0, maximum=1.0),)
        if "text" not in frame.columns:
            # No text is no tone evidence: neutral, as classify_frame labels a missing text.
            return (np.zeros(len(frame)),)
        return (_of_texts(frame["text"].to_numpy(dtype=object), text_tone),)

    return _called("negativity", scalar, read, _negativity)


def _negativity(tone: FloatArray) -> FloatArray:
    return np.maximum(0.0, -tone)


def _same(x: Any) -> Any:
    return x


#: The built-in signals, in the fixed order scores are summed and shown.
BUILTIN: tuple[Signal, ...] = (
    _log_of(
        "crm_value",
        "lifetime_value",
        "value_saturation",
        "CRM lifetime value, log-scaled: min(1, log1p(lifetime_value) / log1p(value_saturation))",
    ),
    _of_fields(
        "purchase_history",
        (
            Input("purchase_count", "customer"),
            Input("total_spend", "customer"),
            Input("days_since_last_purchase", "customer", optional=True),
        ),
        lambda p: p.purchase,
        _rfm,
        "signals.purchase",
        "RFM blend of recency (half-life decay; never bought = 0), frequency and spend",
    ),
    _log_of(
        "follower_reach",
        "followers",
        "follower_saturation",
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


def _attribute_reader(
    name: str, source: Input, domain: Domain
) -> Callable[[Query, Customer], float]:
    key, of_customer = source.column, source.on == "customer"

    def read(q: Query, c: Customer) -> float:
        holder: Query | Customer = c if of_customer else q
        value = holder.attributes.get(key)
        if value is None or not domain.accepts(value):
            owner = f"customer {c.customer_id!r}" if of_customer else f"query {q.query_id!r}"
            found = "has none" if value is None else f"has {value!r}"
            raise InputError(
                f"signal {name!r} reads {source.where}, expected {domain.expected}; {owner} {found}"
            )
        return float(value)

    return read


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
    reader = _attribute_reader(name, source, normaliser.domain)

    def emit(emitter: Emitter) -> Expr:
        # Read and checked by a function (the input's name is never written), normalised inline.
        value = emitter.let(f"{emitter.constant(reader)}(q, c)")
        return normaliser.kernel(SOURCE)(value)  # type: ignore[no-any-return]

    read = _column_reader(name, source, normaliser)
    return Signal(
        name,
        (source,),
        declaration.description or f"{normaliser.kind} of {source.where}",
        f"signals.custom.{name}",
        lambda params: _compiled(name, read, normaliser.kernel(VECTOR), emit),
    )


def signals_of(params: SignalParams) -> tuple[Signal, ...]:
    """Every signal a policy with ``params`` can weight: built-in first, then its own."""
    return BUILTIN + tuple(declared(n, d) for n, d in params.custom.items())


# ------------------------------------------------------------------ fast form


def weighted_sum(active: Sequence[tuple[Bound, float, float]], emitter: Emitter) -> list[str]:
    """Write one query's score over ``active`` signals (bound, weight, cap) into ``emitter``.

    The code of each signal (its :attr:`Bound.code`) in turn, each followed
    by ``total += min(weight × signal, cap)``, as the general loop over the
    ``scalar`` evaluators sums (``0.0``, then in registry order): the total
    and the values are equal to that loop's bit for bit (a property test).
    Returns the names of the signal values (``s0``, ``s1``, …); the sum is ``total``.
    """
    lines = emitter.lines
    lines.append("total = 0.0")
    names = []
    for i, (bound, weight, cap) in enumerate(active):
        names.append(f"s{i}")
        value = emitter.splice(bound.code)
        lines.append(f"s{i} = {value}")
        points = f"{emitter.constant(weight)} * s{i}"
        if cap == math.inf:  # p > inf is never true: the sum of the general loop
            lines.append(f"total += {points}")
        else:
            limit = emitter.constant(cap)
            lines += [f"p = {points}", f"total += {limit} if p > {limit} else p"]
    return names
