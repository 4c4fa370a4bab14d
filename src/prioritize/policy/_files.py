"""Policy files: TOML or JSON by suffix, read with the standard library, written by ``_toml``.

Reading raises only :class:`~prioritize.ConfigError` (naming the file) for a
file that cannot be read as a policy document: missing, a folder,
unreadable, larger than :data:`MAX_POLICY_BYTES`, not UTF-8, not valid
TOML/JSON, nested too deeply, or empty (which would silently be the default
policy). Writing is atomic (a temporary file renamed
over the target), so a failed write leaves an existing file intact.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from prioritize._errors import ConfigError
from prioritize._internal.files import read_text, write_text_atomic
from prioritize.policy import _toml

__all__ = ["MAX_POLICY_BYTES", "read_document", "write_document"]

#: The largest policy file read (bytes): far above any real policy, even one
#: with a lexicon of thousands of phrases, and far below what hurts a process.
MAX_POLICY_BYTES = 16 * 2**20


def _unknown_suffix(path: Path, suffix: str) -> ConfigError:
    return ConfigError(f"{path}: unknown policy file type {suffix!r}; use .toml or .json")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (``json`` keeps the last, dropping the first)."""
    document = dict(pairs)
    if len(document) < len(pairs):
        twice = sorted({key for key, _ in pairs if sum(k == key for k, _ in pairs) > 1})
        raise ValueError(f"key(s) {twice} given more than once in one object")
    return document


def read_document(path: str | Path) -> Any:
    """The parsed ``.toml`` or ``.json`` document at ``path``.

    Raises
    ------
    ConfigError
        If the file has another suffix, cannot be read (missing, a folder,
        unreadable, too large, not UTF-8), cannot be parsed, is nested too
        deeply, or holds an empty document.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise _unknown_suffix(path, suffix)
    text = read_text(path, max_bytes=MAX_POLICY_BYTES, error=ConfigError)
    kind = suffix[1:].upper()
    try:
        if suffix == ".toml":
            document = tomllib.loads(text)  # TOML itself forbids a key twice
        else:
            document = json.loads(text, object_pairs_hook=_unique_keys)
    except RecursionError as exc:
        raise ConfigError(f"{path}: not a policy: {kind} nested too deeply") from exc
    except ValueError as exc:  # TOMLDecodeError, JSONDecodeError, an integer too long
        raise ConfigError(f"{path}: not valid {kind}: {exc}") from exc
    if document == {}:
        # an empty or truncated file would silently be the default policy
        raise ConfigError(f"{path}: the policy file is empty; write at least its name or weights")
    return document


def write_document(data: dict[str, Any], path: str | Path) -> Path:
    """Write ``data`` as TOML or JSON (by suffix), atomically; returns the path.

    Raises
    ------
    ConfigError
        If the suffix is neither ``.toml`` nor ``.json``, or the data cannot be
        written as TOML (a lone surrogate in a text). Nothing is written then.
    OSError
        If the file cannot be written; an existing file is left as it was.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        try:
            text = _toml.dumps(data)
        except ValueError as exc:
            raise ConfigError(f"{path}: cannot write as TOML: {exc}") from exc
    elif suffix == ".json":
        # ensure_ascii: every text survives, lone surrogates included (as \ud800).
        text = json.dumps(data, indent=2) + "\n"
    else:
        raise _unknown_suffix(path, suffix)
    return write_text_atomic(path, text)
