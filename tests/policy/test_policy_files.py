"""Policy files: every valid policy round-trips through TOML and JSON; writes are atomic."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

import prioritize as pz
from prioritize.policy._toml import dumps
from prioritize.testing import strategies

# Every code point but surrogates (which no UTF-8 file can hold): control characters, DEL,
# non-ASCII letters, format characters, private use, unassigned.
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
# One word: no character str.split() splits on (control characters such as NUL and DEL stay).
_WORD = st.text(
    st.characters(
        exclude_categories=("Cs", "Zs", "Zl", "Zp"),
        exclude_characters="\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85",
    ),
    min_size=1,
    max_size=8,
)
_POINTS = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def _texty_policies(draw: st.DrawFn) -> pz.Policy:
    """A policy of the library's strategy with every text field drawn from full Unicode."""
    base = draw(strategies.policies()).model_dump(mode="json")
    base["name"] = draw(_TEXT)
    base["description"] = draw(_TEXT)
    channels = st.sampled_from([c.value for c in pz.Channel])
    base["service_levels"] = draw(st.dictionaries(channels, st.floats(1.0, 1e4), max_size=3))
    words = draw(st.dictionaries(_WORD, _POINTS, max_size=3))
    phrases = draw(
        st.dictionaries(st.builds(lambda a, b: f"{a} {b}", _WORD, _WORD), _POINTS, max_size=2)
    )
    base["signals"]["urgency"] = {"words": words, "phrases": phrases}
    try:
        return pz.Policy.model_validate(base)
    except ValidationError:  # a word that is all punctuation, or two that normalise alike
        assume(False)
        raise


@given(policy=_texty_policies())
def test_every_policy_round_trips_through_toml_and_json(policy: pz.Policy) -> None:
    document = policy.model_dump(mode="json")
    assert tomllib.loads(dumps(document)) == document
    assert pz.Policy.model_validate(tomllib.loads(dumps(document))) == policy
    assert pz.Policy.model_validate(json.loads(json.dumps(document))) == policy


@pytest.mark.parametrize("suffix", [".toml", ".json"])
@pytest.mark.parametrize(
    "changes",
    [
        {"signals": {"urgency": {"words": {"café": 0.5, "返金": 0.3}}}},
        {"name": "del\x7fname", "description": 'quote " back\\slash \x00 \x1f \t \n'},
        {
            "signals": {
                "urgency": {
                    "words": {"x\x00": 0.1, "ß\u200b": 0.3},
                    "phrases": {"a\x7fb": 0.2},  # a control character separates words
                }
            }
        },
    ],
    ids=["non-ascii-words", "control-chars", "odd-keys"],
)
def test_files_round_trip_hostile_text(
    tmp_path: Path, suffix: str, changes: dict[str, Any]
) -> None:
    policy = pz.Policy.model_validate(pz.policies.balanced().model_dump(mode="json") | changes)
    assert pz.Policy.from_file(policy.to_file(tmp_path / f"p{suffix}")) == policy


def test_toml_escapes_what_tomllib_refuses() -> None:
    text = dumps({"k\x7f": "a\x7fb\x00c", "bare-key_1": 1, "café": 2.5})
    assert "\x7f" not in text and "\x00" not in text
    assert '"café" = 2.5' in text and "bare-key_1 = 1" in text
    assert tomllib.loads(text) == {"k\x7f": "a\x7fb\x00c", "bare-key_1": 1, "café": 2.5}


def test_failed_write_leaves_existing_file_intact(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    pz.policies.fifo().to_file(path)
    before = path.read_bytes()
    with pytest.raises(pz.ConfigError, match=r"p\.toml: cannot write as TOML: a lone surrogate"):
        pz.policies.balanced().model_copy(update={"name": "bad\ud800"}).to_file(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["p.toml"]  # no temporary file left behind
    # JSON escapes a lone surrogate, so it round-trips
    odd = pz.policies.balanced().model_copy(update={"name": "bad\ud800"})
    assert pz.Policy.from_file(odd.to_file(tmp_path / "p.json")).name == "bad\ud800"


def test_to_file_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("{}")
    path.chmod(0o640)
    pz.policies.fifo().to_file(path)
    assert path.stat().st_mode & 0o777 == 0o640
    fresh = pz.policies.fifo().to_file(tmp_path / "new.json")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


_BAD = [
    (None, "cannot read: no such file"),
    (b"\xff\xfe", "not UTF-8 text"),
    (b"1" * 10_000, "not valid"),
]


@pytest.mark.parametrize(
    ("suffix", "content", "match"),
    [
        *[(".toml", c, m) for c, m in _BAD],
        *[(".json", c, m) for c, m in _BAD],
        (".json", b"[" * 100_000, "nested too deeply"),
        (".toml", b"a = " + b"[" * 100_000, "nested too deeply"),
        (".toml", b"a = " + b"{b = " * 100_000, "nested too deeply"),
    ],
)
def test_from_file_raises_config_error(
    tmp_path: Path, content: bytes | None, match: str, suffix: str
) -> None:
    path = tmp_path / f"p{suffix}"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(pz.ConfigError, match=match) as caught:
        pz.Policy.from_file(path)
    assert str(path) in str(caught.value)


def test_from_file_on_a_folder_and_a_huge_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "p.toml"
    folder.mkdir()
    with pytest.raises(pz.ConfigError, match="p.toml: cannot read: a folder"):
        pz.Policy.from_file(folder)
    from prioritize.policy import _files

    monkeypatch.setattr(_files, "MAX_POLICY_BYTES", 10)
    big = tmp_path / "big.json"
    big.write_text('{"name": "more than ten bytes"}')
    with pytest.raises(pz.ConfigError, match="big.json: larger than the limit of 10 bytes"):
        pz.Policy.from_file(big)
