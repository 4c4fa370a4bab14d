"""Policy: weights over signals plus fairness rules; scores one query or a frame.

Data flow. A :class:`Policy` is a frozen pydantic value. On construction it
compiles a small private plan (effective weight, cap and blindness per signal,
aging rate). :meth:`Policy.score` evaluates the signal formulas of
:mod:`prioritize.signals` with scalar ops; :meth:`Policy.score_frame` evaluates
the *same* formulas with numpy ops over the validated columns of a frame. The
score is ``Σ min(weight × signal, cap)`` over non-blind signals, summed in the
fixed order of :data:`~prioritize.signals.SIGNALS`, plus aging points.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from prioritize._errors import ConfigError, InputError
from prioritize.models import (
    CHANNELS,
    NS_PER_MINUTE,
    Customer,
    Query,
    read_received_ns,
    timestamp_ns,
    validate_frame,
)
from prioritize.models._schema import FrameColumns
from prioritize.policy import _toml
from prioritize.policy._order import order_keys, rank_order
from prioritize.policy._rules import Aging, Blind, Cap, GroupShare, MaxWait, Rule
from prioritize.signals import SCALAR, SIGNALS, VECTOR, SignalParams
from prioritize.signals import _formulas as f

__all__ = ["Policy", "Score", "Weights", "aging_points"]

_Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]
_COLUMNS = ("score", *SIGNALS, "aging")
_ROWS_PER_THREAD = 200_000
_THREADS = min(os.cpu_count() or 1, 8)
_US_PER_MINUTE = 60_000_000


class Weights(BaseModel):
    """Non-negative weight per signal; weights that sum to 1 give scores in [0, 1]."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    crm_value: _Weight = 0.0
    purchase_history: _Weight = 0.0
    follower_reach: _Weight = 0.0
    urgency: _Weight = 0.0


def aging_points(rate_per_minute: Any, waited_minutes: Any) -> Any:
    """Aging points after ``waited_minutes`` (floats or arrays): linear in the wait."""
    return waited_minutes * rate_per_minute


