"""Every vendor fixture is detected as exactly its own format, by the registry and by each detector."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from prioritize import SkippedRecordsWarning
from prioritize.adapters import (
    chatwoot,
    formats,
    freshdesk,
    intercom,
    meta,
    read,
    salesforce,
    twcs,
    zammad,
)

DATA = Path(__file__).parent / "data"

#: fixture -> (its format, options its reader needs)
FIXTURES: dict[str, tuple[str, dict[str, Any]]] = {
    "freshdesk/tickets.json": ("freshdesk", {}),
    "intercom/conversations.json": ("intercom", {}),
    "salesforce/cases.csv": ("salesforce", {}),
    "zammad/tickets.json": ("zammad", {}),
    "meta/webhooks.json": ("meta", {}),
    "chatwoot/conversations.json": ("chatwoot", {}),
    "chatwoot/webhooks.json": ("chatwoot", {}),
    "twcs/twcs_sample.csv": ("twcs", {"followers": 0}),
    "twitter_search_recent.json": ("twitter", {}),
    "twitter_stream_message.json": ("twitter", {}),
    "zendesk_tickets.json": ("zendesk", {}),
    "zendesk_export.csv": ("zendesk", {"tz": "UTC"}),
}

#: The detectors of the new readers, by format.
DETECTORS: dict[str, Callable[[Any], bool]] = {
    "freshdesk": freshdesk.detect,
    "intercom": intercom.detect,
    "salesforce": salesforce.detect,
    "zammad": zammad.detect,
    "meta": meta.detect,
    "chatwoot": chatwoot.detect,
    "twcs": twcs.detect,
}


def content(path: Path) -> Any:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, nrows=20)
    return json.loads(path.read_text(encoding="utf-8"))


def quietly(function: Callable[..., pd.DataFrame], *args: Any, **options: Any) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedRecordsWarning)
        return function(*args, **options)


def test_the_new_formats_are_registered() -> None:
    known = formats()
    for name in DETECTORS:
        assert name in known
    assert known["twcs"] == ("table",)
    assert known["freshdesk"] == ("json",) and known["meta"] == ("json",)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_each_detector_claims_its_own_fixtures_only(name: str) -> None:
    own, _ = FIXTURES[name]
    doc = content(DATA / name)
    claims = {fmt for fmt, detect in DETECTORS.items() if detect(doc)}
    assert claims == ({own} if own in DETECTORS else set())


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_read_detects_exactly_its_format(name: str) -> None:
    own, options = FIXTURES[name]
    path = DATA / name
    frame = quietly(read, path, **options)
    assert frame.equals(quietly(read, path, format=own, **options))


@pytest.mark.parametrize("bad", [{}, [], "text", 3, {"object": "page"}, [{"id": 1}], None])
def test_detectors_do_not_raise_on_odd_content(bad: Any) -> None:
    for detect in DETECTORS.values():
        assert detect(bad) is False
