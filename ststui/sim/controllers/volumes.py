"""The volume controllers of the simulated cluster: PV binder, provisioner, protection.

Place in the flow: `observe()` marks claims and volumes dirty (and keeps an index of the
pods using each claim); `reconcile()` syncs them the way Kubernetes' persistentvolume,
pvc-protection and pv-protection controllers and an external provisioner do:

- Static binding: a Pending claim binds the smallest Available volume that matches
  (storageClassName equal, accessModes a subset, capacity >= request, volumeMode equal,
  the claim's selector matching the volume's labels); a volume whose claimRef names the
  claim (pre-bound, or reserved: claimRef without uid) is preferred. Binding writes the PV's
  `claimRef {kind, namespace, name, uid, apiVersion, resourceVersion}` and phase Bound, and the
  claim's `spec.volumeName` and status (phase Bound, capacity, accessModes).
- Classes: a claim without storageClassName gets the default class (retroactive default
  assignment). `volumeBindingMode: WaitForFirstConsumer` waits until the scheduler
  annotates the claim with `volume.kubernetes.io/selected-node`. A class whose provisioner
  is not `kubernetes.io/no-provisioner` provisions `pvc-<claim uid>` after
  `PROVISION_SECONDS`, with the class's reclaimPolicy (Events ExternalProvisioning,
  Provisioning, ProvisioningSucceeded).
- Claim deleted: its volume becomes Released (Retain, keeping claimRef and the old uid) or
  is deleted (Delete). A Released volume whose claimRef is removed becomes Available to any
  claim; one whose claimRef only lost `uid` (and resourceVersion) becomes Available but
  reserved for that namespace/name, and binds the claim of that name when it comes back.
- Finalizers `kubernetes.io/pvc-protection` (removed from a deleted claim once no scheduled,
  unfinished pod mounts it) and `kubernetes.io/pv-protection` (removed from a deleted
  volume once it is not Bound).
Provisioned volumes carry no node affinity: pods may move between nodes with their data.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..objects import ApiError, Change
from ..selectors import SelectorError, selector_from_object
from . import podutil as pu
from .events import NORMAL, WARNING, EventRecorder

if TYPE_CHECKING:  # pragma: no cover
    from ..cluster import Cluster

PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
NO_PROVISIONER = "kubernetes.io/no-provisioner"
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
COMPONENT = "persistentvolume-controller"
PROVISION_SECONDS = 1.0

Key = tuple[str, str]

_SUFFIXES = {
    "": 1, "k": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9, "T": 10 ** 12, "P": 10 ** 15, "E": 10 ** 18,
    "Ki": 2 ** 10, "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50, "Ei": 2 ** 60, "m": 0.001,
}
_QUANTITY_RE = re.compile(r"^\s*([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*$")


def parse_quantity(text) -> float:
    """A Kubernetes quantity ("1Gi", "500M", "1.5Ti", 10) in base units; 0 if unreadable."""
    if isinstance(text, (int, float)):
        return float(text)
    m = _QUANTITY_RE.match(str(text or ""))
    if not m or m.group(2) not in _SUFFIXES:
        return 0.0
    try:
        return float(m.group(1)) * _SUFFIXES[m.group(2)]
    except ValueError:
        return 0.0


# --------------------------------------------------------------------------- pure matching

def claim_request(claim: dict) -> float:
    return parse_quantity((((claim.get("spec") or {}).get("resources") or {}).get("requests") or {}).get("storage"))


def volume_capacity(pv: dict) -> float:
    return parse_quantity(((pv.get("spec") or {}).get("capacity") or {}).get("storage"))


def reserved_for(pv: dict, claim: dict) -> bool:
    """The PV's claimRef names this claim (any uid, or none)."""
    ref = (pv.get("spec") or {}).get("claimRef")
    m = pu.meta(claim)
    return bool(ref) and ref.get("namespace") == m.get("namespace") and ref.get("name") == m.get("name") \
        and ref.get("uid") in (None, "", m.get("uid"))


def volume_satisfies(pv: dict, claim: dict, class_name: str) -> bool:
    """storageClassName, volumeMode, accessModes subset, capacity >= request, claim selector."""
    pspec, cspec = pv.get("spec") or {}, claim.get("spec") or {}
    if (pspec.get("storageClassName") or "") != class_name:
        return False
    if (pspec.get("volumeMode") or "Filesystem") != (cspec.get("volumeMode") or "Filesystem"):
        return False
    if not set(cspec.get("accessModes") or []) <= set(pspec.get("accessModes") or []):
        return False
    if volume_capacity(pv) < claim_request(claim):
        return False
    if cspec.get("selector") is not None:
        try:
            if not selector_from_object(cspec["selector"]).matches(pu.meta(pv).get("labels")):
                return False
        except SelectorError:
            return False
    return True


