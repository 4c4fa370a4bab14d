"""Teams and skills: agent groups, a team, routes to required skills, retries (issue 13, §2).

All of these are values, like a :class:`~prioritize.Policy`: frozen pydantic
models, loaded from and written to TOML or JSON (:meth:`Team.from_file`,
:meth:`Routes.from_file`), never evaluated as code.

Skill names are compared case-insensitively: each is stripped and
lower-cased (``" ES "`` is ``"es"``); a skill set is given as any iterable of
names or one comma-separated string (``"es,billing"``).

An agent **may take** a query when the query's required skills are a subset
of the agent's skills and, while the query has waited less than
:attr:`Routes.skills_timeout_minutes`, its preferred skills are too. The
serving-order core applies this rule (one place, for the live queue and the
simulator).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Self

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    field_serializer,
    field_validator,
)

from prioritize._errors import InputError, SchemaError
from prioritize._internal.checks import check_number
from prioritize._internal.rows import listing
from prioritize._internal.skills import NO_SKILLS, Skills, read_skills, skill_set, skills_text
from prioritize.models import Channel, Customer, Query, Shift, channel_of
from prioritize.policy import read_document, write_document

__all__ = [
    "DELAY_KINDS",
    "SELECT",
    "AgentGroup",
    "Retry",
    "Route",
    "Routes",
    "Team",
]

#: How an arriving query picks among the free agents who may take it.
SELECT: tuple[str, ...] = ("longest_idle", "random", "fewest_skills")
Select = Literal["longest_idle", "random", "fewest_skills"]

_Config = ConfigDict(frozen=True, extra="forbid")


def _channel_name(value: Any, what: str) -> str:
    if isinstance(value, Channel):
        return value.value
    channel = channel_of(value) if isinstance(value, str) else None
    if channel is None:
        known = sorted(c.value for c in Channel)
        raise ValueError(f"{what}: unknown channel {value!r}; expected one of {known}")
    return channel.value


class _FileModel(BaseModel):
    """A value stored as a TOML or JSON document, through the policy file plumbing.

    The one home of ``from_file`` / ``to_file`` for the routing configs (teams,
    routes, the classifier).
    """

    model_config = _Config

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """Load from a ``.toml`` or ``.json`` file (data, never code).

        Raises
        ------
        ConfigError
            If the file cannot be read or parsed, or has another suffix.
        pydantic.ValidationError
            If the document is not valid (names the key).
        """
        return cls.model_validate(read_document(path))

    def to_file(self, path: str | Path) -> Path:
        """Write as TOML or JSON (by suffix), atomically; returns the path."""
        return write_document(self.model_dump(mode="json", exclude_none=True), path)


class AgentGroup(_FileModel):
    """Agents with the same skills and schedule.

    Parameters
    ----------
    name
        The group's name (non-empty; unique in a :class:`Team`). Positional.
    agents
        How many agents, always on duty (an int >= 1), or their shifts (a
        :class:`~prioritize.Shift` or a list of them).
    skills
        The skill names every agent of the group has (see the module
        docstring); empty: the group takes only queries that need no skill.
    capacity
        Channel -> how many conversations of that channel one agent holds at
        once (>= 1; default 1 for every channel). These are capacity weights,
        as in Salesforce Omni-Channel: a query on channel ``c`` occupies
        ``1 / capacity[c]`` of an agent and an agent's load never exceeds 1, so
        ``capacity={"chat": 3}`` is three chats at once, or one email, never a
        chat plus an email. The default reproduces one-query-at-a-time agents.

    Examples
    --------
    >>> import prioritize as pz
    >>> group = pz.AgentGroup("es", agents=4, skills={"ES", "billing"}, capacity={"chat": 3})
    >>> sorted(group.skills), group.capacity_of("chat"), group.capacity_of("email")
    (['billing', 'es'], 3, 1)
    """

    name: str = Field(min_length=1)
    agents: Annotated[int, Field(ge=1)] | tuple[Shift, ...]
    skills: Skills = NO_SKILLS
    capacity: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)

    def __init__(self, name: str | None = None, /, **data: Any) -> None:
        if name is not None:
            data["name"] = name
        super().__init__(**data)

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        if value != value.strip() or not value:
            raise ValueError(f"a group name must be non-empty, no spaces around; got {value!r}")
        return value

    @field_validator("agents", mode="before")
    @classmethod
    def _check_agents(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"expected a number of agents (>= 1) or shifts; got {value!r}")
        if isinstance(value, Shift | Mapping):
            return (value,)
        if isinstance(value, Sequence) and not isinstance(value, str) and not value:
            raise ValueError("expected at least one shift (an empty list has no agents)")
        return value

    @field_validator("skills", mode="before")
    @classmethod
    def _check_skills(cls, value: Any) -> Skills:
        return skill_set(value, what="AgentGroup.skills")

    @field_validator("capacity", mode="before")
    @classmethod
    def _check_capacity(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value  # pydantic names the type
        out: dict[str, Any] = {}
        for key, count in value.items():
            channel = _channel_name(key, "AgentGroup.capacity")
            if isinstance(count, bool):
                raise ValueError(f"capacity[{key!r}]: expected an int >= 1; got {count!r}")
            out[channel] = count
        return out

    @field_serializer("skills")
    def _dump_skills(self, value: Skills) -> list[str]:
        return sorted(value)

    def capacity_of(self, channel: str) -> int:
        """How many conversations on ``channel`` one agent of this group holds at once."""
        return self.capacity.get(str(channel), 1)

    def may_take(self, required: Iterable[str]) -> bool:
        """Whether this group's agents have every skill of ``required``."""
        return skill_set(required) <= self.skills


