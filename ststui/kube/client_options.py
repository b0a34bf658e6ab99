"""kubectl's per-invocation client flags: `--request-timeout`, `--as`, `--as-group`.

Place in the flow: `cli` parses them into `ClientOptions` (`parse_request_timeout` reads a
Go duration with durationpy, the parser the official client itself depends on and calls
from `kubernetes.utils.duration`; that wrapper accepts only the GEP-2257 subset, which
refuses kubectl's "1.5s" or "90"); after
`kube.connect.connect` builds the ApiClient, `apply(api_client, options)` sets the default
timeout of every request that gives none (watches keep their own) and adds the
impersonation headers to every request, the way client-go's transport does: one
`Impersonate-User` header and one `Impersonate-Group` header per group. The API server
decides what the impersonated identity may do; this module only asks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from urllib3 import HTTPHeaderDict


class OptionError(ValueError):
    """A flag value that cannot be used; `str(error)` is one sentence."""


@dataclass(frozen=True)
class ClientOptions:
    request_timeout: float | None = None     # seconds; None or 0: the defaults
    as_user: str | None = None
    as_groups: tuple[str, ...] = ()


def parse_request_timeout(text: str) -> float | None:
    """kubectl's `--request-timeout`: "0" = no override, "30" = 30 s, or a Go duration
    ("1m30s", "500ms")."""
    text = text.strip()
    if text.isdigit():
        seconds = float(text)
    else:
        import durationpy
        try:
            seconds = durationpy.from_str(text).total_seconds()
        except Exception:
            raise OptionError(f"--request-timeout '{text}' is not a duration (examples: 30s, 2m, 1m30s, 0).") \
                from None
    if seconds < 0:
        raise OptionError(f"--request-timeout '{text}' is negative.")
    return seconds or None


def impersonation_headers(options: ClientOptions) -> HTTPHeaderDict:
    headers = HTTPHeaderDict()
    if options.as_user:
        headers.add("Impersonate-User", options.as_user)
    for group in options.as_groups:
        headers.add("Impersonate-Group", group)
    return headers


def apply(api_client: Any, options: ClientOptions | None) -> None:
    """Make `api_client` (a kube.connect.TimeoutApiClient) honour the options."""
    if options is None:
        return
    if options.as_groups and not options.as_user:
        raise OptionError("--as-group needs --as as well (as in kubectl).")
    if options.request_timeout:
        api_client.default_timeout = (options.request_timeout, options.request_timeout)
    extra = impersonation_headers(options)
    if not extra:
        return
    rest = api_client.rest_client
    send = rest.request

    def request(method, url, headers=None, *args, **kwargs):
        # A header dict that can hold one header several times (one per group).
        merged = HTTPHeaderDict(headers or {})
        for name in ("Impersonate-User", "Impersonate-Group"):
            merged.discard(name)
        for name, value in extra.iteritems():
            merged.add(name, value)
        return send(method, url, merged, *args, **kwargs)

    rest.request = request
