"""List-then-watch loops that keep the `state.store.Store` equal to the API server.

Place in the flow: `WatchManager` runs one loop per resource kind (a small thread each,
supervised by the manager, which the TUI starts from a thread worker); every LIST goes
to `store.replace()` and every watch event to `store.apply_event()`. The UI only reads
the store and `manager.states()`.

The contract (client-go's reflector, without its model decoding):
- LIST, then WATCH from the list's resourceVersion with allowWatchBookmarks and a
  bounded timeoutSeconds; re-watch from the last version seen (events and bookmarks).
- 410 Expired (an ERROR event or a 410 answer): LIST again and replace, so objects
  deleted meanwhile disappear and nothing is duplicated.
- Network errors and 5xx: reconnect with capped exponential backoff and jitter,
  resuming from the last version seen.
- 401/403: that resource is "forbidden": say so, and check again with a slower backoff
  (access may be granted later); resume watching when allowed.

Server changes (an etcd restore, a failover to a server with other data, a sim restarted
on the same port) are detected three ways, and each makes every kind LIST again and
`store.replace()` by content: a watch event or LIST older than the last resourceVersion
seen, a "too large resource version" answer to a watch resumed on a server that is
behind, and a changed server identity (the uid of the kube-system namespace, read by the
probe below).

Liveness: a probe thread asks the server for a small object every `probe_interval`
seconds. Any line from a watch, any LIST and any HTTP answer to the probe counts as
word from the server; with none for `stale_after` seconds the manager is "stale" (the
header says how long it has been quiet and when the next try is). When the server
answers again after a stale period the loops reconnect at once (their connections may be
dead without any error). `reconnect_now()` (ctrl+r) does that on demand.
"""
from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable

from kubernetes.client import ApiClient

from .connect import mask_secrets
from .pager import pages
from .rest import HttpError, iter_lines, open_request, raise_for_status

# plural -> (api root, namespaced)
WATCHED: dict[str, tuple[str, bool]] = {
    "statefulsets": ("/apis/apps/v1", True),
    "pods": ("/api/v1", True),
    "persistentvolumeclaims": ("/api/v1", True),
    "persistentvolumes": ("/api/v1", False),
    "nodes": ("/api/v1", False),
    "services": ("/api/v1", True),
    "controllerrevisions": ("/apis/apps/v1", True),
    "storageclasses": ("/apis/storage.k8s.io/v1", False),
    "events": ("/api/v1", True),
    "poddisruptionbudgets": ("/apis/policy/v1", True),
}
# Kinds the app can do without: refused (403) or not served (404), they stop quietly and
# do not turn the header "forbidden" (shown views then simply have no budgets).
OPTIONAL = frozenset({"poddisruptionbudgets"})

# The big kinds (one object per pod) list after the small ones have listed once, one
# after another in this order, so StatefulSet rows paint first and big lists never contend.
BIG_KINDS = ("pods", "persistentvolumeclaims", "persistentvolumes", "events")
SMALL_FIRST_WAIT = 30.0     # seconds a big kind's first list waits for its turn at most

# Connection states shown to the user.
STARTING = "starting"
SYNCED = "synced"
RESYNCING = "resyncing"
RETRYING = "retrying"
FORBIDDEN = "forbidden"
STOPPED = "stopped"
STALE = "stale"            # manager-wide: no word from the server for `stale_after` seconds


@dataclass(frozen=True)
class ResourceState:
    plural: str
    state: str = STARTING
    resource_version: str | None = None
    retry_at: float | None = None      # wall time of the next attempt when retrying
    message: str = ""                  # one sentence for people
    lists: int = 0                     # LIST calls made (1 + relists)
    events: int = 0                    # watch events applied
    errors: int = 0


@dataclass
class Backoff:
    base: float = 0.5
    cap: float = 30.0
    attempt: int = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * (2 ** self.attempt))
        self.attempt += 1
        return delay * random.uniform(0.8, 1.2)

    def reset(self) -> None:
        self.attempt = 0


def list_path(plural: str, namespace: str | None) -> str:
    root, namespaced = WATCHED[plural]
    if namespaced and namespace:
        return f"{root}/namespaces/{namespace}/{plural}"
    return f"{root}/{plural}"