class Team(_FileModel):
    """Agent groups and how an arriving query picks a free agent.

    Parameters
    ----------
    groups
        The :class:`AgentGroup` s (at least one, names unique). Positional.
    select
        How an arriving query picks among the free agents who may take it:
        ``"longest_idle"`` (default; the agent idle longest, like "least
        active"), ``"random"`` (uniformly among them) or ``"fewest_skills"``
        (the least-skilled first, which keeps generalists free).

    Every agent group has at least one agent on duty at some time (an int
    >= 1, or shifts of >= 1 agents on at least one weekday), so a skill of
    the team always has an agent on duty at some time.

    Examples
    --------
    >>> import prioritize as pz
    >>> team = pz.Team([pz.AgentGroup("es", agents=2, skills={"es"}),
    ...                 pz.AgentGroup("all", agents=3, skills={"es", "en"})])
    >>> team.groups_for({"es"}), team.groups_for({"en"})
    (('es', 'all'), ('all',))
    """

    groups: tuple[AgentGroup, ...] = Field(min_length=1)
    select: Select = "longest_idle"

    def __init__(self, groups: Sequence[AgentGroup] | None = None, /, **data: Any) -> None:
        if groups is not None:
            data["groups"] = groups
        super().__init__(**data)

    @field_validator("groups", mode="after")
    @classmethod
    def _unique_names(cls, value: tuple[AgentGroup, ...]) -> tuple[AgentGroup, ...]:
        names = [g.name for g in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"agent group names must be unique; repeated: {twice}")
        return value

    @property
    def skills(self) -> Skills:
        """Every skill some group of the team has."""
        return frozenset().union(*(g.skills for g in self.groups))

    def group(self, name: str) -> AgentGroup:
        """The group called ``name``.

        Raises
        ------
        InputError
            If the team has no such group (names the groups it has).
        """
        for g in self.groups:
            if g.name == name:
                return g
        raise InputError(f"no agent group {name!r}; the team has {[g.name for g in self.groups]}")

    def groups_for(self, required: Iterable[str]) -> tuple[str, ...]:
        """Names of the groups whose agents may take a query needing ``required``, in order."""
        need = skill_set(required)
        return tuple(g.name for g in self.groups if need <= g.skills)

    def check_routes(self, routes: Routes) -> None:
        """Check that this team can serve what ``routes`` asks for.

        Raises
        ------
        InputError
            Naming the route and the skill: a skill no group has, or a route
            whose required skills no single group has.
        """
        known = self.skills
        for i, route in enumerate(routes.routes):
            unknown = sorted((route.require | route.prefer) - known)
            if unknown:
                raise InputError(
                    f"{route.label(i)}: skill(s) {unknown} are not skills of any agent group "
                    f"(the team has {sorted(known)})"
                )
            if not self.groups_for(route.require):
                raise InputError(
                    f"{route.label(i)}: no agent group has all the required skills "
                    f"{sorted(route.require)}"
                )

    def check_answerable(self, skills: Sequence[Skills], *, query_ids: Sequence[Any]) -> None:
        """Check that some group may take each query (``skills[i]`` is query ``query_ids[i]``'s).

        Raises
        ------
        InputError
            Naming the queries (the first few, and how many) and the skill
            sets no group has.
        """
        verdict: dict[Skills, bool] = {}
        bad = []
        for i, need in enumerate(skills):
            ok = verdict.get(need)
            if ok is None:
                ok = verdict[need] = any(need <= g.skills for g in self.groups)
            if not ok:
                bad.append(i)
        if bad:
            sets = sorted({skills_text(skills[i]) for i in bad})
            shown = listing((repr(query_ids[i]) for i in bad), len(bad), noun="queries")
            groups = "; ".join(f"{g.name}: {sorted(g.skills)}" for g in self.groups)
            raise InputError(
                f"no agent group may ever answer {len(bad)} query(ies) needing skills {sets} "
                f"(the groups have {groups}): {shown}"
            )


