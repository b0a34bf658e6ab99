"""Raw requests through the official client's connection, for what typed APIs hide.

Used by the sim server tests to read watch streams line by line, send odd bodies and
headers, and look at Status objects, always through `ApiClient.call_api` (the same
transport, auth and pool the typed APIs use).
"""
from __future__ import annotations

import json
from typing import Any

AUTH = ["BearerToken"]


class Raw:
    def __init__(self, api) -> None:
        self.api = api

    def open(self, method: str, path: str, *, query: list[tuple[str, str]] | dict | None = None,
             body: Any = None, content_type: str | None = None, accept: str = "application/json",
             timeout: float | tuple[float, float] | None = 30, raw_body: bytes | None = None):
        """The urllib3 response, unread (for streams); the caller reads or releases it.

        `raw_body` bytes go out exactly as given, through the client's connection pool.
        """
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        if isinstance(query, dict):
            query = list(query.items())
        m, url, hdrs, data, post = self.api.param_serialize(
            method=method, resource_path=path, query_params=query or [], header_params=headers,
            body=body, auth_settings=AUTH)
        if raw_body is not None:
            return self.api.rest_client.pool_manager.request(m, url, body=raw_body, headers=hdrs,
                                                             preload_content=False, timeout=timeout)
        response = self.api.call_api(m, url, header_params=hdrs, body=data, post_params=post,
                                     _request_timeout=timeout)
        return response.response

    def request(self, method: str, path: str, **kw) -> tuple[int, Any, dict]:
        """(status, decoded JSON body or text, headers)."""
        raw = self.open(method, path, **kw)
        try:
            data = raw.data
        finally:
            raw.release_conn()
        text = data.decode() if data else ""
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = text
        return raw.status, body, dict(raw.headers)

    def get(self, path: str, **kw) -> tuple[int, Any, dict]:
        return self.request("GET", path, **kw)


def lines(raw, chunk_size: int = 65536):
    """Decoded JSON events of a watch stream as they arrive."""
    buf = b""
    for chunk in raw.stream(chunk_size, decode_content=True):
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                yield json.loads(line)
    if buf.strip():
        yield json.loads(buf)


def read_events(raw, count: int) -> list[dict]:
    """The first `count` events. Abandoning a stream iterator makes urllib3 close the
    connection: to read on later, keep one `lines(raw)` iterator and call next() on it."""
    events = []
    for event in lines(raw):
        events.append(event)
        if len(events) >= count:
            break
    return events
