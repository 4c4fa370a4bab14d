"""IdentityGraph: linking keys, canonical ids, conflicts, building from frames."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError, SchemaError
from prioritize.identity import Conflict, IdentityConflictError, IdentityGraph


def test_import_does_not_pull_in_networkx() -> None:
    code = (
        "import sys, prioritize, prioritize.identity, prioritize.adapters; "
        "print('networkx' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_crm_id_is_canonical() -> None:
    g = IdentityGraph(
        [
            ("twitter:@Ann_Lee", "email:ann.lee@example.com"),
            ("email:Ann.Lee@example.com", "crm:C-1001"),
            ("phone:+1 (902) 555-0147", "twitter:ann_lee"),
        ]
    )
    for key in ("twitter:ANN_LEE", "email:ann.lee@example.com", "phone:+19025550147", "crm:C-1001"):
        assert g.resolve(key) == "crm:C-1001"
    assert g.members("twitter:@ann_lee") == {
        "twitter:ann_lee",
        "email:ann.lee@example.com",
        "phone:+19025550147",
        "crm:C-1001",
    }
    assert len(g) == 4
    assert "Twitter:@Ann_Lee" in g
    assert "twitter:bob" not in g
    assert "no-kind" not in g


def test_without_crm_the_smallest_key_is_canonical() -> None:
    g = IdentityGraph([("twitter:zed", "email:zed@x.com"), ("phone:+15550100", "twitter:zed")])
    assert g.resolve("twitter:zed") == "email:zed@x.com"
    assert g.resolve("phone:+1 555 0100") == "email:zed@x.com"


def test_unknown_key_is_its_own_person() -> None:
    g = IdentityGraph()
    assert g.resolve("email:New.Person@Example.com") == "email:new.person@example.com"
    assert g.members("email:new.person@example.com") == {"email:new.person@example.com"}
    assert len(g) == 0  # resolving does not add


def test_ids_change_only_by_linking() -> None:
    g = IdentityGraph()
    assert g.add("email:bo@x.com") == "email:bo@x.com"
    assert g.resolve("email:bo@x.com") == "email:bo@x.com"
    g.link("email:bo@x.com", "chat:a-17")  # "chat:a-17" < "email:bo@x.com"
    assert g.resolve("email:bo@x.com") == "chat:a-17"
    g.link("chat:a-17", "crm:C-9")
    assert g.resolve("email:bo@x.com") == "crm:C-9"


def test_bad_keys_are_refused() -> None:
    g = IdentityGraph()
    with pytest.raises(InputError, match="'ann'"):
        g.link("ann", "email:ann@x.com")
    with pytest.raises(InputError, match="'pigeon:ann'"):
        g.resolve("pigeon:ann")
    with pytest.raises(InputError, match="on_conflict"):
        IdentityGraph(on_conflict="merge")  # type: ignore[arg-type]


def test_extra_kinds() -> None:
    g = IdentityGraph([("tiktok:@Jo", "crm:C-7")], kinds={"tiktok": "handle"})
    assert g.resolve("tiktok:jo") == "crm:C-7"


def _conflicted(on_conflict: str = "raise") -> IdentityGraph:
    # Two CRM records share a family e-mail address.
    return IdentityGraph(
        [
            ("crm:C-1", "email:family@x.com"),
            ("crm:C-2", "phone:+15550001"),
            ("phone:+15550001", "email:family@x.com"),
            ("twitter:kid", "crm:C-2"),
            ("twitter:parent", "crm:C-1"),
            ("chat:v-1", "email:family@x.com"),
        ],
        on_conflict=on_conflict,  # type: ignore[arg-type]
    )


def test_conflicts_are_reported_not_merged() -> None:
    g = _conflicted()
    assert g.conflicts() == [
        Conflict(
            crm_ids=("crm:C-1", "crm:C-2"),
            keys=tuple(sorted(g.members("crm:C-1"))),
            path=("crm:C-1", "email:family@x.com", "phone:+15550001", "crm:C-2"),
        )
    ]
    with pytest.raises(IdentityConflictError, match="crm:C-1.*crm:C-2") as info:
        g.resolve("twitter:kid")
    assert info.value.key == "twitter:kid"
    assert isinstance(info.value, InputError)
    # a person without a conflict still resolves
    g.link("email:solo@x.com", "crm:C-3")
    assert g.resolve("email:solo@x.com") == "crm:C-3"
    assert len(g.conflicts()) == 1


def test_nearest_policy_assigns_each_key_its_closest_record() -> None:
    g = _conflicted("nearest")
    assert g.resolve("crm:C-1") == "crm:C-1"
    assert g.resolve("crm:C-2") == "crm:C-2"
    assert g.resolve("twitter:parent") == "crm:C-1"
    assert g.resolve("twitter:kid") == "crm:C-2"
    assert g.resolve("email:family@x.com") == "crm:C-1"  # 1 link from C-1, 2 from C-2
    assert g.resolve("phone:+15550001") == "crm:C-2"
    assert g.resolve("chat:v-1") == "crm:C-1"
    assert len(g.conflicts()) == 1  # still reported


def test_nearest_ties_go_to_the_smallest_record() -> None:
    g = IdentityGraph([("crm:B", "email:x@y.z"), ("crm:A", "email:x@y.z")], on_conflict="nearest")
    assert g.resolve("email:x@y.z") == "crm:A"


def test_linking_invalidates_cached_ids() -> None:
    g = IdentityGraph([("twitter:a", "email:a@x.com")])
    assert g.resolve("twitter:a") == "email:a@x.com"
    g.link("email:a@x.com", "crm:C-1")
    assert g.resolve("twitter:a") == "crm:C-1"
    g.link("crm:C-2", "twitter:a")
    with pytest.raises(IdentityConflictError):
        g.resolve("email:a@x.com")


def test_from_frame_with_bare_values() -> None:
    crm = pd.DataFrame(
        {
            "crm_id": ["C-1001", "C-1002", "C-1003"],
            "email": ["Ann.Lee@example.com", None, "lena@example.de"],
            "twitter": ["@Ann_Lee", "bob", np.nan],
            "phone": [pd.NA, "+1 617 555 0199", None],
        }
    )
    g = IdentityGraph.from_frame(
        crm, {"crm_id": "crm", "email": "email", "twitter": "twitter", "phone": "phone"}
    )
    assert g.resolve("twitter:ann_lee") == "crm:C-1001"
    assert g.resolve("phone:+16175550199") == "crm:C-1002"
    assert g.resolve("email:lena@example.de") == "crm:C-1003"
    assert len(g) == 8
    assert g.conflicts() == []


def test_from_frame_with_full_keys_and_integers() -> None:
    tickets = pd.DataFrame(
        {
            "customer_id": ["zendesk:1", "zendesk:2", "zendesk:3"],
            "email": ["a@x.com", None, "a@x.com"],
            "requester": pd.array([11, 12, None], dtype="Int64"),
        }
    )
    g = IdentityGraph.from_frame(
        tickets, {"customer_id": None, "email": "email", "requester": "zendesk"}
    )
    assert g.resolve("zendesk:3") == g.resolve("zendesk:1") == "email:a@x.com"
    assert g.resolve("zendesk:12") == "zendesk:12"
    assert g.members("zendesk:2") == {"zendesk:12", "zendesk:2"}
    # a list of columns means full keys
    g2 = IdentityGraph.from_frame(tickets, ["customer_id"])
    assert len(g2) == 3


def test_from_frame_errors_name_the_column() -> None:
    frame = pd.DataFrame({"a": ["email:a@x.com"], "b": [1.5]})
    with pytest.raises(SchemaError, match=r"\['zz'\]"):
        IdentityGraph.from_frame(frame, ["a", "zz"])
    with pytest.raises(SchemaError, match="column 'b'.*1.5"):
        IdentityGraph.from_frame(frame, {"a": None, "b": "crm"})
    with pytest.raises(SchemaError, match="column 'b'"):
        IdentityGraph.from_frame(pd.DataFrame({"b": [7]}), ["b"])  # full keys must be strings
    with pytest.raises(InputError, match="'nope'"):
        IdentityGraph.from_frame(pd.DataFrame({"a": ["nope"]}), ["a"])
    with pytest.raises(InputError, match="at least one column"):
        IdentityGraph.from_frame(frame, [])
    with pytest.raises(SchemaError, match="DataFrame"):
        IdentityGraph.from_frame([["a"]], ["a"])  # type: ignore[arg-type]


def test_to_networkx_is_a_copy() -> None:
    g = IdentityGraph([("twitter:a", "crm:C-1")])
    nxg = g.to_networkx()
    nxg.add_edge("twitter:a", "crm:C-2")
    assert g.resolve("twitter:a") == "crm:C-1"
    assert "2 keys, 1 persons" in repr(g)


# --------------------------------------------------------------------- properties
_keys = st.sampled_from(
    [f"crm:C-{i}" for i in range(3)]
    + [f"email:u{i}@x.com" for i in range(5)]
    + [f"twitter:u{i}" for i in range(5)]
)


@given(links=st.lists(st.tuples(_keys, _keys), max_size=12), probe=_keys)
def test_resolution_is_consistent_with_components(links: list[tuple[str, str]], probe: str) -> None:
    g = IdentityGraph(links, on_conflict="nearest")
    members = g.members(probe)
    crm = sorted(k for k in members if k.startswith("crm:"))
    resolved = g.resolve(probe)
    if len(crm) == 1:
        assert resolved == crm[0]
    elif not crm:
        assert resolved == min(members)
    else:
        assert resolved in crm
        assert any(set(c.crm_ids) == set(crm) for c in g.conflicts())
    # every member of a conflict-free person resolves to the same id
    if len(crm) <= 1:
        assert {g.resolve(k) for k in members} == {resolved}
    # the order links arrive in does not change the answer
    again = IdentityGraph(list(reversed(links)), on_conflict="nearest")
    assert again.resolve(probe) == resolved
