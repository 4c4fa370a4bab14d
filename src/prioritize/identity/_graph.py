"""IdentityGraph: which keys (handles, addresses, CRM records) belong to one person.

Keys are nodes of an undirected :mod:`networkx` graph; :meth:`IdentityGraph.link`
adds an edge ("these two keys are the same person"). A person is a connected
component and their canonical id is

* the component's CRM key (``crm:...``) when it has exactly one,
* else the smallest key in the component (string order), so a brand-new
  contact gets a stable id that will not change until it is linked,
* a key never linked or added resolves to itself (a one-key component).

A component with two or more CRM keys is a *conflict* (two customer records
joined by some shared handle or address). It is never merged silently:
:meth:`IdentityGraph.conflicts` lists them, and resolving one of its keys
follows the graph's ``on_conflict`` policy: ``"raise"`` (the default) raises
:class:`IdentityConflictError`; ``"nearest"`` gives each key the CRM key
closest to it by number of links (ties: the smallest CRM key).

Data structure. Components are kept in a union-find (with member lists merged
smaller-into-larger), so linking and resolving cost about O(1) per key. The
links themselves form a :class:`networkx.Graph`, built on first need (a
conflict's chain of links, the ``"nearest"`` policy, :meth:`to_networkx`);
networkx is imported then, never by ``import prioritize``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, cast

import numpy as np
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.frames import require_columns
from prioritize.identity._keys import CRM_KIND, Kinds, make_kinds, normalise_key

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Conflict", "IdentityConflictError", "IdentityGraph", "OnConflict"]

OnConflict: TypeAlias = Literal["raise", "nearest"]
_CRM_PREFIX = CRM_KIND + ":"


@dataclass(frozen=True, slots=True)
class Conflict:
    """A person-component holding two or more CRM records.

    Attributes
    ----------
    crm_ids
        The CRM keys in the component, sorted.
    keys
        Every key in the component, sorted.
    path
        A shortest chain of links between the first two CRM keys: the links to
        check when deciding which one is wrong.
    """

    crm_ids: tuple[str, ...]
    keys: tuple[str, ...]
    path: tuple[str, ...]

    def describe(self) -> str:
        """One line naming the CRM records and the chain of links joining them."""
        return f"CRM records {list(self.crm_ids)} are linked through {' -- '.join(self.path)}"


class IdentityConflictError(InputError):
    """A key belongs to a person with two or more CRM records (see :class:`Conflict`)."""

    __module__ = "prioritize.identity"  # the public path, in reprs and pickles

    def __init__(self, key: str, conflict: Conflict) -> None:
        super().__init__(
            f"identity key {key!r} cannot be resolved: {conflict.describe()}; fix the links "
            f"or build the graph with on_conflict='nearest'"
        )
        self.key = key
        self.conflict = conflict


def _is_missing(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    )


@dataclass(frozen=True, slots=True)
class _Person:
    """A resolved component: one canonical id, or a conflict and each key's nearest record."""

    canonical: str | None
    nearest: dict[str, str] | None
    conflict: Conflict | None


