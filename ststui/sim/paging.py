"""LIST pagination (`limit` / `continue`) for the simulated API server.

Place in the flow: `server._list` asks `ListPager.page()` for one page. The first page of
a list takes a snapshot (the items' cached bytes and the list's resourceVersion), so
every later page of the same list comes from that snapshot, as etcd serves a paged
LIST at one revision. Snapshots are few and expire: a `continue` token that is
unknown or expired is a 410 Expired, which clients answer by listing again.
"""
from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections import OrderedDict

from .objects import ApiError, bad_request

MAX_SNAPSHOTS = 64
SNAPSHOT_SECONDS = 300.0   # wall time a snapshot is kept after its last page


class ListPager:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshots: OrderedDict[int, tuple[list[bytes], int, float]] = OrderedDict()
        self._ids = itertools.count(1)

    def page(self, items: list[bytes] | None, rv: int | None, limit: int, token: str | None
             ) -> tuple[list[bytes], int, str | None, int]:
        """(page items, list resourceVersion, next token or None, remaining count).

        `items`/`rv` are the fresh list for a first page; ignored when `token` is given.
        """
        if limit <= 0:
            raise bad_request("limit must be a positive number")
        if token:
            snap_id, offset = self._decode(token)
            with self._lock:
                snap = self._snapshots.get(snap_id)
                if snap is None or time.monotonic() - snap[2] > SNAPSHOT_SECONDS:
                    self._snapshots.pop(snap_id, None)
                    raise ApiError(410, "Expired", "The provided continue parameter is too old to display a "
                                   "consistent list result. You can start a new list without the continue parameter.")
                items, rv, _ = snap
                self._snapshots[snap_id] = (items, rv, time.monotonic())
                self._snapshots.move_to_end(snap_id)
        else:
            assert items is not None and rv is not None
            offset = 0
            snap_id = 0
        end = offset + limit
        if end >= len(items):
            if snap_id:
                with self._lock:
                    self._snapshots.pop(snap_id, None)
            return items[offset:], rv, None, 0
        if not snap_id:
            snap_id = next(self._ids)
            with self._lock:
                self._snapshots[snap_id] = (items, rv, time.monotonic())
                while len(self._snapshots) > MAX_SNAPSHOTS:
                    self._snapshots.popitem(last=False)
        return items[offset:end], rv, self._encode(snap_id, end), len(items) - end

    @staticmethod
    def _encode(snap_id: int, offset: int) -> str:
        raw = json.dumps({"s": snap_id, "o": offset}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def _decode(token: str) -> tuple[int, int]:
        try:
            padded = token + "=" * (-len(token) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode()))
            return int(data["s"]), int(data["o"])
        except (ValueError, KeyError, TypeError):
            raise bad_request("continue key is not valid") from None