class Score:
    """The score of one query and why.

    Attributes
    ----------
    query_id
        The query scored.
    value
        The score: the sum of ``contributions``.
    contributions
        Points per signal (``crm_value``, ``purchase_history``,
        ``follower_reach``, ``urgency``) and ``aging``; blind or zero-weight
        signals contribute 0.
    signals
        The normalised signal values in [0, 1] that were used (blind and
        zero-weight signals are not computed and are absent).
    rules
        Descriptions of the rules that acted on this score, e.g.
        ``"cap(follower_reach, 0.1): 0.18 -> 0.1"`` (built on first access).
    waited_minutes
        Minutes between arrival and ``now`` (0 when scored at arrival).
    """

    __slots__ = (
        "_blind",
        "_capped",
        "contributions",
        "query_id",
        "signals",
        "value",
        "waited_minutes",
    )

    def __init__(
        self,
        query_id: str,
        value: float,
        contributions: dict[str, float],
        signals: dict[str, float] | None = None,
        waited_minutes: float = 0.0,
        *,
        capped: tuple[tuple[str, float, float], ...] = (),
        blind: tuple[str, ...] = (),
    ) -> None:
        self.query_id = query_id
        self.value = value
        self.contributions = contributions
        self.signals = {} if signals is None else signals
        self.waited_minutes = waited_minutes
        self._capped = capped
        self._blind = blind

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules that acted on this score, as readable strings."""
        acted = [f"blind({', '.join(self._blind)})"] if self._blind else []
        acted += [f"cap({n}, {cap:g}): {raw:.4g} -> {cap:g}" for n, raw, cap in self._capped]
        aging = self.contributions.get("aging", 0.0)
        if aging:
            acted.append(f"aging: +{aging:.4g} for {self.waited_minutes:.1f} min")
        return tuple(acted)

    def aged(self, waited_minutes: float, rate_per_minute: float) -> Score:
        """This score (taken at arrival) after ``waited_minutes`` of aging."""
        aging = aging_points(rate_per_minute, waited_minutes)
        contributions = dict(self.contributions)
        base = self.value - contributions["aging"]
        contributions["aging"] = aging
        return Score(
            self.query_id,
            base + aging,
            contributions,
            self.signals,
            waited_minutes,
            capped=self._capped,
            blind=self._blind,
        )

    def explain(self) -> str:
        """One line: the score, its largest contributions and the rules that acted."""
        parts = [
            f"{name} {points:.3f}"
            for name, points in sorted(self.contributions.items(), key=lambda kv: -kv[1])
            if points > 0
        ]
        text = f"{self.query_id}: score {self.value:.3f}"
        text += " = " + " + ".join(parts) if parts else " (no signal counts: arrival order)"
        rules = self.rules
        if rules:
            text += "; " + "; ".join(rules)
        return text

    def __repr__(self) -> str:
        return (
            f"Score(query_id={self.query_id!r}, value={self.value!r}, "
            f"contributions={self.contributions!r}, rules={self.rules!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Score):
            return NotImplemented
        return (
            self.query_id == other.query_id
            and self.value == other.value
            and self.contributions == other.contributions
            and self.waited_minutes == other.waited_minutes
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class _Plan:
    # (signal, weight, cap) for every signal that can contribute; blind and
    # zero-weight signals are left out so they are not even computed.
    active: tuple[tuple[str, float, float], ...]
    scalar: tuple[tuple[str, Callable[[Query, Customer], float], float, float], ...]
    blind: tuple[str, ...]
    rate_per_minute: float
    aging: Aging | None
    max_wait: MaxWait | None
    group_share: GroupShare | None


def _scalar_signal(name: str, params: SignalParams) -> Callable[[Query, Customer], float]:
    """The per-query evaluator of one signal (the formula itself lives in ``signals``)."""
    if name == "urgency":
        lexicon = params.urgency

        def urgency(q: Query, c: Customer) -> float:
            return lexicon.score(q.text) if q.urgency is None else q.urgency

        return urgency
    if name == "follower_reach":
        return lambda q, c: f.follower_reach(c.followers, params, SCALAR)
    if name == "crm_value":
        return lambda q, c: f.crm_value(c.lifetime_value, params, SCALAR)
    purchase = params.purchase

    def purchase_history(q: Query, c: Customer) -> float:
        days = c.days_since_last_purchase
        return f.purchase_history(  # type: ignore[no-any-return]
            c.purchase_count,
            c.total_spend,
            math.nan if days is None else days,
            purchase,
            SCALAR,
        )

    return purchase_history


def _compile(policy: Policy) -> _Plan:
    blind: set[str] = set()
    caps: dict[str, float] = {}
    aging = max_wait = group_share = None
    for rule in policy.rules:
        if isinstance(rule, Blind):
            blind.update(rule.signals)
        elif isinstance(rule, Cap):
            caps[rule.signal] = min(caps.get(rule.signal, math.inf), rule.max_points)
        elif isinstance(rule, Aging):
            aging = rule
        elif isinstance(rule, MaxWait):
            max_wait = rule
        else:
            group_share = rule
    weights = policy.weights
    active = tuple(
        (name, getattr(weights, name), caps.get(name, math.inf))
        for name in SIGNALS
        if name not in blind and getattr(weights, name) > 0
    )
    return _Plan(
        active=active,
        scalar=tuple((n, _scalar_signal(n, policy.signals), w, c) for n, w, c in active),
        blind=tuple(s for s in SIGNALS if s in blind),
        rate_per_minute=aging.points_per_hour / 60.0 if aging else 0.0,
        aging=aging,
        max_wait=max_wait,
        group_share=group_share,
    )


class Policy(BaseModel):
    """Weights over the four signals plus fairness rules.

    Parameters
    ----------
    name, description
        Labels for tables and reports.
    weights
        A :class:`Weights` (or a mapping) over ``crm_value``,
        ``purchase_history``, ``follower_reach`` and ``urgency``.
    rules
        Fairness rules (:mod:`prioritize.rules`); at most one each of
        ``Aging``, ``MaxWait`` and ``GroupShare``.
    signals
        Normalisation parameters (:class:`~prioritize.signals.SignalParams`).
    service_levels
        The published promise per channel, in minutes (e.g.
        ``{"twitter": 60, "email": 1440, "default": 240}``): each queue entry
        shows when it is due. Informational; ordering is set by the rules.

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

    _plan: _Plan = PrivateAttr()

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
        return self

    def model_post_init(self, context: Any, /) -> None:
        self._plan = _compile(self)

    @property
    def _compiled(self) -> _Plan:
        # Private attributes go through BaseModel.__getattr__ (~2 µs); the
        # dict behind them is a slot (~0.05 µs). This is the hot path.
        return self.__pydantic_private__["_plan"]  # type: ignore[index,no-any-return]

    def __eq__(self, other: object) -> bool:
        # Equal when the configuration is equal; the compiled plan is derived.
        if not isinstance(other, Policy):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = BaseModel.__hash__

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
    def blind_signals(self) -> tuple[str, ...]:
        """Signals a ``Blind`` rule removes, in the fixed signal order."""
        return self._compiled.blind

    @property
    def aging_rate_per_minute(self) -> float:
        """Aging points per minute waited (0 without an ``Aging`` rule)."""
        return self._compiled.rate_per_minute

    def with_changes(self, **changes: Any) -> Policy:
        """A new, validated policy with ``changes`` applied (policies are values)."""
        data = self.model_dump()
        if "weights" in changes and isinstance(changes["weights"], Mapping):
            changes["weights"] = {**data["weights"], **changes["weights"]}
        data.update(changes)
        return Policy.model_validate(data)

    # ---------------------------------------------------------------- scoring
    def score(self, query: Query, customer: Customer, now: datetime | None = None) -> Score:
        """Score one query at ``now`` (at its own arrival when ``now`` is None).

        Raises
        ------
        InputError
            If ``customer`` is not the query's author, ``now`` is naive, or the
            query was received after ``now``.
        """
        if query.customer_id != customer.customer_id:
            raise InputError(
                f"query {query.query_id!r} is from customer {query.customer_id!r} "
                f"but was scored with customer {customer.customer_id!r}"
            )
        plan: _Plan = self.__pydantic_private__["_plan"]  # type: ignore[index]
        signals: dict[str, float] = {}
        contributions = dict.fromkeys(SIGNALS, 0.0)
        capped: list[tuple[str, float, float]] = []
        total = 0.0
        for name, evaluate, weight, cap in plan.scalar:
            s = signals[name] = evaluate(query, customer)
            points = weight * s
            if points > cap:
                capped.append((name, points, cap))
                points = cap
            contributions[name] = points
            total += points
        waited = 0.0
        if now is not None:
            if now.tzinfo is None or now.utcoffset() is None:
                raise InputError(f"now must be timezone-aware; got naive {now.isoformat()}")
            delta = now - query.received_at
            micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
            if micros < 0:
                raise InputError(
                    f"query {query.query_id!r} was received at {query.received_at.isoformat()}, "
                    f"after now={now.isoformat()}"
                )
            waited = micros / _US_PER_MINUTE
        aging = contributions["aging"] = aging_points(plan.rate_per_minute, waited)
        return Score(
            query.query_id,
            total + aging,
            contributions,
            signals,
            waited,
            capped=tuple(capped),
            blind=plan.blind,
        )

    def score_value(self, query: Query, customer: Customer) -> float:
        """The score at arrival as a bare float (no explanation): the queue's hot path.

        Equal to ``score(query, customer).value``; raises the same errors.
        """
        if query.customer_id != customer.customer_id:
            self.score(query, customer)  # raises the documented error
        plan: _Plan = self.__pydantic_private__["_plan"]  # type: ignore[index]
        total = 0.0
        for _, evaluate, weight, cap in plan.scalar:
            points = weight * evaluate(query, customer)
            total += cap if points > cap else points
        return total

    def _fill_points(self, cols: FrameColumns, urgency: Any, buf: npt.NDArray[np.float64]) -> None:
        # buf rows: score, one per signal (SIGNALS order), aging; all start at 0.
        params = self.signals
        for name, weight, cap in self._compiled.active:
            if name == "urgency":
                s = urgency
            elif name == "follower_reach":
                s = f.follower_reach(cols.followers, params, VECTOR)
            elif name == "crm_value":
                s = f.crm_value(cols.lifetime_value, params, VECTOR)
            else:
                s = f.purchase_history(
                    cols.purchase_count,
                    cols.total_spend,
                    cols.days_since_last_purchase,
                    params.purchase,
                    VECTOR,
                )
            row = buf[1 + SIGNALS.index(name)]
            np.multiply(s, weight, out=row)
            if cap != math.inf:
                np.minimum(row, cap, out=row)
        total = buf[0]
        for i in range(1, len(SIGNALS) + 2):
            np.add(total, buf[i], out=total)

    def score_frame(
        self,
        frame: pd.DataFrame,
        now: datetime | None = None,
        *,
        validate: Literal["full", "read"] = "full",
    ) -> pd.DataFrame:
        """Score every row of a canonical query frame at ``now``.

        Returns a frame with the same index, a ``score`` column and one column
        of points per contribution (``crm_value``, ``purchase_history``,
        ``follower_reach``, ``urgency``, ``aging``). Vectorised with numpy;
        the one per-row step is deriving urgency from ``text`` for rows whose
        ``urgency`` is missing.

        ``validate="full"`` checks the whole canonical schema (ids present
        and unique, channels known). ``validate="read"`` checks only what
        scoring reads (the numeric and time columns), for partitions of a
        frame already checked as a whole (e.g. Dask ``map_partitions``); it
        is about 3x faster on a million rows.

        Raises
        ------
        SchemaError
            If the frame does not follow the canonical schema.
        InputError
            If a query was received after ``now``.
        """
        if validate not in ("full", "read"):
            raise InputError(f"validate must be 'full' or 'read'; got {validate!r}")
        cols = validate_frame(frame, full=validate == "full")
        n = len(frame)
        # One (6, n) buffer, handed to pandas transposed: a single block, no copy.
        buf = np.zeros((len(_COLUMNS), n))
        buf[-1] = aging_points(self._compiled.rate_per_minute, _frame_waited(frame, cols, now))
        urgency = None
        if any(name == "urgency" for name, _, _ in self._compiled.active):
            urgency = _frame_urgency(frame, cols, self.signals)
        chunks = min(_THREADS, n // _ROWS_PER_THREAD)
        if chunks <= 1:
            self._fill_points(cols, urgency, buf)
        else:
            # numpy releases the GIL in ufuncs: score row blocks on several cores.
            edges = np.linspace(0, n, chunks + 1).astype(int)
            with ThreadPoolExecutor(chunks) as pool:
                jobs = [
                    pool.submit(
                        self._fill_points,
                        cols.rows(lo, hi),
                        None if urgency is None else urgency[lo:hi],
                        buf[:, lo:hi],
                    )
                    for lo, hi in itertools.pairwise(edges)
                ]
                for job in jobs:
                    job.result()
        return pd.DataFrame(buf.T, index=frame.index, columns=list(_COLUMNS), copy=False)

    def rank(self, frame: pd.DataFrame, now: datetime | None = None) -> pd.DataFrame:
        """The frame's queries in the order this policy serves them at ``now``.

        Returns the columns of :meth:`score_frame` plus ``query_id``,
        ``received_at``, ``overdue`` (past the ``MaxWait`` limit) and ``rank``
        (1 = served first), sorted by rank, original index kept. Overdue
        queries come first, oldest first; the rest by score, ties broken by
        ``received_at`` then ``query_id``.
        """
        scores = self.score_frame(frame, now)  # validates the frame
        received = read_received_ns(frame)
        keys = order_keys(
            self, frame, scores["score"].to_numpy() - scores["aging"].to_numpy(), received, now
        )
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
    def from_file(cls, path: str | Path) -> Policy:
        """Load a policy from a ``.toml`` or ``.json`` file.

        Raises
        ------
        ConfigError
            If the file cannot be parsed or has another suffix.
        pydantic.ValidationError
            If the document is not a valid policy (names the key).
        """
        path = Path(path)
        suffix = path.suffix.lower()
        text = path.read_text(encoding="utf-8")
        try:
            if suffix == ".toml":
                data = tomllib.loads(text)
            elif suffix == ".json":
                data = json.loads(text)
            else:
                raise ConfigError(
                    f"{path}: unknown policy file type {suffix!r}; use .toml or .json"
                )
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{path}: not valid {suffix[1:].upper()}: {exc}") from exc
        return cls.model_validate(data)

    def to_file(self, path: str | Path) -> Path:
        """Write the policy as TOML or JSON (by suffix); returns the path."""
        path = Path(path)
        data = self.model_dump(mode="json")
        suffix = path.suffix.lower()
        if suffix == ".toml":
            path.write_text(_toml.dumps(data), encoding="utf-8")
        elif suffix == ".json":
            path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        else:
            raise ConfigError(f"{path}: unknown policy file type {suffix!r}; use .toml or .json")
        return path


def _frame_urgency(
    frame: pd.DataFrame, cols: FrameColumns, params: SignalParams
) -> npt.NDArray[np.float64]:
    if cols.urgency is not None:
        missing = np.isnan(cols.urgency)
        if not missing.any():
            return cols.urgency
        values = cols.urgency.copy()
    else:
        missing = np.ones(len(frame), dtype=bool)
        values = np.empty(len(frame))
    texts = frame["text"].to_numpy(dtype=object)[missing]
    score = params.urgency.score
    cache: dict[str, float] = {}
    derived = np.empty(len(texts))
    for i, text in enumerate(texts):
        u = cache.get(text)
        if u is None:
            u = cache[text] = score(text)
        derived[i] = u
    values[missing] = derived
    return values


def _frame_waited(
    frame: pd.DataFrame, cols: FrameColumns, now: datetime | None
) -> npt.NDArray[np.float64]:
    if now is None:
        return np.zeros(len(frame))
    now_ns = timestamp_ns(now)
    delta = now_ns - cols.received_ns
    late = delta < 0
    if late.any():
        ids = frame["query_id"].to_numpy()[late][:5].tolist()
        raise InputError(
            f"{int(late.sum())} query(ies) were received after now={now.isoformat()}: "
            f"query_id {ids}"
        )
    return delta / NS_PER_MINUTE