def find_match(volumes: list[dict], claim: dict, class_name: str) -> dict | None:
    """Kubernetes' FindMatchingVolume: a reserved volume first, else the smallest that fits."""
    best = None
    for pv in volumes:
        if pu.is_terminating(pv):
            continue
        ref = (pv.get("spec") or {}).get("claimRef")
        if ref:
            if not reserved_for(pv, claim):
                continue
            phase = (pv.get("status") or {}).get("phase")
            if phase not in ("Available", "Bound", "Pending", None) and not (phase == "Released" and not ref.get("uid")):
                continue
            if volume_satisfies(pv, claim, class_name):
                return pv
            continue
        if (pv.get("status") or {}).get("phase") not in ("Available", None):
            continue
        if not volume_satisfies(pv, claim, class_name):
            continue
        if best is None or (volume_capacity(pv), pu.meta(pv)["name"]) < (volume_capacity(best), pu.meta(best)["name"]):
            best = pv
    return best


def claim_ref(claim: dict) -> dict:
    m = pu.meta(claim)
    return {"kind": "PersistentVolumeClaim", "namespace": m.get("namespace"), "name": m.get("name"),
            "uid": m.get("uid"), "apiVersion": "v1", "resourceVersion": m.get("resourceVersion")}


def provisioned_volume(claim: dict, sc: dict, node: str | None) -> dict:
    """The PersistentVolume a provisioner creates for `claim` (not yet stored)."""
    m = pu.meta(claim)
    cspec = claim.get("spec") or {}
    name = f"pvc-{m.get('uid')}"
    provisioner = sc.get("provisioner", "")
    annotations = {"pv.kubernetes.io/provisioned-by": provisioner}
    if node:
        annotations["local.path.provisioner/selected-node"] = node
    spec: dict = {
        "capacity": {"storage": ((cspec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")},
        "accessModes": list(cspec.get("accessModes") or ["ReadWriteOnce"]),
        "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy") or "Delete",
        "storageClassName": pu.meta(sc).get("name"),
        "volumeMode": cspec.get("volumeMode") or "Filesystem",
        "claimRef": claim_ref(claim),
    }
    if sc.get("mountOptions"):
        spec["mountOptions"] = list(sc["mountOptions"])
    if provisioner == "rancher.io/local-path":
        spec["hostPath"] = {"path": f"/var/local-path-provisioner/{name}_{m.get('namespace')}_{m.get('name')}",
                            "type": "DirectoryOrCreate"}
    else:
        spec["csi"] = {"driver": provisioner, "volumeHandle": name, "fsType": "ext4"}
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "annotations": annotations, "finalizers": [PV_PROTECTION]},
            "spec": spec}


# --------------------------------------------------------------------------- the controller

