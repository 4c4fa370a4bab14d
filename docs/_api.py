"""Write the API reference pages from each public module's ``__all__``.

Every public name is documented once, at the first module of ``MODULES`` that
exports it (``pz.Policy`` before ``pz.policy.Policy``); later modules list it with a
link. Nothing outside an ``__all__`` is documented, so nothing private is.
"""

from __future__ import annotations

import importlib
import inspect
import types
from pathlib import Path

# The order in which users meet the names: the top level first, then by layer.
MODULES = [
    ("prioritize", "The top level: ``import prioritize as pz``."),
    ("prioritize.policies", "The five preset policies."),
    ("prioritize.rules", "Fairness rules (also in ``prioritize.policy``)."),
    ("prioritize.models", "Customer, Query, Channel, the canonical query frame, groups."),
    ("prioritize.signals", "The signal registry, normalisers, the urgency and tone lexicons."),
    ("prioritize.policy", "Policy, rules, file I/O and the one serving-order core."),
    ("prioritize.policy.presets", "The presets' home (the same as ``prioritize.policies``)."),
    ("prioritize.routing", "Classify a query: type, topic, tone."),
    ("prioritize.queue", "The live triage queue, in memory or shared through a database."),
    ("prioritize.simulation", "Discrete-event simulation, compare and sweep."),
    ("prioritize.synthetic", "Synthetic query streams calibrated to the survey."),
    ("prioritize.fairness", "Measure fairness by group."),
    ("prioritize.audit", "Counterfactual and gaming audits of a policy."),
    ("prioritize.staffing", "Erlang C/A staffing and service levels."),
    ("prioritize.value", "Purchase history and customer value (RFM, BG/NBD, Gamma-Gamma)."),
    ("prioritize.report", "Tables, readings, promises and the HTML report."),
    ("prioritize.adapters", "Read your data: CSV/Parquet and vendor formats."),
    ("prioritize.adapters.twitter", "Twitter/X API v2 payloads."),
    ("prioritize.adapters.zendesk", "Zendesk tickets (JSON API, CSV export)."),
    ("prioritize.adapters.freshdesk", "Freshdesk tickets (API v2 JSON)."),
    ("prioritize.adapters.intercom", "Intercom conversations (API JSON)."),
    ("prioritize.adapters.salesforce", "Salesforce Service Cloud Case exports (CSV)."),
    ("prioritize.adapters.chatwoot", "Chatwoot conversations and message_created webhooks."),
    ("prioritize.adapters.zammad", "Zammad tickets (API JSON)."),
    ("prioritize.adapters.meta", "Meta webhooks: Messenger, Instagram, WhatsApp Cloud."),
    ("prioritize.adapters.twcs", "The Customer Support on Twitter dataset, and its replay."),
    ("prioritize.identity", "One customer, many channels: the identity graph and cases."),
    ("prioritize.testing", "Fairness assertions for your own tests."),
    ("prioritize.testing.strategies", "Hypothesis strategies."),
    ("prioritize.testing.assertions", "The assertions (also in ``prioritize.testing``)."),
    ("prioritize.cli", "The command line."),
]


def public_modules() -> list[str]:
    """Every public module with an ``__all__`` (private parts skipped)."""
    import pkgutil

    import prioritize

    names = ["prioritize"]
    for info in pkgutil.walk_packages(prioritize.__path__, "prioritize."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts):
            continue
        module = importlib.import_module(info.name)
        if hasattr(module, "__all__"):
            names.append(info.name)
    return names


def _kind(obj: object) -> str:
    if isinstance(obj, types.ModuleType):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "data"


def write_exception_tree(out: Path) -> None:
    """The tree drawn in the errors module's docstring (a test keeps it complete)."""
    from prioritize import _errors

    doc = inspect.cleandoc(_errors.__doc__ or "")
    tree, rest = doc.split("::", 1)[1].strip("\n").split("\n\n", 1)
    text = "```text\n" + inspect.cleandoc(tree) + "\n```\n\n" + rest.strip() + "\n"
    (out / "exception_tree.md").write_text(text, encoding="utf-8")


def write_api_pages(out: Path) -> None:
    listed = [m for m, _ in MODULES]
    missing = sorted(set(public_modules()) - set(listed))
    if missing:  # a new public module must be placed in the reference
        raise RuntimeError(f"docs/_api.py: add these public modules to MODULES: {missing}")
    out.mkdir(parents=True, exist_ok=True)
    home: dict[int, str] = {}
    index = [
        "API reference",
        "=============",
        "",
        "Every public name, generated from each module's ``__all__``. A name exported",
        "by several modules is documented at the first and linked from the others.",
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
    ]
    for name, blurb in MODULES:
        module = importlib.import_module(name)
        index.append(f"   {name}")
        groups: dict[str, list[str]] = {"class": [], "function": [], "data": []}
        aliases: list[tuple[str, str]] = []
        modules: list[str] = []
        for attr in module.__all__:
            obj = getattr(module, attr)
            kind = _kind(obj)
            if kind == "module":
                modules.append(obj.__name__)
                continue
            key = id(obj)
            if kind != "data" and key in home:
                aliases.append((attr, home[key]))
                continue
            if kind != "data":
                home[key] = f"{name}.{attr}"
            groups[kind].append(attr)
        title = f"``{name}``"
        lines = [
            title,
            "=" * len(title),
            "",
            f".. automodule:: {name}",
            "   :no-members:",
            "",
            blurb,
            "",
            f".. currentmodule:: {name}",
            "",
        ]
        for kind, heading, template in (
            ("class", "Classes", "class.rst"),
            ("function", "Functions", "function.rst"),
            ("data", "Constants", "data.rst"),
        ):
            if not groups[kind]:
                continue
            lines += [heading, "-" * len(heading), "", ".. autosummary::"]
            lines += ["   :toctree: generated", f"   :template: {template}", ""]
            lines += [f"   {attr}" for attr in groups[kind]] + [""]
        if aliases:
            lines += ["Also exported here", "------------------", ""]
            lines += [f"- ``{attr}``: :obj:`{target}`" for attr, target in aliases] + [""]
        if modules:
            lines += ["Subpackages", "-----------", ""]
            lines += [f"- :doc:`{m}`" for m in modules if m in listed] + [""]
        (out / f"{name}.rst").write_text("\n".join(lines), encoding="utf-8")
    (out / "index.rst").write_text("\n".join(index) + "\n", encoding="utf-8")
    write_exception_tree(out)