class IdentityGraph:
    """Keys of one person across channels, and their canonical customer id.

    Parameters
    ----------
    links
        Pairs of keys to link now (see :meth:`link`).
    kinds
        Extra key kinds beyond :data:`~prioritize.identity.DEFAULT_KINDS`:
        names (styled ``id``) or a mapping name -> style
        (``"handle"``, ``"email"``, ``"phone"``, ``"id"``).
    on_conflict
        What :meth:`resolve` does with a key whose person has several CRM
        records: ``"raise"`` :class:`IdentityConflictError`, or ``"nearest"``
        CRM record by number of links (ties: the smallest).

    Examples
    --------
    >>> from prioritize.identity import IdentityGraph
    >>> g = IdentityGraph([("twitter:@Ann", "email:ann@x.com"), ("email:ann@x.com", "crm:C-1")])
    >>> g.resolve("twitter:ann")
    'crm:C-1'
    >>> g.resolve("email:bob@x.com")  # never seen: its own id
    'email:bob@x.com'
    """

    def __init__(
        self,
        links: Iterable[tuple[str, str]] = (),
        *,
        kinds: Iterable[str] | Mapping[str, str] = (),
        on_conflict: OnConflict = "raise",
    ) -> None:
        if on_conflict not in ("raise", "nearest"):
            raise InputError(f"on_conflict must be 'raise' or 'nearest'; got {on_conflict!r}")
        self.kinds: Kinds = make_kinds(kinds)
        self.on_conflict: OnConflict = on_conflict
        self._parent: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}  # root -> every key of its component
        self._people: dict[str, _Person] = {}  # root -> resolved component (a cache)
        self._edges: list[tuple[str, str]] = []  # links not yet in the networkx graph
        self._nx: Any = None
        self._norm_cache: dict[str, str] = {}
        for a, b in links:
            self.link(a, b)

    # ------------------------------------------------------------- building
    def normalise(self, key: object) -> str:
        """The normal form of ``key`` under this graph's kinds (see :func:`normalise_key`)."""
        if isinstance(key, str):
            hit = self._norm_cache.get(key)
            if hit is not None:
                return hit
            norm = self._norm_cache[key] = normalise_key(key, self.kinds)
            return norm
        return normalise_key(key, self.kinds)

    def _find(self, key: str) -> str:
        parent = self._parent
        root = key
        while parent[root] != root:
            root = parent[root]
        while parent[key] != root:  # path compression
            parent[key], key = root, parent[key]
        return root

    def _add(self, norm: str) -> None:
        if norm not in self._parent:
            self._parent[norm] = norm
            self._members[norm] = [norm]
            if self._nx is not None:
                self._nx.add_node(norm)

    def _union(self, a: str, b: str) -> None:
        self._add(a)
        self._add(b)
        if a != b:
            self._edges.append((a, b))
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        if len(self._members[ra]) < len(self._members[rb]):
            ra, rb = rb, ra
        self._parent[rb] = ra
        self._members[ra].extend(self._members.pop(rb))
        self._people.pop(ra, None)
        self._people.pop(rb, None)

    def _networkx(self) -> Any:
        if self._nx is None:
            import networkx as nx  # lazy: keep `import prioritize` cheap

            self._nx = nx.Graph()
            self._nx.add_nodes_from(self._parent)
        if self._edges:
            self._nx.add_edges_from(self._edges)
            self._edges = []
        return self._nx

    def add(self, key: str) -> str:
        """Add ``key`` as a person of its own (if new); return its normal form."""
        norm = self.normalise(key)
        self._add(norm)
        return norm

    def link(self, a: str, b: str) -> None:
        """Record that keys ``a`` and ``b`` belong to the same person.

        Raises
        ------
        InputError
            If either key is malformed or of an unknown kind.
        """
        self._union(self.normalise(a), self.normalise(b))

    def link_frame(
        self, frame: pd.DataFrame, columns: Sequence[str] | Mapping[str, str | None]
    ) -> None:
        """Link, on every row of ``frame``, all the row's non-missing keys.

        Parameters
        ----------
        columns
            Column names whose values are full keys (``"email:ann@x.com"``), or a
            mapping column -> kind whose values are bare (``{"email": "email"}``
            turns ``ann@x.com`` into ``email:ann@x.com``); a kind of ``None``
            means that column already holds full keys. Bare values may be
            strings or integers (not floats: read id columns as strings).

        Raises
        ------
        SchemaError
            If a column is missing or holds a value that is not a string (or
            an integer, for bare values).
        InputError
            If a key is malformed; the message names it.
        """
        require_columns(frame, ())  # a DataFrame, one level of column names
        spec: dict[str, str | None] = (
            dict(columns) if isinstance(columns, Mapping) else dict.fromkeys(columns)
        )
        if not spec:
            raise InputError("columns: name at least one column holding identity keys")
        missing = [c for c in spec if c not in frame.columns]
        if missing:
            raise SchemaError(
                f"frame is missing identity column(s) {missing}; it has {list(frame.columns)}"
            )
        keyed = [self._column_keys(frame, column, kind) for column, kind in spec.items()]
        for row in zip(*keyed, strict=True):
            present = [k for k in row if k is not None]
            if present:
                first = present[0]
                self._add(first)
                for other in present[1:]:
                    self._union(first, other)

    def _column_keys(self, frame: pd.DataFrame, column: str, kind: str | None) -> list[str | None]:
        values = frame[column].to_numpy(dtype=object)
        out: list[str | None] = []
        cache: dict[str, str] = {}
        for pos, value in enumerate(values):
            if isinstance(value, str):
                raw = value if kind is None else f"{kind}:{value}"
            elif (
                kind is not None
                and isinstance(value, int | np.integer)
                and not isinstance(value, bool)
            ):
                raw = f"{kind}:{int(value)}"
            elif _is_missing(value):
                out.append(None)
                continue
            else:
                what = "a string key 'kind:value'" if kind is None else "a string or an integer"
                raise SchemaError(
                    f"column {column!r}: row {frame.index[pos]!r} holds {value!r}; expected {what}"
                )
            norm = cache.get(raw)
            if norm is None:
                norm = cache[raw] = self.normalise(raw)
            out.append(norm)
        return out

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        columns: Sequence[str] | Mapping[str, str | None],
        *,
        kinds: Iterable[str] | Mapping[str, str] = (),
        on_conflict: OnConflict = "raise",
    ) -> IdentityGraph:
        """A graph linking, on each row of ``frame``, all its non-missing keys.

        See :meth:`link_frame` for ``columns``; ``kinds`` and ``on_conflict``
        are as in the constructor.

        Examples
        --------
        >>> import pandas as pd
        >>> from prioritize.identity import IdentityGraph
        >>> crm = pd.DataFrame({"crm_id": ["C-1", "C-2"], "email": ["ann@x.com", None],
        ...                     "twitter": ["@Ann", "bob"]})
        >>> g = IdentityGraph.from_frame(crm, {"crm_id": "crm", "email": "email",
        ...                                    "twitter": "twitter"})
        >>> g.resolve("twitter:@BOB")
        'crm:C-2'
        """
        graph = cls(kinds=kinds, on_conflict=on_conflict)
        graph.link_frame(frame, columns)
        return graph

    # ------------------------------------------------------------ resolving
    def __contains__(self, key: object) -> bool:
        try:
            return self.normalise(key) in self._parent
        except InputError:
            return False

    def __len__(self) -> int:
        """The number of keys in the graph."""
        return len(self._parent)

    def __repr__(self) -> str:
        return (
            f"IdentityGraph({len(self)} keys, {len(self._members)} persons, "
            f"on_conflict={self.on_conflict!r})"
        )

    def _person(self, root: str) -> _Person:
        person = self._people.get(root)
        if person is not None:
            return person
        members = self._members[root]
        crm = [k for k in members if k.startswith(_CRM_PREFIX)]
        if len(crm) == 1:
            person = _Person(crm[0], None, None)
        elif not crm:
            person = _Person(min(members), None, None)
        else:
            import networkx as nx

            crm.sort()
            graph = self._networkx()
            path = tuple(nx.shortest_path(graph, crm[0], crm[1]))
            conflict = Conflict(tuple(crm), tuple(sorted(members)), path)
            person = _Person(None, _nearest(graph, crm), conflict)
        self._people[root] = person
        return person

    def resolve(self, key: str) -> str:
        """The canonical customer id of ``key``'s person (see the class docstring).

        A key the graph has never seen is a person of its own: it resolves to
        its normal form.

        Raises
        ------
        InputError
            If ``key`` is malformed or of an unknown kind.
        IdentityConflictError
            If the person has several CRM records and ``on_conflict='raise'``.
        """
        norm = self.normalise(key)
        if norm not in self._parent:
            return norm
        person = self._person(self._find(norm))
        if person.canonical is not None:
            return person.canonical
        assert person.conflict is not None and person.nearest is not None
        if self.on_conflict == "raise":
            raise IdentityConflictError(norm, person.conflict)
        return person.nearest[norm]

    def resolve_many(self, keys: Iterable[str]) -> list[str]:
        """:meth:`resolve` each key (each distinct key is resolved once)."""
        cache: dict[str, str] = {}
        out = []
        for key in keys:
            hit = cache.get(key)
            if hit is None:
                hit = cache[key] = self.resolve(key)
            out.append(hit)
        return out

    def members(self, key: str) -> frozenset[str]:
        """Every key of ``key``'s person, normalised (``key`` itself if never linked)."""
        norm = self.normalise(key)
        if norm not in self._parent:
            return frozenset((norm,))
        return frozenset(self._members[self._find(norm)])

    def conflicts(self) -> list[Conflict]:
        """Every person with two or more CRM records, sorted by their CRM keys."""
        out = []
        for root, members in list(self._members.items()):
            if sum(1 for k in members if k.startswith(_CRM_PREFIX)) > 1:
                conflict = self._person(root).conflict
                assert conflict is not None  # two CRM keys make a conflict
                out.append(conflict)
        return sorted(out, key=lambda c: c.crm_ids)

    def to_networkx(self) -> nx.Graph:
        """A copy of the links as a :class:`networkx.Graph` (nodes are normal-form keys)."""
        return cast("nx.Graph", self._networkx().copy())


def _nearest(graph: Any, crm: list[str]) -> dict[str, str]:
    """Each key of the component -> its nearest CRM key (ties: the smallest).

    A level-by-level breadth-first search from all CRM keys at once; a key
    reached at distance d takes the smallest label among its neighbours at
    distance d - 1, which by induction is the smallest nearest CRM key.
    """
    label = {k: k for k in crm}
    frontier = list(crm)
    while frontier:
        nxt: dict[str, str] = {}
        for node in frontier:
            mine = label[node]
            for neighbour in graph.neighbors(node):
                if neighbour in label:
                    continue
                best = nxt.get(neighbour)
                if best is None or mine < best:
                    nxt[neighbour] = mine
        label.update(nxt)
        frontier = list(nxt)
    return label
