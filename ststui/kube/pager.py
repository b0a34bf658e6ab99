"""Paged LIST with the next page read ahead while this one is parsed and stored.

Place in the flow: `kube.watch.list_into` gets the pages of one LIST from `pages()` and
feeds their items to `Store.replace`. Like client-go's pager it asks for `limit` objects
at a time and follows `metadata.continue`; unlike a plain loop it does not wait for the
server between pages: as soon as a page's bytes are in, the request for the next one
goes out from a helper thread, so the server builds page N+1 while this process parses
and slims page N (on two cores the two overlap; at 50,000 pods the server's share of a
page was about a third of its time).

The next page's token is read from the page's head, where API servers write the list's
`metadata` before its `items` (Go's field order). What is read there is only a guess
made early: once the page is parsed its real token decides, and a read-ahead made with
another token (or none, when the head could not be read) is dropped and the right page
asked for, so a server writing its fields in another order costs speed, never
correctness. At most one request is in flight ahead; it ends by itself (each fetch reads
its body and gives back its connection), and one that will not be used is waited for
before anything else is asked (so it never stands in for a later request in the loop's
registration of what `stop()` must interrupt).
"""
from __future__ import annotations

import json
import re
import threading
from typing import Callable, Iterator

Fetch = Callable[[str | None], bytes]     # continue token (None: the first page) -> body

_CONTINUE = re.compile(rb'"continue"\s*:\s*"([A-Za-z0-9_\-+/=.]*)"')


def head_continue(data: bytes) -> tuple[bool, str | None]:
    """(known, token): the continue token read from a list's metadata when that comes
    before its items; known is False when the head says nothing certain."""
    items_at = data.find(b'"items"')
    if items_at < 0:
        return False, None
    head = data[:items_at]
    if b'"metadata"' not in head:
        return False, None
    if b'"continue"' not in head:
        return True, None
    m = _CONTINUE.search(head)
    if m is None:                   # escaped characters or another shape: parse to know
        return False, None
    return True, (m.group(1).decode("ascii") or None)


class _Ahead:
    """One page fetched in a thread."""

    def __init__(self, fetch: Fetch, token: str) -> None:
        self.token = token
        self._data: bytes | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fetch,), name="list-read-ahead",
                                        daemon=True)
        self._thread.start()

    def _run(self, fetch: Fetch) -> None:
        try:
            self._data = fetch(self.token)
        except BaseException as e:       # handed to the reader in result()
            self._error = e

    def finish(self) -> None:
        """Wait for a read-ahead that will not be used (its request ends by itself, or at
        once when the loop is interrupted): it must not hold or release the loop's
        response registration while a later request is under way."""
        self._thread.join()

    def result(self) -> bytes:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._data is not None
        return self._data


def pages(fetch: Fetch, *, read_ahead: bool = True) -> Iterator[dict]:
    """The parsed pages of one LIST, in order; the page after each is being fetched
    while the caller works on it (when `read_ahead` and its token could be read early)."""
    data: bytes | None = fetch(None)
    ahead: _Ahead | None = None
    try:
        while data is not None:
            known, guess = head_continue(data) if read_ahead else (False, None)
            ahead = _Ahead(fetch, guess) if known and guess else None
            page = json.loads(data)
            data = None
            token = (page.get("metadata") or {}).get("continue") or None
            yield page
            if not token:
                return
            if ahead is not None and ahead.token == token:
                taken, ahead = ahead, None
                data = taken.result()
            else:
                if ahead is not None:
                    ahead.finish()
                    ahead = None
                data = fetch(token)
    finally:
        if ahead is not None:          # closed early (the consumer failed), or a last page
            ahead.finish()
