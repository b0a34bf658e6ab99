"""The simulated Kubernetes API server: HTTP on loopback in front of a `Cluster`.

Place in the flow: kubectl, the official `kubernetes` Python client and ststui's own
watch worker talk to this server exactly as to a real apiserver. Each request is parsed
into (resource type, namespace, name, subresource, verb) and answered from
`cluster.store` (`objects.ObjectStore`); discovery comes from `discovery`, Table
printing from `tables`. Sim controls (clock, node readiness, faults) live under
/_sim/ so that a test in another process can drive them.

Rules kept here:
- Every answer is complete: JSON with a Content-Length, or a chunked body (a watch
  stream, a large LIST) that ends with its terminating chunk. Errors are `Status` objects with the right code;
  an unexpected exception becomes a 500 Status, never a traceback or a hung socket.
- LIST joins the store's per-object JSON (`item_json`: cached per version for all but the
  largest kinds); over `LIST_SLICE_ITEMS` items it is chunked and encoded a slice at a
  time, and a Table LIST `TABLE_SLICE_ROWS` rows at a time, so no LIST exists whole.
- Watches: one JSON event per line; what a `Watcher.take()` returns goes out in chunks
  of up to `WATCH_CHUNK_LINES` events; bookmarks every `bookmark_interval` seconds of
  wall time; an idle stream notices a client that hung up within a second and closes
  its `Watcher`.
- Before each API request the active 5xx fault and the added latency are applied.
"""
from __future__ import annotations

import ipaddress
import json
import logging
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import discovery, gate, openapi, protobuf, reviews, ssa, tables
from .paging import ListPager
from .objects import ApiError, Watcher, bad_request, invalid
from .queryparams import parse_bool, parse_int
from .patching import PatchError, json_patch, merge_patch, strategic_merge_patch
from .resources import ResourceType, lookup
from .selectors import selector_from_object

log = logging.getLogger("ststui.sim.server")

JSON = "application/json"
PATCH_TYPES = {
    "application/merge-patch+json": "merge",
    "application/json-patch+json": "json",
    "application/strategic-merge-patch+json": "strategic",
}
# Kinds whose DELETE answers with the object itself (as the real registries do); others send a Status.
RETURNS_DELETED_OBJECT = {"pods", "services", "persistentvolumeclaims", "persistentvolumes", "storageclasses"}
FAULT_REASONS = {500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout", 429: "TooManyRequests"}


# --------------------------------------------------------------------------- small helpers

def success_status(rt: ResourceType, obj: dict) -> dict:
    details: dict = {"name": obj["metadata"]["name"], "kind": rt.plural, "uid": obj["metadata"].get("uid")}
    if rt.group:
        details["group"] = rt.group
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


LIST_SLICE_ITEMS = 500      # a larger LIST is encoded and sent (chunked) this many items at a time
TABLE_SLICE_ROWS = 1000     # a larger Table LIST is rendered and sent this many rows at a time
WATCH_CHUNK_LINES = 500     # a watch backlog goes out in chunks of at most this many events


def wants_table(accept: str) -> bool:
    return any("as=Table" in part.replace(" ", "") for part in accept.split(","))


class Target:
    """What an API path names: a resource type, maybe a namespace, name and subresource."""

    __slots__ = ("rt", "namespace", "name", "sub", "watch_path")

    def __init__(self, rt: ResourceType, namespace: str | None, name: str | None, sub: str | None,
                 watch_path: bool) -> None:
        self.rt, self.namespace, self.name, self.sub, self.watch_path = rt, namespace, name, sub, watch_path


def parse_target(path: str) -> Target | None:
    parts = [unquote(p) for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    watch_path = bool(rest) and rest[0] == "watch"
    if watch_path:
        rest = rest[1:]
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        inner = lookup(group, version, rest[2])
        if inner is not None and inner.namespaced:
            namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return None
    rt = lookup(group, version, rest[0])
    if rt is None:
        return None
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else None
    if sub is not None and sub not in rt.subresources:
        return None
    if name is not None and rt.namespaced and namespace is None:
        return None
    return Target(rt, namespace, name, sub, watch_path)


SERVER_RESTARTED = "server restarted"
# Watchers closed for these reasons end their stream like a network failure (no final chunk).
HANG_UP_REASONS = {"dropped by fault injection", SERVER_RESTARTED}

NOT_FOUND_PATH = ApiError(404, "NotFound", "the server could not find the requested resource", {})


def method_not_allowed() -> ApiError:
    return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {})


# --------------------------------------------------------------------------- the HTTP server

class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, handler, sim: "SimServer", family: int) -> None:
        self.address_family = family
        self.sim = sim
        super().__init__(address, handler)

    def handle_error(self, request, client_address) -> None:  # keep stderr quiet
        log.debug("connection error from %s", client_address, exc_info=True)


