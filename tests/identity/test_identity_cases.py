"""Cases across channels, the repeat-contact urgency boost, and closing a case."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError, SchemaError
from prioritize.identity import (
    IdentityConflictError,
    IdentityGraph,
    case_members,
    cases,
    repeat_contact_urgency,
)
from prioritize.signals import UrgencyLexicon

T0 = pd.Timestamp("2024-03-05 09:00", tz="UTC")


def _frame(rows: list[tuple[str, str, str, float]], **extra: list[object]) -> pd.DataFrame:
    """rows: (query_id, customer_id, channel, minutes after T0)."""
    return pd.DataFrame(
        {
            "query_id": [r[0] for r in rows],
            "customer_id": [r[1] for r in rows],
            "channel": [r[2] for r in rows],
            "received_at": pd.to_datetime(
                [T0 + pd.Timedelta(minutes=r[3]) for r in rows], utc=True
            ),
            **extra,
        },
        index=[f"r{i}" for i in range(len(rows))],
    )


ANN = IdentityGraph(
    [
        ("crm:C-1", "email:ann@x.com"),
        ("email:ann@x.com", "phone:+15550147"),
        ("twitter:ann", "crm:C-1"),
    ]
)

# The classic failure: Ann tries phone, e-mail, the web form and a DM; nobody answers.
TRIED_EVERYTHING = [
    ("q-mail", "email:Ann@X.com", "email", 0),
    ("q-bob", "email:bob@x.com", "email", 10),
    ("q-phone", "phone:+1 555 0147", "phone", 30),
    ("q-form", "email:ann@x.com", "web_form", 75),
    ("q-dm", "twitter:@Ann", "twitter", 120),
    ("q-mail2", "email:ann@x.com", "email", 150),
    ("q-later", "email:ann@x.com", "email", 60 * 24 * 3),
]


def test_one_person_many_channels_is_one_case() -> None:
    frame = _frame(TRIED_EVERYTHING)
    out = cases(frame, ANN)
    assert out.index.equals(frame.index)
    assert list(out["query_id"]) == list(frame["query_id"])  # order kept
    by_q = out.set_index("query_id")
    assert by_q.loc["q-dm", "person_id"] == "crm:C-1"
    assert by_q.loc["q-bob", "person_id"] == "email:bob@x.com"
    ann = ["q-mail", "q-phone", "q-form", "q-dm", "q-mail2"]
    assert set(by_q.loc[ann, "case_id"]) == {"case:q-mail"}
    assert list(by_q.loc[ann, "contacts_in_case"]) == [1, 2, 3, 4, 5]
    assert list(by_q.loc[ann, "channels_in_case"]) == [1, 2, 3, 4, 4]
    assert by_q.loc["q-later", "case_id"] == "case:q-later"  # three days later: a new case
    assert by_q.loc["q-later", "contacts_in_case"] == 1
    assert by_q.loc["q-bob", "case_id"] == "case:q-bob"
    assert case_members(out, "case:q-mail") == tuple(ann)
    assert case_members(out, query_id="q-dm") == tuple(ann)
    assert case_members(out, query_id="q-bob") == ("q-bob",)


def test_window_is_the_largest_gap_between_consecutive_queries() -> None:
    frame = _frame(TRIED_EVERYTHING)
    out = cases(frame, ANN, window=timedelta(minutes=45)).set_index("query_id")
    # gaps: mail->phone 30, phone->form 45 (= window: same case), form->dm 45, dm->mail2 30
    assert set(out.loc[["q-mail", "q-phone", "q-form", "q-dm", "q-mail2"], "case_id"]) == {
        "case:q-mail"
    }
    out = cases(frame, ANN, window="44min").set_index("query_id")
    assert list(out.loc[["q-mail", "q-phone", "q-form", "q-dm", "q-mail2"], "case_id"]) == [
        "case:q-mail",
        "case:q-mail",
        "case:q-form",
        "case:q-dm",
        "case:q-dm",
    ]


def test_without_a_graph_keys_are_persons() -> None:
    out = cases(_frame(TRIED_EVERYTHING)).set_index("query_id")
    assert out.loc["q-form", "person_id"] == "email:ann@x.com"
    assert out.loc["q-form", "case_id"] == "case:q-form"  # "Ann@X.com" is another key
    assert out.loc["q-mail2", "contacts_in_case"] == 2


def test_ties_in_time_break_by_query_id() -> None:
    frame = _frame([("b", "email:a@x.com", "email", 0), ("a", "email:a@x.com", "chat", 0)])
    out = cases(frame).set_index("query_id")
    assert out.loc["a", "contacts_in_case"] == 1
    assert out.loc["b", "case_id"] == "case:a"


def test_cases_on_an_empty_frame() -> None:
    out = cases(_frame([]))
    assert len(out) == 0
    assert {"person_id", "case_id", "contacts_in_case", "channels_in_case"} <= set(out.columns)


def test_cases_errors() -> None:
    frame = _frame(TRIED_EVERYTHING)
    with pytest.raises(SchemaError, match="customer_id"):
        cases(frame.drop(columns="customer_id"))
    with pytest.raises(SchemaError, match="crm_key"):
        cases(frame, key_column="crm_key")
    for window in (0, "-1h", "soon"):
        with pytest.raises(InputError, match="window"):
            cases(frame, window=window)  # type: ignore[arg-type]
    dup = frame.assign(query_id=["x"] * len(frame))
    with pytest.raises(SchemaError, match="unique"):
        cases(dup)
    missing = frame.astype({"customer_id": object})
    missing.loc["r1", "customer_id"] = None
    with pytest.raises(SchemaError, match="'r1'"):
        cases(missing)
    with pytest.raises(InputError, match="'ann'"):
        cases(frame.assign(customer_id="ann"), ANN)
    naive = frame.assign(received_at=frame["received_at"].dt.tz_localize(None))
    with pytest.raises(SchemaError, match="naive"):
        cases(naive)
    conflicted = IdentityGraph([("crm:C-1", "email:ann@x.com"), ("crm:C-2", "email:ann@x.com")])
    with pytest.raises(IdentityConflictError):
        cases(frame, conflicted)


# ------------------------------------------------------------------ repeat contacts
def test_repeat_contact_urgency_formula() -> None:
    frame = _frame(
        TRIED_EVERYTHING[:5],
        urgency=[0.2, 0.9, math.nan, 0.2, math.nan],
        text=["", "", "", "", "URGENT"],
    )
    out = repeat_contact_urgency(cases(frame, ANN), boost=0.25).set_index("query_id")
    # k = 1, 2, 3, 4 for mail, phone, form, dm; bob is k = 1
    assert out.loc["q-mail", "urgency"] == pytest.approx(0.2)
    assert out.loc["q-bob", "urgency"] == pytest.approx(0.9)
    assert out.loc["q-phone", "urgency"] == pytest.approx(1 - 1.0 * 0.75)  # text '' -> 0
    assert out.loc["q-form", "urgency"] == pytest.approx(1 - 0.8 * 0.75**2)
    base_dm = UrgencyLexicon().score("URGENT")
    assert out.loc["q-dm", "urgency"] == pytest.approx(1 - (1 - base_dm) * 0.75**3)
    assert out.loc["q-dm", "repeat_contact"] == pytest.approx(out.loc["q-dm", "urgency"] - base_dm)
    assert out.loc["q-mail", "repeat_contact"] == 0.0


def test_repeat_contact_cap_and_lexicon() -> None:
    frame = cases(_frame(TRIED_EVERYTHING[:5], text=["pigeon"] * 5), ANN)
    lex = UrgencyLexicon(words={"pigeon": 1.0}, phrases={})
    out = repeat_contact_urgency(frame, boost=0.5, max_contacts=2, lexicon=lex)
    out = out.set_index("query_id")
    u = 1 - math.exp(-1.0)
    assert out.loc["q-mail", "urgency"] == pytest.approx(u)
    assert out.loc["q-phone", "urgency"] == pytest.approx(1 - (1 - u) * 0.5)
    assert out.loc["q-dm", "urgency"] == pytest.approx(1 - (1 - u) * 0.5)  # capped at k = 2


def test_repeat_contact_errors() -> None:
    frame = _frame(TRIED_EVERYTHING, text=[""] * 7)
    with pytest.raises(SchemaError, match="cases"):
        repeat_contact_urgency(frame)
    with_cases = cases(frame, ANN)
    for kwargs in ({"boost": -0.1}, {"boost": 1.5}, {"max_contacts": 0}):
        with pytest.raises(InputError):
            repeat_contact_urgency(with_cases, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="text"):
        repeat_contact_urgency(with_cases.drop(columns="text"))
    with pytest.raises(SchemaError, match="urgency"):
        repeat_contact_urgency(with_cases.assign(urgency=1.5))
    with pytest.raises(SchemaError, match="contacts_in_case"):
        repeat_contact_urgency(with_cases.assign(contacts_in_case=0))


def test_case_members_errors() -> None:
    out = cases(_frame(TRIED_EVERYTHING), ANN)
    with pytest.raises(InputError, match="exactly one"):
        case_members(out)
    with pytest.raises(InputError, match="exactly one"):
        case_members(out, "case:q-mail", query_id="q-mail")
    with pytest.raises(InputError, match="'case:nope'"):
        case_members(out, "case:nope")
    with pytest.raises(InputError, match="'nope'"):
        case_members(out, query_id="nope")
    with pytest.raises(SchemaError, match="case_id"):
        case_members(_frame(TRIED_EVERYTHING), "case:q-mail")


# ----------------------------------------------------------------------- properties
_KEYS = ["email:a@x.com", "twitter:a", "email:b@x.com", "phone:+1555", "chat:c-1", "crm:C-1"]
_GRAPH = IdentityGraph([("email:a@x.com", "twitter:a"), ("phone:+1555", "crm:C-1")])
_CHANNELS = ["email", "phone", "twitter", "web_form", "chat"]


@st.composite
def _queries(draw: st.DrawFn) -> tuple[pd.DataFrame, int]:
    n = draw(st.integers(0, 25))
    rows = [
        (
            f"q{i:02d}",
            draw(st.sampled_from(_KEYS)),
            draw(st.sampled_from(_CHANNELS)),
            draw(st.integers(0, 600)),
        )
        for i in range(n)
    ]
    order = draw(st.permutations(range(n)))
    frame = _frame([rows[i] for i in order])
    return frame, draw(st.integers(1, 240))


def _reference(frame: pd.DataFrame, window_min: int) -> dict[str, tuple[str, int, int]]:
    """Cases by a plain loop: query_id -> (case_id, contacts, channels)."""
    out: dict[str, tuple[str, int, int]] = {}
    persons = [_GRAPH.resolve(k) for k in frame["customer_id"]]
    rows = sorted(
        zip(persons, frame["received_at"], frame["query_id"], frame["channel"], strict=True)
    )
    prev = None
    for person, at, qid, channel in rows:
        if prev is None or prev[0] != person or at - prev[1] > pd.Timedelta(minutes=window_min):
            case, k, seen = f"case:{qid}", 0, set()
        k += 1
        seen.add(channel)
        out[qid] = (case, k, len(seen))
        prev = (person, at)
    return out


@given(_queries())
def test_cases_invariants(drawn: tuple[pd.DataFrame, int]) -> None:
    frame, window_min = drawn
    out = cases(frame, _GRAPH, window=timedelta(minutes=window_min))
    # rows in = rows out, same index and order, inputs untouched
    assert out.index.equals(frame.index)
    pd.testing.assert_frame_equal(out[frame.columns], frame)
    # a case belongs to exactly one person
    assert (out.groupby("case_id")["person_id"].nunique() <= 1).all()
    # matches the plain-loop definition exactly
    expected = _reference(frame, window_min)
    got = {
        q: (c, int(k), int(ch))
        for q, c, k, ch in zip(
            out["query_id"],
            out["case_id"],
            out["contacts_in_case"],
            out["channels_in_case"],
            strict=True,
        )
    }
    assert got == expected
    # within a case, contacts count 1, 2, 3… in arrival order and channels never drop
    for _, case in out.sort_values(["received_at", "query_id"]).groupby("case_id"):
        assert list(case["contacts_in_case"]) == list(range(1, len(case) + 1))
        assert np.all(np.diff(case["channels_in_case"].to_numpy()) >= 0)
        assert (case["received_at"].diff().dropna() <= pd.Timedelta(minutes=window_min)).all()


@given(
    u=st.floats(0, 1),
    boost=st.floats(0, 1),
    k=st.lists(st.integers(1, 12), min_size=1, max_size=8),
)
def test_repeat_contact_is_bounded_and_monotone(u: float, boost: float, k: list[int]) -> None:
    ks = sorted(k)
    frame = pd.DataFrame({"contacts_in_case": ks, "urgency": [u] * len(ks)})
    out = repeat_contact_urgency(frame, boost=boost)
    boosted = out["urgency"].to_numpy()
    assert np.all((boosted >= u - 1e-12) & (boosted <= 1.0))
    assert np.all(np.diff(boosted) >= -1e-12)
    first = boosted[np.array(ks) == 1]
    assert np.allclose(first, u)
    assert np.allclose(out["repeat_contact"], boosted - u)
