"""Policy: weights over signals plus fairness rules, as a frozen value.

A :class:`Policy` is validated configuration; on construction it compiles a
small private plan (:mod:`~prioritize.policy._plan`: each signal of the
registry with its weight and cap, the aging rate). Scoring one query or a
frame (:mod:`~prioritize.policy._evaluate`) reads only the plan; the score
object lives in :mod:`~prioritize.policy._score` and file I/O in
:mod:`~prioritize.policy._files`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Self

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from prioritize.models import CHANNELS, canonical_frame
from prioritize.policy import _evaluate
from prioritize.policy._files import read_document, write_document
from prioritize.policy._order import order_keys, rank_order
from prioritize.policy._plan import Plan, check_names, compile_plan
from prioritize.policy._rules import Aging, GroupShare, MaxWait, Points, Rule
from prioritize.policy._score import Score
from prioritize.signals import SIGNALS, SignalParams

__all__ = ["Policy", "Score", "Weights"]

_Weight = Points  # in [0, MAX_POINTS]: every score stays finite

#: The compiled functions a policy binds on itself beside its fields (model_post_init).
_BOUND = frozenset({"score", "score_value"})


def _configuration(policy: Policy) -> dict[str, Any]:
    """The policy's fields (its ``__dict__`` without the compiled functions bound in it)."""
    return {k: v for k, v in policy.__dict__.items() if k not in _BOUND}


