"""Hand-built raw API objects, shaped like what an API server returns (JSON dicts with
managedFields, probes, full status), for the state layer's unit tests and benchmarks.

Every factory takes keyword overrides for what tests vary; uids are derived from names
so objects built twice compare equal. Times are epoch seconds, written as RFC 3339.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

T0 = 1767225600.0            # 2026-01-01T00:00:00Z: creation time of most objects
NOW = T0 + 3600.0            # the clock the tests read views at

Obj = dict[str, Any]


def ts(epoch: float) -> str:
    """RFC 3339 as the API writes it (second precision, Z)."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def uid_for(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(parts)))


def _managed_fields(manager: str, when: float) -> list[Obj]:
    return [{
        "manager": manager, "operation": "Update", "apiVersion": "v1", "time": ts(when),
        "fieldsType": "FieldsV1",
        "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                     "f:spec": {"f:containers": {'k:{"name":"nginx"}': {".": {}, "f:image": {}}}}},
    }]


def revision_name(sts: str, image: str) -> str:
    """A stable revision name per (sts, image): `web-5d8f9c7b4`."""
    return f"{sts}-{uuid.uuid5(uuid.NAMESPACE_DNS, sts + image).hex[:9]}"


def statefulset(name: str = "web", ns: str = "default", *, replicas: int = 3, start: int | None = None,
                service: str | None = "nginx", templates: tuple[str, ...] = ("data",),
                strategy: str = "RollingUpdate", partition: int | None = None,
                max_unavailable: int | str | None = None, policy: str = "OrderedReady",
                image: str = "nginx:1.25", current: str | None = None, update: str | None = None,
                ready: int | None = None, rv: str = "100", generation: int = 1,
                when_scaled: str = "Retain", when_deleted: str = "Retain",
                min_ready_seconds: int = 0, created: float = T0) -> Obj:
    current = current if current is not None else revision_name(name, image)
    update = update if update is not None else current
    update_strategy: Obj = {"type": strategy}
    if strategy == "RollingUpdate":
        rolling: Obj = {"partition": partition or 0}
        if max_unavailable is not None:
            rolling["maxUnavailable"] = max_unavailable
        update_strategy["rollingUpdate"] = rolling
    spec: Obj = {
        "replicas": replicas,
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}, "annotations": {}},
            "spec": {
                "containers": [{
                    "name": "nginx", "image": image,
                    "ports": [{"containerPort": 80, "name": "web", "protocol": "TCP"}],
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                    "volumeMounts": [{"name": t, "mountPath": f"/var/lib/{t}"} for t in templates],
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent",
                }],
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                "dnsPolicy": "ClusterFirst", "securityContext": {}, "schedulerName": "default-scheduler",
            },
        },
        "volumeClaimTemplates": [{
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": t},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                     "resources": {"requests": {"storage": "1Gi"}}, "volumeMode": "Filesystem"},
            "status": {"phase": "Pending"},
        } for t in templates],
        "podManagementPolicy": policy,
        "updateStrategy": update_strategy,
        "revisionHistoryLimit": 10,
        "minReadySeconds": min_ready_seconds,
        "persistentVolumeClaimRetentionPolicy": {"whenScaled": when_scaled, "whenDeleted": when_deleted},
    }
    if service is not None:
        spec["serviceName"] = service
    if start is not None:
        spec["ordinals"] = {"start": start}
    ready = replicas if ready is None else ready
    return {
        "kind": "StatefulSet", "apiVersion": "apps/v1",
        "metadata": {
            "name": name, "namespace": ns, "uid": uid_for("sts", ns, name), "resourceVersion": rv,
            "generation": generation, "creationTimestamp": ts(created), "labels": {"app": name},
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"apps/v1"}' * 20},
            "managedFields": _managed_fields("kubectl-client-side-apply", created),
        },
        "spec": spec,
        "status": {
            "observedGeneration": generation, "replicas": replicas, "readyReplicas": ready,
            "currentReplicas": replicas, "updatedReplicas": replicas if current == update else 0,
            "currentRevision": current, "updateRevision": update, "collisionCount": 0,
            "availableReplicas": ready,
        },
    }


