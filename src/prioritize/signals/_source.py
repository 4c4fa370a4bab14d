"""The formulas as Python source: the third reading of the ops namespace.

A kernel of :mod:`~prioritize.signals._formulas` called with :data:`SOURCE`
ops and an :class:`Expr` (instead of a float or an array) returns the
expression it computes, as text: ``log1p`` becomes a call, ``minimum`` a
conditional expression, arithmetic stays arithmetic, in the kernel's own
order of operations. The per-query evaluators of a policy are compiled from
that text (:func:`build`), one function per signal and one for the whole
weighted sum, so a formula is still written once (in ``_formulas``) and the
per-query path runs it inline, without a call per operation.

Only library text becomes code: every value (a constant, a saturation, a
weight, a function such as ``math.log1p`` or a signal's reader) is passed to
the generated function by name (``k0``, ``k1``, …), never written into the
text, and the only attribute names written are the built-in signals' own
fields. The code runs without builtins, save ``__import__``: C code that
imports lazily (numpy 2.0 raising a ufunc error, for one) imports through the
running frame's builtins.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import CodeType
from typing import Any, Final

from prioritize.signals._ops import SCALAR, Ops

#: The generated code's builtins: only what C code called from it may import through.
_BUILTINS: Final = {"__import__": __import__}

__all__ = ["SOURCE", "Emitter", "Expr", "Fragment", "build"]


class Emitter:
    """What a piece of generated code needs: its statements, constants and temporaries."""

    __slots__ = ("_fields", "_temps", "constants", "lines", "reads")

    def __init__(self, *, fragment: bool = False) -> None:
        #: Statements run before the expressions that read them, in order.
        self.lines: list[str] = []
        #: The values the code reads, ``k0``, ``k1``, … in this order.
        self.constants: list[Any] = []
        self._temps = 0
        #: The fields the code reads (:meth:`field`), e.g. ``("c", "followers")``.
        self.reads: set[tuple[str, str]] = set()
        # A fragment writes its names as fields ("{k0}", "{t1}"), renamed when spliced.
        self._fields = fragment

    def constant(self, value: Any) -> str:
        """The name the generated code reads ``value`` by (values never become text).

        A new name per call: the text depends on the formula's shape only, so
        policies of the same shape share one compiled code object.
        """
        self.constants.append(value)
        n = len(self.constants) - 1
        return f"{{k{n}}}" if self._fields else f"k{n}"

    def temp(self) -> str:
        """A fresh local name."""
        self._temps += 1
        n = self._temps
        return f"{{t{n}}}" if self._fields else f"t{n}"

    def field(self, owner: str, name: str) -> str:
        """The text that reads field ``name`` of the model passed as ``owner`` (``q`` or ``c``).

        A query's and a customer's fields (pydantic models) live in their
        ``__dict__``: the function reads it once (``qd = q.__dict__``, see
        :func:`build`) and each field by key, a dict look-up instead of an
        attribute read through the model's ``__getattr__`` hook (about 4x the
        time). ``name`` is always one of the library's own field names.
        """
        self.reads.add((owner, name))
        return f"{owner}d[{name!r}]"

    def let(self, text: str) -> Expr:
        """Evaluate ``text`` once, into a fresh local: its value as an expression."""
        name = self.temp()
        self.lines.append(f"{name} = {text}")
        return Expr(name, self)

    def splice(self, fragment: Fragment) -> Expr:
        """Add ``fragment``'s statements and constants, renamed after this (plain) emitter's own."""
        k, t = len(self.constants), self._temps
        names = {f"k{i}": f"k{k + i}" for i in range(len(fragment.constants))}
        names |= {f"t{i}": f"t{t + i}" for i in range(1, fragment.temps + 1)}
        self.constants += fragment.constants
        self._temps += fragment.temps
        self.reads |= fragment.reads
        self.lines += [line.format_map(names) for line in fragment.lines]
        return Expr(fragment.value.format_map(names), self)


@dataclass(frozen=True, slots=True)
class Fragment:
    """The code of one value, emitted once and spliced into any function that needs it.

    ``lines`` run first; ``value`` is the expression; they read constants
    ``{k0}`` … (``constants``) and temporaries ``{t1}`` …, written as fields
    that :meth:`Emitter.splice` fills with the names of the function it adds
    them to (generated code has no braces of its own).
    """

    lines: tuple[str, ...]
    value: str
    constants: tuple[Any, ...]
    temps: int
    reads: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, emit: Callable[[Emitter], Expr]) -> Fragment:
        """The fragment ``emit(emitter)`` writes into a fresh emitter."""
        emitter = Emitter(fragment=True)
        value = emit(emitter)
        return cls(
            tuple(emitter.lines),
            value.text,
            tuple(emitter.constants),
            emitter._temps,
            frozenset(emitter.reads),
        )

    def compiled(self, name: str, parameters: Sequence[str]) -> Callable[..., Any]:
        """``def name(*parameters): return value``, compiled."""
        emitter = Emitter()
        value = emitter.splice(self)
        return build(name, parameters, emitter, [f"return {value}"])


def _operator(symbol: str, *, reflected: bool = False) -> Callable[[Expr, Any], Expr]:
    # x <symbol> other, or other <symbol> x for the reflected method.
    def method(self: Expr, other: Any) -> Expr:
        return self.apply(symbol, other, self) if reflected else self.apply(symbol, self, other)

    return method


class Expr:
    """A value of generated code: the text of a Python expression.

    Arithmetic with another ``Expr`` or a number gives the ``Expr`` of the
    result (the number passed by name); comparisons are not defined, so a
    formula can only branch through its ops (``minimum``, ``maximum``, …).
    """

    __slots__ = ("emitter", "text")

    def __init__(self, text: str, emitter: Emitter) -> None:
        self.text = text
        self.emitter = emitter

    def __str__(self) -> str:
        return self.text

    def operand(self, other: Any) -> str:
        """The text of ``other``: itself if an ``Expr``, else a constant's name."""
        return other.text if isinstance(other, Expr) else self.emitter.constant(other)

    def apply(self, symbol: str, left: Any, right: Any) -> Expr:
        """The expression ``left symbol right`` (one of them is this one)."""
        return Expr(f"({self.operand(left)} {symbol} {self.operand(right)})", self.emitter)

    __add__ = _operator("+")
    __radd__ = _operator("+", reflected=True)
    __sub__ = _operator("-")
    __rsub__ = _operator("-", reflected=True)
    __mul__ = _operator("*")
    __rmul__ = _operator("*", reflected=True)
    __truediv__ = _operator("/")
    __rtruediv__ = _operator("/", reflected=True)

    def __neg__(self) -> Expr:
        return Expr(f"(-{self.text})", self.emitter)