# -- routes -----------------------------------------------------------------

#: A value a route compares a column with: a string, a number or a boolean.
WhenValue = StrictBool | int | Annotated[float, Field(allow_inf_nan=False)] | str
_Key = tuple[str, Any]


def _key(value: Any) -> _Key | None:
    """The comparison key of a cell: equal keys match. None: missing (never matches).

    Strings equal strings, numbers equal numbers (``1 == 1.0``), booleans
    equal booleans (``True`` is not ``1``); anything else never matches.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int):
        return ("n", float(value))
    if isinstance(value, float):
        return None if math.isnan(value) else ("n", value)
    if isinstance(value, str):
        return ("s", str.__str__(value))
    return None


class Route(_FileModel):
    """What a query is -> the skills an agent needs (and would better have) to answer it.

    Parameters
    ----------
    when
        Column (or :class:`~prioritize.Query` attribute) -> a value or a list
        of values; the route matches a query whose value equals one of them,
        for every column listed (empty: every query). Strings match exactly,
        except ``channel``, whose values are read as channel names
        (``"X"`` is ``"twitter"``); a missing value never matches.
    require
        Skills an agent must have.
    prefer
        Skills an agent should also have until the query has waited
        :attr:`Routes.skills_timeout_minutes`; then they are dropped so more
        agents may take it.
    name
        Optional, to name the route in messages.
    """

    when: dict[str, tuple[WhenValue, ...]] = Field(default_factory=dict)
    require: Skills = NO_SKILLS
    prefer: Skills = NO_SKILLS
    name: str | None = None

    _accept: dict[str, frozenset[_Key | None]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._accept = {c: frozenset(_key(v) for v in vs) for c, vs in self.when.items()}

    @field_validator("when", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        out: dict[Any, Any] = {}
        for column, wanted in value.items():
            many = isinstance(wanted, list | tuple | set | frozenset)
            values = list(wanted) if many else [wanted]
            if not values:
                raise ValueError(f"when[{column!r}]: an empty list matches nothing")
            if column == "channel":
                values = [_channel_name(v, "when['channel']") for v in values]
            out[column] = tuple(values)
        return out

    @field_validator("require", "prefer", mode="before")
    @classmethod
    def _skill_names(cls, value: Any) -> Skills:
        return skill_set(value, what="Route skills")

    @field_serializer("require", "prefer")
    def _dump_skills(self, value: Skills) -> list[str]:
        return sorted(value)

    def label(self, index: int) -> str:
        """How messages name this route: ``route 2 ('spanish')`` (1-based)."""
        return f"route {index + 1}" + (f" ({self.name!r})" if self.name else "")

    def accepts(self, column: str, value: Any) -> bool:
        """Whether ``value`` of ``column`` is one this route matches: the one comparison."""
        key = _key(value)
        return key is not None and key in self._accept[column]


def _lookup(query: Query, customer: Customer | None, column: str) -> Any:
    if column in Query.model_fields:
        return getattr(query, column)
    if column in query.attributes:
        return query.attributes[column]
    if customer is not None:
        if column in Customer.model_fields:
            return getattr(customer, column)
        return customer.attributes.get(column)
    return None


ObjectArray = npt.NDArray[np.object_]


class Routes(_FileModel):
    """Routes from what a query is to its required and preferred skills.

    The **first matching route wins** (put specific routes before general
    ones); a query no route matches needs no skill from the routes. A query's
    own skills (:attr:`Query.skills <prioritize.Query.skills>`, the
    ``skills`` column) are added to its route's required skills.

    Parameters
    ----------
    routes
        The :class:`Route` s, in order. Positional.
    skills_timeout_minutes
        After this many minutes of waiting a query's preferred skills are
        dropped (only the required ones remain); None (default): never.

    Examples
    --------
    >>> import prioritize as pz
    >>> routes = pz.Routes([pz.Route(when={"channel": "twitter", "language": "es"},
    ...                              require={"es"}, prefer={"social"})],
    ...                    skills_timeout_minutes=10)
    >>> routes.skills == {"es", "social"}
    True
    """

    routes: tuple[Route, ...] = ()
    skills_timeout_minutes: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None

    def __init__(self, routes: Sequence[Route] | None = None, /, **data: Any) -> None:
        if routes is not None:
            data["routes"] = routes
        super().__init__(**data)

    @property
    def skills(self) -> Skills:
        """Every skill a route requires or prefers."""
        return frozenset().union(*(r.require | r.prefer for r in self.routes))

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the routes read, in first-use order."""
        seen: dict[str, None] = {}
        for route in self.routes:
            seen.update(dict.fromkeys(route.when))
        return tuple(seen)

    def _pair(self, index: int, own: Skills) -> tuple[Skills, Skills]:
        if index < 0:
            return own, NO_SKILLS
        route = self.routes[index]
        required = route.require | own
        return required, route.prefer - required

    def resolve(self, query: Query, customer: Customer | None = None) -> tuple[Skills, Skills]:
        """``(required, preferred)`` skills of one query: the scalar twin of :meth:`resolve_frame`.

        A column is looked up on ``query`` (a field, then its ``attributes``),
        then on ``customer`` when given; absent there, the value is missing and
        never matches.
        """
        for i, route in enumerate(self.routes):
            if all(route.accepts(c, _lookup(query, customer, c)) for c in route.when):
                return self._pair(i, query.skills)
        return self._pair(-1, query.skills)

    def resolve_frame(self, frame: pd.DataFrame) -> tuple[ObjectArray, ObjectArray]:
        """``(required, preferred)``: per row, object arrays of frozensets of skill names.

        Each column's distinct values are compared once (by
        :meth:`Route.accepts`, the comparison :meth:`resolve` uses), then
        mapped back to the rows.

        Raises
        ------
        SchemaError
            If a column a route reads is missing from the frame (naming the
            route and the column), or the ``skills`` column holds something
            else than skill names.
        """
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(f"expected a pandas DataFrame, got {type(frame).__name__}")
        n = len(frame)
        for i, route in enumerate(self.routes):
            missing = [c for c in route.when if c not in frame.columns]
            if missing:
                raise SchemaError(
                    f"{self.routes[i].label(i)} reads column(s) {missing}, which the frame does "
                    f"not have (it has {list(frame.columns)})"
                )
        codes: dict[str, tuple[npt.NDArray[np.intp], list[Any]]] = {}
        for column in self.columns:
            try:
                c, uniques = pd.factorize(frame[column])
            except TypeError as exc:  # unhashable cells (lists)
                raise SchemaError(
                    f"column {column!r}, read by the routes, holds values that cannot be "
                    f"compared (strings, numbers or booleans expected): {exc}"
                ) from exc
            codes[column] = (np.asarray(c, dtype=np.intp), list(uniques))
        chosen = np.full(n, -1, dtype=np.intp)
        for i, route in enumerate(self.routes):
            match = chosen < 0
            for column in route.when:
                c, uniques = codes[column]
                # the last slot stands for a missing value (code -1): it never matches
                accepted = np.array([route.accepts(column, u) for u in uniques] + [False])
                match &= accepted[c]
            chosen[match] = i
        own = read_skills(frame) if "skills" in frame.columns else np.full(n, NO_SKILLS)
        required = np.empty(n, dtype=object)
        preferred = np.empty(n, dtype=object)
        pairs: dict[tuple[int, Skills], tuple[Skills, Skills]] = {}
        for row, (index, mine) in enumerate(zip(chosen.tolist(), own.tolist(), strict=True)):
            pair = pairs.get((index, mine))
            if pair is None:
                pair = pairs[(index, mine)] = self._pair(index, mine)
            required[row], preferred[row] = pair
        return required, preferred


