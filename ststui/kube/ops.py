"""Carry out planned actions against the API server, and read single objects for the UI.

Place in the flow: the TUI gets a `state.actions.Plan` from a key press, the user
confirms, and a worker thread calls `execute(api_client, plan, read_only)`. The result
(`OpResult`) always carries the kubectl equivalent for the audit log; API and network
errors come back as one readable sentence (`describe_api_error`), never as exceptions.
The server's answer is not applied locally: the change comes back through the watch.

`fetch_object` / `fetch_yaml` / `list_events` serve the YAML and describe views; they
raise `FetchError` whose text is that same readable sentence.

Requests go through `kube.rest` (the client's `param_serialize` + `call_api`, raw bytes,
no model decoding). Client 37's `call_api` has no `_preload_content` argument: its
response is already unread (urllib3 `preload_content=False`), and we read it ourselves.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from ..state.actions import Plan, Request
from .connect import mask_secrets, network_reason
from .rest import HttpError, open_request, raise_for_status, request_json

DEFAULT_TIMEOUT = (5.0, 30.0)        # (connect, read) seconds for one mutation or read
MAX_DETAIL = 300                      # characters of a server message kept in a sentence


@dataclass(frozen=True)
class OpResult:
    ok: bool
    message: str                      # one sentence for people
    kubectl: str                      # the equivalent kubectl command
    conflict: bool = False            # refused by a precondition: nothing changed, plan again


class FetchError(Exception):
    """Reading an object failed; str() is one readable sentence."""


# --------------------------------------------------------------------------- execute

def send(api_client: ApiClient, request: Request, timeout: Any = DEFAULT_TIMEOUT) -> dict | None:
    """Send one planned request; return the decoded answer, or raise (HttpError, network errors)."""
    raw = open_request(api_client, request.method, request.path, query=list(request.query),
                       body=request.body, content_type=request.content_type, timeout=timeout)
    raise_for_status(raw)
    try:
        data = raw.data
    finally:
        raw.release_conn()
    if not data:
        return None
    try:
        answer = json.loads(data)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def execute(api_client: ApiClient, plan: Plan, read_only: bool,
            timeout: Any = DEFAULT_TIMEOUT) -> OpResult:
    """Send the plan's requests in order; never raises for API or network errors."""
    if read_only:
        return OpResult(False, f"Read-only mode: {plan.title} was not done and nothing was sent.", plan.kubectl)
    if plan.refused:
        return OpResult(False, f"Not done: {plan.refused}", plan.kubectl)
    if not plan.requests:
        return OpResult(False, f"Nothing to send for {plan.title}.", plan.kubectl)
    total = len(plan.requests)
    for done, request in enumerate(plan.requests):
        try:
            send(api_client, request, timeout)
        except Exception as exc:          # HttpError, urllib3/socket errors, ApiException (TLS), ...
            if (is_conflict(exc) or _tested_path_missing(request, exc)) and not done:
                what = plan.target.split("/")[0] if plan.target else "object"
                return OpResult(False, f"Not done: the {what} changed since the dialog opened (someone else "
                                "changed it), so nothing was changed.", plan.kubectl, conflict=True)
            message = describe_api_error(exc)
            if done:
                message = f"{done} of {total} requests went through, then: {message}"
            return OpResult(False, message, plan.kubectl)
    return OpResult(True, f"Done: {plan.title}.", plan.kubectl)


# --------------------------------------------------------------------------- errors

def _status_parts(exc: BaseException) -> tuple[int | None, dict, str]:
    """(HTTP status, Status body as a dict, reason text) of an API error; status None if not one."""
    if isinstance(exc, HttpError):
        return exc.status, exc.body or {}, exc.reason or ""
    if isinstance(exc, ApiException):
        body: Any = exc.body
        if isinstance(body, (bytes, bytearray)):
            body = body.decode("utf-8", "replace")
        parsed: Any = {}
        if isinstance(body, str) and body.strip():
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = {"message": body.strip()}
        elif isinstance(body, dict):
            parsed = body
        if not isinstance(parsed, dict):
            parsed = {}
        return exc.status, parsed, str(exc.reason or "")
    return None, {}, ""


def _clean(text: Any) -> str:
    """One line, no trailing period, bounded length."""
    line = re.sub(r"\s+", " ", str(text or "")).strip()
    if len(line) > MAX_DETAIL:
        line = line[:MAX_DETAIL - 1].rstrip() + "…"
    return line.rstrip(". ")


def _causes(status: dict) -> str:
    causes = ((status.get("details") or {}).get("causes")) or []
    parts = []
    for cause in causes:
        if not isinstance(cause, dict):
            continue
        field, message = cause.get("field"), _clean(cause.get("message"))
        if field and message:
            parts.append(f"{field}: {message}")
        elif message or field:
            parts.append(message or f"{field} is invalid")
    return _clean("; ".join(parts))


def describe_api_error(exc: BaseException) -> str:
    """One readable sentence for an API or network error (no traceback, no headers, no
    credentials: a server's message may quote the Authorization header)."""
    return mask_secrets(_describe(exc))