class Weights(BaseModel):
    """Weight per signal, in [0, 10⁶] (``MAX_POINTS``); weights summing to 1 give scores in [0, 1].

    Keys are signal names: the built-in ``crm_value``, ``purchase_history``,
    ``follower_reach`` and ``urgency`` (0 unless given, read as attributes,
    e.g. ``weights.urgency``) and any signal the policy declares under
    ``signals.custom``. The policy checks the names: an unknown one is a
    validation error at ``weights.<name>`` listing the known signals.
    """

    model_config = ConfigDict(frozen=True, extra="allow")
    __pydantic_extra__: dict[str, _Weight] = Field(init=False)

    def __init__(self, **weights: float) -> None:
        super().__init__(**weights)

    @model_validator(mode="before")
    @classmethod
    def _builtin_default_zero(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {**dict.fromkeys(SIGNALS, 0.0), **data}
        return data

    def as_dict(self) -> dict[str, float]:
        """Signal name -> weight (built-in signals first)."""
        return dict(self.__pydantic_extra__)


class Policy(BaseModel):
    """Weights over signals plus fairness rules.

    Parameters
    ----------
    name, description
        Labels for tables and reports.
    weights
        A :class:`Weights` (or a mapping) over the policy's signals: the
        built-in ``crm_value``, ``purchase_history``, ``follower_reach`` and
        ``urgency``, and those declared in ``signals.custom``.
    rules
        Fairness rules (:mod:`prioritize.rules`); at most one each of
        ``Aging``, ``MaxWait`` and ``GroupShare``.
    signals
        Normalisation parameters and the policy's own signals
        (:class:`~prioritize.signals.SignalParams`, its ``custom`` mapping).
    service_levels
        The published promise per channel, in minutes (e.g.
        ``{"twitter": 60, "email": 1440, "default": 240}``): each queue entry
        shows when it is due (``entry.due_at``, ``due_in``). Informational;
        ordering is set by the rules (a ``MaxWait`` limit is the deadline that
        reorders: ``entry.overdue_at``). The presets publish
        :data:`~prioritize.policies.SURVEY_SERVICE_LEVELS`.

    Subclasses are supported: a subclass may add fields (plain configuration,
    e.g. ``team: str = "support"``) and override scoring;
    :meth:`with_changes`, pickling and a file round trip through the
    subclass (``MyPolicy.from_file``) keep the subclass and its fields. A
    subclass that defines ``model_post_init`` must call
    ``super().model_post_init(context)``.

    Examples
    --------
    >>> import prioritize as pz
    >>> p = pz.Policy(weights={"urgency": 0.7, "crm_value": 0.3},
    ...               rules=[pz.rules.Aging(points_per_hour=0.5)])
    >>> p.weights.urgency
    0.7
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "custom"
    description: str = ""
    weights: Weights = Weights()
    rules: tuple[Rule, ...] = ()
    signals: SignalParams = SignalParams()
    service_levels: dict[str, Annotated[float, Field(gt=0, allow_inf_nan=False)]] = Field(
        default_factory=dict
    )

    _plan: Plan = PrivateAttr()

    @field_validator("service_levels")
    @classmethod
    def _known_channels(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - CHANNELS - {"default"})
        if unknown:
            raise ValueError(
                f"unknown channel(s) {unknown}; use channel names or 'default': {sorted(CHANNELS)}"
            )
        return value

    def service_level_minutes(self, channel: str) -> float | None:
        """The promised answer time for ``channel`` (None when none is published)."""
        levels = self.service_levels
        return levels.get(str(channel), levels.get("default"))

    @model_validator(mode="after")
    def _one_of_each(self) -> Self:
        for kind in ("aging", "max_wait", "group_share"):
            count = sum(1 for r in self.rules if r.kind == kind)
            if count > 1:
                raise ValueError(f"rules: at most one {kind!r} rule; got {count}")
        check_names(self.weights.as_dict(), self.rules, self.signals)
        return self

    def model_post_init(self, context: Any, /) -> None:
        plan = compile_plan(self.weights.as_dict(), self.rules, self.signals)
        self._plan = plan
        # `policy.score(...)` and `policy.score_value(...)` reach the plan's compiled
        # functions directly: an instance entry shadows the method (a function, a
        # non-data descriptor), so no method frame runs per query. Kept out of
        # equality, iteration and pickles (_BOUND); a subclass overriding a method keeps it.
        cls = type(self)
        for name, method, compiled in (
            ("score", _evaluate.score, plan.score),
            ("score_value", _evaluate.score_value, plan.total),
        ):
            if getattr(cls, name) is method:
                self.__dict__[name] = compiled

    @property
    def _compiled(self) -> Plan:
        # Private attributes go through BaseModel.__getattr__ (~2 µs); the
        # dict behind them is a slot (~0.05 µs).
        return self.__pydantic_private__["_plan"]  # type: ignore[index,no-any-return]

    def __eq__(self, other: object) -> bool:
        # Equal when the configuration is equal; the compiled plan is derived.
        if not isinstance(other, Policy):
            return NotImplemented
        return _configuration(self) == _configuration(other)

    __hash__ = BaseModel.__hash__

    # A pickle holds the configuration only: the compiled plan (closures over
    # the signal registry, the urgency cache) is rebuilt on unpickling, so a
    # policy crosses process boundaries (ProcessPoolExecutor, Dask) intact.
    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        private = {k: v for k, v in (state.get("__pydantic_private__") or {}).items()}
        private.pop("_plan", None)
        return {**state, "__dict__": _configuration(self), "__pydantic_private__": private}

    def __iter__(self) -> Any:
        # The fields (pydantic's iteration), not the compiled functions bound beside them.
        return (kv for kv in super().__iter__() if kv[0] not in _BOUND)

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        self.model_post_init(None)

    # ------------------------------------------------------------------ rules
    @property
    def aging(self) -> Aging | None:
        """The policy's ``Aging`` rule, if any."""
        return self._compiled.aging

    @property
    def max_wait(self) -> MaxWait | None:
        """The policy's ``MaxWait`` rule, if any."""
        return self._compiled.max_wait

    @property
    def group_share(self) -> GroupShare | None:
        """The policy's ``GroupShare`` rule, if any."""
        return self._compiled.group_share

    @property
    def signal_names(self) -> tuple[str, ...]:
        """Every signal this policy can weight, in summing order: built-in, then its own."""
        return self._compiled.names

    @property
    def blind_signals(self) -> tuple[str, ...]:
        """Signals a ``Blind`` rule removes, in the fixed signal order."""
        return self._compiled.blind

    @property
    def aging_rate_per_minute(self) -> float:
        """Aging points per minute waited (0 without an ``Aging`` rule)."""
        return self._compiled.rate_per_minute

    def with_changes(self, **changes: Any) -> Self:
        """A new, validated policy with ``changes`` applied (policies are values).

        The result has this policy's class, so a subclass keeps its own fields.
        """
        data = self.model_dump()
        if "weights" in changes and isinstance(changes["weights"], Mapping):
            changes["weights"] = {**data["weights"], **changes["weights"]}
        return self._validated(data, changes)

    def _validated(self, data: dict[str, Any], changes: Mapping[str, Any]) -> Self:
        # A policy of this class from `data` with `changes` replacing fields: validated,
        # so compiled again (a policy's plan is never older than its fields).
        return type(self).model_validate({**data, **changes})

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy; with ``update``, a new policy with those fields replaced, validated and compiled.

        Unlike pydantic's ``BaseModel.model_copy``, ``update`` is validated (an
        invalid value or unknown key raises ``ValidationError``): a policy scores
        with its compiled plan, so fields set without validation would score
        with the old ones. Each key replaces a field whole (``weights`` given
        are all the weights); :meth:`with_changes` merges a ``weights`` mapping
        into the current weights. With ``update``, ``deep`` does not matter:
        the new policy is built from this one's fields, sharing nothing.
        """
        if update:
            return self._validated(self.model_dump(), update)
        return super().model_copy(deep=deep)

    # ---------------------------------------------------------------- scoring
    score = _evaluate.score
    score_value = _evaluate.score_value
    score_frame = _evaluate.score_frame

    def rank(self, frame: pd.DataFrame, *, now: datetime | None = None) -> pd.DataFrame:
        """The frame's queries in the order this policy serves them at ``now``.

        Returns the columns of :meth:`score_frame` plus ``query_id``,
        ``received_at``, ``overdue`` (past the ``MaxWait`` limit) and ``rank``
        (1 = served first), sorted by rank, original index kept. Overdue
        queries come first, oldest first; the rest by score, ties broken by
        ``received_at`` then ``query_id``.
        """
        frame, cols = canonical_frame(frame)  # the one entry check: ids canonical
        scores = self.score_frame(frame, now=now, validate="read")
        received = cols.received_ns
        base = scores["score"].to_numpy() - scores["aging"].to_numpy()
        keys = order_keys(frame, self, base=base, received_ns=received, now=now)
        order = rank_order(keys)
        out = scores.copy()
        out.insert(0, "query_id", frame["query_id"].to_numpy())
        out.insert(1, "received_at", frame["received_at"].to_numpy())
        out["overdue"] = keys.overdue
        out = out.iloc[order]
        out["rank"] = np.arange(1, len(out) + 1)
        return out

    # ---------------------------------------------------------------- config
    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """Load a policy from a ``.toml`` or ``.json`` file.

        ``MyPolicy.from_file`` loads a file written by ``MyPolicy.to_file``
        (a subclass's own fields included) as a ``MyPolicy``.

        Raises
        ------
        ConfigError
            If the file cannot be parsed or has another suffix.
        pydantic.ValidationError
            If the document is not a valid policy (names the key).
        """
        return cls.model_validate(read_document(path))

    def to_file(self, path: str | Path) -> Path:
        """Write the policy as TOML or JSON (by suffix); returns the path."""
        return write_document(self.model_dump(mode="json"), path)