def pod(sts: str = "web", ordinal: int = 0, ns: str = "default", *, name: str | None = None,
        revision: str | None = None, image: str = "nginx:1.25", node: str | None = "node-1",
        phase: str = "Running", ready: bool = True, restarts: int = 0,
        waiting_reason: str | None = None, deleted_at: float | None = None, grace: int = 30,
        owner: bool | str = True, rv: str = "200", created: float = T0,
        ready_since: float | None = None, templates: tuple[str, ...] = ("data",),
        service: str = "nginx") -> Obj:
    """A pod of StatefulSet `sts`; owner=False leaves it without ownerReferences,
    owner="ReplicaSet" gives it another controller."""
    name = name or f"{sts}-{ordinal}"
    revision = revision if revision is not None else revision_name(sts, image)
    running = phase == "Running"
    ready_since = created + 5 if ready_since is None else ready_since
    metadata: Obj = {
        "name": name, "generateName": f"{sts}-", "namespace": ns, "uid": uid_for("pod", ns, name, str(created)),
        "resourceVersion": rv, "creationTimestamp": ts(created),
        "labels": {"app": sts, "controller-revision-hash": revision,
                   "statefulset.kubernetes.io/pod-name": name, "apps.kubernetes.io/pod-index": str(ordinal)},
        "managedFields": _managed_fields("kube-controller-manager", created),
    }
    if owner is True:
        metadata["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": sts,
                                        "uid": uid_for("sts", ns, sts), "controller": True,
                                        "blockOwnerDeletion": True}]
    elif owner:
        metadata["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": owner, "name": f"{sts}-rs",
                                        "uid": uid_for(owner, ns, sts), "controller": True,
                                        "blockOwnerDeletion": True}]
    if deleted_at is not None:
        metadata["deletionTimestamp"] = ts(deleted_at)
        metadata["deletionGracePeriodSeconds"] = grace
    if waiting_reason:
        state: Obj = {"waiting": {"reason": waiting_reason, "message": f"back-off pulling image {image}"}}
    elif running:
        state = {"running": {"startedAt": ts(created + 2)}}
    else:
        state = {"waiting": {"reason": "ContainerCreating"}}
    ready_status = "True" if ready else "False"
    conditions = [
        {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": None,
         "lastTransitionTime": ts(created + 1)},
        {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(created)},
        {"type": "Ready", "status": ready_status, "lastProbeTime": None, "lastTransitionTime": ts(ready_since)},
        {"type": "ContainersReady", "status": ready_status, "lastProbeTime": None,
         "lastTransitionTime": ts(ready_since)},
        {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": ts(created)},
    ]
    status: Obj = {"phase": phase, "conditions": conditions, "qosClass": "Burstable",
                   "startTime": ts(created)}
    if node:
        status.update({
            "hostIP": "192.168.0.10", "hostIPs": [{"ip": "192.168.0.10"}],
            "podIP": f"10.244.{ordinal // 250}.{ordinal % 250 + 2}",
            "podIPs": [{"ip": f"10.244.{ordinal // 250}.{ordinal % 250 + 2}"}],
            "containerStatuses": [{
                "name": "nginx", "state": state, "lastState": {}, "ready": ready, "restartCount": restarts,
                "image": image, "imageID": f"docker.io/library/{image}@sha256:" + "ab" * 32,
                "containerID": "containerd://" + "cd" * 32, "started": running,
            }],
        })
    return {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": metadata,
        "spec": {
            "volumes": [{"name": t, "persistentVolumeClaim": {"claimName": f"{t}-{name}"}} for t in templates]
            + [{"name": "kube-api-access-x", "projected": {"sources": [{"serviceAccountToken": {
                "expirationSeconds": 3607, "path": "token"}}], "defaultMode": 420}}],
            "containers": [{
                "name": "nginx", "image": image,
                "ports": [{"containerPort": 80, "name": "web", "protocol": "TCP"}],
                "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
                "volumeMounts": [{"name": t, "mountPath": f"/var/lib/{t}"} for t in templates],
                "readinessProbe": {"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"},
                                   "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
                                   "failureThreshold": 3},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                "imagePullPolicy": "IfNotPresent",
            }],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": grace, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "serviceAccount": "default", "nodeName": node,
            "securityContext": {}, "hostname": name, "subdomain": service,
            "schedulerName": "default-scheduler",
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                             "effect": "NoExecute", "tolerationSeconds": 300},
                            {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                             "effect": "NoExecute", "tolerationSeconds": 300}],
            "priority": 0, "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority",
        },
        "status": status,
    }


def claim(template: str = "data", sts: str = "web", ordinal: int = 0, ns: str = "default", *,
          volume: str | None = None, phase: str = "Bound", storage: str = "1Gi",
          storage_class: str = "standard", rv: str = "300", deleted_at: float | None = None,
          created: float = T0) -> Obj:
    name = f"{template}-{sts}-{ordinal}"
    if volume is None and phase == "Bound":
        volume = f"pvc-{uid_for('pvc', ns, name)}"
    metadata: Obj = {
        "name": name, "namespace": ns, "uid": uid_for("pvc", ns, name), "resourceVersion": rv,
        "creationTimestamp": ts(created), "labels": {"app": sts},
        "annotations": {"pv.kubernetes.io/bind-completed": "yes",
                        "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path"},
        "finalizers": ["kubernetes.io/pvc-protection"],
        "managedFields": _managed_fields("kube-controller-manager", created),
    }
    if deleted_at is not None:
        metadata["deletionTimestamp"] = ts(deleted_at)
        metadata["deletionGracePeriodSeconds"] = 0
    obj: Obj = {
        "kind": "PersistentVolumeClaim", "apiVersion": "v1", "metadata": metadata,
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": storage}},
                 "storageClassName": storage_class, "volumeMode": "Filesystem"},
        "status": {"phase": phase},
    }
    if volume:
        obj["spec"]["volumeName"] = volume
    if phase == "Bound":
        obj["status"].update({"accessModes": ["ReadWriteOnce"], "capacity": {"storage": storage}})
    return obj


