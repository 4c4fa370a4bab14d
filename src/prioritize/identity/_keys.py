"""Identity keys: ``kind:value`` strings, normalised so one person has one spelling.

A key names one handle, address or record of a person on one channel:
``twitter:@Ann``, ``email:Ann@X.com``, ``crm:C-1001``, ``phone:+1 (415) 555-0134``.
The kind (before the first ``:``) is case-insensitive and must be known; the
value is normalised by the kind's *style*:

========  =====================================================  =====================
style     rule                                                   example
========  =====================================================  =====================
handle    strip leading ``@``, lower-case; no whitespace          ``twitter:ann_lee``
email     lower-case; one ``@`` with text either side             ``email:ann@x.com``
phone     drop spaces, ``-``, ``.``, ``(``, ``)``, ``/``; then an   ``phone:+14155550134``
          optional leading ``+`` and ASCII digits only
id        strip surrounding whitespace; case is kept              ``crm:C-1001``
========  =====================================================  =====================

Normalising is idempotent: a normalised key normalises to itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Literal, TypeAlias

from prioritize._errors import InputError

__all__ = ["CRM_KIND", "DEFAULT_KINDS", "KeyStyle", "Kinds", "make_kinds", "normalise_key"]

KeyStyle: TypeAlias = Literal["handle", "email", "phone", "id"]
Kinds: TypeAlias = Mapping[str, KeyStyle]

#: The kind whose keys are CRM records: a person's canonical id is their CRM key.
CRM_KIND = "crm"

#: Known kinds and how their values are normalised. ``zendesk`` keys are helpdesk
#: requester ids (see :func:`prioritize.adapters.zendesk.from_tickets`); the other
#: helpdesks' likewise; ``messenger`` and ``igsid`` are the page-scoped ids of
#: Messenger and Instagram senders; ``twcs`` the anonymised authors of the
#: Customer Support on Twitter dataset.
DEFAULT_KINDS: Kinds = MappingProxyType(
    {
        "crm": "id",
        "twitter": "handle",
        "facebook": "handle",
        "instagram": "handle",
        "email": "email",
        "phone": "phone",
        "chat": "id",
        "web": "id",
        "zendesk": "id",
        # helpdesk and messaging ids the vendor readers of prioritize.adapters produce
        "freshdesk": "id",
        "intercom": "id",
        "salesforce": "id",
        "chatwoot": "id",
        "zammad": "id",
        "messenger": "id",
        "igsid": "id",
        "twcs": "id",
    }
)

_STYLES = frozenset({"handle", "email", "phone", "id"})
_SPACE = re.compile(r"\s")
_PHONE_NOISE = str.maketrans(dict.fromkeys(" -.()/\t", None))


def make_kinds(extra: Iterable[str] | Mapping[str, str] = ()) -> Kinds:
    """The default kinds plus ``extra`` (names, styled ``id``, or a name -> style map).

    Raises
    ------
    InputError
        If a kind name is empty or holds ``:``, or a style is unknown.
    """
    items = extra.items() if isinstance(extra, Mapping) else ((k, "id") for k in extra)
    kinds: dict[str, KeyStyle] = dict(DEFAULT_KINDS)
    for raw_name, style in items:
        name = str(raw_name).strip().lower()
        if not name or ":" in name or _SPACE.search(name):
            raise InputError(f"identity kind {raw_name!r} must be a non-empty word without ':'")
        if style not in _STYLES:
            raise InputError(
                f"identity kind {raw_name!r}: style {style!r} is not one of {sorted(_STYLES)}"
            )
        kinds[name] = style  # type: ignore[assignment]  # checked against _STYLES above
    return MappingProxyType(kinds)


def _bad(key: str, why: str) -> InputError:
    return InputError(f"identity key {key!r}: {why}")


def normalise_key(key: object, kinds: Kinds = DEFAULT_KINDS) -> str:
    """The normal form of an identity key (see the module docstring for the rules).

    Parameters
    ----------
    key
        A ``kind:value`` string such as ``"twitter:@Ann"``.
    kinds
        Known kinds and their styles (:data:`DEFAULT_KINDS`, or :func:`make_kinds`).

    Raises
    ------
    InputError
        If ``key`` is not a string, has no known ``kind:`` prefix, or its value
        is empty or malformed for its kind; the message names the key.

    Examples
    --------
    >>> from prioritize.identity import normalise_key
    >>> normalise_key("Twitter:@Ann_Lee")
    'twitter:ann_lee'
    >>> normalise_key("phone:+1 (415) 555-0134")
    'phone:+14155550134'
    """
    if not isinstance(key, str):
        raise InputError(f"identity key must be a string 'kind:value'; got {key!r}")
    prefix, sep, rest = key.partition(":")
    kind = prefix.strip().lower()
    if not sep or kind not in kinds:
        raise _bad(key, f"expected 'kind:value' with kind one of {sorted(kinds)}")
    value = rest.strip()
    style = kinds[kind]
    if style == "handle":
        value = value.lstrip("@").lower()
        if _SPACE.search(value):
            raise _bad(key, "a handle cannot contain whitespace")
    elif style == "email":
        value = value.lower()
        local, at, domain = value.rpartition("@")
        if not at or not local or not domain or _SPACE.search(value):
            raise _bad(key, "expected an e-mail address like 'name@example.com'")
    elif style == "phone":
        value = value.translate(_PHONE_NOISE)
        digits = value[1:] if value.startswith("+") else value
        if value and not (digits.isascii() and digits.isdigit()):
            raise _bad(
                key, "a phone number may hold only digits, an optional leading '+' and separators"
            )
    if not value:
        raise _bad(key, "the value after the kind is empty")
    return f"{kind}:{value}"
