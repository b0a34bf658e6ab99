"""`ststui get [NAME] [-n NS | -A] [-o text|json]`: print the StatefulSet model once.

Place in the flow: connect (kube.connect) -> one LIST of each kind into a Store
(kube.watch.list_once) -> topology.build_views -> present.format_text/format_json.
No watch, no TTY needed: for scripts, CI logs and ssh sessions.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO

from ststui.kube.connect import ConnectError, check_reachable, connect
from ststui.kube.ops import describe_api_error
from ststui.kube.watch import list_once
from ststui.state.present import format_json, format_text
from ststui.state.store import Store
from ststui.state.topology import build_views


def run_get(kubeconfig: str | None, context: str | None, namespace: str | None, all_namespaces: bool,
            name: str | None, output: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        conn = connect(kubeconfig, context, namespace, all_namespaces)
    except ConnectError as e:
        print(f"ststui: {e}", file=err)
        return 2
    try:
        check_reachable(conn)
    except ConnectError as e:
        print(f"ststui: {e}", file=err)
        conn.close()
        return 2
    try:
        store = Store()
        try:
            problems = list_once(conn.api_client, store, conn.namespace)
        except Exception as e:  # the first LIST failed outright: say why in one sentence
            print(f"ststui: {describe_api_error(e)}", file=err)
            return 2
        for plural, sentence in problems.items():
            print(f"ststui: warning: {plural}: {sentence}", file=err)
        # Kinds that could not be listed: views claim nothing that depends on them.
        views = build_views(store, time.time(), None if conn.namespace is None else (conn.namespace,),
                            loading=problems)
        if name:
            views = [v for v in views if v.name == name]
            if not views:
                where = f'namespace "{conn.namespace}"' if conn.namespace else "any namespace"
                print(f'ststui: no StatefulSet "{name}" in {where}.', file=err)
                return 1
        text = format_json(views) if output == "json" else format_text(views, time.time())
        out.write(text if text.endswith("\n") else text + "\n")
        return 0
    finally:
        conn.close()
