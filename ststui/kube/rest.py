"""Raw JSON requests through the official client's connection (auth, TLS, proxies).

Place in the flow: the only way `kube/` modules talk HTTP. The `kubernetes` client's
model deserialisation costs ~8x a plain `json.loads` on large lists, so we use its
`param_serialize` + `call_api` for auth and transport and handle bytes ourselves.
"""
from __future__ import annotations

import json
from typing import Any, Iterator

from kubernetes.client import ApiClient

AUTH = ["BearerToken"]


class HttpError(Exception):
    """A non-2xx answer: status code, the Status object if any, and its message."""

    def __init__(self, status: int, body: dict | None, text: str = "") -> None:
        self.status = status
        self.body = body or {}
        self.reason = self.body.get("reason", "")
        self.message = self.body.get("message") or text.strip()[:300] or f"HTTP {status}"
        super().__init__(f"{status} {self.reason}: {self.message}")


def open_request(api: ApiClient, method: str, path: str, *, query: list[tuple[str, str]] | None = None,
                 body: Any = None, content_type: str | None = None, accept: str = "application/json",
                 timeout: float | tuple[float, float] | None = 30):
    """Send a request and return the raw urllib3 response, unread (caller closes it)."""
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    elif body is not None:
        headers["Content-Type"] = "application/json"
    m, url, hdrs, data, post = api.param_serialize(
        method=method, resource_path=path, query_params=query or [], header_params=headers,
        body=body, auth_settings=AUTH)
    resp = api.call_api(m, url, header_params=hdrs, body=data, post_params=post,
                        _request_timeout=timeout)
    return resp.response


def raise_for_status(raw) -> None:
    if 200 <= raw.status <= 299:
        return
    try:
        data = raw.data
    finally:
        raw.release_conn()
    text = data.decode("utf-8", "replace") if data else ""
    try:
        obj = json.loads(text) if text else None
    except ValueError:
        obj = None
    raise HttpError(raw.status, obj if isinstance(obj, dict) else None, text)


def request_json(api: ApiClient, method: str, path: str, **kw) -> Any:
    """Send a request; return the decoded JSON body, or raise HttpError."""
    raw = open_request(api, method, path, **kw)
    raise_for_status(raw)
    try:
        data = raw.data
    finally:
        raw.release_conn()
    return json.loads(data) if data else None


def iter_lines(raw, chunk_size: int = 65536) -> Iterator[bytes]:
    """Lines of a streaming (chunked) response as they arrive."""
    buf = b""
    for chunk in raw.stream(chunk_size, decode_content=True):
        if not chunk:
            continue
        buf += chunk
        while True:
            nl = buf.find(b"\n")
            if nl < 0:
                break
            line, buf = buf[:nl], buf[nl + 1:]
            if line.strip():
                yield line
    if buf.strip():
        yield buf