#: The delay distributions a :class:`Retry` may name, with their parameters: the
#: simulator's duration models of the same names (``pz.simulation.Constant``,
#: ``Exponential``, ``LogNormal``), built from these fields by the simulator.
DELAY_KINDS: Mapping[str, tuple[str, ...]] = {
    "constant": ("minutes",),
    "exponential": ("mean_minutes",),
    "lognormal": ("median_minutes", "sigma"),
}
_DELAY_FORMS = (
    "minutes > 0, a mapping {'kind': 'exponential', 'mean_minutes': m} or {'kind': "
    "'lognormal', 'median_minutes': m, 'sigma': s} (or 'constant', 'minutes'), or a duration "
    "model with draw(channels, rng) such as pz.simulation.Exponential(20)"
)


def _delay(value: Any) -> Any:
    """``after_minutes`` as minutes (a float), a checked spec mapping, or a model."""
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        return check_number("after_minutes", value, positive=True)
    if isinstance(value, Mapping):
        kind = value.get("kind")
        if not isinstance(kind, str) or kind not in DELAY_KINDS:
            raise ValueError(
                f"after_minutes: 'kind' must be one of {sorted(DELAY_KINDS)}; got {kind!r}"
            )
        params = DELAY_KINDS[kind]
        given = sorted(set(value) - {"kind"})
        if given != sorted(params):
            raise ValueError(f"after_minutes: kind {kind!r} takes {list(params)}; got {given}")
        return {"kind": kind} | {
            p: check_number(f"after_minutes.{p}", value[p], positive=p != "sigma") for p in params
        }
    if callable(getattr(value, "draw", None)):
        return value
    raise ValueError(f"after_minutes must be {_DELAY_FORMS}; got {value!r}")