class SimServer:
    """The API server. `start()` binds (port 0: a free port), `restart()` drops every
    connection and listens again on the same port, `stop()` ends it all."""

    def __init__(self, cluster, host: str = "127.0.0.1", port: int = 0) -> None:
        if not is_loopback(host):
            raise ValueError(f"the simulated cluster only listens on loopback, not on {host!r}")
        self.cluster = cluster
        self.host = "127.0.0.1" if host == "localhost" else host
        self._port = int(port)
        self.bookmark_interval = 1.0          # wall seconds between BOOKMARK events
        self.default_watch_timeout = 1800.0   # wall seconds when the client sets none
        self.disconnect_check_interval = 1.0  # how often an idle watch checks its client
        self.log_requests = False
        self.pager = ListPager()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._watchers: set[Watcher] = set()

    # ---- lifecycle

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    @property
    def address(self) -> str:
        return self.url.split("//", 1)[1]

    def start(self) -> "SimServer":
        if self._httpd is not None:
            return self
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._httpd = _HTTPServer((self.host, self._port), _Handler, self, family)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"sim-http-{self._port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._drop_everything()

    def replace_cluster(self, cluster) -> None:
        """A different server on the same port: drop every connection, stop the old
        cluster's controllers and serve `cluster` (other data, other uids, usually lower
        resourceVersions), as after an etcd restore or a failover."""
        old = self.cluster
        self.stop()
        old.stop()
        old.faults.thaw()
        self.cluster = cluster
        self.pager = ListPager()
        cluster.start()
        self.restart()

    def restart(self) -> None:
        """Close the listening socket and every open connection, then listen on the same port."""
        self.stop()
        deadline = time.monotonic() + 5
        while True:
            try:
                self.start()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def __enter__(self) -> "SimServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- bookkeeping of connections and watch streams

    def _track(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)

    def _untrack(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    def _add_watcher(self, w: Watcher) -> None:
        with self._lock:
            self._watchers.add(w)

    def _remove_watcher(self, w: Watcher) -> None:
        with self._lock:
            self._watchers.discard(w)

    def open_watch_streams(self) -> int:
        with self._lock:
            return len(self._watchers)

    def open_connections(self) -> int:
        with self._lock:
            return len(self._connections)

    def _drop_everything(self) -> None:
        with self._lock:
            conns, watchers = list(self._connections), list(self._watchers)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for w in watchers:
            w.close(SERVER_RESTARTED)


# --------------------------------------------------------------------------- requests

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ststui-sim"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 600  # idle keep-alive connections are closed after this many seconds

    server: _HTTPServer

    # ---- plumbing

    def setup(self) -> None:
        super().setup()
        self.sim: SimServer = self.server.sim
        self.sim._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.sim._untrack(self.connection)

    def log_message(self, format: str, *args) -> None:
        if self.sim.log_requests:
            log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_OPTIONS(self) -> None:
        self._dispatch("OPTIONS")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                try:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    self.close_connection = True
                    raise bad_request("invalid chunked request body") from None
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            raise bad_request("invalid Content-Length header") from None
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, code: int, body: bytes, content_type: str = JSON) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        if self.close_connection:
            self.send_header("Connection", "close")
        self._headers_sent = True
        if self.command == "HEAD":
            self.end_headers()
            return
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(body)  # one write for headers and body
        self.flush_headers()

    def _send_json(self, code: int, obj: Any) -> None:
        self._send(code, dumps(obj))

    def _send_error(self, e: ApiError) -> None:
        self._send(e.code, dumps(e.status()))

    def _dispatch(self, method: str) -> None:
        self._headers_sent = False
        started = time.monotonic()
        try:
            self.body = self._read_body()
            url = urlsplit(self.path)
            self.query = dict(parse_qsl(url.query, keep_blank_values=True))
            path = url.path.rstrip("/") or "/"
            if path.startswith("/_sim/") or path == "/_sim":
                self._sim_control(method, path)
            else:
                self.user = gate.identify(self.headers, self.sim.cluster.store)   # 401 / impersonation
                self._apply_faults()
                self._api(method, path)
        except ApiError as e:
            if not self._headers_sent:
                self._send_error(e)
            else:
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            self.close_connection = True
        except Exception as e:  # never a traceback to the client
            log.exception("request %s %s failed", method, self.path)
            if not self._headers_sent:
                self._send_error(ApiError(500, "InternalError",
                                          f'an error on the server ("{type(e).__name__}: {e}") has prevented '
                                          f"the request from succeeding"))
            else:
                self.close_connection = True
        finally:
            if self.sim.log_requests:
                log.info("%s %s took %.1f ms", method, self.path, (time.monotonic() - started) * 1000)

    def _apply_faults(self) -> None:
        faults = self.sim.cluster.faults
        if faults.frozen:
            faults.wait_thawed()
        latency = faults.latency_for(self.path)
        if latency > 0:
            time.sleep(latency)
        code = faults.active_error()
        if code is not None:
            reason = FAULT_REASONS.get(code, "InternalError")
            message = ("the server is currently unable to handle the request" if code == 503
                       else "an error on the server (\"injected fault\") has prevented the request from succeeding")
            raise ApiError(code, reason, message, {})

    # ---- request bodies

    def _json_body(self, required: bool = True) -> Any:
        if not self.body:
            if required:
                raise bad_request("the request body is empty")
            return None
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type in ("application/yaml", "application/x-yaml", "text/yaml"):
            import yaml
            try:
                return yaml.safe_load(self.body)
            except yaml.YAMLError as e:
                raise bad_request(f"the request body is not valid YAML: {e}") from None
        if "protobuf" in content_type:
            return self._protobuf_body()
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as e:
            raise bad_request(f"the request body is not valid JSON: {e}") from None

    def _protobuf_body(self) -> dict:
        """The few protobuf bodies kubectl sends (DeleteOptions, Eviction, reviews): see sim/protobuf.py."""
        try:
            return protobuf.decode(self.body)
        except (protobuf.ProtobufError, UnicodeDecodeError):
            raise ApiError(415, "UnsupportedMediaType",
                           f'the body of the request was in an unknown format - accepted media types include: '
                           f'{JSON}, application/yaml') from None

    def _object_body(self, rt: ResourceType) -> dict:
        obj = self._json_body()
        if not isinstance(obj, dict):
            raise bad_request("the request body must be a JSON object")
        kind, api_version = obj.get("kind"), obj.get("apiVersion")
        if kind and kind != rt.kind:
            raise bad_request(f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})")
        if api_version and api_version != rt.api_version:
            raise bad_request(f"the API version in the data ({api_version}) does not match the expected "
                              f"API version ({rt.api_version})")
        return obj

    def _dry_run(self) -> bool:
        value = self.query.get("dryRun")
        if value in (None, ""):
            return False
        if value != "All":
            raise bad_request(f'unsupported dry run value {value!r}: supported values: "All"')
        return True

    # ---- the API

    def _api(self, method: str, path: str) -> None:
        if method not in ("GET", "HEAD") and not path.startswith(("/api/", "/apis/")):
            raise method_not_allowed()
        target = parse_target(path)
        if target is None:
            gate.check_path(self.sim.cluster.store, self.user, method, path)
        if path in ("/healthz", "/livez", "/readyz"):
            self._send(200, b"ok", "text/plain; charset=utf-8")
            return
        if path == "/openapi/v2":
            if "protobuf" in (self.headers.get("Accept") or ""):
                self._send(200, discovery.OPENAPI_V2_PROTOBUF, discovery.OPENAPI_V2_CONTENT_TYPE)
            else:
                self._send(200, openapi.v2_document())
            return
        if path == "/openapi/v3":
            self._send_json(200, openapi.v3_root())
            return
        if path.startswith("/openapi/v3/"):
            doc = openapi.v3_document(path[len("/openapi/v3/"):])
            if doc is None:
                raise NOT_FOUND_PATH
            self._send(200, doc)
            return
        doc = discovery.document(path, self.sim.address)
        if doc is not None:
            if method not in ("GET", "HEAD"):
                raise method_not_allowed()
            self._send_json(200, doc)
            return
        if target is None:
            raise NOT_FOUND_PATH
        gate.check_target(self.sim.cluster, self.user, method, target,
                          target.watch_path or parse_bool(self.query.get("watch"), "watch"))
        if target.rt.plural in reviews.KINDS:
            if method != "POST" or target.name or target.watch_path:
                raise method_not_allowed()
            self._send_json(201, reviews.answer(self.sim.cluster.store, self.user, target.rt.plural,
                                                self._json_body()))
            return
        if target.sub:
            self._subresource(method, target)
        elif target.name is None:
            self._collection(method, target)
        else:
            self._object(method, target)

    def _collection(self, method: str, t: Target) -> None:
        store = self.sim.cluster.store
        if method in ("GET", "HEAD"):
            if t.watch_path or parse_bool(self.query.get("watch"), "watch"):
                self._watch(t)
            else:
                self._list(t)
        elif method == "POST":
            if t.rt.namespaced and t.namespace is None or t.watch_path:
                raise method_not_allowed()
            obj = store.create(t.rt.plural, self._object_body(t.rt), t.namespace, dry_run=self._dry_run())
            self._send_json(201, obj)
        elif method == "DELETE":
            self._delete_collection(t)
        else:
            raise method_not_allowed()

    def _object(self, method: str, t: Target) -> None:
        store = self.sim.cluster.store
        plural = t.rt.plural
        if method in ("GET", "HEAD"):
            if t.watch_path or parse_bool(self.query.get("watch"), "watch"):
                self._watch(t, name=t.name)
                return
            obj = store.get(plural, t.namespace, t.name)
            if wants_table(self.headers.get("Accept") or ""):
                self._send_json(200, tables.table(plural, [obj], self.sim.cluster.now(),
                                                  obj["metadata"].get("resourceVersion", ""),
                                                  self.query.get("includeObject") or "Metadata"))
            else:
                self._send_json(200, obj)
        elif t.watch_path:
            raise method_not_allowed()
        elif method == "PUT":
            obj = store.replace(plural, t.namespace, t.name, self._object_body(t.rt), dry_run=self._dry_run())
            self._send_json(200, obj)
        elif method == "PATCH" and self._content_type() in ssa.APPLY_CONTENT_TYPES:
            code, obj = ssa.apply(store, t.rt, t.namespace, t.name, self._apply_body(),
                                  self.query.get("fieldManager"), parse_bool(self.query.get("force"), "force"),
                                  self.sim.cluster.now(), dry_run=self._dry_run())
            self._send_json(code, obj)
        elif method == "PATCH":
            patch_type, body = self._patch_body()
            obj = store.patch(plural, t.namespace, t.name, patch_type, body, dry_run=self._dry_run())
            self._send_json(200, obj)
        elif method == "DELETE":
            self._delete(t)
        else:
            raise method_not_allowed()

    def _content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def _apply_body(self) -> Any:
        """A server-side apply configuration: YAML (JSON is YAML too)."""
        import yaml
        try:
            return yaml.safe_load(self.body or b"null")
        except yaml.YAMLError as e:
            raise bad_request(f"error decoding YAML: {e}") from None

    def _patch_body(self) -> tuple[str, Any]:
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        patch_type = PATCH_TYPES.get(content_type)
        if patch_type is None:
            raise ApiError(415, "UnsupportedMediaType",
                           f"the body of the request was in an unknown format - accepted media types include: "
                           f"{', '.join(PATCH_TYPES)}")
        try:
            body = json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError) as e:
            raise bad_request(f"the patch is not valid JSON: {e}") from None
        if patch_type == "json" and not isinstance(body, list):
            raise bad_request("a JSON patch must be a list of operations")
        if patch_type != "json" and not isinstance(body, dict):
            raise bad_request("a merge patch must be a JSON object")
        return patch_type, body

    # ---- list

    def _list(self, t: Target) -> None:
        store = self.sim.cluster.store
        plural = t.rt.plural
        labels, fields = self.query.get("labelSelector"), self.query.get("fieldSelector")
        if wants_table(self.headers.get("Accept") or ""):
            self._list_table(t, labels, fields)
            return
        token = self.query.get("continue") or None
        limit = parse_int(self.query["limit"], "limit") if self.query.get("limit") else 0
        objs = rv = None
        if not token:
            objs, rv = store.list(plural, t.namespace, labels, fields)
        meta = ""
        if limit > 0 or token:     # pages of one snapshot of the (immutable) stored versions
            objs, rv, next_token, remaining = self.sim.pager.page(objs, rv, limit or 500, token)
            if next_token:
                meta = f',"continue":"{next_token}","remainingItemCount":{remaining}'
        head = (f'{{"kind":"{t.rt.list_kind}","apiVersion":"{t.rt.api_version}",'
                f'"metadata":{{"resourceVersion":"{rv}"{meta}}},"items":[').encode()

        def encoded(part: list[dict]) -> bytes:
            return b",".join([store.item_json(plural, o) for o in part])
        self._send_items(head, objs, encoded, b"]}", LIST_SLICE_ITEMS)

    def _list_table(self, t: Target, labels: str | None, fields: str | None) -> None:
        """A Table LIST (kubectl get), rendered and encoded a slice of rows at a time.

        `limit` is not honoured here, unlike a real apiserver: kubectl asks for 500 rows a
        page and throttles itself to 5 requests a second after 10, so paging 50,000 pods
        would take it 20 s (one answer: 3 s)."""
        store = self.sim.cluster.store
        plural = t.rt.plural
        objs, rv = store.list(plural, t.namespace, labels, fields)
        now = self.sim.cluster.now()
        include = self.query.get("includeObject") or "Metadata"
        empty = dumps(tables.table(plural, [], now, str(rv), include))    # ...,"rows":[]}

        def encoded(part: list[dict]) -> bytes:
            return dumps(tables.table(plural, part, now, str(rv), include)["rows"])[1:-1]
        self._send_items(empty[:-2], objs, encoded, b"]}", TABLE_SLICE_ROWS)

    def _send_items(self, head: bytes, objs: list, encoded, tail: bytes, per_slice: int) -> None:
        """200 with `head`, the encoded objects joined by commas, `tail`.

        Up to `per_slice` objects: one body with a Content-Length. More: a chunked body
        encoded and written `per_slice` objects at a time, so a LIST of 50,000 pods (117 MB)
        never exists whole in memory, neither as one bytes object nor as a list of them."""
        if len(objs) <= per_slice:
            self._send(200, head + encoded(objs) + tail)
            return
        self.send_response(200)
        self.send_header("Content-Type", JSON)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self._headers_sent = True
        if self.command == "HEAD":
            return
        self._chunk(head)
        for start in range(0, len(objs), per_slice):
            piece = encoded(objs[start:start + per_slice])
            self._chunk(piece if start == 0 else b"," + piece)
        self._chunk(tail)
        self._end_chunks()      # an error before this closes the connection (see _dispatch)

    # ---- delete

    def _delete_options(self) -> dict:
        q = self.query
        opts: dict[str, Any] = {}
        if "gracePeriodSeconds" in q:
            opts["gracePeriodSeconds"] = parse_int(q["gracePeriodSeconds"], "gracePeriodSeconds")
        if q.get("propagationPolicy"):
            opts["propagationPolicy"] = q["propagationPolicy"]
        if "orphanDependents" in q:
            opts["orphanDependents"] = parse_bool(q["orphanDependents"], "orphanDependents")
        if q.get("dryRun"):
            opts["dryRun"] = [q["dryRun"]]
        for key in ("preconditions.uid", "preconditions.resourceVersion"):
            if q.get(key):
                opts.setdefault("preconditions", {})[key.split(".", 1)[1]] = q[key]
        body = None
        if self.body.strip() and "protobuf" in (self.headers.get("Content-Type") or ""):
            body = self._protobuf_body()
        elif self.body.strip():
            try:
                body = json.loads(self.body)
            except (ValueError, UnicodeDecodeError) as e:
                raise bad_request(f"the DeleteOptions body is not valid JSON: {e}") from None
            if not isinstance(body, dict):
                raise bad_request("the DeleteOptions body must be a JSON object")
        for key, value in (body or {}).items():
            if key in ("kind", "apiVersion") or value is None:
                continue
            if key == "gracePeriodSeconds":
                value = parse_int(value, key)
            elif key == "orphanDependents" and isinstance(value, str):
                value = parse_bool(value, key)
            opts[key] = value
        dry = opts.get("dryRun") or []
        if isinstance(dry, str):
            dry = [dry]
        if any(d != "All" for d in dry):
            raise bad_request('unsupported dry run value: supported values: "All"')
        opts["dryRun"] = bool(dry)
        policy = opts.get("propagationPolicy")
        if policy is None and "orphanDependents" in opts:
            policy = "Orphan" if opts["orphanDependents"] else "Background"
        elif policy is not None and "orphanDependents" in opts:
            raise bad_request("orphanDependents and propagationPolicy cannot both be set")
        opts["propagationPolicy"] = policy
        pre = opts.get("preconditions")
        if pre is not None and not isinstance(pre, dict):
            raise bad_request("preconditions must be an object")
        return opts

    def _delete(self, t: Target) -> None:
        opts = self._delete_options()
        obj, gone_now = self.sim.cluster.store.delete(
            t.rt.plural, t.namespace, t.name, grace_period_seconds=opts.get("gracePeriodSeconds"),
            propagation_policy=opts.get("propagationPolicy"), preconditions=opts.get("preconditions"),
            dry_run=opts["dryRun"])
        if gone_now and t.rt.plural not in RETURNS_DELETED_OBJECT:
            self._send_json(200, success_status(t.rt, obj))
        else:
            self._send_json(200, obj)

    def _delete_collection(self, t: Target) -> None:
        if t.rt.namespaced and t.namespace is None or t.watch_path:
            raise method_not_allowed()
        opts = self._delete_options()
        store = self.sim.cluster.store
        objs, rv = store.list(t.rt.plural, t.namespace, self.query.get("labelSelector"),
                              self.query.get("fieldSelector"))
        deleted = []
        for o in objs:
            try:
                obj, _ = store.delete(t.rt.plural, t.namespace, o["metadata"]["name"],
                                      grace_period_seconds=opts.get("gracePeriodSeconds"),
                                      propagation_policy=opts.get("propagationPolicy"), dry_run=opts["dryRun"])
                deleted.append(obj)
            except ApiError as e:
                if e.code != 404:
                    raise
        self._send_json(200, {"kind": t.rt.list_kind, "apiVersion": t.rt.api_version,
                              "metadata": {"resourceVersion": str(store.rv)}, "items": deleted})

    # ---- subresources: status, scale and log

    def _subresource(self, method: str, t: Target) -> None:
        store = self.sim.cluster.store
        plural = t.rt.plural
        if t.watch_path:
            raise NOT_FOUND_PATH
        if t.sub == "scale":
            self._scale(method, t)
            return
        if t.sub == "eviction":
            self._evict(method, t)
            return
        if t.sub == "log":           # container logs: ststui/sim/logs.py
            if method not in ("GET", "HEAD"):
                raise method_not_allowed()
            from . import logs
            logs.serve(self, self.sim.cluster, t.namespace, t.name)
            return
        if method in ("GET", "HEAD"):
            self._send_json(200, store.get(plural, t.namespace, t.name))
        elif method == "PUT":
            self._send_json(200, store.replace(plural, t.namespace, t.name, self._object_body(t.rt),
                                               subresource="status", dry_run=self._dry_run()))
        elif method == "PATCH":
            patch_type, body = self._patch_body()
            self._send_json(200, store.patch(plural, t.namespace, t.name, patch_type, body,
                                             subresource="status", dry_run=self._dry_run()))
        else:
            raise method_not_allowed()

    def _evict(self, method: str, t: Target) -> None:
        from . import disruption
        if method != "POST":
            raise method_not_allowed()
        body = self._json_body(required=False)
        if body is not None and not isinstance(body, dict):
            raise bad_request("the request body must be an Eviction object")

        def delete(options: dict) -> None:
            self.sim.cluster.store.delete("pods", t.namespace, t.name,
                                          grace_period_seconds=options.get("gracePeriodSeconds"),
                                          preconditions=options.get("preconditions"),
                                          dry_run=bool(options.get("dryRun")))
        self._send_json(201, disruption.evict(self.sim.cluster, t.namespace, t.name, body, delete))

    def _scale(self, method: str, t: Target) -> None:
        store = self.sim.cluster.store
        with store.lock:
            sts = store.get(t.rt.plural, t.namespace, t.name)
            current = scale_of(sts)
            if method in ("GET", "HEAD"):
                self._send_json(200, current)
                return
            if method == "PUT":
                wanted = self._json_body()
                if not isinstance(wanted, dict):
                    raise bad_request("the request body must be a Scale object")
            elif method == "PATCH":
                patch_type, body = self._patch_body()
                try:
                    if patch_type == "json":
                        wanted = json_patch(current, body)
                    elif patch_type == "merge":
                        wanted = merge_patch(current, body)
                    else:
                        wanted = strategic_merge_patch(current, body, "Scale")
                except PatchError as e:
                    code = getattr(e, "code", 422)
                    raise ApiError(code, "Invalid" if code == 422 else "BadRequest", str(e)) from None
            else:
                raise method_not_allowed()
            want_rv = (wanted.get("metadata") or {}).get("resourceVersion")
            replicas = (wanted.get("spec") or {}).get("replicas", 0)
            if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
                raise scale_invalid(t.name, replicas)
            patch: dict = {"spec": {"replicas": replicas}}
            if want_rv:
                patch["metadata"] = {"resourceVersion": str(want_rv)}
            new = store.patch(t.rt.plural, t.namespace, t.name, "merge", patch, dry_run=self._dry_run())
            self._send_json(200, scale_of(new))

    # ---- watch

    def _watch(self, t: Target, name: str | None = None) -> None:
        sim = self.sim
        store = sim.cluster.store
        q = self.query
        fields = q.get("fieldSelector") or ""
        if name is not None:
            fields = f"metadata.name={name}" + (f",{fields}" if fields else "")
        timeout = parse_int(q.get("timeoutSeconds"), "timeoutSeconds")
        bookmarks = parse_bool(q.get("allowWatchBookmarks"), "allowWatchBookmarks")
        initial_events = parse_bool(q.get("sendInitialEvents"), "sendInitialEvents")
        as_table = wants_table(self.headers.get("Accept") or "")
        include = q.get("includeObject") or "Metadata"
        rv = q.get("resourceVersion")
        expired: ApiError | None = None
        watcher: Watcher | None = None
        try:
            with store.lock:
                watcher = store.watch(t.rt.plural, t.namespace, None if initial_events else rv,
                                      q.get("labelSelector"), fields or None)
                if initial_events and bookmarks:
                    watcher._push(dumps({"type": "BOOKMARK", "object": {
                        "kind": t.rt.kind, "apiVersion": t.rt.api_version,
                        "metadata": {"resourceVersion": str(store.rv),
                                     "annotations": {"k8s.io/initial-events-end": "true"}}}}) + b"\n")
        except ApiError as e:
            if e.code != 410:
                raise
            expired = e
        if watcher is not None:
            sim._add_watcher(watcher)
        try:
            self.send_response(200)
            self.send_header("Content-Type", JSON)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache, private")
            self.end_headers()
            self._headers_sent = True
            if expired is not None:
                self._chunk(dumps({"type": "ERROR", "object": expired.status()}) + b"\n")
                self._end_chunks()
                return
            assert watcher is not None
            self._stream(t, watcher, timeout, bookmarks, as_table, include)
        finally:
            if watcher is not None:
                watcher.close("watch ended")
                sim._remove_watcher(watcher)

    def _stream(self, t: Target, w: Watcher, timeout: int | None, bookmarks: bool, as_table: bool,
                include: str) -> None:
        sim = self.sim
        now = time.monotonic()
        deadline = now + (timeout if timeout and timeout > 0 else sim.default_watch_timeout)
        next_bookmark = now + sim.bookmark_interval
        next_check = now + sim.disconnect_check_interval
        first_table = True
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            wait = min(deadline, next_check, next_bookmark if bookmarks else deadline) - now
            lines = w.take(max(0.0, wait))
            if sim.cluster.faults.frozen:
                sim.cluster.faults.wait_thawed()
            if lines is None:
                if w.close_reason in HANG_UP_REASONS:
                    self._hang_up()
                    return
                break
            if lines:
                if as_table:
                    lines = [self._table_line(t, line, include, first_table) for line in lines]
                    first_table = False
                for start in range(0, len(lines), WATCH_CHUNK_LINES):
                    self._chunk(b"".join(lines[start:start + WATCH_CHUNK_LINES]))
            now = time.monotonic()
            if bookmarks and now >= next_bookmark:
                rv = w.bookmark_rv()
                if rv is not None:
                    self._chunk(dumps({"type": "BOOKMARK", "object": {
                        "kind": t.rt.kind, "apiVersion": t.rt.api_version,
                        "metadata": {"resourceVersion": str(rv)}}}) + b"\n")
                next_bookmark = now + sim.bookmark_interval
            if now >= next_check:
                if self._client_gone():
                    self.close_connection = True
                    return
                next_check = now + sim.disconnect_check_interval
        self._end_chunks()

    def _table_line(self, t: Target, line: bytes, include: str, with_columns: bool) -> bytes:
        event = json.loads(line)
        obj = event.get("object") or {}
        if event.get("type") in ("ERROR", "BOOKMARK"):
            return line
        rv = (obj.get("metadata") or {}).get("resourceVersion", "")
        event["object"] = tables.table(t.rt.plural, [obj], self.sim.cluster.now(), rv, include, True)
        return dumps(event) + b"\n"

    def _chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(b"%x\r\n%b\r\n" % (len(data), data))

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")

    def _client_gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _hang_up(self) -> None:
        """Drop the connection without ending the stream: what a network failure looks like."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ---- sim controls

    def _sim_control(self, method: str, path: str) -> None:
        from . import controls
        cluster = self.sim.cluster
        parts = [unquote(p) for p in path.split("/") if p][1:]
        q = self.query
        if parts == ["state"] and method in ("GET", "HEAD"):
            self._send_json(200, controls.state(cluster, self.sim))
            return
        if method != "POST":
            raise method_not_allowed()
        if parts == ["restart"]:
            try:
                fresh = controls.fresh_cluster(cluster, q)
            except (ValueError, KeyError) as e:
                raise bad_request(str(e)) from None
            # This connection survives the restart so it can carry the answer.
            self.sim._untrack(self.connection)
            self.sim.replace_cluster(fresh)
            self.close_connection = True
            self._send_json(200, dict(controls.state(fresh, self.sim), restarted=True))
            return
        try:
            result = controls.apply(cluster, parts, q)
        except ValueError as e:
            raise bad_request(str(e)) from None
        except LookupError as e:
            raise ApiError(404, "NotFound", str(e), {}) from None
        if result is None:
            raise NOT_FOUND_PATH
        self._send_json(200, result)


def scale_of(sts: dict) -> dict:
    """The autoscaling/v1 Scale view of a StatefulSet."""
    meta = sts["metadata"]
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    try:
        selector = str(selector_from_object(spec.get("selector")))
    except ValueError:
        selector = ""
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                     if k in meta},
        "spec": {"replicas": int(spec.get("replicas") or 0)},
        "status": {"replicas": int(status.get("replicas") or 0), "selector": selector},
    }


SCALE_TYPE = ResourceType("autoscaling", "v1", "scale", "scale", "Scale", True)


def scale_invalid(name: str, replicas: Any) -> ApiError:
    shown = json.dumps(replicas) if isinstance(replicas, str) else replicas
    return invalid(SCALE_TYPE, name, [("spec.replicas", f"Invalid value: {shown}: must be greater than or equal to 0")])
