"""The glossary's argument rule, checked on every public callable.

The data comes first (``frame`` or ``records``), then the policy or policies;
``now`` is keyword-only, except for the queues' ``pop``/``try_pop``/``peek``/``claim``
and ``Entry.due_in``, where it is the one required argument (``queue.pop(now)``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import prioritize

#: ``now`` is the one required argument of these: positional reads well.
NOW_POSITIONAL = frozenset(
    {
        "TriageQueue.pop",
        "TriageQueue.try_pop",
        "TriageQueue.peek",
        "Entry.due_in",
        "SharedQueue.pop",
        "SharedQueue.try_pop",
        "SharedQueue.peek",
        "SharedQueue.claim",
    }
)
DATA = ("frame", "records")


def _public() -> Iterator[tuple[str, Callable[..., Any]]]:
    names = [
        m.name
        for m in pkgutil.iter_modules(prioritize.__path__, "prioritize.")
        if not m.name.rsplit(".", 1)[-1].startswith("_")
    ]
    for module_name in ["prioritize", *names]:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and inspect.isfunction(member):
                        yield f"{name}.{attr}", member
            elif inspect.isfunction(obj):
                yield name, obj


def _positional(f: Callable[..., Any]) -> list[inspect.Parameter]:
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = inspect.signature(f).parameters.values()
    return [p for p in params if p.kind in kinds and p.name not in ("self", "cls")]


def test_now_is_keyword_only() -> None:
    bad = sorted(
        {
            name
            for name, f in _public()
            if name not in NOW_POSITIONAL and any(p.name == "now" for p in _positional(f))
        }
    )
    assert not bad, f"now must be keyword-only in {bad}"
    for name, f in _public():
        if name in NOW_POSITIONAL:
            assert [p.name for p in _positional(f)] == ["now"], name


def test_the_data_comes_first_then_the_policy() -> None:
    bad = []
    for name, f in _public():
        names = [p.name for p in _positional(f)]
        for policy in ("policy", "policies"):
            if policy in names and any(d in names for d in DATA):
                data = next(d for d in DATA if d in names)
                if names.index(data) != 0 or names.index(policy) != 1:
                    bad.append(f"{name}({', '.join(names)})")
    assert not bad, f"the data first, then the policy: {sorted(set(bad))}"


#: A second positional argument that is data too (a table to join, a graph) or what is asked for.
SECOND_DATA = {
    "join_customers": "customers",
    "cases": "graph",
    "case_members": "case_id",
    "IdentityGraph.link_frame": "columns",
    "band_changes": "baseline",  # the baseline run's records, paired with the first
    "people_changes": "baseline",  # the same pairing, by person
}


def test_after_the_data_and_the_policy_everything_is_keyword_only() -> None:
    bad = []
    for name, f in _public():
        names = [p.name for p in _positional(f)]
        if not names or names[0] not in DATA:
            continue
        rest = names[1:]
        if rest and rest[0] in ("policy", "policies"):
            rest = rest[1:]
        if rest and rest != [SECOND_DATA.get(name)]:
            bad.append(f"{name}({', '.join(names)})")
    assert not bad, f"keyword-only after the data and the policy: {bad}"
