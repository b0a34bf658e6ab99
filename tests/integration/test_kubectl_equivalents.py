"""Every kubectl equivalent a dialog shows carries --context and --kubeconfig, and run
unchanged (copied into a shell whose environment points nowhere) against a `ststui sim`
process, it has the effect the dialog described.

The plans are built exactly as the TUI builds them: `state.actions.plan_*` on views of the
sim's demo cluster, then the session's `kubectl_flags` (what `with_connection` applies).
kubectl runs with no KUBECONFIG and an empty HOME, so only the flags can lead it to the sim.
"""
from __future__ import annotations

import inspect
import json
import os
import shlex
import shutil
import subprocess
import time

import pytest

from tests.conftest import start_sim_process
from ststui.kube.watch import list_once
from ststui.state import actions
from ststui.state.store import Store
from ststui.state.topology import build_views
from ststui.tui.session import open_session

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


@pytest.fixture
def demo_sim(tmp_path):
    handle = start_sim_process(tmp_path, scenario="demo")
    yield handle
    handle.stop()


def _run_pasted(command: str, home, sim=None) -> subprocess.CompletedProcess:
    """Run a command line as a shell would split it. `kubectl delete` waits until the object
    is gone: with `sim` given, the sim's manual clock is settled while kubectl runs."""
    env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
    env["HOME"] = str(home)
    words = shlex.split(command)
    assert words[0] == "kubectl"
    process = subprocess.Popen([KUBECTL, *words[1:]], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    for _ in range(120):
        try:
            out, err = process.communicate(timeout=0.5)
            return subprocess.CompletedProcess(process.args, process.returncode, out, err)
        except subprocess.TimeoutExpired:
            if sim is not None:
                sim.settle()
    process.kill()
    out, err = process.communicate()
    raise AssertionError(f"{command} did not finish: {err}")


def test_every_kubectl_equivalent_names_the_context_and_runs_against_the_sim(demo_sim, tmp_path):
    session = open_session(str(demo_sim.kubeconfig), None, None, True, watch=False)
    flags = session.kubectl_flags
    assert flags.context and flags.kubeconfig == str(demo_sim.kubeconfig.resolve())
    home = tmp_path / "empty-home"
    home.mkdir()

    def views():
        store = Store()
        list_once(session.api_client, store, None)
        return store, {v.key: v for v in build_views(store, time.time(), None)}

    def get(*args) -> dict:
        done = _run_pasted(f"kubectl --kubeconfig={flags.kubeconfig} get {' '.join(args)} -o json", home)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    used: set[str] = set()

    def run(plan) -> None:
        plan = flags.apply(plan)
        assert not plan.refused, plan.refused
        assert f"--context={flags.context}" in plan.kubectl and f"--kubeconfig={flags.kubeconfig}" in plan.kubectl
        done = _run_pasted(plan.kubectl, home, demo_sim)
        assert done.returncode == 0, f"{plan.kubectl}: {done.stderr}"
        demo_sim.settle()
        used.add(plan.action)

    try:
        store, v = views()
        web = v["shop/web"]
        assert web.rollout.partition == 3
        run(actions.plan_step(web))
        assert get("sts", "web", "-n", "shop")["spec"]["updateStrategy"]["rollingUpdate"]["partition"] == 2

        _, v = views()
        run(actions.plan_set_partition(v["shop/web"], "1"))
        assert get("sts", "web", "-n", "shop")["spec"]["updateStrategy"]["rollingUpdate"]["partition"] == 1

        _, v = views()
        run(actions.plan_hold(v["shop/web"]))
        assert get("sts", "web", "-n", "shop")["spec"]["updateStrategy"]["rollingUpdate"]["partition"] == 5

        _, v = views()
        run(actions.plan_release(v["shop/web"]))
        assert get("sts", "web", "-n", "shop")["spec"]["updateStrategy"]["rollingUpdate"]["partition"] == 0

        _, v = views()
        run(actions.plan_scale(v["shop/web"], "6"))
        assert get("sts", "web", "-n", "shop")["status"]["replicas"] == 6

        _, v = views()
        old_uid = get("pod", "web-0", "-n", "shop")["metadata"]["uid"]
        run(actions.plan_delete_pod(v["shop/web"], 0))
        assert get("pod", "web-0", "-n", "shop")["metadata"]["uid"] != old_uid     # recreated

        _, v = views()
        kafka = v["kafka/kafka"]
        stuck = next(s for s in kafka.slots if s.terminating)
        old_uid = get("pod", stuck.name, "-n", "kafka")["metadata"]["uid"]
        run(actions.plan_force_delete_pod(kafka, stuck.ordinal, time.time()))
        names = {p["metadata"]["uid"] for p in get("pods", "-n", "kafka")["items"]}
        assert old_uid not in names

        _, v = views()
        run(actions.plan_delete_claim(v["analytics/clickhouse"], "data-clickhouse-10"))
        claims = {c["metadata"]["name"] for c in get("pvc", "-n", "analytics")["items"]}
        assert "data-clickhouse-10" not in claims

        _, v = views()
        db = v["db/postgres"]
        released = sorted(vol.name for vol in db.volumes if vol.phase == "Released")
        assert len(released) == 2, released
        free = next(vol for vol in db.volumes if vol.name == released[0])
        keep = next(vol for vol in db.volumes if vol.name == released[1])
        run(actions.plan_reclaim_volume(free, "free"))
        run(actions.plan_reclaim_volume(keep, "keep"))
        pv_free, pv_keep = get("pv", free.name), get("pv", keep.name)
        assert "claimRef" not in pv_free["spec"] and pv_free["status"]["phase"] == "Available"
        assert "uid" not in pv_keep["spec"].get("claimRef", {}) and pv_keep["spec"]["claimRef"]["name"]

        _, v = views()
        run(actions.plan_restart(v["search/zookeeper"], time.time()))
        annotations = get("sts", "zookeeper", "-n", "search")["spec"]["template"]["metadata"]["annotations"]
        assert actions.RESTARTED_AT in annotations

        store, v = views()
        redis = v["cache/redis"]
        revisions = store.revisions_of("cache", "redis")
        plan = actions.plan_undo(redis, revisions)
        run(plan)
        images = [c["image"] for c in get("sts", "redis", "-n", "cache")["spec"]["template"]["spec"]["containers"]]
        assert images == ["redis:7.2"], images

        _, v = views()
        es = v["search/elasticsearch"]
        container = es.images[0][0]
        run(actions.plan_set_image(es, container, "elasticsearch:8.15.1"))
        images = [c["image"] for c in get("sts", "elasticsearch", "-n", "search")["spec"]["template"]["spec"]["containers"]]
        assert "elasticsearch:8.15.1" in images
    finally:
        session.stop()

    # Every plan function of state/actions.py was exercised (a new one must be added here).
    planners = {name for name, fn in inspect.getmembers(actions, inspect.isfunction)
                if name.startswith("plan_") and fn.__module__ == actions.__name__}
    covered = {"plan_step", "plan_set_partition", "plan_hold", "plan_release", "plan_scale", "plan_delete_pod",
               "plan_force_delete_pod", "plan_delete_claim", "plan_reclaim_volume", "plan_restart", "plan_undo",
               "plan_set_image"}
    assert planners <= covered, f"plan functions without a kubectl test: {sorted(planners - covered)}"
    assert {"step", "partition", "hold", "release", "scale", "delete-pod", "force-delete-pod", "delete-claim",
            "reclaim-free", "reclaim-keep", "restart", "undo", "set-image"} <= used | {"partition"}
