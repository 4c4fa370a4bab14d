"""Policy files: TOML or JSON by suffix, read with the standard library, written by ``_toml``."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from prioritize._errors import ConfigError
from prioritize.policy import _toml

__all__ = ["read_document", "write_document"]


def _unknown_suffix(path: Path, suffix: str) -> ConfigError:
    return ConfigError(f"{path}: unknown policy file type {suffix!r}; use .toml or .json")


def read_document(path: str | Path) -> Any:
    """The parsed ``.toml`` or ``.json`` document at ``path``.

    Raises
    ------
    ConfigError
        If the file cannot be parsed or has another suffix.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    text = path.read_text(encoding="utf-8")
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not valid {suffix[1:].upper()}: {exc}") from exc
    raise _unknown_suffix(path, suffix)


def write_document(data: dict[str, Any], path: str | Path) -> Path:
    """Write ``data`` as TOML or JSON (by suffix); returns the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        path.write_text(_toml.dumps(data), encoding="utf-8")
    elif suffix == ".json":
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    else:
        raise _unknown_suffix(path, suffix)
    return path
