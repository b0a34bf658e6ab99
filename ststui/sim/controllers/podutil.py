"""Small pure helpers the sim's controllers share: owner references, pod conditions, ordinals.

Place in the flow: `statefulset`, `scheduler`, `kubelet`, `nodelifecycle`, `volumes` and
`gc` read raw objects (dicts as stored by `objects.ObjectStore`) through these functions;
none of them touches the store, so they are safe to call anywhere and easy to test.
"""
from __future__ import annotations

import hashlib
import re

from ..clock import parse_rfc3339

# Labels and annotations Kubernetes' StatefulSet controller sets (k8s.io/api/apps/v1).
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
REVISION_LABEL = "controller-revision-hash"
HASH_LABEL = "controller.kubernetes.io/hash"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
SELECTED_NODE = "volume.kubernetes.io/selected-node"

_ORDINAL_RE = re.compile(r"^(.*)-([0-9]+)$")


# --------------------------------------------------------------------------- names and ordinals

def parent_and_ordinal(name: str) -> tuple[str, int]:
    """("web", 3) for "web-3"; ("", -1) for a name without a trailing ordinal."""
    m = _ORDINAL_RE.match(name or "")
    if not m:
        return "", -1
    return m.group(1), int(m.group(2))


def ordinal_in(set_name: str, pod_name: str) -> int:
    """The ordinal of `pod_name` as a member of StatefulSet `set_name`, or -1."""
    parent, ordinal = parent_and_ordinal(pod_name)
    if parent != set_name or pod_name != f"{set_name}-{ordinal}":
        return -1
    return ordinal


def stable_fraction(*parts: str) -> float:
    """A number in [0, 1) derived from `parts`: deterministic per-object jitter."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0 ** 64


# --------------------------------------------------------------------------- metadata

def meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def uid_of(obj: dict | None) -> str | None:
    return meta(obj).get("uid") if obj else None


def owner_reference(owner: dict, *, controller: bool = True) -> dict:
    """An ownerReference to `owner` as Kubernetes' controllers write it."""
    ref = {
        "apiVersion": owner.get("apiVersion", "v1"),
        "kind": owner.get("kind", ""),
        "name": meta(owner).get("name", ""),
        "uid": meta(owner).get("uid", ""),
    }
    if controller:
        ref["controller"] = True
        ref["blockOwnerDeletion"] = True
    return ref


def controller_ref(obj: dict | None) -> dict | None:
    """The ownerReference marked controller: true, if any."""
    if not obj:
        return None
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def controller_uid(obj: dict | None) -> str | None:
    ref = controller_ref(obj)
    return ref.get("uid") if ref else None


def has_owner(obj: dict, uid: str | None) -> bool:
    return bool(uid) and any(r.get("uid") == uid for r in meta(obj).get("ownerReferences") or [])


def is_terminating(obj: dict) -> bool:
    return bool(meta(obj).get("deletionTimestamp"))


# --------------------------------------------------------------------------- pods

def condition(obj: dict, ctype: str) -> dict | None:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return c
    return None


def condition_true(obj: dict, ctype: str) -> bool:
    c = condition(obj, ctype)
    return bool(c) and c.get("status") == "True"


def phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase") or ""


def is_ready(pod: dict) -> bool:
    return condition_true(pod, "Ready")


def is_running_and_ready(pod: dict) -> bool:
    return phase(pod) == "Running" and is_ready(pod)


def ready_since(pod: dict) -> float | None:
    c = condition(pod, "Ready")
    if not c or c.get("status") != "True":
        return None
    return parse_rfc3339(c.get("lastTransitionTime")) or 0.0


def available_at(pod: dict, min_ready_seconds: int) -> float | None:
    """When the pod counts as available (Ready for minReadySeconds); None if not Ready."""
    since = ready_since(pod)
    if since is None:
        return None
    return since + max(0, int(min_ready_seconds or 0))


def is_available(pod: dict, min_ready_seconds: int, now: float) -> bool:
    if not is_running_and_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    at = available_at(pod, min_ready_seconds)
    return at is not None and at <= now


def is_healthy(pod: dict) -> bool:
    return is_running_and_ready(pod) and not is_terminating(pod)


def is_unavailable(pod: dict | None, min_ready_seconds: int, now: float) -> bool:
    """Kubernetes' isUnavailable: missing, unhealthy, terminating or not yet available."""
    return pod is None or not is_healthy(pod) or not is_available(pod, min_ready_seconds, now)


def is_finished(pod: dict) -> bool:
    return phase(pod) in ("Succeeded", "Failed")


def claim_names(pod: dict) -> list[str]:
    """Names of the PersistentVolumeClaims a pod mounts."""
    out = []
    for v in (pod.get("spec") or {}).get("volumes") or []:
        pvc = v.get("persistentVolumeClaim") if isinstance(v, dict) else None
        if isinstance(pvc, dict) and pvc.get("claimName"):
            out.append(pvc["claimName"])
    return out


def images(pod: dict) -> list[str]:
    return [c.get("image", "") for c in (pod.get("spec") or {}).get("containers") or []]


# --------------------------------------------------------------------------- nodes

def node_ready(node: dict | None) -> bool:
    return bool(node) and condition_true(node, "Ready")


def taint_tolerated(taint: dict, tolerations: list[dict]) -> dict | None:
    """The toleration that tolerates `taint`, if any (Kubernetes' ToleratesTaint rules)."""
    for t in tolerations or []:
        if t.get("effect") and t.get("effect") != taint.get("effect"):
            continue
        op = t.get("operator") or "Equal"
        if not t.get("key"):
            if op == "Exists":
                return t
            continue
        if t.get("key") != taint.get("key"):
            continue
        if op == "Exists" or (t.get("value") or "") == (taint.get("value") or ""):
            return t
    return None


def schedulable_on(pod: dict, node: dict) -> bool:
    """Ready, not cordoned, NoSchedule/NoExecute taints tolerated, nodeSelector satisfied."""
    if not node_ready(node) or (node.get("spec") or {}).get("unschedulable"):
        return False
    spec = pod.get("spec") or {}
    tolerations = spec.get("tolerations") or []
    for taint in (node.get("spec") or {}).get("taints") or []:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not taint_tolerated(taint, tolerations):
            return False
    labels = meta(node).get("labels") or {}
    return all(labels.get(k) == v for k, v in (spec.get("nodeSelector") or {}).items())


def natural_key(name: str) -> tuple:
    """Sort key that puts node-10 after node-9."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))