class Retry(_FileModel):
    """A customer who gives up contacts again, later, perhaps on another channel.

    Parameters
    ----------
    probability
        Chance in [0, 1] that a customer who abandoned contacts again.
    after_minutes
        How long after abandoning: minutes > 0 (a constant), or a distribution
        drawn per retry, as a spec of one of :data:`DELAY_KINDS` (``{"kind":
        "exponential", "mean_minutes": 20}``, ``{"kind": "lognormal",
        "median_minutes": 15, "sigma": 1.0}``; in a file, ``after_minutes =
        {kind = "exponential", mean_minutes = 20}``) or a duration model
        (``pz.simulation.Exponential(20)``, ``LogNormal(15, 1.0)``, anything with
        ``draw(channels, rng)``, drawn with the retry's channel). A drawn delay
        is at least one second.
    channel
        The channel of the new contact: None (default) the same channel, a
        channel name for every retry, or a mapping from the abandoned query's
        channel to the retry's (channels not listed keep theirs).
    patience_factor
        Each retry's patience is the customer's first patience times this
        (> 0; default 1: the same patience; 0.5: a customer trying again gives
        up twice as fast).
    """

    probability: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    after_minutes: Any
    channel: str | dict[str, str] | None = None
    patience_factor: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0

    @field_validator("after_minutes", mode="before")
    @classmethod
    def _after(cls, value: Any) -> Any:
        return _delay(value)

    @field_serializer("after_minutes")
    def _write_after(self, value: Any) -> Any:
        if isinstance(value, float | dict):
            return value
        kind = type(value).__name__.lower()
        if kind in DELAY_KINDS:  # the simulator's own models, written as their spec
            return {"kind": kind} | {p: float(getattr(value, p)) for p in DELAY_KINDS[kind]}
        raise ValueError(
            f"after_minutes: {value!r} cannot be written to a file; give minutes or a spec "
            f"of {sorted(DELAY_KINDS)}"
        )

    @field_validator("channel", mode="before")
    @classmethod
    def _channels(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                _channel_name(k, "Retry.channel"): _channel_name(v, "Retry.channel")
                for k, v in value.items()
            }
        if isinstance(value, str):
            return _channel_name(value, "Retry.channel")
        return value

    def channel_after(self, channel: str) -> str:
        """The channel of the retry of a query on ``channel``."""
        if self.channel is None:
            return str(channel)
        if isinstance(self.channel, str):
            return self.channel
        return self.channel.get(str(channel), str(channel))
