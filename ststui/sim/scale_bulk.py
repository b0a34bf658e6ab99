"""The `scale:<S>x<R>` scenario's pods, claims and volumes, built in bulk.

Place in the flow: `scenarios.build_scale` creates the namespaces, nodes, each set's
Service and StatefulSet through the API path, then calls `build_set_members` for each
set; the controllers then record every set's ControllerRevision and status as usual.
What this writes is what the API path (`scenarios.build_scale(..., bulk=False)`: claim
created, volume provisioned, claim bound, pod created Running) leaves behind, object for
object (tests/sim/test_scale_bulk.py compares the two), but through a `bulk.BulkWriter`:

- the first ordinal of each set is built with the controllers' own functions (new_pod,
  new_claim, provisioned_volume, running_ready_status) and admitted: the prototype;
- every ordinal is a copy of the prototype with its own name, ordinal, node, address,
  claim and volume; the parts every member of the set has alike (containers, owner
  references, conditions, labels) are shared, not copied (see bulk.py on why that is safe);
- a claim is stored once, already bound, at the resourceVersion its bind would have had
  (the create's version is used up, so versions run as on the API path).
"""
from __future__ import annotations

from .bulk import BulkWriter
from .clock import rfc3339
from .controllers import podutil as pu
from .controllers.kubelet import container_id, node_address, running_ready_status
from .controllers.statefulset import claim_name, new_claim, new_pod, pod_name
from .controllers.volumes import PV_PROTECTION, PVC_PROTECTION, provisioned_volume

BIND_ANNOTATIONS = {"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes"}


def build_set_members(writer: BulkWriter, sts: dict, s, revision: str, sc: dict,
                      placements: list[tuple[dict, str]]) -> None:
    """Claims, volumes and Running pods for every ordinal of `sts`; `placements[i]` is the
    (node, pod IP) of ordinal `s.start + i`."""
    if not placements:
        return
    store = writer.store
    ns = s.namespace
    template = sts["spec"]["template"]
    provisioner = sc["provisioner"]
    claim_templates = s.claim_templates
    claim_protos = [_claim_prototype(store, sts, t, s.start, sc) for t in claim_templates]
    pod_proto = _pod_prototype(store, sts, template, s.start, revision, placements[0])
    pmeta, pspec, pstatus = pod_proto["metadata"], pod_proto["spec"], pod_proto["status"]
    plabels = pmeta["labels"]
    extra_volumes = pspec["volumes"][len(claim_templates):] if "volumes" in pspec else []
    host_ips: dict[str, str] = {}
    for i, (node, ip) in enumerate(placements):
        ordinal = s.start + i
        node_name = node["metadata"]["name"]
        name = pod_name(s, ordinal)
        volumes = []
        for t, proto in zip(claim_templates, claim_protos):
            cname = claim_name(t, s.name, ordinal)
            _bound_claim(writer, proto, cname, node_name, provisioner)
            volumes.append({"name": proto["template_name"],
                            "persistentVolumeClaim": {"claimName": cname}})
        labels = dict(plabels)
        labels[pu.POD_NAME_LABEL] = name
        labels[pu.POD_INDEX_LABEL] = str(ordinal)
        meta = dict(pmeta)
        meta["name"] = name
        meta["labels"] = labels
        spec = dict(pspec)
        spec["hostname"] = name
        if "volumes" in pspec:
            spec["volumes"] = volumes + extra_volumes
        spec["nodeName"] = node_name
        status = dict(pstatus)
        host_ip = host_ips.get(node_name)
        if host_ip is None:
            host_ip = host_ips[node_name] = node_address(node)
        status["hostIP"] = host_ip
        status["hostIPs"] = [{"ip": host_ip}]
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
        # The kubelet names a container by the pod's uid, or "<ns>/<name>" before it has one
        # (running_ready_status is given the pod before its create).
        status["containerStatuses"] = [dict(c, containerID=container_id(f"{ns}/{name}", c["name"], 0))
                                       for c in pstatus["containerStatuses"]]
        pod = dict(pod_proto)
        pod["metadata"], pod["spec"], pod["status"] = meta, spec, status
        writer.put("pods", writer.stamp("pods", pod))


