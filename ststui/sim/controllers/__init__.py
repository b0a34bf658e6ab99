"""The simulated cluster's controllers, one module each, installed by `install_all(cluster)`.

Place in the flow: `Cluster.__init__` calls `install_all`, which creates the shared
`EventRecorder` and adds the controllers in the order a change usually travels:

  statefulset  (pods, claims, revisions, status)   -> statefulset.StatefulSetController
  gc           (dependents of deleted owners)       -> gc.GarbageCollector
  volumes      (PV binding, provisioning)           -> volumes.VolumeController
  scheduler    (pod -> node)                        -> scheduler.Scheduler
  kubelet      (pod lifecycle on its node)          -> kubelet.Kubelet
  nodes        (NotReady nodes, eviction)           -> nodelifecycle.NodeLifecycleController

It also hangs handles on the cluster for tools, tests and `controls`:
`cluster.recorder`, `cluster.kubelet` (e.g. `cluster.kubelet.never_ready_images.add(img)`),
`cluster.statefulsets`, `cluster.volumes`, `cluster.scheduler`, `cluster.gc`,
`cluster.node_lifecycle`, and `cluster.set_node_ready(name, ready)`.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from .events import EventRecorder
from .gc import GarbageCollector
from .kubelet import Kubelet
from .nodelifecycle import NodeLifecycleController, set_node_ready
from .scheduler import Scheduler
from .statefulset import StatefulSetController
from .volumes import VolumeController

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster import Cluster

__all__ = ["install_all", "EventRecorder"]


def install_all(cluster: "Cluster") -> None:
    recorder = EventRecorder(cluster)
    cluster.recorder = recorder
    cluster.statefulsets = StatefulSetController(cluster, recorder)
    cluster.gc = GarbageCollector(cluster)
    cluster.volumes = VolumeController(cluster, recorder)
    cluster.scheduler = Scheduler(cluster, recorder)
    cluster.kubelet = Kubelet(cluster, recorder)
    cluster.node_lifecycle = NodeLifecycleController(cluster, recorder)
    for controller in (cluster.statefulsets, cluster.gc, cluster.volumes, cluster.scheduler,
                       cluster.kubelet, cluster.node_lifecycle):
        cluster.add_controller(controller)
    cluster.set_node_ready = functools.partial(set_node_ready, cluster)
    from .. import rbac          # aggregated ClusterRoles (view/edit/admin) filled from their selectors
    rbac.install(cluster)
    from .. import disruption    # PodDisruptionBudget status
    disruption.install(cluster)
