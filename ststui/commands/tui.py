"""`ststui` and `ststui --demo`: connect (or start the embedded sim), then run the app.

Place in the flow: cli -> run_tui -> tui.session.open_session (kube.connect) ->
tui.app.StsTuiApp. Connection problems are found before the screen is taken over,
so they print one sentence and exit 2 instead of flashing a broken UI.
"""
from __future__ import annotations

import os
import sys

# A lone Escape is told from the start of an escape sequence (an arrow key) by waiting
# this long for more bytes. Textual waits 100 ms; 50 ms still keeps an arrow's bytes
# together over ssh (a terminal writes them at once) and halves what every escape costs.
# The user's own ESCDELAY (milliseconds, as in ncurses) wins.
ESCAPE_DELAY_MS = 50


def set_escape_delay(environ=os.environ) -> float:
    """Apply ESCAPE_DELAY_MS unless ESCDELAY is set; returns the delay in seconds."""
    import textual.constants
    if "ESCDELAY" not in environ:
        textual.constants.ESCAPE_DELAY = ESCAPE_DELAY_MS / 1000.0
    return textual.constants.ESCAPE_DELAY


def run_tui(*, kubeconfig: str | None, context: str | None, namespace: str | None,
            all_namespaces: bool, read_only: bool, audit_log: str | None, demo: bool,
            speed: float = 1.0, options=None, selector=None) -> int:
    from ststui.config import ConfigError, load_config
    from ststui.kube.connect import ConnectError
    from ststui.tui.session import open_session

    from ststui.tui.memory import limit_arenas

    limit_arenas()          # before any thread starts (tui.memory)
    set_escape_delay()
    try:
        config = load_config()
    except ConfigError as e:
        print(f"ststui: {e}", file=sys.stderr)
        return 2

    embedded = None
    if demo:
        from ststui.sim.main import start_embedded, stop_embedded
        cluster, server, path = start_embedded("demo", speed)
        embedded = (cluster, server)
        kubeconfig, context = str(path), None
        if namespace is None:
            all_namespaces = True
    try:
        try:
            session = open_session(kubeconfig, context, namespace, all_namespaces, check=True,
                                   options=options, selector=selector)
        except (ConnectError, ValueError) as e:   # ValueError: kube.client_options.OptionError
            print(f"ststui: {e}", file=sys.stderr)
            return 2
        if audit_log:
            # Checked, not created: the file appears (0600) with the first entry.
            import os
            folder = os.path.dirname(os.path.abspath(audit_log))
            exists = os.path.exists(audit_log)
            if (exists and not os.access(audit_log, os.W_OK)) or (not exists and not os.access(folder, os.W_OK)):
                print(f"ststui: cannot write the audit log {audit_log}: permission denied.", file=sys.stderr)
                return 2
        from ststui.tui.app import StsTuiApp
        from ststui.tui.crash import EXIT_CRASH, crash_line
        app = StsTuiApp(session, read_only=read_only, audit_log=audit_log, config=config)
        try:
            app.run()
        except Exception as e:        # outside the app's own handler: same one line and report
            print(crash_line(e), file=sys.stderr)
            return EXIT_CRASH
        finally:
            session.stop()
        return app.return_code or 0
    finally:
        if embedded is not None:
            stop_embedded(*embedded)