def _call(function: Callable[..., Any]) -> Callable[..., Any]:
    # The op `function` applied to expressions: a call of it, passed by name.
    # With no Expr among the arguments (constants only) the value is computed now.
    def op(*args: Any) -> Any:
        x = next((a for a in args if isinstance(a, Expr)), None)
        if x is None:
            return function(*args)
        texts = ", ".join(x.operand(a) for a in args)
        return Expr(f"{x.emitter.constant(function)}({texts})", x.emitter)

    return op


def _choose(template: str, scalar: Callable[..., Any]) -> Callable[..., Any]:
    # A conditional expression over one temporary `t` (the first argument, evaluated
    # once) and `b` (the second, a constant or an expression), as the SCALAR op reads.
    def op(x: Any, *bound: Any) -> Any:
        if not isinstance(x, Expr):
            return scalar(x, *bound)
        t = x.emitter.temp()
        b = x.operand(bound[0]) if bound else ""
        return Expr(template.format(t=t, x=x.text, b=b), x.emitter)

    return op


def _step(x: Any, thresholds: Any, table: Any) -> Any:
    if not isinstance(x, Expr):
        return SCALAR.step(x, thresholds, table)
    search = x.emitter.constant(bisect_right)
    return Expr(f"{x.operand(table)}[{search}({x.operand(thresholds)}, {x.text})]", x.emitter)


#: The ops that write source: each as the SCALAR op computes it (NaN passes
#: through ``minimum`` and ``maximum`` as there), so generated code and the
#: SCALAR kernels give the same floats.
SOURCE: Final = Ops(
    log1p=_call(math.log1p),
    exp=_call(math.exp),
    minimum=_choose("({b} if ({t} := {x}) > {b} else {t})", SCALAR.minimum),
    maximum=_choose("({b} if ({t} := {x}) < {b} else {t})", SCALAR.maximum),
    nan_to_zero=_choose("(0.0 if ({t} := {x}) != {t} else {t})", SCALAR.nan_to_zero),
    step=_step,
)


@lru_cache(maxsize=256)
def _compile(source: str) -> CodeType:
    # The text depends on the shape only (which signals, which caps), not on values.
    return compile(source, "<prioritize: generated scorer>", "exec")


def build(
    name: str,
    parameters: Sequence[str],
    emitter: Emitter,
    body: Sequence[str],
    *,
    prologue: Sequence[str] = (),
    rescue: Sequence[str] = (),
) -> Callable[..., Any]:
    """Compile ``def name(*parameters): prologue; emitter.lines; body`` over the constants.

    After ``prologue`` (e.g. parameters renamed), the ``__dict__`` of each
    model whose fields the code reads (:meth:`Emitter.field`) is read once.
    With ``rescue`` (an ``except`` clause and its statements, indented), all
    of that runs in a ``try`` block the clause ends: free while nothing is
    raised (CPython 3.11+ exceptions cost only when raised).
    The function's ``__doc__`` is its source, to read what was generated.
    """
    indent = "\n        "
    constants = [f"k{i}" for i in range(len(emitter.constants))]
    owners = sorted({owner for owner, _ in emitter.reads})
    fields = [f"{owner}d = {owner}.__dict__" for owner in owners]
    lines = [*prologue, *fields, *emitter.lines, *body]
    if rescue:
        lines = ["try:", *(f"    {line}" for line in lines), *rescue]
    source = (
        f"def make({', '.join(constants)}):\n"
        f"    def {name}({', '.join(parameters)}):"
        f"{indent}{indent.join(lines)}\n"
        f"    return {name}\n"
    )
    namespace: dict[str, Any] = {"__builtins__": _BUILTINS}
    exec(_compile(source), namespace)  # library text only: see the module docstring
    function: Callable[..., Any] = namespace["make"](*emitter.constants)
    function.__doc__ = source
    return function
