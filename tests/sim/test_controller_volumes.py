"""PV binding, provisioning, reclaiming and protection, in-process on a manual clock."""
import pytest

from ststui.sim.controllers.volumes import PV_PROTECTION, PVC_PROTECTION, find_match, parse_quantity
from ststui.sim.scenarios import static_volume

from controller_kit import make_sts, names, patch, pods_of, ready


def claim(name, size="1Gi", storage_class="retained", modes=("ReadWriteOnce",), selector=None):
    spec = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}}
    if storage_class is not None:
        spec["storageClassName"] = storage_class
    if selector:
        spec["selector"] = selector
    return {"metadata": {"name": name}, "spec": spec}


def pv(cluster, name, size, storage_class="retained", modes=("ReadWriteOnce",), labels=None):
    body = static_volume(name, size, storage_class, f"/mnt/{name}")
    body["spec"]["accessModes"] = list(modes)
    if labels:
        body["metadata"]["labels"] = labels
    return cluster.store.create("persistentvolumes", body)


def get(cluster, plural, name, ns="default"):
    return cluster.store.find(plural, ns if plural != "persistentvolumes" else None, name)


def pod_using(name, claim_name, node=None):
    spec = {"containers": [{"name": "app", "image": "busybox:1.36"}],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}]}
    if node:
        spec["nodeName"] = node
    return {"metadata": {"name": name}, "spec": spec}


@pytest.mark.parametrize("text,value", [("1Gi", 2 ** 30), ("500Mi", 500 * 2 ** 20), ("10G", 10 ** 10),
                                        ("1.5Ti", 1.5 * 2 ** 40), ("100", 100), (5, 5), ("junk", 0)])
def test_parse_quantity(text, value):
    assert parse_quantity(text) == value