def is_conflict(exc: BaseException) -> bool:
    """The server refused a change because its precondition no longer holds: 409 Conflict
    (resourceVersion or uid precondition) or 422 from a failed JSON patch `test` op."""
    status, body, _ = _status_parts(exc)
    message = str(body.get("message") or "").lower()
    if status == 409:
        return body.get("reason") != "AlreadyExists"
    return status == 422 and ("test failed" in message or "testing value" in message)


def _tested_path_missing(request: Request, exc: BaseException) -> bool:
    """A 422 naming a path our JSON patch tests ("path ... does not exist"): the field the
    plan was computed from is gone, which is a failed precondition too."""
    status, body, _ = _status_parts(exc)
    if status != 422 or not isinstance(request.body, list):
        return False
    message = str(body.get("message") or "")
    return any(isinstance(op, dict) and op.get("op") == "test" and f"'{op.get('path')}'" in message
               for op in request.body)


def _describe(exc: BaseException) -> str:
    status, body, reason = _status_parts(exc)
    if status is None or status == 0:
        if isinstance(exc, ApiException) and "SSL" in reason:
            return f"Cannot reach the API server: TLS handshake failed ({_clean(reason.replace('SSLError', ''))})."
        if isinstance(exc, ApiException):
            return f"Cannot reach the API server: {_clean(reason) or 'the request failed'}."
        return f"Cannot reach the API server: {network_reason(exc)}."
    message = _clean(body.get("message"))
    kind_reason = body.get("reason") or ""
    if status == 400:
        return f"Bad request: {message or _clean(reason) or 'the server could not read the request'}."
    if status == 401:
        return "Unauthorized: the server rejected the credentials (expired token or certificate?)."
    if status == 403:
        if "is forbidden: " in message:
            message = message.split("is forbidden: ", 1)[1]
        return f"Forbidden: {message or 'your user is not allowed to do this'}."
    if status == 404:
        return f"Not found: {message or 'the object does not exist'}; it may have been deleted meanwhile."
    if status == 409:
        if kind_reason == "AlreadyExists":
            return f"Already exists: {message}."
        if "precondition" in message.lower():
            return ("Conflict: the object was replaced since it was shown (its UID changed), so nothing was "
                    "done; look again and retry.")
        return f"Conflict: the object changed since it was read; reload and try again ({message or 'conflict'})."
    if status == 410:
        return "Gone: the version asked for has expired; reload and try again."
    if status == 422:
        detail = _causes(body) or message or "the server rejected the change"
        return f"Invalid: {detail}."
    if status == 429:
        return "Too many requests: the server is throttling; try again in a moment."
    if 500 <= status <= 599:
        return f"Server error ({status}): {message or _clean(reason) or 'internal error'}; try again."
    return f"HTTP {status}: {message or _clean(reason) or 'unexpected answer'}."


# --------------------------------------------------------------------------- reads for views

def fetch_object(api_client: ApiClient, path: str, timeout: Any = DEFAULT_TIMEOUT) -> dict:
    """GET one object (or list) as a dict; raise FetchError with a readable sentence."""
    try:
        obj = request_json(api_client, "GET", path, timeout=timeout)
    except Exception as exc:
        raise FetchError(describe_api_error(exc)) from None
    if not isinstance(obj, dict):
        raise FetchError(f"The server answered GET {path} with something other than an object.")
    return obj


def _strip_managed_fields(obj: dict) -> dict:
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    for item in obj.get("items") or []:
        if isinstance(item, dict):
            _strip_managed_fields(item)
    return obj


def to_yaml(obj: dict) -> str:
    """YAML of an object the way a person wants to read it: managedFields removed, keys in API order."""
    return yaml.safe_dump(_strip_managed_fields(obj), sort_keys=False, default_flow_style=False,
                          allow_unicode=True, width=120)


def fetch_yaml(api_client: ApiClient, path: str, timeout: Any = DEFAULT_TIMEOUT) -> str:
    return to_yaml(fetch_object(api_client, path, timeout))


def _event_time(event: dict) -> str:
    return (event.get("lastTimestamp") or event.get("eventTime")
            or (event.get("series") or {}).get("lastObservedTime")
            or (event.get("metadata") or {}).get("creationTimestamp") or "")


def list_events(api_client: ApiClient, ns: str | None, kind: str, name: str, uid: str | None = None,
                timeout: Any = DEFAULT_TIMEOUT) -> list[dict]:
    """Events about one object, oldest first. Pass ns=None for cluster-scoped kinds (PV, Node)."""
    selector = [f"involvedObject.kind={kind}", f"involvedObject.name={name}"]
    if uid:
        selector.append(f"involvedObject.uid={uid}")
    base = f"/api/v1/namespaces/{ns}/events" if ns else "/api/v1/events"
    try:
        answer = request_json(api_client, "GET", base, query=[("fieldSelector", ",".join(selector))],
                              timeout=timeout)
    except Exception as exc:
        raise FetchError(describe_api_error(exc)) from None
    items = [e for e in (answer or {}).get("items") or [] if isinstance(e, dict)]
    return sorted(items, key=_event_time)
