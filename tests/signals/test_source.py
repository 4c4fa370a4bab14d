"""The formulas read as source: compiled code computes what the SCALAR kernels compute.

The per-query evaluators of a policy (each signal's, and the compiled weighted
sum) are compiled from the kernels of ``_formulas`` called with SOURCE ops; the
text holds library names only, never a value or a name a policy declares.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import prioritize as pz
from prioritize.signals import SCALAR, Decay, Identity, Linear, LogSaturating, Tiers
from prioritize.signals._formulas import rfm, rfm_constants
from prioritize.signals._source import SOURCE, Emitter, Expr, build

_finite = st.floats(-1e6, 1e6, allow_nan=False)
_positive = st.floats(1e-3, 1e6)


def _compiled(kernel_of: Any, arity: int = 1) -> Any:
    emitter = Emitter()
    xs = [Expr(f"x{i}", emitter) for i in range(arity)]
    value = kernel_of(SOURCE)(*xs)
    return build("kernel", [f"x{i}" for i in range(arity)], emitter, [f"return {value}"])


def _outcome(kernel: Any, x: float) -> Any:
    # The value (NaN as a string, to compare), or the error outside the formula's domain.
    try:
        value = kernel(x)
    except (ValueError, OverflowError) as exc:
        return type(exc)
    return "nan" if math.isnan(value) else value


@given(
    st.one_of(
        st.builds(Identity),
        st.tuples(_finite, _finite)
        .filter(lambda t: t[0] != t[1])
        .map(lambda t: Linear(low=t[0], high=t[1])),
        st.builds(LogSaturating, saturation=_positive),
        st.builds(Decay, half_life=_positive),
        st.builds(
            lambda t, levels: Tiers(thresholds=sorted(set(t)), levels=levels[: len(set(t))]),
            st.lists(_finite, min_size=1, max_size=4),
            st.lists(st.floats(0, 1), min_size=4, max_size=4),
        ),
    ),
    st.floats(0.0, 1e9) | _finite | st.just(math.nan),
)
def test_every_normaliser_compiled_equals_its_scalar_kernel(normaliser: Any, x: float) -> None:
    assert _outcome(_compiled(normaliser.kernel), x) == _outcome(normaliser.kernel(SCALAR), x)


@given(
    st.builds(
        pz.signals.PurchaseParams,
        recency_half_life_days=_positive,
        frequency_saturation=_positive,
        spend_saturation=_positive,
    ),
    st.integers(0, 10**6),
    st.floats(0.0, 1e9),
    st.floats(0.0, 1e5) | st.just(math.nan),
)
def test_rfm_compiled_equals_its_scalar_kernel(
    params: pz.signals.PurchaseParams, count: int, spend: float, days: float
) -> None:
    constants = rfm_constants(params)
    compiled = _compiled(lambda ops: rfm(constants, ops), arity=3)
    assert compiled(count, spend, days) == rfm(constants, SCALAR)(count, spend, days)


@given(_finite, _finite.filter(lambda v: v != 0))
def test_arithmetic_keeps_operand_order(a: float, b: float) -> None:
    for text, expected in (
        (lambda x: (x - b) / b, (a - b) / b),
        (lambda x: b - x * b, b - a * b),
        (lambda x: b / x if a else -x, b / a if a else -a),
        (lambda x: 2.0 * x + b, 2.0 * a + b),
    ):
        emitter = Emitter()
        value = text(Expr("x", emitter))
        assert build("f", ["x"], emitter, [f"return {value}"])(a) == expected


def test_declared_text_never_becomes_code() -> None:
    policy = pz.Policy(
        weights={"urgency": 0.5, "zz_name": 0.5},
        rules=[pz.rules.Cap(signal="zz_name", max_points=0.3)],
        signals={
            "custom": {
                "zz_name": {
                    "input": "zz_input",
                    "normaliser": {"kind": "linear", "low": 123.25, "high": 456.5},
                    "description": "zz_description",
                }
            }
        },
    )
    plan = policy._compiled
    for function in (plan.score, plan.total, *(a.bound.scalar for a in plan.active)):
        source = function.__doc__
        assert source.startswith("def make(")
        for text in ("zz_", "123.25", "456.5", "0.3", "0.5", "attributes"):
            assert text not in source
        # runs without builtins, save the import C code may do from the frame (numpy 2.0)
        assert function.__globals__["__builtins__"] == {"__import__": __import__}


def test_constants_only_are_computed_at_once() -> None:
    # An op with no expression among its arguments is the SCALAR op.
    assert SOURCE.minimum(2.0, 1.0) == 1.0
    assert SOURCE.log1p(1.0) == math.log1p(1.0)
    assert SOURCE.step(5.0, (1.0, 10.0), (0.0, 0.5, 1.0)) == 0.5
    with pytest.raises(TypeError):
        _ = Expr("x", Emitter()) > 1.0  # a formula branches through its ops only
