"""Cases: the queries one person sent about one problem, on whatever channels.

The worst experience a support team can give is the customer who tried phone,
e-mail, the web form and a DM and got no answer anywhere. Seen query by query,
that is four routine messages; seen as one *case*, it is one customer who has
been ignored four times. This module finds cases, raises the urgency of repeat
contacts, and lists a case's queries so answering one answers all of them.

Definition (exact). Queries are grouped by person (:meth:`IdentityGraph.resolve`
of ``key_column``) and sorted by ``received_at`` (ties by ``query_id``). A
person's query starts a new case when it is their first, or when more than
``window`` has passed since their *previous* query; otherwise it joins the
previous query's case. So a case is a maximal run of one person's queries with
every gap at most ``window`` (a chain; the case can last longer than
``window`` as long as the person keeps writing).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from prioritize._errors import InputError, SchemaError
from prioritize._internal.checks import check_int
from prioritize._internal.frames import read_float, read_received_ns, require_columns
from prioritize._internal.rows import describe_rows, repeated
from prioritize.identity._graph import IdentityGraph
from prioritize.signals import UrgencyLexicon, text_urgency

__all__ = ["CASE_COLUMNS", "DEFAULT_WINDOW", "case_members", "cases", "repeat_contact_urgency"]

#: The default largest gap between two queries of one case.
DEFAULT_WINDOW = timedelta(hours=24)

#: The columns :func:`cases` adds.
CASE_COLUMNS: tuple[str, ...] = ("person_id", "case_id", "contacts_in_case", "channels_in_case")


def _window_ns(window: timedelta | pd.Timedelta | str) -> int:
    try:
        td = pd.Timedelta(window)
    except (TypeError, ValueError) as exc:
        raise InputError(f"window must be a positive duration; got {window!r}") from exc
    if td is pd.NaT or td <= pd.Timedelta(0):
        raise InputError(f"window must be a positive duration; got {window!r}")
    return int(td.value)


def _string_column(frame: pd.DataFrame, column: str) -> npt.NDArray[np.object_]:
    series = frame[column]
    values: npt.NDArray[np.object_] = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(series, skipna=False) in ("string", "empty"):
        bad = (series == "").to_numpy(dtype=bool)
    else:
        bad = np.fromiter((not isinstance(v, str) or not v for v in values), bool, len(values))
    if bad.any():
        where = describe_rows(frame, bad, column, id_column=None)
        raise SchemaError(f"column {column!r} must hold non-empty strings: {where}")
    return values


def cases(
    frame: pd.DataFrame,
    graph: IdentityGraph | None = None,
    *,
    window: timedelta | pd.Timedelta | str = DEFAULT_WINDOW,
    key_column: str = "customer_id",
) -> pd.DataFrame:
    """Group queries into cases: one person, one run of contacts (see module docstring).

    Parameters
    ----------
    frame
        Queries with ``query_id`` (unique), ``received_at`` (timezone-aware),
        ``channel`` and ``key_column``.
    graph
        Resolves each ``key_column`` value (an identity key such as
        ``"twitter:ann"``) to a person. ``None`` takes the values as person
        ids unchanged (no linking across channels).
    window
        The largest gap between two consecutive queries of one case.
    key_column
        The column holding each query's identity key.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` (same index and row order; rows in = rows out) with:

        * ``person_id``: the resolved canonical customer id;
        * ``case_id``: ``"case:" +`` the ``query_id`` of the case's first query;
        * ``contacts_in_case``: 1 for the case's first query, 2 for the next… ;
        * ``channels_in_case``: distinct channels in the case up to this query.

    Raises
    ------
    SchemaError
        If a column is missing, ``query_id`` has duplicates, or a key is not a string.
    InputError
        If ``window`` is not positive, or a key cannot be resolved (malformed,
        unknown kind, or a CRM conflict under ``on_conflict='raise'``).

    Notes
    -----
    Vectorised: one sort, then differences and cumulative sums; O(n log n).
    """
    require_columns(frame, ("query_id", key_column, "received_at", "channel"))
    window_ns = _window_ns(window)
    received = read_received_ns(frame)
    query_ids = _string_column(frame, "query_id")
    if not frame["query_id"].is_unique:
        raise SchemaError(
            f"column 'query_id' must be unique; duplicates: {repeated(frame['query_id'])}"
        )
    keys = _string_column(frame, key_column)
    key_code, unique_keys = pd.factorize(keys)
    if graph is not None:
        unique_persons = np.asarray(graph.resolve_many(unique_keys), dtype=object)
        persons = unique_persons[key_code]
        person_code, _ = pd.factorize(unique_persons)
        person_code = person_code[key_code]
    else:
        persons, person_code = keys, key_code
    out = frame.copy()
    n = len(frame)
    if n == 0:
        out["person_id"] = np.array([], dtype=object)
        out["case_id"] = np.array([], dtype=object)
        out["contacts_in_case"] = np.array([], dtype=np.int64)
        out["channels_in_case"] = np.array([], dtype=np.int64)
        return out

    channel_code, _ = pd.factorize(frame["channel"].astype(object).to_numpy())
    order = np.lexsort((received, person_code))
    p, t = person_code[order], received[order]
    same = (p[1:] == p[:-1]) & (t[1:] == t[:-1])
    if same.any():
        # Same person, same instant: break ties by query_id. Sorting strings is
        # the costly part, so only the tied rows are ranked.
        tied = np.zeros(n, dtype=bool)
        tied[1:] |= same
        tied[:-1] |= same
        rows = order[tied]
        rank = np.zeros(n, dtype=np.int64)
        rank[rows] = pd.factorize(query_ids[rows], sort=True)[0]
        order = np.lexsort((rank, received, person_code))

    p, t = person_code[order], received[order]
    new_case = np.ones(n, dtype=bool)
    new_case[1:] = (p[1:] != p[:-1]) | (t[1:] - t[:-1] > window_ns)
    case_no = np.cumsum(new_case) - 1
    starts = np.flatnonzero(new_case)
    contacts = np.arange(n) - starts[case_no] + 1

    # A channel counts the first time it appears in the case.
    first_on_channel = ~pd.DataFrame({"case": case_no, "ch": channel_code[order]}).duplicated()
    seen = np.cumsum(first_on_channel.to_numpy())
    before_case = np.concatenate(([0], seen))[starts]
    channels = seen - before_case[case_no]

    case_names = np.array(["case:" + q for q in query_ids[order][starts]], dtype=object)

    def scatter(sorted_values: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
        values = np.empty_like(sorted_values)
        values[order] = sorted_values
        return values

    out["person_id"] = persons
    out["case_id"] = scatter(case_names[case_no])
    out["contacts_in_case"] = scatter(contacts.astype(np.int64))
    out["channels_in_case"] = scatter(channels.astype(np.int64))
    return out


def repeat_contact_urgency(
    frame: pd.DataFrame,
    *,
    boost: float = 0.25,
    max_contacts: int | None = None,
    lexicon: UrgencyLexicon | None = None,
) -> pd.DataFrame:
    """Raise each query's urgency by how many times its case has already written.

    With ``u`` the query's urgency (its ``urgency`` column, or derived from
    ``text`` with ``lexicon`` where missing) and ``k`` its ``contacts_in_case``,

    ``urgency' = 1 − (1 − u) · (1 − boost) ** (k − 1)``

    i.e. each earlier unanswered contact closes a share ``boost`` of the
    remaining gap to 1. The result stays in [0, 1], equals ``u`` for a first
    contact, and grows with ``k``; ``max_contacts`` caps ``k``. Because it is
    an urgency, it flows through any policy's urgency weight, caps and
    blindness rules unchanged.

    Parameters
    ----------
    frame
        The output of :func:`cases` (needs ``contacts_in_case``; ``urgency``
        and/or ``text``).
    boost
        The share of the remaining urgency gap closed per extra contact, in [0, 1].
    max_contacts
        Count at most this many contacts (``None``: no cap).
    lexicon
        The lexicon to derive missing urgency from text; pass
        ``policy.signals.urgency`` to match a policy with a custom lexicon.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with ``urgency`` replaced by the boosted value
        (never missing) and a ``repeat_contact`` column: the documented
        contribution ``urgency' − u`` (the points it adds are that times the
        policy's urgency weight).

    Raises
    ------
    SchemaError
        If ``contacts_in_case`` is missing or not a whole number >= 1, or
        urgency is missing somewhere and there is no ``text`` to derive it from.
    InputError
        If ``boost`` is outside [0, 1] or ``max_contacts`` < 1.
    """
    if not 0.0 <= boost <= 1.0:
        raise InputError(f"boost must be in [0, 1]; got {boost!r}")
    if max_contacts is not None:
        max_contacts = check_int("max_contacts", max_contacts, minimum=1)
    if "contacts_in_case" not in frame.columns:
        raise SchemaError(
            "frame has no 'contacts_in_case' column; run prioritize.identity.cases(frame, graph) "
            "first"
        )
    k = read_float(frame, "contacts_in_case", minimum=1.0, integer=True)
    n = len(frame)
    if "urgency" in frame.columns:
        base = read_float(frame, "urgency", minimum=0.0, maximum=1.0, allow_nan=True).copy()
    else:
        base = np.full(n, np.nan)
    missing = np.isnan(base)
    if missing.any():
        if "text" not in frame.columns:
            raise SchemaError(
                "urgency is missing for some rows and the frame has no 'text' column to derive "
                "it from"
            )
        texts = frame["text"].to_numpy(dtype=object)[missing]
        cache: dict[str, float] = {}
        derived = np.empty(len(texts))
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise SchemaError(f"column 'text' must hold strings; got {text!r}")
            u = cache.get(text)
            if u is None:
                u = cache[text] = text_urgency(text, lexicon)
            derived[i] = u
        base[missing] = derived
    extra = k - 1.0
    if max_contacts is not None:
        extra = np.minimum(extra, float(max_contacts - 1))
    # u + (1 - u)(1 - (1 - b)^(k - 1)) is the formula above, written so that a first
    # contact keeps its urgency bit for bit; the clip only absorbs a rounding ulp.
    boosted = np.minimum(base + (1.0 - base) * (1.0 - (1.0 - boost) ** extra), 1.0)
    out = frame.copy()
    out["urgency"] = boosted
    out["repeat_contact"] = boosted - base
    return out


def case_members(
    frame: pd.DataFrame, case_id: str | None = None, *, query_id: str | None = None
) -> tuple[str, ...]:
    """The ``query_id`` of every query in a case, first contact first.

    Answering a case answers all its queries: remove these ids from the queue.
    Give either the ``case_id`` or the ``query_id`` of any query in the case.

    Raises
    ------
    InputError
        If neither or both are given, or the id is not in ``frame``.
    SchemaError
        If ``frame`` lacks the columns :func:`cases` adds.
    """
    if (case_id is None) == (query_id is None):
        raise InputError("give exactly one of case_id or query_id")
    require_columns(frame, ("query_id", "case_id", "contacts_in_case"))
    if query_id is not None:
        hit = frame.loc[frame["query_id"] == query_id, "case_id"]
        if hit.empty:
            raise InputError(f"query_id {query_id!r} is not in the frame")
        case_id = str(hit.iloc[0])
    members = frame.loc[frame["case_id"] == case_id, ["query_id", "contacts_in_case"]]
    if members.empty:
        raise InputError(f"case_id {case_id!r} is not in the frame")
    ordered = members.sort_values("contacts_in_case", kind="stable")["query_id"]
    return tuple(str(q) for q in ordered)