def list_into(api: ApiClient, store, plural: str, namespace: str | None, *, page_size: int = 500,
              timeout: tuple[float, float] = (10, 120),
              hold: Callable | None = None, release: Callable | None = None) -> str:
    """LIST `plural` in pages (limit/continue, like client-go's pager) into `store.replace`,
    feeding it as pages arrive so the whole list is never held as one parsed document.
    Returns the list's resourceVersion. `hold`/`release` see each open response (so a
    stop can interrupt a slow read)."""
    path = list_path(plural, namespace)

    def fetch(token: str | None) -> bytes:
        query = [("limit", str(page_size))] + ([("continue", token)] if token else [])
        raw = open_request(api, "GET", path, query=query, timeout=timeout)
        if hold is not None:
            hold(raw)
        try:
            raise_for_status(raw)
            return raw.data
        finally:
            if release is not None:
                release(raw)
            else:
                raw.release_conn()

    listing = pages(fetch)
    first = next(listing)
    rv = (first.get("metadata") or {}).get("resourceVersion") or ""

    def items():
        current = first
        try:
            while True:
                yield from current.get("items") or ()
                current["items"] = None
                current = next(listing, None)
                if current is None:
                    return
        finally:
            listing.close()

    store.replace(plural, items(), rv, namespace=namespace)
    return rv


class _Relist(Exception):
    """The watch's resourceVersion expired: LIST again."""


class _ServerChanged(Exception):
    """The server went back in time or is another server: every kind must LIST again."""


def rv_older(new_rv: str | None, old_rv: str | None) -> bool:
    """Whether resourceVersion `new_rv` is older than `old_rv` (only when both are
    integers, as every API server's are in practice; opaque ones are never compared)."""
    if not new_rv or not old_rv:
        return False
    try:
        return int(new_rv) < int(old_rv)
    except ValueError:
        return False


def too_large_rv(e: HttpError) -> bool:
    """The server is behind the resourceVersion we resumed from ("Too large resource
    version", 504 Timeout with cause ResourceVersionTooLarge): it went back in time."""
    causes = ((e.body.get("details") or {}).get("causes")) or []
    if any(isinstance(c, dict) and c.get("reason") == "ResourceVersionTooLarge" for c in causes):
        return True
    return "too large resource version" in str(e.message).lower()


