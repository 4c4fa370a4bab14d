"""The skip report (Skips) every reader shares, and the format registry (adapters.read)."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import prioritize as pz
from prioritize import InputError
from prioritize.adapters import SKIP_KINDS, formats, read
from prioritize.adapters._common import Skips

DATA = Path(__file__).parent / "data"


def test_skips_count_by_kind_report_on_the_frame_and_warn_once() -> None:
    skips = Skips("test payload", kinds={"retweet", "duplicate"}, keep=None)
    assert skips.skip("retweet", "tweet 1")
    assert skips.skip("retweet", "tweet 2")
    assert skips.skip("duplicate", "tweet 3")
    frame = pd.DataFrame({"a": [1]})
    with pytest.warns(pz.SkippedRecordsWarning) as caught:
        out = skips.finish(frame)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "2 retweet (tweet 1, tweet 2)" in message and "1 duplicate (tweet 3)" in message
    assert out.attrs["skipped"] == {"retweet": 2, "duplicate": 1}
    assert caught[0].filename == __file__  # points at the caller, outside the package


def test_nothing_skipped_is_an_empty_report_and_no_warning() -> None:
    skips = Skips("test payload", kinds={"retweet"}, keep=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = skips.finish(pd.DataFrame())
    assert out.attrs["skipped"] == {}


def test_kept_kinds_are_not_skipped_nor_counted() -> None:
    skips = Skips("test payload", kinds={"retweet", "duplicate"}, keep={"retweet"})
    assert not skips.skip("retweet", "tweet 1")
    assert skips.report == {}


def test_keep_naming_a_kind_the_reader_never_skips_is_an_error() -> None:
    with pytest.raises(InputError, match=r"never skips \['deleted'\]; it skips \['retweet'\]"):
        Skips("test payload", kinds={"retweet"}, keep={"deleted"})
    with pytest.raises(InputError, match="expected a set of kinds"):
        Skips("test payload", kinds={"retweet"}, keep="retweet")
    with pytest.raises(InputError, match=r"counts \['deleted'\] but cannot keep them"):
        pz.adapters.twitter.from_tweets(DATA / "twitter_search_recent.json", keep={"deleted"})
    with pytest.raises(InputError, match=r"counts \['not_a_message'\] but cannot keep them"):
        pz.adapters.zendesk.from_tickets(DATA / "zendesk_tickets.json", keep={"not_a_message"})


def test_every_kind_is_documented() -> None:
    assert set(SKIP_KINDS) >= {"retweet", "brand_reply", "deleted", "expansion_error", "duplicate"}
    assert all(SKIP_KINDS.values())


def test_formats_lists_the_built_in_readers() -> None:
    known = formats()
    assert known["twitter"] == ("json",)
    assert known["zendesk"] == ("json", "table")
    assert known["csv"] == ("table",)


@pytest.mark.parametrize(
    ("name", "fmt", "options"),
    [
        ("twitter_search_recent.json", "twitter", {}),
        ("zendesk_tickets.json", "zendesk", {}),
        ("zendesk_export.csv", "zendesk", {"tz": "UTC"}),
    ],
)
def test_read_detects_the_format_and_matches_the_reader(
    name: str, fmt: str, options: dict[str, str], tmp_path: Path
) -> None:
    detected = read(DATA / name, **options)
    given = read(DATA / name, format=fmt, **options)
    pd.testing.assert_frame_equal(detected, given)
    assert detected.attrs["skipped"] == {}
    # detection reads the content, not the file name
    renamed = tmp_path / "export"
    shutil.copy(DATA / name, renamed)
    pd.testing.assert_frame_equal(read(renamed, **options), detected)


def test_read_detects_a_canonical_csv(tmp_path: Path) -> None:
    frame = pz.synthetic.queries(20, seed=0)
    path = tmp_path / "queries.csv"
    frame.to_csv(path, index=False)
    out = read(path)
    assert list(out["query_id"]) == list(frame["query_id"])
    assert out.attrs["skipped"] == {}


def test_read_parsed_json_and_frames() -> None:
    payload = json.loads((DATA / "twitter_search_recent.json").read_text(encoding="utf-8"))
    assert len(read(payload)) == len(payload["data"])
    frame = pz.synthetic.queries(5, seed=1)
    assert len(read(frame)) == 5


def test_unknown_content_lists_the_formats(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(InputError, match="matches no known format") as info:
        read(path)
    assert "twitter:" in str(info.value) and "zendesk:" in str(info.value)
    table = tmp_path / "x.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="csv: a table with the canonical columns"):
        read(table)


def test_unknown_or_mismatched_format_is_named() -> None:
    with pytest.raises(InputError, match="unknown format 'pigeon'; known formats: (.*, )?csv, "):
        read(DATA / "zendesk_tickets.json", format="pigeon")
    with pytest.raises(InputError, match="format 'twitter' reads json, and this source is a table"):
        read(DATA / "zendesk_export.csv", format="twitter")


def test_ambiguous_content_asks_for_a_format() -> None:
    from prioritize.adapters._registry import _READERS, register

    reader = register("always", "json", detect=lambda doc: True, read=read, expects="anything")
    try:
        with pytest.raises(InputError, match=r"several formats \(always, twitter\); pass format="):
            read(DATA / "twitter_search_recent.json")
    finally:
        del _READERS[(reader.name, reader.content)]


def test_options_reach_the_reader_and_unknown_ones_are_named() -> None:
    frame = read(DATA / "zendesk_export.csv", tz="Europe/Berlin")
    assert frame["received_at"].iloc[0] == pd.Timestamp("2024-03-04 11:22:08", tz="UTC")
    with pytest.raises(InputError, match="format 'twitter' \\(json\\) takes no option\\(s\\) tz; "):
        read(DATA / "twitter_search_recent.json", tz="UTC")
    with pytest.raises(InputError, match="takes no option\\(s\\) pigeon"):
        read(DATA / "zendesk_export.csv", format="zendesk", pigeon=1)