def test_static_binding_picks_the_smallest_matching_volume(cluster):
    pv(cluster, "pv-small", "1Gi")
    pv(cluster, "pv-big", "50Gi")
    pv(cluster, "pv-mid", "10Gi")
    pv(cluster, "pv-mid-other-class", "5Gi", storage_class="fast")
    pv(cluster, "pv-mid-rox", "6Gi", modes=("ReadOnlyMany",))
    c = cluster.store.create("persistentvolumeclaims", claim("data", "4Gi"), "default")
    cluster.settle()
    bound = get(cluster, "persistentvolumeclaims", "data")
    assert bound["spec"]["volumeName"] == "pv-mid"
    assert bound["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}}
    volume = get(cluster, "persistentvolumes", "pv-mid")
    assert volume["status"]["phase"] == "Bound"
    ref = volume["spec"]["claimRef"]
    assert ref["kind"] == "PersistentVolumeClaim" and ref["apiVersion"] == "v1"
    assert (ref["namespace"], ref["name"], ref["uid"]) == ("default", "data", c["metadata"]["uid"])
    assert ref["resourceVersion"]
    assert PVC_PROTECTION in bound["metadata"]["finalizers"]
    assert PV_PROTECTION in volume["metadata"]["finalizers"]
    assert [get(cluster, "persistentvolumes", n)["status"]["phase"] for n in ("pv-small", "pv-big")] == \
        ["Available", "Available"]


def test_access_modes_must_be_a_subset_and_selectors_must_match(cluster):
    pv(cluster, "pv-rwo", "5Gi", labels={"disk": "hdd"})
    pv(cluster, "pv-rwx", "5Gi", modes=("ReadWriteOnce", "ReadWriteMany"), labels={"disk": "ssd"})
    cluster.store.create("persistentvolumeclaims", claim("shared", modes=("ReadWriteMany",)), "default")
    cluster.store.create("persistentvolumeclaims", claim("picky", selector={"matchLabels": {"disk": "hdd"}}),
                         "default")
    cluster.settle()
    assert get(cluster, "persistentvolumeclaims", "shared")["spec"]["volumeName"] == "pv-rwx"
    assert get(cluster, "persistentvolumeclaims", "picky")["spec"]["volumeName"] == "pv-rwo"


def test_find_match_prefers_a_volume_reserved_for_the_claim():
    c = {"metadata": {"namespace": "db", "name": "data-0", "uid": "u1"},
         "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}

    def vol(name, size, ref=None):
        return {"metadata": {"name": name}, "spec": {"capacity": {"storage": size}, "accessModes": ["ReadWriteOnce"],
                                                     "claimRef": ref}, "status": {"phase": "Available"}}
    small = vol("small", "1Gi")
    reserved = vol("reserved", "9Gi", {"namespace": "db", "name": "data-0"})
    other = vol("other", "1Gi", {"namespace": "db", "name": "data-1"})
    assert find_match([small, reserved, other], c, "")["metadata"]["name"] == "reserved"
    assert find_match([small, other], c, "")["metadata"]["name"] == "small"


def test_dynamic_provisioning_names_the_volume_after_the_claim(cluster):
    c = cluster.store.create("persistentvolumeclaims", claim("data", "3Gi"), "default")   # retained: Immediate
    cluster.settle()
    volume = get(cluster, "persistentvolumes", f"pvc-{c['metadata']['uid']}")
    assert volume is not None
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert volume["spec"]["storageClassName"] == "retained"
    assert volume["spec"]["capacity"] == {"storage": "3Gi"}
    assert volume["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "rancher.io/local-path"
    assert get(cluster, "persistentvolumeclaims", "data")["status"]["phase"] == "Bound"
    reasons = [e["reason"] for e in cluster.store.items("events", "default")
               if e["involvedObject"]["name"] == "data"]
    assert "ProvisioningSucceeded" in reasons


def test_claim_without_a_class_gets_the_default_class(cluster):
    cluster.store.create("persistentvolumeclaims", claim("data", storage_class=None), "default")
    cluster.settle()
    assert get(cluster, "persistentvolumeclaims", "data")["spec"]["storageClassName"] == "standard"


def test_wait_for_first_consumer_binds_only_once_a_pod_is_scheduled(cluster):
    cluster.store.create("persistentvolumeclaims", claim("data", storage_class="standard"), "default")
    cluster.advance(300)
    c = get(cluster, "persistentvolumeclaims", "data")
    assert c["status"]["phase"] == "Pending" and not cluster.store.items("persistentvolumes")
    assert any(e["reason"] == "WaitForFirstConsumer" for e in cluster.store.items("events", "default"))
    cluster.store.create("pods", pod_using("user", "data"), "default")
    cluster.settle()
    c = get(cluster, "persistentvolumeclaims", "data")
    p = get(cluster, "pods", "user")
    assert c["status"]["phase"] == "Bound"
    assert c["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == p["spec"]["nodeName"]
    assert ready(p)


def test_pod_waits_for_an_unbound_immediate_claim(cluster):
    cluster.store.create("persistentvolumeclaims", claim("data", storage_class="nowhere"), "default")
    cluster.store.create("pods", pod_using("user", "data"), "default")
    cluster.advance(60)
    p = get(cluster, "pods", "user")
    assert not p["spec"].get("nodeName")
    cond = [c for c in p["status"]["conditions"] if c["type"] == "PodScheduled"][0]
    assert cond["status"] == "False" and "unbound immediate PersistentVolumeClaims" in cond["message"]
    assert any(e["reason"] == "FailedScheduling" for e in cluster.store.items("events", "default"))


def test_claim_deleted_retain_releases_and_delete_removes_the_volume(cluster):
    kept = cluster.store.create("persistentvolumeclaims", claim("kept", storage_class="retained"), "default")
    cluster.store.create("persistentvolumeclaims", claim("gone", storage_class="standard"), "default")
    cluster.store.create("pods", pod_using("user", "gone"), "default")
    cluster.settle()
    gone_volume = get(cluster, "persistentvolumeclaims", "gone")["spec"]["volumeName"]
    cluster.store.delete("pods", "default", "user")
    cluster.settle()
    cluster.store.delete("persistentvolumeclaims", "default", "kept")
    cluster.store.delete("persistentvolumeclaims", "default", "gone")
    cluster.settle()
    released = get(cluster, "persistentvolumes", f"pvc-{kept['metadata']['uid']}")
    assert released["status"]["phase"] == "Released"
    assert released["spec"]["claimRef"]["uid"] == kept["metadata"]["uid"]
    assert get(cluster, "persistentvolumes", gone_volume) is None
    # a new claim of the same name does not get the Released volume
    again = cluster.store.create("persistentvolumeclaims", claim("kept", storage_class="retained"), "default")
    cluster.settle()
    assert get(cluster, "persistentvolumeclaims", "kept")["spec"]["volumeName"] == f"pvc-{again['metadata']['uid']}"


def test_released_volume_freed_by_removing_claim_ref_binds_any_claim(cluster):
    pv(cluster, "pv-1", "5Gi")
    cluster.store.create("persistentvolumeclaims", claim("first"), "default")
    cluster.settle()
    cluster.store.delete("persistentvolumeclaims", "default", "first")
    cluster.settle()
    assert get(cluster, "persistentvolumes", "pv-1")["status"]["phase"] == "Released"
    cluster.store.patch("persistentvolumes", None, "pv-1", "merge", {"spec": {"claimRef": None}})
    cluster.settle()
    volume = get(cluster, "persistentvolumes", "pv-1")
    assert volume["status"]["phase"] == "Available" and "claimRef" not in volume["spec"]
    cluster.store.create("persistentvolumeclaims", claim("second", "5Gi"), "default")
    cluster.settle()
    assert get(cluster, "persistentvolumeclaims", "second")["spec"]["volumeName"] == "pv-1"


def test_released_volume_with_only_the_uid_removed_waits_for_its_claim(cluster):
    pv(cluster, "pv-1", "5Gi")
    cluster.store.create("persistentvolumeclaims", claim("data-0"), "default")
    cluster.settle()
    cluster.store.delete("persistentvolumeclaims", "default", "data-0")
    cluster.settle()
    cluster.store.patch("persistentvolumes", None, "pv-1", "json", [
        {"op": "remove", "path": "/spec/claimRef/uid"},
        {"op": "remove", "path": "/spec/claimRef/resourceVersion"}])
    cluster.settle()
    assert get(cluster, "persistentvolumes", "pv-1")["status"]["phase"] == "Available"
    cluster.store.create("persistentvolumeclaims", claim("data-9", "5Gi"), "default")   # provisioned instead
    cluster.settle()
    assert get(cluster, "persistentvolumeclaims", "data-9")["spec"]["volumeName"] != "pv-1"
    back = cluster.store.create("persistentvolumeclaims", claim("data-0"), "default")
    cluster.settle()
    assert get(cluster, "persistentvolumeclaims", "data-0")["spec"]["volumeName"] == "pv-1"
    assert get(cluster, "persistentvolumes", "pv-1")["spec"]["claimRef"]["uid"] == back["metadata"]["uid"]


def test_in_use_claim_stays_terminating_until_its_pod_is_gone(cluster):
    cluster.store.create("persistentvolumeclaims", claim("data"), "default")
    cluster.store.create("pods", pod_using("user", "data"), "default")
    cluster.settle()
    cluster.store.delete("persistentvolumeclaims", "default", "data")
    cluster.advance(600)
    c = get(cluster, "persistentvolumeclaims", "data")
    assert c is not None and c["metadata"].get("deletionTimestamp")
    cluster.store.delete("pods", "default", "user")
    cluster.settle()
    assert get(cluster, "persistentvolumeclaims", "data") is None


def test_bound_volume_stays_terminating_while_bound(cluster):
    pv(cluster, "pv-1", "5Gi")
    cluster.store.create("persistentvolumeclaims", claim("data"), "default")
    cluster.settle()
    cluster.store.delete("persistentvolumes", None, "pv-1")
    cluster.settle()
    assert get(cluster, "persistentvolumes", "pv-1")["metadata"].get("deletionTimestamp")
    cluster.store.delete("persistentvolumeclaims", "default", "data")
    cluster.settle()
    assert get(cluster, "persistentvolumes", "pv-1") is None


# --------------------------------------------------------------------------- with StatefulSets

def test_scale_down_leaves_orphan_claims_reused_on_scale_up(cluster):
    make_sts(cluster, replicas=3)
    cluster.settle()
    claims = {c["metadata"]["name"]: c["metadata"]["uid"] for c in cluster.store.items("persistentvolumeclaims")}
    patch(cluster, {"spec": {"replicas": 1}})
    cluster.settle()
    assert names(cluster.store.items("persistentvolumeclaims")) == ["data-web-0", "data-web-1", "data-web-2"]
    assert all(c["status"]["phase"] == "Bound" for c in cluster.store.items("persistentvolumeclaims"))
    patch(cluster, {"spec": {"replicas": 3}})
    cluster.settle()
    assert {c["metadata"]["name"]: c["metadata"]["uid"] for c in cluster.store.items("persistentvolumeclaims")} == claims
    assert pods_of(cluster)[2]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "data-web-2"


def test_when_scaled_delete_removes_the_claims_of_removed_pods(cluster):
    make_sts(cluster, replicas=3, extra_spec={"persistentVolumeClaimRetentionPolicy": {"whenScaled": "Delete"}})
    cluster.settle()
    volume = get(cluster, "persistentvolumeclaims", "data-web-2")["spec"]["volumeName"]
    assert not get(cluster, "persistentvolumeclaims", "data-web-0")["metadata"].get("ownerReferences")
    patch(cluster, {"spec": {"replicas": 1}})
    cluster.settle()
    assert names(cluster.store.items("persistentvolumeclaims")) == ["data-web-0"]
    assert get(cluster, "persistentvolumes", volume) is None        # standard: reclaim Delete
    cluster.store.delete("statefulsets", "default", "web")
    cluster.settle()
    assert names(cluster.store.items("persistentvolumeclaims")) == ["data-web-0"]   # whenDeleted: Retain


def test_when_deleted_delete_removes_claims_with_the_set(cluster):
    s = make_sts(cluster, replicas=2, extra_spec={"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete"}})
    cluster.settle()
    c = get(cluster, "persistentvolumeclaims", "data-web-1")
    assert c["metadata"]["ownerReferences"][0]["uid"] == s["metadata"]["uid"]
    patch(cluster, {"spec": {"replicas": 1}})
    cluster.settle()
    assert names(cluster.store.items("persistentvolumeclaims")) == ["data-web-0", "data-web-1"]  # whenScaled: Retain
    cluster.store.delete("statefulsets", "default", "web")
    cluster.settle()
    assert cluster.store.items("persistentvolumeclaims") == [] and cluster.store.items("pods") == []


def test_retention_policy_change_updates_owner_references(cluster):
    make_sts(cluster, replicas=1)
    cluster.settle()
    assert not get(cluster, "persistentvolumeclaims", "data-web-0")["metadata"].get("ownerReferences")
    patch(cluster, {"spec": {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete"}}})
    cluster.settle()
    refs = get(cluster, "persistentvolumeclaims", "data-web-0")["metadata"]["ownerReferences"]
    assert [r["kind"] for r in refs] == ["StatefulSet"]


def test_reserved_volume_comes_back_to_its_claim_on_scale_up(cluster):
    make_sts(cluster, replicas=4, storage_class="retained")
    cluster.settle()
    volume = get(cluster, "persistentvolumeclaims", "data-web-3")["spec"]["volumeName"]
    patch(cluster, {"spec": {"replicas": 3}})
    cluster.settle()
    cluster.store.delete("persistentvolumeclaims", "default", "data-web-3")
    cluster.settle()
    assert get(cluster, "persistentvolumes", volume)["status"]["phase"] == "Released"
    cluster.store.patch("persistentvolumes", None, volume, "json", [
        {"op": "remove", "path": "/spec/claimRef/uid"}, {"op": "remove", "path": "/spec/claimRef/resourceVersion"}])
    cluster.settle()
    assert get(cluster, "persistentvolumes", volume)["status"]["phase"] == "Available"
    patch(cluster, {"spec": {"replicas": 4}})
    cluster.settle()
    c = get(cluster, "persistentvolumeclaims", "data-web-3")
    assert c["spec"]["volumeName"] == volume and c["status"]["phase"] == "Bound"
    assert ready(pods_of(cluster)[3])


def test_pod_whose_claim_is_being_deleted_is_not_recreated_until_it_is_gone(cluster):
    make_sts(cluster, replicas=2)
    cluster.settle()
    cluster.store.delete("persistentvolumeclaims", "default", "data-web-1")   # in use: Terminating
    cluster.store.delete("pods", "default", "web-1")
    cluster.settle()
    c = get(cluster, "persistentvolumeclaims", "data-web-1")
    assert c is not None and not c["metadata"].get("deletionTimestamp")       # a fresh claim
    assert ready(pods_of(cluster)[1])
