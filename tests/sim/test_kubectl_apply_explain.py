"""kubectl against `ststui sim`: `apply --server-side` twice, a second manager, a conflict and
--force-conflicts; `explain` reads the sim's OpenAPI documents."""
from __future__ import annotations

import re

import pytest

from test_kubectl import KUBECTL, MANIFESTS, Kubectl

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


@pytest.fixture
def kubectl(sim_process) -> Kubectl:
    return Kubectl(sim_process)


def test_apply_server_side_twice_then_a_conflict_then_force(kubectl):
    manifest = (MANIFESTS / "web.yaml").read_text()
    assert "statefulset.apps/web serverside-applied" in kubectl("apply", "--server-side", "-f", "-", stdin=manifest)
    assert "statefulset.apps/web serverside-applied" in kubectl("apply", "--server-side", "-f", "-", stdin=manifest)
    kubectl("apply", "--server-side", "--field-manager=gitops", "-f", "-", stdin=manifest)   # same values: co-owned
    owners = kubectl("get", "sts", "web", "-o", "jsonpath={.metadata.managedFields[*].manager}").split()
    assert owners == ["kubectl", "gitops"]
    changed = re.sub(r"replicas: \d+", "replicas: 4", manifest, count=1)
    done = kubectl.run("apply", "--server-side", "--field-manager=gitops", "-f", "-", stdin=changed, ok=False)
    assert done.returncode == 1
    assert 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas' in done.stderr
    assert kubectl("get", "sts", "web", "-o", "jsonpath={.spec.replicas}") == "2"
    kubectl("apply", "--server-side", "--field-manager=gitops", "--force-conflicts", "-f", "-", stdin=changed)
    assert kubectl("get", "sts", "web", "-o", "jsonpath={.spec.replicas}") == "4"
    done = kubectl.run("apply", "--server-side", "-f", "-", stdin=manifest, ok=False)
    assert done.returncode == 1 and 'conflict with "gitops": .spec.replicas' in done.stderr


def test_explain_statefulset_spec_update_strategy(kubectl):
    out = kubectl("explain", "statefulset.spec.updateStrategy")
    assert "KIND:       StatefulSet" in out and "VERSION:    v1" in out
    assert "FIELD: updateStrategy <StatefulSetUpdateStrategy>" in out
    assert "rollingUpdate\t<RollingUpdateStatefulSetStrategy>" in out and "type\t<string>" in out
    out = kubectl("explain", "sts.spec")
    assert "podManagementPolicy\t<string>" in out and "replicas\t<integer>" in out
    assert "volumeClaimTemplates\t<[]PersistentVolumeClaim>" in out
    assert "minAvailable" in kubectl("explain", "pdb.spec")


def test_create_and_apply_still_work_with_the_schemas_served(kubectl):
    kubectl("apply", "-f", str(MANIFESTS / "web.yaml"))
    kubectl("apply", "-f", str(MANIFESTS / "web-v2.yaml"))
    assert kubectl("get", "sts", "web", "-o", "jsonpath={.spec.template.spec.containers[*].name}") == "nginx"
