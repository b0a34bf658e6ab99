"""The Textual UI of ststui.

Entry points: `tui.session.open_session(...)` builds a `Session` (connection, store, watch
manager, clock) and `tui.app.StsTuiApp(session, read_only=..., clock=..., audit_log=...)`
runs on it; `ststui.commands.tui` wires them to the command line. Modules: app (layout,
keys, data flow), changes (change actions and the command palette), panes + keyed_table
(the tables), header, modals, views (YAML, describe, history, action log), help, render
(view -> cells), audit (action log), session.
"""
