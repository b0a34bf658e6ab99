"""kubectl against a `ststui sim` process: every command of issue #2's "Done when" list exits 0
and its effect shows in the next `get`. The sim runs on a manual clock; tests move it with
POST /_sim/settle between steps instead of sleeping."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

KUBECTL = shutil.which("kubectl")
MANIFESTS = Path(__file__).parent / "manifests"
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


def versioned_kubectls() -> list[str]:
    """kubectl.1.27 .. kubectl.1.33 where they sit beside the binary `kubectl` links to."""
    if KUBECTL is None:
        return []
    folder = Path(os.path.realpath(KUBECTL)).parent
    return sorted(p.name for p in folder.glob("kubectl.1.*") if os.access(p, os.X_OK))


class Kubectl:
    def __init__(self, sim, binary: str | None = None) -> None:
        self.sim = sim
        self.binary = binary or KUBECTL

    def run(self, *args: str, ok: bool = True, timeout: float = 60, stdin: str | None = None):
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        env["HOME"] = str(self.sim.kubeconfig.parent)  # no cache or config from the host's ~/.kube
        done = subprocess.run([self.binary, "--kubeconfig", str(self.sim.kubeconfig), *args],
                              capture_output=True, text=True, timeout=timeout, env=env, input=stdin)
        if ok:
            assert done.returncode == 0, f"kubectl {' '.join(args)} failed: {done.stderr}"
        return done

    def __call__(self, *args: str, **kw) -> str:
        return self.run(*args, **kw).stdout

    def json(self, *args: str) -> dict:
        return json.loads(self("get", *args, "-o", "json"))

    def settle(self) -> None:
        self.sim.settle()


@pytest.fixture
def kubectl(sim_process) -> Kubectl:
    return Kubectl(sim_process)


def apply_web(kubectl: Kubectl, replicas: int | None = None) -> None:
    kubectl("apply", "-f", str(MANIFESTS / "web.yaml"))
    if replicas is not None:
        kubectl("scale", "sts", "web", f"--replicas={replicas}")
    kubectl.settle()


def images(kubectl: Kubectl) -> dict[str, str]:
    pods = kubectl.json("pods", "-l", "app=nginx")["items"]
    return {p["metadata"]["name"]: p["spec"]["containers"][0]["image"] for p in pods}


# --------------------------------------------------------------------------- create / apply / get

def test_create_then_get_every_kind_in_every_format(kubectl):
    out = kubectl("create", "-f", str(MANIFESTS / "web.yaml"))
    assert "service/nginx created" in out and "statefulset.apps/web created" in out
    kubectl.settle()
    table = kubectl("get", "sts")
    assert table.split("\n")[0].split() == ["NAME", "READY", "AGE"]
    assert "web" in table and "2/2" in table
    pods = kubectl("get", "po")
    assert pods.split("\n")[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert "web-0" in pods and "web-1" in pods and "Running" in pods
    wide = kubectl("get", "po", "-o", "wide")
    assert "NODE" in wide and "IP" in wide and "node-" in wide
    claims = kubectl("get", "pvc")
    assert "www-web-0" in claims and "Bound" in claims
    volumes = kubectl("get", "pv", "-o", "wide")
    assert "default/www-web-0" in volumes and "VOLUMEMODE" in volumes
    nodes = kubectl("get", "no")
    assert "Ready" in nodes and "node-1" in nodes
    events = kubectl("get", "ev")
    assert "SuccessfulCreate" in events
    doc = json.loads(kubectl("get", "sts", "web", "-o", "json"))
    assert doc["kind"] == "StatefulSet" and doc["status"]["readyReplicas"] == 2
    listed = yaml.safe_load(kubectl("get", "sts,po,pvc,pv", "-o", "yaml"))
    kinds = {item["kind"] for item in listed["items"]}
    assert kinds == {"StatefulSet", "Pod", "PersistentVolumeClaim", "PersistentVolume"}
    assert "web" in kubectl("get", "sts", "-A", "-o", "wide")


def test_apply_twice_uses_strategic_merge_patch(kubectl):
    out = kubectl("apply", "-f", str(MANIFESTS / "web.yaml"))
    assert "statefulset.apps/web created" in out
    kubectl.settle()
    second = kubectl.run("apply", "-f", str(MANIFESTS / "web-v2.yaml"), "-v=8")
    assert "statefulset.apps/web configured" in second.stdout
    assert "PATCH" in second.stderr and "statefulsets/web" in second.stderr
    assert "Content-Type: application/strategic-merge-patch+json" in second.stderr
    kubectl.settle()
    sts = kubectl.json("sts", "web")
    assert sts["spec"]["replicas"] == 3
    assert sts["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.9.2"
    assert "kubectl.kubernetes.io/last-applied-configuration" in sts["metadata"]["annotations"]
    assert set(images(kubectl).values()) == {"nginx:1.9.2"}
    assert "unchanged" in kubectl("apply", "-f", str(MANIFESTS / "web-v2.yaml")).split("\n")[0]


def test_get_watch_for_a_bounded_time_sees_new_pods(kubectl):
    apply_web(kubectl)
    watch = subprocess.Popen([kubectl.binary, "--kubeconfig", str(kubectl.sim.kubeconfig), "get", "pods", "-w",
                              "-l", "app=nginx", "--request-timeout=3s"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, HOME=str(kubectl.sim.kubeconfig.parent)))
    try:
        first = watch.stdout.readline()   # the header: the initial list has been printed
        assert first.split()[:3] == ["NAME", "READY", "STATUS"]
        kubectl("scale", "sts", "web", "--replicas=3")
        kubectl.settle()
        out, _ = watch.communicate(timeout=30)
    finally:
        if watch.poll() is None:
            watch.kill()
            watch.communicate()
    assert watch.returncode == 0
    lines = [line.split() for line in out.splitlines() if line.strip()]
    web2 = [line for line in lines if line[0] == "web-2"]
    assert web2 and web2[0][2] in ("Pending", "ContainerCreating")
    assert web2[-1][1:3] == ["1/1", "Running"]


# --------------------------------------------------------------------------- scale / patch / set image

def test_scale(kubectl):
    apply_web(kubectl)
    assert "scaled" in kubectl("scale", "sts", "web", "--replicas=4")
    kubectl.settle()
    assert sorted(images(kubectl)) == ["web-0", "web-1", "web-2", "web-3"]
    kubectl("scale", "sts/web", "--replicas=1")
    kubectl.settle()
    assert sorted(images(kubectl)) == ["web-0"]
    assert len(kubectl.json("pvc")["items"]) == 4  # claims stay behind


def test_patch_strategic_merge_and_json(kubectl):
    apply_web(kubectl)
    kubectl("patch", "sts", "web", "-p",
            '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":1}}}}')
    kubectl("patch", "sts", "web", "--type", "merge", "-p", '{"metadata":{"labels":{"tier":"web"}}}')
    kubectl("patch", "sts", "web", "--type", "json", "-p", '[{"op":"replace","path":"/spec/replicas","value":3}]')
    kubectl.settle()
    sts = kubectl.json("sts", "web")
    assert sts["spec"]["updateStrategy"]["rollingUpdate"]["partition"] == 1
    assert sts["metadata"]["labels"] == {"tier": "web"}
    assert sts["spec"]["replicas"] == 3 and sts["status"]["readyReplicas"] == 3
    bad = kubectl.run("patch", "sts", "web", "--type", "merge", "-p", '{"spec":{"replicas":-1}}', ok=False)
    assert bad.returncode != 0 and "must be greater than or equal to 0" in bad.stderr


def test_set_image_and_rollout_status_when_finished(kubectl):
    apply_web(kubectl)
    assert "image updated" in kubectl("set", "image", "sts/web", "nginx=nginx:1.27")
    kubectl.settle()
    status = kubectl("rollout", "status", "sts/web", "--timeout=20s")
    assert "roll out complete" in status and "2 new pods" in status
    assert set(images(kubectl).values()) == {"nginx:1.27"}
    sts = kubectl.json("sts", "web")
    assert sts["status"]["currentRevision"] == sts["status"]["updateRevision"]


def test_rollout_status_of_a_partitioned_rollout(kubectl):
    apply_web(kubectl, replicas=3)
    kubectl("patch", "sts", "web", "-p",
            '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}')
    kubectl("set", "image", "sts/web", "nginx=nginx:1.27")
    kubectl.settle()
    status = kubectl("rollout", "status", "sts/web", "--timeout=20s")
    assert "partitioned roll out complete: 1 new pods have been updated" in status
    assert images(kubectl) == {"web-0": "nginx:1.9.1", "web-1": "nginx:1.9.1", "web-2": "nginx:1.27"}


def test_rollout_history_undo_and_restart(kubectl):
    apply_web(kubectl)
    kubectl("set", "image", "sts/web", "nginx=nginx:1.27")
    kubectl.settle()
    history = kubectl("rollout", "history", "sts/web")
    assert [line.split()[0] for line in history.splitlines() if line[:1].isdigit()] == ["1", "2"]
    assert "nginx:1.9.1" in kubectl("rollout", "history", "sts/web", "--revision=1")
    assert "rolled back" in kubectl("rollout", "undo", "sts/web")
    kubectl.settle()
    assert set(images(kubectl).values()) == {"nginx:1.9.1"}
    before = {p["metadata"]["name"]: p["metadata"]["uid"] for p in kubectl.json("pods")["items"]}
    assert "restarted" in kubectl("rollout", "restart", "sts/web")
    kubectl.settle()
    sts = kubectl.json("sts", "web")
    assert "kubectl.kubernetes.io/restartedAt" in sts["spec"]["template"]["metadata"]["annotations"]
    after = {p["metadata"]["name"]: p["metadata"]["uid"] for p in kubectl.json("pods")["items"]}
    assert sorted(after) == sorted(before) and all(after[n] != before[n] for n in before)
    assert "roll out complete" in kubectl("rollout", "status", "sts/web", "--timeout=20s")


# --------------------------------------------------------------------------- delete / volumes

def test_delete_pod_graceful_and_forced(kubectl):
    apply_web(kubectl)
    uids = {p["metadata"]["name"]: p["metadata"]["uid"] for p in kubectl.json("pods")["items"]}
    assert 'pod "web-1" deleted' in kubectl("delete", "pod", "web-1", "--wait=false")
    assert "Terminating" in kubectl("get", "pod", "web-1")
    kubectl.settle()
    pod = kubectl.json("pod", "web-1")
    assert pod["metadata"]["uid"] != uids["web-1"] and pod["status"]["phase"] == "Running"
    forced = kubectl.run("delete", "pod", "web-0", "--force", "--grace-period=0")
    assert 'pod "web-0" force deleted' in forced.stdout
    kubectl.settle()
    pod = kubectl.json("pod", "web-0")
    assert pod["metadata"]["uid"] != uids["web-0"] and pod["status"]["phase"] == "Running"


def test_patch_released_volume_claim_ref_null(kubectl):
    kubectl("apply", "-f", "-", stdin=yaml.safe_dump_all([
        {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-3"},
         "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                  "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "manual",
                  "hostPath": {"path": "/tmp/pv-3"}}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data-3"},
         "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "manual",
                  "resources": {"requests": {"storage": "1Gi"}}}}]))
    kubectl.settle()
    assert kubectl.json("pv", "pv-3")["status"]["phase"] == "Bound"
    kubectl("delete", "pvc", "data-3")
    kubectl.settle()
    released = kubectl.json("pv", "pv-3")
    assert released["status"]["phase"] == "Released" and released["spec"]["claimRef"]["name"] == "data-3"
    assert "patched" in kubectl("patch", "pv", "pv-3", "-p", '{"spec":{"claimRef":null}}')
    kubectl.settle()
    freed = kubectl.json("pv", "pv-3")
    assert freed["status"]["phase"] == "Available" and "claimRef" not in freed["spec"]
    assert "Available" in kubectl("get", "pv", "pv-3")


# --------------------------------------------------------------------------- other kubectl versions

@pytest.mark.parametrize("binary", versioned_kubectls())
def test_versions_create_apply_get_scale(sim_process, binary):
    kubectl = Kubectl(sim_process, str(Path(os.path.realpath(KUBECTL)).parent / binary))
    kubectl("create", "-f", str(MANIFESTS / "web.yaml"))
    kubectl.settle()
    second = kubectl.run("apply", "-f", str(MANIFESTS / "web-v2.yaml"), "-v=8")
    assert "statefulset.apps/web configured" in second.stdout
    assert "Content-Type: application/strategic-merge-patch+json" in second.stderr
    kubectl("scale", "sts", "web", "--replicas=4")
    kubectl.settle()
    out = kubectl("get", "sts,po", "-o", "wide")
    assert "4/4" in out and "web-3" in out and "nginx:1.9.2" in out