class VolumeController:
    def __init__(self, cluster: "Cluster", recorder: EventRecorder) -> None:
        self.cluster = cluster
        self.recorder = recorder
        self._dirty_claims: set[Key] = set()
        self._dirty_volumes: set[str] = set()
        self._unbound: set[Key] = set()                 # claims waiting for a volume
        self._volumes_by_claim: dict[Key, set[str]] = {}
        self._claim_users: dict[Key, set[str]] = {}     # claim -> scheduled, unfinished pods mounting it
        self._provisions: dict[Key, tuple[float, str]] = {}   # claim -> (due, claim uid)

    # ---- observing

    def observe(self, change: Change) -> None:
        p = change.plural
        if p == "persistentvolumeclaims":
            m = pu.meta(change.obj)
            key = (m.get("namespace", ""), m.get("name", ""))
            self._dirty_claims.add(key)
            self._dirty_volumes.update(self._volumes_by_claim.get(key, ()))
            if change.type == "DELETED" or (change.obj.get("status") or {}).get("phase") != "Pending" \
                    or pu.is_terminating(change.obj):
                self._unbound.discard(key)
            else:
                self._unbound.add(key)
        elif p == "persistentvolumes":
            self._observe_volume(change)
        elif p == "pods":
            for obj in (change.old, change.obj):
                if obj is None:
                    continue
                ns = pu.meta(obj).get("namespace", "")
                name = pu.meta(obj).get("name", "")
                for c in pu.claim_names(obj):
                    self._claim_users.get((ns, c), set()).discard(name)
                    self._dirty_claims.add((ns, c))
            obj = change.obj
            if change.type != "DELETED" and (obj.get("spec") or {}).get("nodeName") and not pu.is_finished(obj):
                ns = pu.meta(obj).get("namespace", "")
                for c in pu.claim_names(obj):
                    self._claim_users.setdefault((ns, c), set()).add(pu.meta(obj)["name"])
        elif p == "storageclasses":
            self._dirty_claims.update(self._unbound)

    def _observe_volume(self, change: Change) -> None:
        name = pu.meta(change.obj).get("name", "")
        self._dirty_volumes.add(name)
        for obj in (change.old, change.obj):
            ref = ((obj or {}).get("spec") or {}).get("claimRef")
            if ref:
                key = (ref.get("namespace", ""), ref.get("name", ""))
                names = self._volumes_by_claim.get(key)
                if names is not None:
                    names.discard(name)
                    if not names:
                        del self._volumes_by_claim[key]
                self._dirty_claims.add(key)
        if change.type == "DELETED":
            return
        spec = change.obj.get("spec") or {}
        ref = spec.get("claimRef")
        if ref:
            self._volumes_by_claim.setdefault((ref.get("namespace", ""), ref.get("name", "")), set()).add(name)
        if (not ref or not ref.get("uid")) and (change.obj.get("status") or {}).get("phase") in ("Available", None):
            self._dirty_claims.update(self._unbound)

    # ---- timing

    def next_wakeup(self) -> float | None:
        return min((t for t, _ in self._provisions.values()), default=None)

    def reconcile(self) -> bool:
        store = self.cluster.store
        rv = store.rv
        now = self.cluster.now()
        for key, (t, _) in list(self._provisions.items()):
            if t <= now:
                self._dirty_claims.add(key)
        for _ in range(1000):
            if not (self._dirty_claims or self._dirty_volumes):
                break
            while self._dirty_claims:
                self._sync_claim(self._dirty_claims.pop())
            while self._dirty_volumes:
                self._sync_volume(self._dirty_volumes.pop())
        return store.rv != rv

    # ---- claims

    def _in_use(self, key: Key) -> bool:
        store = self.cluster.store
        for pod_name in list(self._claim_users.get(key, ())):
            pod = store.find("pods", key[0], pod_name)
            if pod is not None and (pod.get("spec") or {}).get("nodeName") and not pu.is_finished(pod):
                return True
        return False

    def _default_class(self) -> dict | None:
        for sc in self.cluster.store.items("storageclasses"):
            if (pu.meta(sc).get("annotations") or {}).get(DEFAULT_CLASS) == "true":
                return sc
        return None

    def _sync_claim(self, key: Key) -> None:
        if not self._sync_claim_once(key):
            self._provisions.pop(key, None)   # no provisioning in flight for this claim any more

    def _sync_claim_once(self, key: Key) -> bool:
        """Sync one claim; True when a provisioning for it is (still) under way."""
        store = self.cluster.store
        ns, name = key
        claim = store.find("persistentvolumeclaims", ns, name)
        if claim is None:
            self._provisions.pop(key, None)
            return False
        m = pu.meta(claim)
        finalizers = m.get("finalizers") or []
        if pu.is_terminating(claim):
            self._provisions.pop(key, None)
            if PVC_PROTECTION in finalizers and not self._in_use(key):
                store.mutate("persistentvolumeclaims", ns, name, lambda o: o["metadata"].__setitem__(
                    "finalizers", [f for f in o["metadata"].get("finalizers") or [] if f != PVC_PROTECTION]))
            return False
        if PVC_PROTECTION not in finalizers:
            claim = store.mutate("persistentvolumeclaims", ns, name, lambda o: o["metadata"].setdefault(
                "finalizers", []).append(PVC_PROTECTION)) or claim
        spec = claim.get("spec") or {}
        status = claim.get("status") or {}
        volume_name = spec.get("volumeName")
        if volume_name:
            pv = store.find("persistentvolumes", None, volume_name)
            if status.get("phase") == "Bound":
                if pv is None:
                    self._set_claim_phase(claim, "Lost")
                    self.recorder.record(claim, WARNING, "ClaimLost",
                                         "Bound claim has lost reference to PersistentVolume. "
                                         "Data on the volume is lost!", COMPONENT)
                return False
            if pv is not None and (not (pv.get("spec") or {}).get("claimRef") or reserved_for(pv, claim)):
                self._bind(pv, claim)
            return False
        if status.get("phase") not in ("Pending", None):
            return False
        if "storageClassName" not in spec or spec.get("storageClassName") is None:
            default = self._default_class()
            if default is not None:
                store.mutate("persistentvolumeclaims", ns, name, lambda o: o["spec"].__setitem__(
                    "storageClassName", pu.meta(default)["name"]))
                return False  # the write brings the claim back here
        class_name = spec.get("storageClassName") or ""
        sc = store.find("storageclasses", None, class_name) if class_name else None
        wait_for_consumer = sc is not None and sc.get("volumeBindingMode") == "WaitForFirstConsumer"
        selected_node = (m.get("annotations") or {}).get(pu.SELECTED_NODE)
        pv = find_match(store.items("persistentvolumes"), claim, class_name)
        if pv is not None and (not wait_for_consumer or selected_node or reserved_for(pv, claim)):
            self._bind(pv, claim)
            return False
        if wait_for_consumer and not selected_node:
            self.recorder.record(claim, NORMAL, "WaitForFirstConsumer",
                                 "waiting for first consumer to be created before binding", COMPONENT)
            return False
        if sc is None:
            if class_name:
                self.recorder.record(claim, WARNING, "ProvisioningFailed",
                                     f'storageclass.storage.k8s.io "{class_name}" not found', COMPONENT)
            else:
                self.recorder.record(claim, NORMAL, "FailedBinding",
                                     "no persistent volumes available for this claim and no storage class is set",
                                     COMPONENT)
            return False
        provisioner = sc.get("provisioner") or ""
        if provisioner == NO_PROVISIONER:
            self.recorder.record(claim, NORMAL, "FailedBinding",
                                 "no persistent volumes available for this claim", COMPONENT)
            return False
        self._provision(claim, sc, selected_node)
        return key in self._provisions

    def _provision(self, claim: dict, sc: dict, node: str | None) -> None:
        store = self.cluster.store
        m = pu.meta(claim)
        key = (m.get("namespace", ""), m["name"])
        provisioner = sc.get("provisioner", "")
        due = self._provisions.get(key)
        now = self.cluster.now()
        if due is None or due[1] != m.get("uid"):
            self._provisions[key] = (now + self.cluster.scaled(PROVISION_SECONDS), m.get("uid"))

            def annotate(o: dict) -> None:
                ann = o["metadata"].setdefault("annotations", {})
                ann["volume.beta.kubernetes.io/storage-provisioner"] = provisioner
                ann["volume.kubernetes.io/storage-provisioner"] = provisioner
            store.mutate("persistentvolumeclaims", key[0], key[1], annotate)
            self.recorder.record(claim, NORMAL, "ExternalProvisioning",
                                 f"Waiting for a volume to be created either by the external provisioner "
                                 f"'{provisioner}' or manually by the system administrator. If volume creation "
                                 f"is delayed, please verify that the provisioner is running and correctly "
                                 f"registered.", COMPONENT)
            self.recorder.record(claim, NORMAL, "Provisioning",
                                 f'External provisioner is provisioning volume for claim "{key[0]}/{key[1]}"',
                                 provisioner)
            return
        if due[0] > now:
            return
        del self._provisions[key]
        pv = provisioned_volume(claim, sc, node)
        try:
            created = store.create("persistentvolumes", pv)
        except ApiError as e:
            self.recorder.record(claim, WARNING, "ProvisioningFailed",
                                 f"failed to provision volume with StorageClass \"{pu.meta(sc)['name']}\": "
                                 f"{e.message}", provisioner)
            return
        self.recorder.record(claim, NORMAL, "ProvisioningSucceeded",
                             f"Successfully provisioned volume {created['metadata']['name']}", provisioner)
        self._bind(created, store.find("persistentvolumeclaims", key[0], key[1]) or claim)

    def _bind(self, pv: dict, claim: dict) -> None:
        store = self.cluster.store
        pv_name = pu.meta(pv)["name"]
        ns, name = pu.meta(claim).get("namespace"), pu.meta(claim)["name"]
        ref = claim_ref(claim)
        had_full_ref = bool(((pv.get("spec") or {}).get("claimRef") or {}).get("uid"))

        def bind_volume(o: dict) -> None:
            old_ref = o["spec"].get("claimRef") or {}
            if old_ref.get("uid") != ref["uid"]:
                o["spec"]["claimRef"] = ref
            if not had_full_ref:
                o["metadata"].setdefault("annotations", {})["pv.kubernetes.io/bound-by-controller"] = "yes"
            o.setdefault("status", {})["phase"] = "Bound"
        store.mutate("persistentvolumes", None, pv_name, bind_volume)
        pv = store.find("persistentvolumes", None, pv_name) or pv
        set_volume_name = not (claim.get("spec") or {}).get("volumeName")

        def bind_claim(o: dict) -> None:
            o["spec"]["volumeName"] = pv_name
            ann = o["metadata"].setdefault("annotations", {})
            ann["pv.kubernetes.io/bind-completed"] = "yes"
            if set_volume_name:
                ann["pv.kubernetes.io/bound-by-controller"] = "yes"
            st = o.setdefault("status", {})
            st["phase"] = "Bound"
            st["accessModes"] = list((pv.get("spec") or {}).get("accessModes") or [])
            st["capacity"] = dict((pv.get("spec") or {}).get("capacity") or {})
        store.mutate("persistentvolumeclaims", ns, name, bind_claim)

    def _set_claim_phase(self, claim: dict, phase: str) -> None:
        m = pu.meta(claim)
        self.cluster.store.mutate("persistentvolumeclaims", m.get("namespace"), m["name"],
                                  lambda o: o.setdefault("status", {}).__setitem__("phase", phase))

    # ---- volumes

    def _set_volume_phase(self, name: str, phase: str) -> None:
        self.cluster.store.mutate("persistentvolumes", None, name,
                                  lambda o: o.setdefault("status", {}).__setitem__("phase", phase))

    def _sync_volume(self, name: str) -> None:
        store = self.cluster.store
        pv = store.find("persistentvolumes", None, name)
        if pv is None:
            return
        finalizers = pu.meta(pv).get("finalizers") or []
        phase = (pv.get("status") or {}).get("phase")
        spec = pv.get("spec") or {}
        ref = spec.get("claimRef")
        if pu.is_terminating(pv):
            if phase == "Bound" and ref:
                claim = store.find("persistentvolumeclaims", ref.get("namespace"), ref.get("name", ""))
                if claim is None or pu.meta(claim).get("uid") != ref.get("uid"):
                    self._set_volume_phase(name, "Released")
                    return
            if PV_PROTECTION in finalizers and phase != "Bound":
                store.mutate("persistentvolumes", None, name, lambda o: o["metadata"].__setitem__(
                    "finalizers", [f for f in o["metadata"].get("finalizers") or [] if f != PV_PROTECTION]))
            return
        if PV_PROTECTION not in finalizers:
            store.mutate("persistentvolumes", None, name,
                         lambda o: o["metadata"].setdefault("finalizers", []).append(PV_PROTECTION))
        if not ref:
            if phase != "Available":
                self._set_volume_phase(name, "Available")
            return
        key = (ref.get("namespace", ""), ref.get("name", ""))
        claim = store.find("persistentvolumeclaims", key[0], key[1])
        if not ref.get("uid"):
            # Reserved for a claim of this namespace/name (or pre-bound by an administrator).
            if phase != "Available":
                self._set_volume_phase(name, "Available")
            if claim is not None:
                self._dirty_claims.add(key)
            return
        if claim is None or pu.meta(claim).get("uid") != ref.get("uid"):
            if phase == "Released" or phase == "Failed":
                return
            if phase in ("Available", "Pending", None) and claim is None \
                    and not (pu.meta(pv).get("annotations") or {}).get("pv.kubernetes.io/bound-by-controller"):
                # Pre-bound by an administrator to a claim that does not exist yet: keep waiting.
                if phase != "Available":
                    self._set_volume_phase(name, "Available")
                return
            self._release(pv)
            return
        if (claim.get("spec") or {}).get("volumeName") == name:
            if phase != "Bound":
                self._set_volume_phase(name, "Bound")
            return
        if phase != "Available" and not (claim.get("spec") or {}).get("volumeName"):
            self._set_volume_phase(name, "Available")
        self._dirty_claims.add(key)

    def _release(self, pv: dict) -> None:
        """The volume's claim is gone: Retain -> Released, Delete -> deleted, Recycle -> Available."""
        store = self.cluster.store
        name = pu.meta(pv)["name"]
        policy = (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") or "Retain"
        if policy == "Recycle":
            def scrub(o: dict) -> None:
                o["spec"].pop("claimRef", None)
                o.setdefault("status", {})["phase"] = "Available"
            store.mutate("persistentvolumes", None, name, scrub)
            self.recorder.record(pv, NORMAL, "RecyclerPod", "Recycler pod: Successfully assigned volume",
                                 COMPONENT)
            return
        self._set_volume_phase(name, "Released")
        if policy == "Delete":
            try:
                store.delete("persistentvolumes", None, name)
            except ApiError:
                pass
