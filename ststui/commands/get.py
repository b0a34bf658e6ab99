"""`ststui get [NAME] [-n NS | -A] [-l SELECTOR] [-o text|json|yaml|wide|name]`: print the
StatefulSet model once.

Place in the flow: connect (kube.connect) -> one LIST of each kind into a Store
(kube.watch.list_once) -> topology.build_views -> present.format_text/format_json.
No watch, no TTY needed: for scripts, CI logs and ssh sessions.

Exit codes: 0 everything read; 1 no such StatefulSet; 2 cannot connect or read
StatefulSets; 3 (INCOMPLETE) some kind could not be read (forbidden, failing): the
output is printed, each StatefulSet's JSON lists the kinds it lacks in `missingKinds`,
and when pods could not be read their phase is "Unknown", never "NotCreated".
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


from ststui.kube.connect import ConnectError, check_reachable, connect, mask_secrets
from ststui.kube.ops import describe_api_error
from ststui.kube.watch import list_once
from ststui.kube import client_options
from ststui.state.get_formats import format_views
from ststui.state.selection import selects
from ststui.state.store import Store
from ststui.state.topology import build_views


INCOMPLETE = 3     # exit code: printed, but some kind could not be read


def run_get(kubeconfig: str | None, context: str | None, namespace: str | None, all_namespaces: bool,
            name: str | None, output: str, out: TextIO | None = None, err: TextIO | None = None,
            options: client_options.ClientOptions | None = None, selector=None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        conn = connect(kubeconfig, context, namespace, all_namespaces)
    except ConnectError as e:
        print(f"ststui: {e}", file=err)
        return 2
    try:
        client_options.apply(conn.api_client, options)    # --request-timeout, --as, --as-group
        check_reachable(conn)
    except (ConnectError, client_options.OptionError) as e:
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
            print(mask_secrets(f"ststui: warning: {plural} could not be read: {sentence}"), file=err)
        if "pods" in problems:
            print("ststui: warning: pods were not read, so pod states below are unknown.", file=err)
        # Kinds that could not be listed: views claim nothing that depends on them.
        views = build_views(store, time.time(), None if conn.namespace is None else (conn.namespace,),
                            loading=problems)
        views = [v for v in views if selects(selector, store, v.namespace, v.name)]   # -l
        if name:
            views = [v for v in views if v.name == name]
            if not views:
                where = f'namespace "{conn.namespace}"' if conn.namespace else "any namespace"
                print(f'ststui: no StatefulSet "{name}" in {where}.', file=err)
                return 1
        text = format_views(views, output, time.time(), missing=problems)
        if text:
            out.write(text if text.endswith("\n") else text + "\n")
        return INCOMPLETE if problems else 0
    finally:
        conn.close()
