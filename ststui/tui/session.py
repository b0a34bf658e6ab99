"""What the app is connected to: API client, context, namespace scope, store, watch, clock.

Place in the flow: `cli` builds a `Session` (from a kubeconfig with `open_session`, or by
hand in tests with a store filled from raw objects) and hands it to `StsTuiApp`. The app
reads views from `session.store` and does all I/O through the session's methods, which
the app calls from thread workers: `execute(plan)`, `fetch_yaml(...)`. In tests the store
is filled by hand and `watch` is None; nothing then talks to a server.

A session can also make a new session for another context or namespace scope
(`reopen`), which the app uses for the `c` and `n` keys.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ststui.state.kubectl_flags import KubectlFlags
from ststui.state.store import Store

def object_path(plural: str, namespace: str | None, name: str) -> str:
    """The API path of one object (the kinds the watch follows, which the UI can show)."""
    from ststui.kube.watch import list_path
    return f"{list_path(plural, namespace)}/{name}"


@dataclass(frozen=True)
class ConnectionState:
    """What the header says about the watch: `level` picks the colour."""
    level: str       # "live" | "syncing" | "stale" | "forbidden" | "offline"
    text: str

    @property
    def stale(self) -> bool:
        return self.level == "stale"


@dataclass
class Session:
    api_client: Any | None
    context: str
    namespace: str | None                 # None: all namespaces
    store: Store
    watch: Any | None = None              # ststui.kube.watch.WatchManager, or None in tests
    clock: Callable[[], float] = time.time
    contexts: list[str] = field(default_factory=list)
    default_namespace: str = "default"
    server: str = ""
    # Makes a new Session for (context, namespace, all_namespaces); context None keeps the
    # current one, namespace None with all_namespaces False means the context's default.
    # None when switching is not possible (in-cluster, tests).
    reopen: Callable[[str | None, str | None, bool], "Session"] | None = None
    closer: Callable[[], None] | None = None
    kubeconfig: str | None = None         # the --kubeconfig given (kubectl hand-offs pass it on)
    # --context/--kubeconfig/--as that every kubectl equivalent shown must carry.
    kubectl_flags: KubectlFlags = field(default_factory=KubectlFlags)
    selector: Any = None                  # -l/--selector (a LabelSelector), None: every StatefulSet

    def selects(self, view: Any) -> bool:
        from ststui.state.selection import selects
        return selects(self.selector, self.store, view.namespace, view.name)

    def now(self) -> float:
        return self.clock()

    @property
    def namespaces(self) -> tuple[str, ...] | None:
        return None if self.namespace is None else (self.namespace,)

    # --- watch -----------------------------------------------------------------------

    def run_watch(self) -> None:
        """Run the watch loops until `stop()`; called from a thread worker."""
        if self.watch is not None:
            self.watch.run()

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.stop()
        if self.closer is not None:
            try:
                self.closer()
            except Exception:
                pass

    def loading_kinds(self) -> frozenset[str]:
        """Kinds whose first LIST has not completed (empty without a watch, as in tests
        that fill the store by hand)."""
        loading = getattr(self.watch, "loading", None)
        return frozenset(loading()) if loading is not None else frozenset()

    def loading_progress(self) -> int:
        """Moves while pages of the kinds still loading arrive (0 without a watch)."""
        progress = getattr(self.watch, "loading_progress", None)
        return progress() if progress is not None else 0

    def unreadable_kinds(self) -> frozenset[str]:
        """Kinds refused (403) that were never listed: their objects are not known, so views
        say Unknown instead of NotCreated or Missing."""
        states = getattr(self.watch, "states", None)
        if states is None:
            return frozenset()
        return frozenset(p for p, st in states().items() if st.state == "forbidden" and st.lists == 0)

    def connection_state(self) -> ConnectionState:
        if self.watch is None:
            return ConnectionState("offline", "not watching")
        overall, sentence = self.watch.summary()
        if overall == "synced":
            return ConnectionState("live", sentence or "live")
        if overall == "resyncing":
            return ConnectionState("syncing", sentence or "syncing")
        if overall == "forbidden":
            return ConnectionState("forbidden", sentence)
        if overall == "stale":
            return ConnectionState("stale", f"stale: {sentence}")
        return ConnectionState("stale", sentence or "disconnected")

    def wait_for_server_state(self, target: str, limit: float = 5.0) -> bool:
        """After a conflict on `target` ("statefulset/ns/name", "persistentvolume/name"):
        read the object from the server, then wait (at most `limit` seconds) until the
        store holds that version or a newer one, so a new plan starts from it."""
        parts = target.split("/")
        plural = {"statefulset": "statefulsets", "persistentvolume": "persistentvolumes",
                  "pod": "pods", "persistentvolumeclaim": "persistentvolumeclaims"}.get(parts[0])
        if self.api_client is None or plural is None or len(parts) not in (2, 3):
            return False
        namespace, name = (parts[1], parts[2]) if len(parts) == 3 else (None, parts[1])
        from ststui.kube import ops
        from ststui.state.store import is_newer
        try:
            fresh = ops.fetch_object(self.api_client, object_path(plural, namespace, name))
        except ops.FetchError:
            return False
        want = (fresh.get("metadata") or {}).get("resourceVersion")
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            held = self.store.get(plural, namespace, name)
            rv = held["metadata"].get("resourceVersion") if held is not None else None
            if rv is not None and (rv == want or is_newer(rv, want)):
                return True
            time.sleep(0.02)
        return False

    def reconnect_now(self) -> bool:
        """ctrl+r: retry every connection now; False when there is nothing to reconnect."""
        if self.watch is None:
            return False
        self.watch.reconnect_now()
        return True

    # --- I/O, called from thread workers ---------------------------------------------

    def execute(self, plan: Any, read_only: bool):
        from ststui.kube import ops
        return ops.execute(self.api_client, plan, read_only)

    def fetch_yaml(self, plural: str, namespace: str | None, name: str) -> str:
        """The object as the server has it, as YAML (the store keeps slim copies only)."""
        if self.api_client is None:
            import yaml
            from ststui.state.records import plain
            obj = self.store.get(plural, namespace, name)
            if obj is None:
                raise LookupError(f"{plural[:-1]} {name} is not known.")
            obj = plain(obj)
            dumper = type("NoAliases", (yaml.SafeDumper,), {"ignore_aliases": lambda self, data: True})
            return yaml.dump(obj, Dumper=dumper, sort_keys=False)
        from ststui.kube import ops
        return ops.fetch_yaml(self.api_client, object_path(plural, namespace, name))

    def describe_error(self, exc: BaseException) -> str:
        if isinstance(exc, LookupError):
            return str(exc.args[0]) if exc.args else "Not found."
        try:
            from ststui.kube import ops
            if isinstance(exc, ops.FetchError):
                return str(exc)
            return ops.describe_api_error(exc)
        except Exception:
            return f"The request failed ({type(exc).__name__})."


def open_session(kubeconfig: str | None = None, context: str | None = None,
                 namespace: str | None = None, all_namespaces: bool = False, *,
                 clock: Callable[[], float] = time.time, watch: bool = True,
                 check: bool = False, options: Any = None, selector: Any = None) -> Session:
    """Connect like kubectl (raises `kube.connect.ConnectError` with one sentence) and
    prepare a store and its watch manager. The watch starts when the app runs it.
    With `check`, ask the server for /version first, so an unreachable server or bad
    credentials fail here with one sentence rather than as a stale screen."""
    from ststui.kube.connect import check_reachable, connect
    from ststui.kube.watch import WatchManager

    from ststui.kube import client_options
    conn = connect(kubeconfig, context, namespace, all_namespaces)
    try:
        client_options.apply(conn.api_client, options)   # --request-timeout, --as, --as-group
    except Exception:
        conn.close()
        raise
    if check:
        try:
            check_reachable(conn)
        except Exception:
            conn.close()
            raise
    store = Store()
    manager = WatchManager(conn.api_client, store, conn.namespace) if watch else None

    def reopen(new_context: str | None, new_namespace: str | None, new_all: bool) -> Session:
        return open_session(kubeconfig, new_context or conn.context, new_namespace, new_all,
                            clock=clock, watch=watch, check=True, options=options, selector=selector)

    return Session(api_client=conn.api_client, context=conn.context, namespace=conn.namespace,
                   store=store, watch=manager, clock=clock, contexts=list(conn.contexts),
                   default_namespace=conn.default_namespace, server=conn.cluster_server,
                   reopen=None if conn.in_cluster else reopen, closer=conn.close, kubeconfig=kubeconfig,
                   kubectl_flags=kubectl_flags_for(conn, kubeconfig, options), selector=selector)


def kubectl_flags_for(conn: Any, kubeconfig: str | None, options: Any = None) -> KubectlFlags:
    """--context always (kubectl in another shell may point elsewhere); --kubeconfig when
    one was given explicitly (kubectl would not read it by itself), as an absolute path."""
    import os
    if getattr(conn, "in_cluster", False):
        return KubectlFlags(as_user=getattr(options, "as_user", None),
                            as_groups=tuple(getattr(options, "as_groups", ())))
    path = os.path.abspath(os.path.expanduser(kubeconfig)) if kubeconfig else None
    return KubectlFlags(context=conn.context, kubeconfig=path,
                        as_user=getattr(options, "as_user", None), as_groups=tuple(getattr(options, "as_groups", ())))