def volume(name: str | None = None, *, claim_ns: str | None = "default", claim_name: str | None = "data-web-0",
           claim_uid: str | None | bool = True, phase: str = "Bound", policy: str = "Retain",
           storage: str = "1Gi", storage_class: str = "standard", rv: str = "400",
           created: float = T0) -> Obj:
    """A PersistentVolume; claim_uid=True uses the claim's derived uid, None/False leaves
    the claimRef without uid (a volume reserved for that claim name)."""
    if claim_uid is True and claim_name:
        claim_uid = uid_for("pvc", claim_ns or "", claim_name)
    if name is None:
        name = f"pvc-{uid_for('pvc', claim_ns or '', claim_name or '')}"
    spec: Obj = {
        "capacity": {"storage": storage}, "accessModes": ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": policy, "storageClassName": storage_class,
        "volumeMode": "Filesystem", "hostPath": {"path": f"/var/local-path/{name}", "type": "DirectoryOrCreate"},
        "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1"]}]}]}},
    }
    if claim_name:
        ref: Obj = {"kind": "PersistentVolumeClaim", "namespace": claim_ns, "name": claim_name,
                    "apiVersion": "v1"}
        if claim_uid:
            ref["uid"] = claim_uid
            ref["resourceVersion"] = "299"
        spec["claimRef"] = ref
    return {
        "kind": "PersistentVolume", "apiVersion": "v1",
        "metadata": {"name": name, "uid": uid_for("pv", name), "resourceVersion": rv,
                     "creationTimestamp": ts(created),
                     "annotations": {"pv.kubernetes.io/provisioned-by": "rancher.io/local-path"},
                     "finalizers": ["kubernetes.io/pv-protection"],
                     "managedFields": _managed_fields("local-path-provisioner", created)},
        "spec": spec,
        "status": {"phase": phase, "lastPhaseTransitionTime": ts(created)},
    }


def node(name: str = "node-1", *, ready: bool | None = True, since: float = T0, rv: str = "500",
         heartbeat: float | None = None) -> Obj:
    """A node; ready=None gives Ready "Unknown" (a node that stopped reporting)."""
    status = "True" if ready else ("Unknown" if ready is None else "False")
    heartbeat = since if heartbeat is None else heartbeat
    return {
        "kind": "Node", "apiVersion": "v1",
        "metadata": {"name": name, "uid": uid_for("node", name), "resourceVersion": rv,
                     "creationTimestamp": ts(T0 - 86400),
                     "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
                     "annotations": {"node.alpha.kubernetes.io/ttl": "0"}},
        "spec": {"podCIDR": "10.244.0.0/24"},
        "status": {
            "capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
            "allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"},
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": ts(heartbeat),
                 "lastTransitionTime": ts(T0 - 86400), "reason": "KubeletHasSufficientMemory"},
                {"type": "Ready", "status": status, "lastHeartbeatTime": ts(heartbeat),
                 "lastTransitionTime": ts(since),
                 "reason": "KubeletReady" if ready else "NodeStatusUnknown"},
            ],
            "addresses": [{"type": "InternalIP", "address": "192.168.0.10"},
                          {"type": "Hostname", "address": name}],
            "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12"},
        },
    }


def service(name: str = "nginx", ns: str = "default", *, headless: bool = True, app: str = "web",
            rv: str = "600") -> Obj:
    return {
        "kind": "Service", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns, "uid": uid_for("svc", ns, name), "resourceVersion": rv,
                     "creationTimestamp": ts(T0), "labels": {"app": app}},
        "spec": {"clusterIP": "None" if headless else "10.96.0.42",
                 "clusterIPs": ["None" if headless else "10.96.0.42"], "type": "ClusterIP",
                 "selector": {"app": app}, "ports": [{"name": "web", "port": 80, "protocol": "TCP",
                                                      "targetPort": 80}],
                 "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"},
        "status": {"loadBalancer": {}},
    }


