"""The user's config file: `$XDG_CONFIG_HOME/ststui/config.toml` (default ~/.config/ststui/).

Place in the flow: `commands.tui` loads it before the screen is taken over (a broken file
is one sentence naming the line, exit 2) and hands the `Config` to the app, which applies
`keymap` with `App.set_keymap`, `theme`, and the per-context rules: `read_only` (as
`--read-only`) and `protected` (destructive changes ask to type the context name, the
header marks the context). Picking a theme in the app saves it back with `save_theme`,
which rewrites only the top-level `theme = ...` line. Example:

    theme = "textual-light"

    [keymap]
    "ststui.help" = "f1"

    [contexts."prod-*"]
    protected = true
    [contexts."audit"]
    read_only = true
"""
from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

_CONTEXT_KEYS = {"read_only", "protected"}
_THEME_LINE = re.compile(r"^\s*theme\s*=")
_TABLE_LINE = re.compile(r"^\s*\[")


class ConfigError(Exception):
    """The config file cannot be used; `str(error)` is one sentence."""


@dataclass(frozen=True)
class ContextRule:
    pattern: str          # a glob matched against the context name (fnmatch, case-sensitive)
    read_only: bool = False
    protected: bool = False


@dataclass
class Config:
    path: Path | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    contexts: list[ContextRule] = field(default_factory=list)
    max_replicas: int | None = None   # scale refuses more than this (default: actions' ceiling)

    def read_only_for(self, context: str | None) -> bool:
        return any(r.read_only for r in self._rules(context))

    def protected_for(self, context: str | None) -> bool:
        return any(r.protected for r in self._rules(context))

    def _rules(self, context: str | None) -> list[ContextRule]:
        if not context:
            return []
        return [r for r in self.contexts if fnmatch.fnmatchcase(context, r.pattern)]


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return Path(base) / "ststui" / "config.toml"


def load_config(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """The config at `path` (default: `config_path()`); an absent file is an empty Config."""
    path = Path(path) if path is not None else config_path(environ)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(path=path)
    except (OSError, UnicodeDecodeError) as e:
        reason = getattr(e, "strerror", None) or "it is not UTF-8 text"
        raise ConfigError(f"Cannot read the config file {path}: {reason}.") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        # tomllib's message ends with "(at line N, column M)".
        raise ConfigError(f"The config file {path} is not valid TOML: {e}.") from None
    return parse_config(data, path, raw)


def _line_of(raw: str, needle: str) -> str:
    for number, line in enumerate(raw.splitlines(), 1):
        if needle in line:
            return f" (line {number})"
    return ""


def parse_config(data: dict, path: Path | None = None, raw: str = "") -> Config:
    where = f"The config file {path}" if path else "The config"
    known = {"theme", "keymap", "contexts", "max_replicas"}
    for key in data:
        if key not in known:
            raise ConfigError(f"{where} has an unknown setting '{key}'{_line_of(raw, key)}; "
                              f"known: theme, max_replicas, [keymap], [contexts.\"<glob>\"].")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"{where}: theme must be a string{_line_of(raw, 'theme')}.")
    max_replicas = data.get("max_replicas")
    if max_replicas is not None and (isinstance(max_replicas, bool) or not isinstance(max_replicas, int)
                                     or not 1 <= max_replicas <= 1_000_000):
        raise ConfigError(f"{where}: max_replicas must be a whole number from 1 to 1000000"
                          f"{_line_of(raw, 'max_replicas')}.")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        raise ConfigError(f"{where}: keymap must be a table ([keymap]){_line_of(raw, 'keymap')}.")
    for binding_id, keys in keymap.items():
        if not isinstance(keys, str) or not keys.strip():
            raise ConfigError(f"{where}: [keymap] \"{binding_id}\" must be a key such as \"f1\" "
                              f"(or several, comma-separated){_line_of(raw, binding_id)}.")
    contexts = data.get("contexts", {})
    if not isinstance(contexts, dict):
        raise ConfigError(f"{where}: contexts must be tables ([contexts.\"<glob>\"]){_line_of(raw, 'contexts')}.")
    rules = []
    for pattern, body in contexts.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: [contexts.\"{pattern}\"] must be a table{_line_of(raw, pattern)}.")
        for key, value in body.items():
            if key not in _CONTEXT_KEYS:
                raise ConfigError(f"{where}: [contexts.\"{pattern}\"] has an unknown setting '{key}'"
                                  f"{_line_of(raw, key)}; known: read_only, protected.")
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: [contexts.\"{pattern}\"] {key} must be true or false"
                                  f"{_line_of(raw, key)}.")
        rules.append(ContextRule(pattern, bool(body.get("read_only", False)), bool(body.get("protected", False))))
    return Config(path=path, keymap={str(k): str(v) for k, v in keymap.items()}, theme=theme, contexts=rules,
                  max_replicas=max_replicas)


def save_theme(path: Path, theme: str) -> None:
    """Set the top-level `theme = "..."` line, keeping every other line as it was."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    new = f'theme = "{theme}"'
    for index, line in enumerate(lines):
        if _TABLE_LINE.match(line):
            lines.insert(index, new)        # top-level keys must come before the first table
            break
        if _THEME_LINE.match(line):
            lines[index] = new
            break
    else:
        lines.append(new)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)
