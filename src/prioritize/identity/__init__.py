"""Identity across channels: one person behind many handles, and their cases.

:class:`IdentityGraph` links keys such as ``twitter:@ann``, ``email:ann@x.com``,
``phone:+1…`` and ``crm:C-1001`` and resolves any of them to one canonical
customer id (the CRM id when there is exactly one). :func:`cases` groups one
person's queries across channels into cases; :func:`repeat_contact_urgency`
raises the urgency of repeat contacts; :func:`case_members` lists the queries
answering a case closes.

Importing this package does not import networkx; building a graph does.
"""

from prioritize.identity._cases import (
    CASE_COLUMNS,
    case_members,
    cases,
    repeat_contact_urgency,
)
from prioritize.identity._graph import Conflict, IdentityConflictError, IdentityGraph, OnConflict
from prioritize.identity._keys import CRM_KIND, DEFAULT_KINDS, KeyStyle, make_kinds, normalise_key

__all__ = [
    "CASE_COLUMNS",
    "CRM_KIND",
    "DEFAULT_KINDS",
    "Conflict",
    "IdentityConflictError",
    "IdentityGraph",
    "KeyStyle",
    "OnConflict",
    "case_members",
    "cases",
    "make_kinds",
    "normalise_key",
    "repeat_contact_urgency",
]
