"""prioritize: decide who gets answered first, and measure what it costs.

Score inbound customer queries from CRM value, purchase history, follower
reach and urgency under configurable fairness rules; keep a live triage
queue; simulate policies on a stream with real staffing; measure fairness.

Importing the package is cheap: heavier parts (simulator, fairness, staffing,
identity graph, adapters, plotting) load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from prioritize import policies, rules, signals
from prioritize._errors import (
    ConfigError,
    InputError,
    LeaseError,
    PrioritizeError,
    SchemaError,
    SharedQueueError,
    SkippedRecordsWarning,
)
from prioritize._internal.version import __version__
from prioritize.models import Channel, Customer, Query
from prioritize.policy import Policy, Score, Weights

if TYPE_CHECKING:
    from prioritize import (
        adapters,
        audit,
        fairness,
        identity,
        queue,
        report,
        routing,
        simulation,
        staffing,
        synthetic,
        testing,
        value,
    )
    from prioritize.models import Shift
    from prioritize.queue import SharedQueue, TriageQueue
    from prioritize.routing import AgentGroup, Retry, Route, Routes, Team
    from prioritize.simulation import SimulationResult, compare, simulate, sweep

# name -> (module, attribute or None for the module itself)
_LAZY: dict[str, tuple[str, str | None]] = {
    "synthetic": ("prioritize.synthetic", None),
    "queue": ("prioritize.queue", None),
    "TriageQueue": ("prioritize.queue", "TriageQueue"),
    "SharedQueue": ("prioritize.queue", "SharedQueue"),
    "value": ("prioritize.value", None),
    "fairness": ("prioritize.fairness", None),
    "identity": ("prioritize.identity", None),
    "simulation": ("prioritize.simulation", None),
    "simulate": ("prioritize.simulation", "simulate"),
    "compare": ("prioritize.simulation", "compare"),
    "sweep": ("prioritize.simulation", "sweep"),
    "SimulationResult": ("prioritize.simulation", "SimulationResult"),
    "Shift": ("prioritize.models", "Shift"),
    "adapters": ("prioritize.adapters", None),
    "staffing": ("prioritize.staffing", None),
    "report": ("prioritize.report", None),
    "audit": ("prioritize.audit", None),
    "routing": ("prioritize.routing", None),
    "AgentGroup": ("prioritize.routing", "AgentGroup"),
    "Team": ("prioritize.routing", "Team"),
    "Routes": ("prioritize.routing", "Routes"),
    "Route": ("prioritize.routing", "Route"),
    "Retry": ("prioritize.routing", "Retry"),
    "testing": ("prioritize.testing", None),
}

__all__ = [
    "AgentGroup",
    "Channel",
    "ConfigError",
    "Customer",
    "InputError",
    "LeaseError",
    "Policy",
    "PrioritizeError",
    "Query",
    "Retry",
    "Route",
    "Routes",
    "SchemaError",
    "Score",
    "SharedQueue",
    "SharedQueueError",
    "Shift",
    "SimulationResult",
    "SkippedRecordsWarning",
    "Team",
    "TriageQueue",
    "Weights",
    "__version__",
    "adapters",
    "audit",
    "compare",
    "fairness",
    "identity",
    "policies",
    "queue",
    "report",
    "routing",
    "rules",
    "signals",
    "simulate",
    "simulation",
    "staffing",
    "sweep",
    "synthetic",
    "testing",
    "value",
]


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'prioritize' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
