"""`ststui get [NAME] [-n NS | -A] [-o text|json]`: print the StatefulSet model once.

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

import json

from ststui.kube.connect import ConnectError, check_reachable, connect, mask_secrets
from ststui.kube.ops import describe_api_error
from ststui.kube.watch import list_once
from ststui.state.model import to_json
from ststui.state.present import format_text
from ststui.state.store import Store
from ststui.state.topology import build_views


INCOMPLETE = 3     # exit code: printed, but some kind could not be read


def _json(views, missing: dict[str, str]) -> str:
    docs = []
    for view in views:
        doc = to_json(view)
        doc["missingKinds"] = sorted(missing)
        if "pods" in missing:
            for pod in doc.get("pods") or ():
                if not pod.get("exists"):
                    pod["phase"] = "Unknown"     # not read, so not known to be absent
        docs.append(doc)
    return json.dumps(docs, indent=2)


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
            print(mask_secrets(f"ststui: warning: {plural} could not be read: {sentence}"), file=err)
        if "pods" in problems:
            print("ststui: warning: pods were not read, so pod states below are unknown.", file=err)
        # Kinds that could not be listed: views claim nothing that depends on them.
        views = build_views(store, time.time(), None if conn.namespace is None else (conn.namespace,),
                            loading=problems)
        if name:
            views = [v for v in views if v.name == name]
            if not views:
                where = f'namespace "{conn.namespace}"' if conn.namespace else "any namespace"
                print(f'ststui: no StatefulSet "{name}" in {where}.', file=err)
                return 1
        text = _json(views, problems) if output == "json" else format_text(views, time.time())
        out.write(text if text.endswith("\n") else text + "\n")
        return INCOMPLETE if problems else 0
    finally:
        conn.close()