def controller_revision(sts: str = "web", ns: str = "default", *, image: str = "nginx:1.25",
                        number: int = 1, rv: str = "700") -> Obj:
    name = revision_name(sts, image)
    return {
        "kind": "ControllerRevision", "apiVersion": "apps/v1",
        "metadata": {"name": name, "namespace": ns, "uid": uid_for("rev", ns, name), "resourceVersion": rv,
                     "creationTimestamp": ts(T0), "labels": {"app": sts, "controller.kubernetes.io/hash": name},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": sts,
                                          "uid": uid_for("sts", ns, sts), "controller": True,
                                          "blockOwnerDeletion": True}]},
        "data": {"spec": {"template": {"$patch": "replace", "metadata": {"labels": {"app": sts}},
                                       "spec": {"containers": [{"name": "nginx", "image": image}]}}}},
        "revision": number,
    }


def event(name: str, ns: str = "default", *, kind: str = "Pod", obj_name: str = "web-0",
          obj_ns: str | None = None, reason: str = "Killing", message: str = "Stopping container nginx",
          etype: str = "Normal", when: float = T0, rv: str = "800") -> Obj:
    return {
        "kind": "Event", "apiVersion": "v1",
        "metadata": {"name": name, "namespace": ns, "uid": uid_for("ev", ns, name), "resourceVersion": rv,
                     "creationTimestamp": ts(when)},
        "involvedObject": {"kind": kind, "namespace": ns if obj_ns is None else obj_ns, "name": obj_name,
                           "uid": uid_for(kind, ns, obj_name), "apiVersion": "v1"},
        "reason": reason, "message": message, "type": etype, "count": 1,
        "firstTimestamp": ts(when), "lastTimestamp": ts(when),
        "source": {"component": "kubelet", "host": "node-1"},
        "reportingComponent": "kubelet", "reportingInstance": "node-1",
    }


def storage_class(name: str = "standard", *, provisioner: str = "rancher.io/local-path",
                  policy: str = "Delete", mode: str = "WaitForFirstConsumer", rv: str = "900") -> Obj:
    return {
        "kind": "StorageClass", "apiVersion": "storage.k8s.io/v1",
        "metadata": {"name": name, "uid": uid_for("sc", name), "resourceVersion": rv,
                     "creationTimestamp": ts(T0),
                     "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": provisioner, "reclaimPolicy": policy, "volumeBindingMode": mode,
    }


def family(name: str = "web", ns: str = "default", *, replicas: int = 3, start: int = 0,
           node_name: str = "node-1", templates: tuple[str, ...] = ("data",), rv_base: int = 1000,
           **sts_kwargs: Any) -> dict[str, list[Obj]]:
    """A settled StatefulSet with its pods, bound claims and volumes, by plural."""
    sts = statefulset(name, ns, replicas=replicas, start=start if start else None, templates=templates,
                      **sts_kwargs)
    out: dict[str, list[Obj]] = {"statefulsets": [sts], "pods": [], "persistentvolumeclaims": [],
                                 "persistentvolumes": []}
    image = sts["spec"]["template"]["spec"]["containers"][0]["image"]
    rv = rv_base
    for ordinal in range(start, start + replicas):
        rv += 1
        out["pods"].append(pod(name, ordinal, ns, node=node_name, image=image, rv=str(rv), templates=templates))
        for tpl in templates:
            rv += 1
            c = claim(tpl, name, ordinal, ns, rv=str(rv))
            out["persistentvolumeclaims"].append(c)
            rv += 1
            out["persistentvolumes"].append(volume(c["spec"]["volumeName"], claim_ns=ns,
                                                   claim_name=c["metadata"]["name"], rv=str(rv)))
    return out


PLURALS = {"StatefulSet": "statefulsets", "Pod": "pods", "PersistentVolumeClaim": "persistentvolumeclaims",
           "PersistentVolume": "persistentvolumes", "Node": "nodes", "Service": "services",
           "ControllerRevision": "controllerrevisions", "StorageClass": "storageclasses", "Event": "events"}


def by_plural(*objs: Obj) -> dict[str, list[Obj]]:
    """Objects grouped by plural (flattening lists and `family()` dicts)."""
    out: dict[str, list[Obj]] = {}
    stack = list(objs)
    while stack:
        obj = stack.pop(0)
        if isinstance(obj, list):
            stack[:0] = obj
        elif "kind" not in obj:
            for items in obj.values():
                stack[:0] = items
        else:
            out.setdefault(PLURALS[obj["kind"]], []).append(obj)
    return out


def store_with(*objs: Any):
    """A Store holding these raw objects (one LIST per plural), changes already taken."""
    from ststui.state.store import Store

    store = Store()
    for plural, items in by_plural(*objs).items():
        store.replace(plural, items, "1")
    store.take_changes()
    return store
