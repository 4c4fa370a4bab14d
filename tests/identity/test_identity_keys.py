"""Identity keys: normal forms, errors naming the key, idempotence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prioritize import InputError
from prioritize.identity import DEFAULT_KINDS, make_kinds, normalise_key


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("twitter:@Ann", "twitter:ann"),
        ("twitter:ann", "twitter:ann"),
        ("Twitter: @Ann_Lee ", "twitter:ann_lee"),
        ("instagram:@@TrailMix_Jo", "instagram:trailmix_jo"),
        ("email:Ann.Lee@Example.COM", "email:ann.lee@example.com"),
        ("phone:+1 (902) 555-0147", "phone:+19025550147"),
        ("phone:+44 20.7946.0321", "phone:+442079460321"),
        ("phone:0800 555 0100", "phone:08005550100"),
        ("crm:C-1001", "crm:C-1001"),
        ("CRM: c-1001 ", "crm:c-1001"),
        ("chat:V-88213", "chat:V-88213"),
        ("zendesk:368765431", "zendesk:368765431"),
    ],
)
def test_normal_forms(key: str, expected: str) -> None:
    assert normalise_key(key) == expected


def test_crm_ids_keep_their_case() -> None:
    # CRM ids are opaque: C-1001 and c-1001 may be different records.
    assert normalise_key("crm:C-1001") != normalise_key("crm:c-1001")


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("ann", "expected 'kind:value'"),
        ("pigeon:ann", "expected 'kind:value'"),
        ("twitter:", "empty"),
        ("twitter:@", "empty"),
        ("twitter:ann lee", "whitespace"),
        ("email:ann.example.com", "e-mail address"),
        ("email:@example.com", "e-mail address"),
        ("phone:+1 555 CALL NOW", "phone number"),
        ("phone:+", "phone number"),
        ("phone:12²", "phone number"),
    ],
)
def test_bad_keys_name_the_key(key: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as info:
        normalise_key(key)
    assert repr(key) in str(info.value)


def test_non_string_key() -> None:
    with pytest.raises(InputError, match="must be a string"):
        normalise_key(1001)


def test_extra_kinds() -> None:
    kinds = make_kinds({"tiktok": "handle", "loyalty": "id"})
    assert normalise_key("TikTok:@Jo", kinds) == "tiktok:jo"
    assert normalise_key("loyalty:LC-9", kinds) == "loyalty:LC-9"
    assert set(DEFAULT_KINDS) < set(kinds)
    with pytest.raises(InputError, match="tiktok"):
        normalise_key("tiktok:jo")  # not a default kind
    assert normalise_key("whatsapp:x", make_kinds(["whatsapp"])) == "whatsapp:x"


@pytest.mark.parametrize("bad", [{"a:b": "id"}, {"": "id"}, {"x": "fancy"}])
def test_extra_kinds_rejected(bad: dict[str, str]) -> None:
    with pytest.raises(InputError):
        make_kinds(bad)


_kind = st.sampled_from([*DEFAULT_KINDS, "TWITTER", " Email "])
_value = st.text(
    alphabet=st.sampled_from("aAbZ09@+-.() _:é\t"),
    max_size=12,
)


@given(kind=_kind, value=_value)
def test_normalising_is_idempotent(kind: str, value: str) -> None:
    try:
        once = normalise_key(f"{kind}:{value}")
    except InputError:
        return
    assert normalise_key(once) == once


@given(handle=st.from_regex(r"[A-Za-z0-9_]{1,15}", fullmatch=True), ats=st.integers(0, 2))
def test_handles_ignore_case_and_at(handle: str, ats: int) -> None:
    assert normalise_key(f"twitter:{'@' * ats}{handle}") == normalise_key(
        f"twitter:{handle.lower()}"
    )
