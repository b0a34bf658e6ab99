"""`ststui keys`: every binding id with its key, as the config's [keymap] sets them.

Place in the flow: cli -> run_keys. Reads the BINDINGS of the app, the panes and the
dialogs (the same lists the help screen shows), applies the config's keymap the way
`App.set_keymap` does (an id maps to a comma-separated key list), and prints one line per
binding: id, key, description. A broken config file is one sentence and exit 2.
"""
from __future__ import annotations

import sys
from typing import TextIO


def binding_owners() -> list[tuple[str, list]]:
    """(where, BINDINGS) for every class whose bindings have ids."""
    from ststui.tui import command_line, help as help_screen, modals, panes, views
    from ststui.tui.app import StsTuiApp
    owners: list[tuple[str, list]] = [("app", StsTuiApp.BINDINGS)]
    for name in ("Pane", "StatefulSetsPane", "PodsPane", "ClaimsPane", "VolumesPane"):
        cls = getattr(panes, name)
        owners.append((name, cls.__dict__.get("BINDINGS", [])))
    for module in (modals, views, help_screen, command_line):
        for name in sorted(vars(module)):
            cls = getattr(module, name)
            if isinstance(cls, type) and cls.__module__ == module.__name__ and "BINDINGS" in cls.__dict__:
                owners.append((name, cls.__dict__["BINDINGS"]))
    return owners


def all_bindings(keymap: dict[str, str] | None = None) -> list[tuple[str, str, str, str]]:
    """(id, key, description, where) sorted by id, each id once."""
    keymap = keymap or {}
    seen: dict[str, tuple[str, str, str, str]] = {}
    for where, bindings in binding_owners():
        for binding in bindings:
            binding_id = getattr(binding, "id", None)
            if not binding_id or binding_id in seen:
                continue
            key = keymap.get(binding_id, binding.key)
            seen[binding_id] = (binding_id, key, binding.description or binding.action, where)
    return sorted(seen.values())


def run_keys(out: TextIO | None = None, err: TextIO | None = None) -> int:
    from ststui.config import ConfigError, load_config
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        config = load_config()
    except ConfigError as e:
        print(f"ststui: {e}", file=err)
        return 2
    rows = all_bindings(config.keymap)
    unknown = sorted(set(config.keymap) - {r[0] for r in rows})
    width = max(len(r[0]) for r in rows)
    keyw = max(len(r[1]) for r in rows)
    for binding_id, key, description, where in rows:
        out.write(f"{binding_id:<{width}}  {key:<{keyw}}  {description} ({where})\n")
    for binding_id in unknown:
        print(f"ststui: warning: the config's [keymap] names '{binding_id}', which is no binding id.", file=err)
    return 0
