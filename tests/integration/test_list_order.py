"""StatefulSets first: the small kinds list before pods, claims and volumes, which list one
after another, so StatefulSet rows can be painted before any pod has arrived.

Over HTTP to the simulated cluster with the real client; the sim's latency fault makes
every page slow, so lists that ran at the same time would overlap by many pages.
"""
from __future__ import annotations

import threading

from ststui.kube.watch import WatchManager
from ststui.sim import scenarios
from ststui.state.store import Store
from ststui.state.topology import build_views


class OrderStore(Store):
    """A store that notes, when each kind's first LIST lands, what the others held then."""

    def __init__(self) -> None:
        super().__init__()
        self.landed: list[str] = []
        self.views_before_pods: int | None = None
        self.pods_when_sts_landed: int | None = None
        self._order_lock = threading.Lock()

    def replace(self, plural, items, rv, **kw):
        with self._order_lock:
            if plural == "pods" and self.views_before_pods is None:
                self.views_before_pods = len(build_views(self, 0.0, None))
            result = super().replace(plural, items, rv, **kw)
            if plural not in self.landed:
                self.landed.append(plural)
            if plural == "statefulsets":
                self.pods_when_sts_landed = len(list(self.items("pods")))
            return result


def test_statefulsets_list_first_and_big_kinds_one_after_another(cluster, sim):
    scenarios.build_scale(cluster, 20, 5)                 # 100 pods, claims and volumes
    sim.settle()
    sim.control("faults/latency", seconds=0.02)           # every page is slow
    store = OrderStore()
    mgr = WatchManager(sim.api(), store, None, page_size=5)
    mgr.start()
    try:
        assert mgr.wait_synced(120)
    finally:
        mgr.stop()
        mgr.join()
        sim.control("faults/clear")
    small = {"statefulsets", "nodes", "services", "controllerrevisions", "storageclasses", "poddisruptionbudgets"}
    first_big = min(store.landed.index(p) for p in ("pods", "persistentvolumeclaims", "persistentvolumes"))
    assert set(store.landed[:first_big]) == small
    assert [p for p in store.landed if p in ("pods", "persistentvolumeclaims", "persistentvolumes", "events")] \
        == ["pods", "persistentvolumeclaims", "persistentvolumes", "events"]
    assert store.pods_when_sts_landed == 0
    # the rows exist before any pod: 20 StatefulSet views were buildable then
    assert store.views_before_pods == 20