class ResourceLoop:
    """The list-then-watch loop of one resource kind."""

    def __init__(self, manager: "WatchManager", plural: str) -> None:
        self.m = manager
        self.plural = plural
        self.namespace = manager.namespace if WATCHED[plural][1] else None
        self.path = list_path(plural, self.namespace)
        self._state = ResourceState(plural)
        self.events = 0          # watch events applied (hot path: a plain counter)
        self.pages = 0           # requests answered (list order: is the list progressing?)
        self.waiting_turn = False
        self.rv: str | None = None
        self._resp = None
        self._resp_lock = threading.Lock()
        self._wake = threading.Event()          # cuts a backoff sleep short (stop, reconnect now)
        self.relist = threading.Event()         # set by the manager after a server change
        self.relist_reason = ""
        self.reset_backoff = False
        self.thread = threading.Thread(target=self.run, name=f"watch-{plural}", daemon=True)

    @property
    def state(self) -> ResourceState:
        return replace(self._state, events=self.events, resource_version=self.rv)

    def _set(self, **kw) -> None:
        if "resource_version" in kw:
            self.rv = kw.pop("resource_version")
        if kw.get("message"):
            kw["message"] = mask_secrets(kw["message"])    # the header shows it
        self._state = replace(self._state, **kw)
        self.m._state_changed()

    def run(self) -> None:
        backoff = Backoff(self.m.backoff_base, self.m.backoff_cap)
        forbidden = Backoff(self.m.forbidden_base, self.m.forbidden_cap)
        need_list = True
        rv: str | None = None
        why = "resyncing after an expired watch"
        while not self.m.stopped.is_set():
            after_change = False
            if self.relist.is_set():
                self.relist.clear()
                need_list, after_change, why = True, True, self.relist_reason
            if self.reset_backoff:
                self.reset_backoff = False
                backoff.reset()
                forbidden.reset()
            try:
                if need_list:
                    if self._state.lists:
                        self._set(state=RESYNCING, message=why)
                    before = self.rv
                    rv = self._ordered_list()
                    need_list = False
                    backoff.reset()
                    forbidden.reset()
                    self._set(state=SYNCED, resource_version=rv, retry_at=None, message="")
                    if not after_change and rv_older(rv, before):
                        self.m.server_changed(f"the server's {self.plural} are at resourceVersion {rv}, "
                                              f"older than {before} seen before", source=self)
                # Resume from the last version seen (events and bookmarks), not from where
                # the broken watch started: a server that went back is then caught.
                rv = self._watch(self.rv or rv, backoff)
            except _Relist:
                need_list, why = True, "resyncing after an expired watch"
            except _ServerChanged as e:
                need_list, why = True, str(e)
                self.m.server_changed(str(e), source=self)
            except HttpError as e:
                self.m.heard()
                if e.status == 410:
                    need_list, why = True, "resyncing after an expired watch"
                    continue
                if too_large_rv(e):
                    need_list, why = True, f"the server is behind resourceVersion {self.rv or rv}: it went back in time"
                    self.m.server_changed(why, source=self)
                    continue
                if e.status in (403, 404) and self.plural in OPTIONAL:
                    self._set(state=FORBIDDEN, message=f"{self.plural} not readable ({e.status})")
                    return
                if e.status in (401, 403):
                    need_list, why = True, f"access to {self.plural} granted again"
                    self._forbidden(forbidden, e)
                    continue
                self._retry(backoff, f"the API server answered {e.status} {e.reason or ''}".strip())
            except Exception as e:  # network errors, timeouts, broken streams
                if self.m.stopped.is_set():
                    break
                self._retry(backoff, _network_message(e))
        self._set(state=STOPPED)

    def _sleep(self, delay: float) -> None:
        self._wake.wait(delay)
        self._wake.clear()

    def _retry(self, backoff: Backoff, why: str) -> None:
        delay = backoff.next_delay()
        self._set(state=RETRYING, retry_at=time.time() + delay, errors=self._state.errors + 1,
                  message=why)
        self._sleep(delay)

    def _forbidden(self, backoff: Backoff, e: HttpError) -> None:
        """Forbidden is a state, not an end: check again later (RBAC may change)."""
        delay = backoff.next_delay()
        what = "not allowed to watch" if e.status == 403 else "credentials rejected for"
        self._set(state=FORBIDDEN, retry_at=time.time() + delay, errors=self._state.errors + 1,
                  message=mask_secrets(f"{what} {self.plural}: {e.message}"))
        self._sleep(delay)

    def _ordered_list(self) -> str:
        """The first list: small kinds at once; each big kind after the kind before it in
        BIG_KINDS (the small ones, for pods) has listed once or failed, waiting at most
        SMALL_FIRST_WAIT. Relists do not wait."""
        first = self._state.lists == 0 and self.plural not in self.m.first_done
        if first:
            turn = self.m.first_list_turn(self.plural)
            before = self.m.big_before(self.plural)
            self.waiting_turn = True
            if turn is not None and before is None:
                turn.wait(SMALL_FIRST_WAIT)
            elif turn is not None:
                # after the big kind before this one, while it waits its own turn or its
                # list makes progress (a page a second): a list held back holds no other
                pages = before.pages
                while not turn.wait(1.0) and (before.waiting_turn or before.pages != pages):
                    pages = before.pages
            self.waiting_turn = False
        try:
            return self._list()
        finally:
            if first:
                self.m.first_list_ended(self.plural)

    def _list(self) -> str:
        self.m.heard()
        rv = list_into(self.m.api, self.m.store, self.plural, self.namespace,
                       page_size=self.m.page_size, timeout=(10, self.m.list_timeout),
                       hold=self._hold, release=self._release)
        self._state = replace(self._state, lists=self._state.lists + 1)
        self.rv = rv
        self.m.heard()
        return rv

    def _watch(self, rv: str | None, backoff: Backoff) -> str | None:
        query = [("watch", "true"), ("allowWatchBookmarks", "true"),
                 ("timeoutSeconds", str(self.m.watch_timeout))]
        if rv:
            query.append(("resourceVersion", rv))
        raw = open_request(self.m.api, "GET", self.path, query=query,
                           timeout=(10, self.m.watch_timeout + self.m.read_slack))
        self._hold(raw)
        try:
            raise_for_status(raw)
            self.m.heard()
            if self._state.state != SYNCED:
                self._set(state=SYNCED, retry_at=None, message="")
            backoff.reset()
            since = rv
            for line in iter_lines(raw):
                self.m.heard()
                if self.m.stopped.is_set() or self.relist.is_set():
                    break
                try:
                    event = json.loads(line)
                    etype = event.get("type")
                    obj = event.get("object") or {}
                    md = obj.get("metadata") or {}
                except (ValueError, AttributeError):
                    continue          # not an event: skip it (the store never sees it)
                if etype == "ERROR":
                    if obj.get("code") == 410:
                        raise _Relist()
                    raise HttpError(int(obj.get("code") or 500), obj)
                new_rv = md.get("resourceVersion") if isinstance(md, dict) else None
                if rv_older(new_rv, since):
                    raise _ServerChanged(f"a watch event of {self.plural} at resourceVersion {new_rv} is older "
                                         f"than {since}: the server went back in time")
                if etype != "BOOKMARK":
                    self.m.store.apply_event(self.plural, etype, obj)
                    self.events += 1
                if new_rv:
                    rv = self.rv = new_rv
            return rv
        finally:
            self._release(raw)

    def _hold(self, raw) -> None:
        self.pages += 1          # one request (a LIST page or a watch) answered
        with self._resp_lock:
            self._resp = raw

    def _release(self, raw) -> None:
        with self._resp_lock:
            if self._resp is raw:
                self._resp = None
        try:
            raw.release_conn()
        except Exception:
            pass

    def interrupt(self) -> None:
        """Unblock a pending read (used on stop)."""
        with self._resp_lock:
            raw = self._resp
        if raw is not None:
            try:
                raw.shutdown()
            except Exception:
                try:
                    raw.close()
                except Exception:
                    pass