def _pod_prototype(store, sts: dict, template: dict, ordinal: int, revision: str,
                   placement: tuple[dict, str]) -> dict:
    """The pod of `ordinal` as the API path builds and admits it (not stored; no uid)."""
    node, ip = placement
    pod = new_pod(sts, template, ordinal, revision)
    pod["spec"]["nodeName"] = node["metadata"]["name"]
    pod["status"] = running_ready_status(pod, node, ip, _stamp(store))
    return store._admit("pods", pod, None)


def _claim_prototype(store, sts: dict, template: dict, ordinal: int, sc: dict) -> dict:
    """The parts of a set's claims and volumes that are alike, from the claim of `ordinal`."""
    claim = new_claim(sts, template, ordinal)
    claim["spec"].setdefault("storageClassName", sc["metadata"]["name"])
    claim["metadata"]["finalizers"] = [PVC_PROTECTION]
    claim = store._admit("persistentvolumeclaims", claim, None)
    placeholder = dict(claim, metadata=dict(claim["metadata"], uid="00000000-0000-4000-8000-000000000000"))
    volume = provisioned_volume(placeholder, sc, None)      # name, claimRef and path are per claim
    volume["metadata"]["finalizers"] = [PV_PROTECTION]
    volume["status"] = {"phase": "Bound"}
    volume = store._admit("persistentvolumes", volume, None)
    return {"claim": claim, "volume": volume,
            "template_name": (template.get("metadata") or {}).get("name", ""),
            "bound_status": {"phase": "Bound", "accessModes": volume["spec"]["accessModes"],
                             "capacity": volume["spec"]["capacity"]}}


def _bound_claim(writer: BulkWriter, proto: dict, cname: str, node_name: str, provisioner: str) -> None:
    """Store claim `cname` bound to a volume provisioned for it on `node_name`."""
    pclaim, pvol = proto["claim"], proto["volume"]
    cmeta = dict(pclaim["metadata"])
    cmeta["name"] = cname
    cmeta["annotations"] = {pu.SELECTED_NODE: node_name,
                            "volume.kubernetes.io/storage-provisioner": provisioner,
                            "volume.beta.kubernetes.io/storage-provisioner": provisioner}
    claim = dict(pclaim)
    claim["metadata"] = cmeta
    writer.stamp("persistentvolumeclaims", claim)
    created_rv = writer.skip()          # the claim's create; its bind is the version it keeps
    uid = cmeta["uid"]
    ns = cmeta["namespace"]
    vname = f"pvc-{uid}"
    vmeta = dict(pvol["metadata"])
    vmeta["name"] = vname
    vmeta["annotations"] = {"pv.kubernetes.io/provisioned-by": provisioner,
                            "local.path.provisioner/selected-node": node_name}
    vspec = dict(pvol["spec"])
    vspec["claimRef"] = {"kind": "PersistentVolumeClaim", "namespace": ns, "name": cname,
                         "uid": uid, "apiVersion": "v1", "resourceVersion": str(created_rv)}
    if "hostPath" in vspec:
        vspec["hostPath"] = {"path": f"/var/local-path-provisioner/{vname}_{ns}_{cname}",
                             "type": "DirectoryOrCreate"}
    elif "csi" in vspec:
        vspec["csi"] = dict(vspec["csi"], volumeHandle=vname)
    volume = dict(pvol)
    volume["metadata"], volume["spec"] = vmeta, vspec
    writer.put("persistentvolumes", writer.stamp("persistentvolumes", volume))
    cmeta["annotations"].update(BIND_ANNOTATIONS)
    cspec = dict(pclaim["spec"])
    cspec["volumeName"] = vname
    claim["spec"] = cspec
    claim["status"] = proto["bound_status"]
    writer.put("persistentvolumeclaims", claim)


def _stamp(store) -> str:
    return rfc3339(store.clock.now())