def _network_message(e: Exception) -> str:
    text = str(e)
    if "Connection refused" in text or "NewConnectionError" in type(e).__name__ + text:
        return "cannot reach the API server (connection refused)"
    if "timed out" in text.lower() or "Timeout" in type(e).__name__:
        return "the API server did not answer in time"
    if "ProtocolError" in type(e).__name__ or "IncompleteRead" in text or "Connection broken" in text:
        return "the connection to the API server broke"
    return mask_secrets(f"connection problem ({type(e).__name__})")


IDENTITY_PATH = "/api/v1/namespaces/kube-system"   # its uid names the cluster's data


class WatchManager:
    """Keeps a Store in sync with the API server for the kinds ststui shows."""

    def __init__(self, api: ApiClient, store, namespace: str | None = None, *,
                 plurals: tuple[str, ...] | None = None, watch_timeout: int = 300,
                 read_slack: int = 30, list_timeout: float = 120,
                 backoff_base: float = 0.5, backoff_cap: float = 30.0, page_size: int = 500,
                 on_state: Callable[[], None] | None = None,
                 forbidden_base: float = 5.0, forbidden_cap: float = 120.0,
                 probe_interval: float = 5.0, probe_timeout: float = 5.0,
                 stale_after: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.api = api
        self.store = store
        self.namespace = namespace
        self.watch_timeout = watch_timeout
        self.read_slack = read_slack
        self.list_timeout = list_timeout
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.page_size = page_size
        self.on_state = on_state
        self.forbidden_base = forbidden_base
        self.forbidden_cap = forbidden_cap
        self.probe_interval = probe_interval
        self.probe_timeout = probe_timeout
        self.stale_after = stale_after
        self.clock = clock
        self.stopped = threading.Event()
        self.state_version = 0
        self.loops = [ResourceLoop(self, p) for p in (plurals or tuple(WATCHED))]
        # StatefulSets and the small kinds list first; then the big kinds one after another
        self.first_done: set[str] = set()
        self._first_lock = threading.Lock()
        self._small_waiting = {loop.plural for loop in self.loops if loop.plural not in BIG_KINDS}
        self._big = [p for p in BIG_KINDS if any(loop.plural == p for loop in self.loops)]
        self._turn = {p: threading.Event() for p in self._big}   # set: this big kind may list
        if self._big and not self._small_waiting:
            self._turn[self._big[0]].set()
        self.last_word = clock()            # when the server last said anything
        self.identity: str | None = None    # uid of kube-system, when readable
        self.server_changes = 0             # how many times a server change made us relist
        self.last_change = ""               # why, the last time
        self.next_probe = clock()
        self.probe_error = ""
        self._was_stale = False
        self._probe_wake = threading.Event()
        self._probe_thread = threading.Thread(target=self._probe_loop, name="watch-probe", daemon=True)

    def first_list_turn(self, plural: str) -> threading.Event | None:
        return self._turn.get(plural)

    def big_before(self, plural: str) -> "ResourceLoop | None":
        """The loop of the big kind listed just before `plural` (None for the first)."""
        if plural not in self._big or self._big.index(plural) == 0:
            return None
        prev = self._big[self._big.index(plural) - 1]
        return next(loop for loop in self.loops if loop.plural == prev)

    def first_list_ended(self, plural: str) -> None:
        """`plural`'s first list ended (listed or failed): let the next big kind start."""
        with self._first_lock:
            self.first_done.add(plural)
            self._small_waiting.discard(plural)
            if not self._big:
                return
            if not self._small_waiting:
                self._turn[self._big[0]].set()
            if plural in self._big:
                i = self._big.index(plural)
                if i + 1 < len(self._big):
                    self._turn[self._big[i + 1]].set()

    # --- liveness and server identity ---------------------------------------------------

    def heard(self) -> None:
        """The server said something (hot path: one clock read)."""
        self.last_word = self.clock()

    def quiet_for(self) -> float:
        return max(0.0, self.clock() - self.last_word)

    def stale(self) -> bool:
        return self.quiet_for() > self.stale_after

    def _probe_loop(self) -> None:
        while not self.stopped.is_set():
            self.probe()
            self.next_probe = self.clock() + self.probe_interval
            self._probe_wake.wait(self.probe_interval)
            self._probe_wake.clear()

    def probe(self) -> None:
        """One cheap request: proves the server alive and checks who it is."""
        was_stale = self._was_stale or self.stale()
        try:
            raw = open_request(self.api, "GET", IDENTITY_PATH,
                               timeout=(self.probe_timeout, self.probe_timeout))
            try:
                status, data = raw.status, raw.data
            finally:
                raw.release_conn()
        except Exception as e:
            self.probe_error = _network_message(e)
            self._was_stale = self.stale()
            self._state_changed()
            return
        self.heard()
        self.probe_error = ""
        self._was_stale = False
        if status == 200:
            try:
                uid = (json.loads(data).get("metadata") or {}).get("uid")
            except (ValueError, AttributeError):
                uid = None
            if uid and self.identity and uid != self.identity:
                self.identity = uid
                self.server_changed("the API server was replaced (its kube-system namespace has a new uid)")
            elif uid:
                self.identity = uid
        if was_stale:
            # The connections of the loops may have died silently meanwhile: reconnect now.
            self.reconnect_now(probe=False)
        self._state_changed()

    def server_changed(self, reason: str, source: "ResourceLoop | None" = None) -> None:
        """Relist every kind (except `source`, which relists by itself) and replace the
        store by content."""
        self.server_changes += 1
        self.last_change = reason
        for loop in self.loops:
            if loop is source:
                continue
            loop.relist_reason = f"relisting: {reason}"
            loop.relist.set()
            loop._wake.set()
            loop.interrupt()
        self._state_changed()

    def reconnect_now(self, probe: bool = True) -> None:
        """ctrl+r: end every backoff wait and open connection; the loops resume at once."""
        for loop in self.loops:
            loop.reset_backoff = True
            loop._wake.set()
            loop.interrupt()
        if probe:
            self._probe_wake.set()

    def _state_changed(self) -> None:
        self.state_version += 1
        if self.on_state is not None:
            try:
                self.on_state()
            except Exception:
                pass

    def start(self) -> None:
        self.last_word = self.clock()
        for loop in self.loops:
            loop.thread.start()
        if self.probe_interval > 0:
            self._probe_thread.start()

    def run(self) -> None:
        """Start the loops and block until stop() (for a Textual thread worker)."""
        self.start()
        self.stopped.wait()
        self.join()

    def stop(self) -> None:
        self.stopped.set()
        for turn in self._turn.values():
            turn.set()
        self._probe_wake.set()
        for loop in self.loops:
            loop._wake.set()
            loop.interrupt()

    def join(self, timeout: float = 5.0) -> None:
        for loop in self.loops:
            if loop.thread.is_alive():
                loop.thread.join(timeout)
        if self._probe_thread.is_alive():
            self._probe_thread.join(timeout)

    def states(self) -> dict[str, ResourceState]:
        return {loop.plural: loop.state for loop in self.loops}

    def _loading_loops(self) -> list[ResourceLoop]:
        """Loops whose first LIST has not completed (retrying ones included, forbidden
        ones not: they will not arrive). Read from each loop's own state, not a copy:
        the UI asks about ten times a second."""
        return [loop for loop in self.loops if loop._state.lists == 0 and loop._state.state != FORBIDDEN]

    def loading(self) -> frozenset[str]:
        """Kinds that have not completed their first LIST yet. Views withhold what
        depends on them."""
        return frozenset(loop.plural for loop in self._loading_loops())

    def loading_progress(self) -> int:
        """Requests answered so far for the kinds still loading (a LIST page each): it
        moves while their pages arrive and stands still while a list is stalled."""
        return sum(loop.pages for loop in self._loading_loops())

    def all_synced(self) -> bool:
        return all(loop.state.state == SYNCED for loop in self.loops)

    def wait_synced(self, timeout: float = 30.0) -> bool:
        """Block until every loop has listed once and is synced (used by `ststui get`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = self.states().values()
            if all(s.state == SYNCED or s.state == FORBIDDEN for s in states) \
                    and all(s.lists > 0 or s.state == FORBIDDEN for s in states):
                return True
            if self.stopped.wait(0.02):
                return False
        return False

    def summary(self) -> tuple[str, str]:
        """(overall state, one sentence) for the header; countdowns are computed now."""
        states = list(self.states().values())
        forbidden = [s for s in states if s.state == FORBIDDEN and s.plural not in OPTIONAL]
        retrying = [s for s in states if s.state == RETRYING]
        if self.stale() and not self.stopped.is_set():
            quiet = _seconds(self.quiet_for())
            retry_in = max(0.0, self.next_probe - self.clock())
            why = f" ({self.probe_error})" if self.probe_error else ""
            return STALE, (f"no word from the API server for {quiet}{why}; "
                           f"next try in {_seconds(retry_in)} (ctrl+r: now)")
        if retrying:
            s = min(retrying, key=lambda s: s.retry_at or 0)
            return RETRYING, f"{s.message}; {_retry_in(s.retry_at)}"
        if any(s.state in (STARTING, RESYNCING) for s in states):
            changing = [s.message for s in states if s.state == RESYNCING and s.message.startswith("relisting")]
            return RESYNCING, changing[0] if changing else "syncing"
        if forbidden:
            return FORBIDDEN, "; ".join(f"{s.message} ({_retry_in(s.retry_at, 'checking again')})"
                                        for s in forbidden)
        skipped = self.skipped()
        if skipped:
            more = f" and {len(skipped) - 1} more" if len(skipped) > 1 else ""
            return SYNCED, f"live; skipped a malformed {skipped[0]}{more}"
        return SYNCED, "live"

    def skipped(self) -> list[str]:
        """Sentences naming the malformed objects the store skipped (any kind)."""
        out: list[str] = []
        for loop in self.loops:
            out.extend(self.store.skipped(loop.plural, loop.namespace))
        return out

    def unreadable(self) -> dict[str, str]:
        """{plural: sentence} of the kinds not read now (forbidden, or never listed)."""
        return {s.plural: s.message or s.state for s in self.states().values()
                if s.state == FORBIDDEN or s.lists == 0}


def _seconds(value: float) -> str:
    return f"{int(value + 0.5)}s"


def _retry_in(at: float | None, verb: str = "retrying") -> str:
    if at is None:
        return verb
    return f"{verb} in {_seconds(max(0.0, at - time.time()))} (ctrl+r: now)"


def list_once(api: ApiClient, store, namespace: str | None,
              plurals: tuple[str, ...] | None = None) -> dict[str, str]:
    """One LIST of each kind into `store` (for `ststui get`).

    Raises on a StatefulSets LIST failure (nothing to show then); other kinds that fail
    are returned as {plural: one sentence} so the caller can warn and go on.
    """
    from .ops import describe_api_error
    problems: dict[str, str] = {}
    for plural in plurals or tuple(WATCHED):
        ns = namespace if WATCHED[plural][1] else None
        try:
            list_into(api, store, plural, ns)
        except Exception as e:
            if plural == "statefulsets":
                raise
            problems[plural] = describe_api_error(e)
    return problems
