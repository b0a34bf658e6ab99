"""Patch types of the simulated API server (ststui.sim.patching).

The kubectl bodies below were captured verbatim from kubectl v1.32.4 talking to
a recording server: `apply -f` of an edited StatefulSet (image changed, a
container port, an env var and a finalizer removed, a volume switched from
emptyDir to configMap), `set image`, `apply -f` of a Service with a port
removed, and `rollout restart`.
"""

import copy
import json

import pytest

from ststui.sim.patching import PatchError, json_patch, merge_patch, strategic_merge_patch


def directive_keys(value, path=""):
    """Every key starting with '$' anywhere in a JSON value (there must be none in a result)."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.startswith("$"):
                found.append(f"{path}.{key}")
            found.extend(directive_keys(item, f"{path}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(directive_keys(item, f"{path}[{index}]"))
    return found


def shares_containers(a, b):
    """True if some dict or list inside `a` is the very same object as one inside `b`."""

    def ids(value, into):
        if isinstance(value, (dict, list)):
            into.add(id(value))
            for item in value.values() if isinstance(value, dict) else value:
                ids(item, into)
        return into

    return bool(ids(a, set()) & ids(b, set()))


# --- bodies kubectl 1.32 sends ----------------------------------------------

# application/strategic-merge-patch+json PATCH /apis/apps/v1/namespaces/default/statefulsets/web?fieldManager=kubectl-client-side-apply&fieldValidation=Ignore
APPLY_WEB_PATCH = json.loads(
    r'''
{
    "metadata": {
        "$deleteFromPrimitiveList/finalizers": [
            "example.com/audit"
        ],
        "$setElementOrder/finalizers": [
            "example.com/keep"
        ],
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"annotations\":{},\"finalizers\":[\"example.com/keep\"],\"labels\":{\"app\":\"nginx\"},\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"nginx\"}},\"serviceName\":\"nginx\",\"template\":{\"metadata\":{\"labels\":{\"app\":\"nginx\"}},\"spec\":{\"containers\":[{\"env\":[{\"name\":\"MODE\",\"value\":\"primary\"}],\"image\":\"nginx:1.27\",\"name\":\"nginx\",\"ports\":[{\"containerPort\":80,\"name\":\"web\"}],\"volumeMounts\":[{\"mountPath\":\"/usr/share/nginx/html\",\"name\":\"www\"},{\"mountPath\":\"/scratch\",\"name\":\"scratch\"}]}],\"volumes\":[{\"configMap\":{\"name\":\"scratch-cm\"},\"name\":\"scratch\"}]}},\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"www\"},\"spec\":{\"accessModes\":[\"ReadWriteOnce\"],\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}]}}\n"
        }
    },
    "spec": {
        "template": {
            "spec": {
                "$setElementOrder/containers": [
                    {
                        "name": "nginx"
                    }
                ],
                "$setElementOrder/volumes": [
                    {
                        "name": "scratch"
                    }
                ],
                "containers": [
                    {
                        "$setElementOrder/env": [
                            {
                                "name": "MODE"
                            }
                        ],
                        "$setElementOrder/ports": [
                            {
                                "containerPort": 80
                            }
                        ],
                        "env": [
                            {
                                "$patch": "delete",
                                "name": "DEBUG"
                            }
                        ],
                        "image": "nginx:1.27",
                        "name": "nginx",
                        "ports": [
                            {
                                "$patch": "delete",
                                "containerPort": 9113
                            }
                        ]
                    }
                ],
                "volumes": [
                    {
                        "$retainKeys": [
                            "configMap",
                            "name"
                        ],
                        "configMap": {
                            "name": "scratch-cm"
                        },
                        "emptyDir": null,
                        "name": "scratch"
                    }
                ]
            }
        }
    }
}
'''
)

# application/strategic-merge-patch+json PATCH /apis/apps/v1/namespaces/default/statefulsets/web?fieldManager=kubectl-set
SET_IMAGE_WEB_PATCH = json.loads(
    r'''
{
    "spec": {
        "template": {
            "spec": {
                "$setElementOrder/containers": [
                    {
                        "name": "nginx"
                    }
                ],
                "containers": [
                    {
                        "image": "nginx:1.28",
                        "name": "nginx"
                    }
                ]
            }
        }
    }
}
'''
)

# application/strategic-merge-patch+json PATCH /apis/apps/v1/namespaces/default/statefulsets/db?fieldManager=kubectl-client-side-apply&fieldValidation=Ignore
APPLY_DB_PATCH = json.loads(
    r'''
{
    "metadata": {
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"annotations\":{},\"name\":\"db\",\"namespace\":\"default\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"db\"}},\"serviceName\":\"db\",\"template\":{\"metadata\":{\"labels\":{\"app\":\"db\"}},\"spec\":{\"containers\":[{\"image\":\"postgres:16.4\",\"name\":\"postgres\",\"ports\":[{\"containerPort\":5432,\"name\":\"pg\"}]}]}}}}\n"
        }
    },
    "spec": {
        "template": {
            "spec": {
                "$setElementOrder/containers": [
                    {
                        "name": "postgres"
                    }
                ],
                "containers": [
                    {
                        "$setElementOrder/ports": [
                            {
                                "containerPort": 5432
                            }
                        ],
                        "image": "postgres:16.4",
                        "name": "postgres",
                        "ports": [
                            {
                                "$patch": "delete",
                                "containerPort": 9187
                            }
                        ]
                    }
                ]
            }
        }
    }
}
'''
)

# application/strategic-merge-patch+json PATCH /api/v1/namespaces/default/services/db?fieldManager=kubectl-client-side-apply&fieldValidation=Ignore
APPLY_SERVICE_PATCH = json.loads(
    r'''
{
    "metadata": {
        "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"name\":\"db\",\"namespace\":\"default\"},\"spec\":{\"clusterIP\":\"None\",\"ports\":[{\"name\":\"pg\",\"port\":5432}],\"selector\":{\"app\":\"db\"}}}\n"
        }
    },
    "spec": {
        "$setElementOrder/ports": [
            {
                "port": 5432
            }
        ],
        "ports": [
            {
                "$patch": "delete",
                "port": 9187
            }
        ]
    }
}
'''
)

# application/strategic-merge-patch+json PATCH /apis/apps/v1/namespaces/default/statefulsets/db?fieldManager=kubectl-rollout
ROLLOUT_RESTART_PATCH = json.loads(
    r'''
{
    "spec": {
        "template": {
            "metadata": {
                "annotations": {
                    "kubectl.kubernetes.io/restartedAt": "2026-11-23T10:31:38Z"
                }
            }
        }
    }
}
'''
)

LAST_APPLIED_V1 = json.dumps({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"}})


def live_web():
    """StatefulSet `web` as an API server holds it after `kubectl apply` of the first manifest."""
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "name": "web",
            "namespace": "default",
            "uid": "7d1c6a52-0b7e-4a63-9c43-3b0d7f3f1a10",
            "resourceVersion": "1042",
            "generation": 1,
            "creationTimestamp": "2025-01-01T00:00:00Z",
            "labels": {"app": "nginx"},
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": LAST_APPLIED_V1,
                "team": "storage",
            },
            "finalizers": ["example.com/keep", "example.com/audit"],
        },
        "spec": {
            "serviceName": "nginx",
            "replicas": 3,
            "podManagementPolicy": "OrderedReady",
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": "nginx"}},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "template": {
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {
                    "containers": [
                        {
                            "name": "nginx",
                            "image": "nginx:1.26",
                            "imagePullPolicy": "IfNotPresent",
                            "ports": [
                                {"containerPort": 80, "name": "web", "protocol": "TCP"},
                                {"containerPort": 9113, "name": "metrics", "protocol": "TCP"},
                            ],
                            "env": [
                                {"name": "MODE", "value": "primary"},
                                {"name": "DEBUG", "value": "1"},
                            ],
                            "resources": {},
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File",
                            "volumeMounts": [
                                {"name": "www", "mountPath": "/usr/share/nginx/html"},
                                {"name": "scratch", "mountPath": "/scratch"},
                            ],
                        }
                    ],
                    "volumes": [{"name": "scratch", "emptyDir": {}}],
                    "dnsPolicy": "ClusterFirst",
                    "restartPolicy": "Always",
                    "schedulerName": "default-scheduler",
                    "securityContext": {},
                    "terminationGracePeriodSeconds": 30,
                },
            },
            "volumeClaimTemplates": [
                {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "www"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                        "volumeMode": "Filesystem",
                    },
                    "status": {"phase": "Pending"},
                }
            ],
        },
        "status": {
            "observedGeneration": 1,
            "replicas": 3,
            "readyReplicas": 3,
            "currentRevision": "web-5d8f7b9c6",
            "updateRevision": "web-5d8f7b9c6",
        },
    }


def live_db():
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "default", "annotations": {}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "db"}},
            "serviceName": "db",
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {
                    "containers": [
                        {
                            "name": "postgres",
                            "image": "postgres:16.3",
                            "ports": [
                                {"containerPort": 5432, "name": "pg", "protocol": "TCP"},
                                {"containerPort": 9187, "name": "metrics", "protocol": "TCP"},
                            ],
                            "terminationMessagePath": "/dev/termination-log",
                        }
                    ]
                },
            },
        },
    }


# --- strategic merge patch: what kubectl sends ------------------------------


def test_kubectl_apply_changes_image_and_removes_a_container_port():
    live = live_db()
    result = strategic_merge_patch(live, APPLY_DB_PATCH, "StatefulSet")
    (container,) = result["spec"]["template"]["spec"]["containers"]
    assert container == {
        "name": "postgres",
        "image": "postgres:16.4",
        "ports": [{"containerPort": 5432, "name": "pg", "protocol": "TCP"}],
        "terminationMessagePath": "/dev/termination-log",
    }
    assert result["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"].startswith(
        '{"apiVersion":"apps/v1","kind":"StatefulSet"'
    )
    assert result["spec"]["replicas"] == 2
    assert directive_keys(result) == []


def test_kubectl_apply_of_an_edited_statefulset_with_every_directive():
    live = live_web()
    before = copy.deepcopy(live)
    patch_before = copy.deepcopy(APPLY_WEB_PATCH)

    result = strategic_merge_patch(live, APPLY_WEB_PATCH, "StatefulSet")

    assert live == before and APPLY_WEB_PATCH == patch_before  # inputs untouched
    assert directive_keys(result) == []
    metadata = result["metadata"]
    # $deleteFromPrimitiveList/finalizers + $setElementOrder/finalizers
    assert metadata["finalizers"] == ["example.com/keep"]
    # the annotation is replaced, annotations kubectl does not manage stay
    assert metadata["annotations"]["team"] == "storage"
    applied = json.loads(metadata["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert applied["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert metadata["uid"] == before["metadata"]["uid"]

    pod_spec = result["spec"]["template"]["spec"]
    (container,) = pod_spec["containers"]
    assert container == {
        "name": "nginx",
        "image": "nginx:1.27",
        "imagePullPolicy": "IfNotPresent",
        # the removed port is gone; the server-defaulted protocol of the kept one stays
        "ports": [{"containerPort": 80, "name": "web", "protocol": "TCP"}],
        "env": [{"name": "MODE", "value": "primary"}],
        "resources": {},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [
            {"name": "www", "mountPath": "/usr/share/nginx/html"},
            {"name": "scratch", "mountPath": "/scratch"},
        ],
    }
    # $retainKeys drops the old volume source
    assert pod_spec["volumes"] == [{"name": "scratch", "configMap": {"name": "scratch-cm"}}]
    # everything the patch does not mention is kept as it was
    for field in ("dnsPolicy", "restartPolicy", "schedulerName", "securityContext", "terminationGracePeriodSeconds"):
        assert pod_spec[field] == before["spec"]["template"]["spec"][field]
    assert result["spec"]["volumeClaimTemplates"] == before["spec"]["volumeClaimTemplates"]
    assert result["spec"]["updateStrategy"] == before["spec"]["updateStrategy"]
    assert result["status"] == before["status"]


def test_kubectl_set_image_changes_only_that_containers_image():
    live = live_web()
    live["spec"]["template"]["spec"]["containers"].append({"name": "exporter", "image": "exporter:0.1"})
    result = strategic_merge_patch(live, SET_IMAGE_WEB_PATCH, "StatefulSet")
    containers = result["spec"]["template"]["spec"]["containers"]
    # $setElementOrder names only nginx: the server-only exporter keeps its place after it
    assert [c["name"] for c in containers] == ["nginx", "exporter"]
    expected_nginx = dict(live["spec"]["template"]["spec"]["containers"][0], image="nginx:1.28")
    assert containers[0] == expected_nginx
    assert containers[1] == {"name": "exporter", "image": "exporter:0.1"}
    assert directive_keys(result) == []


def test_kubectl_apply_of_a_service_removes_a_port_by_its_port_number():
    live = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "db", "namespace": "default", "annotations": {}},
        "spec": {
            "clusterIP": "None",
            "clusterIPs": ["None"],
            "selector": {"app": "db"},
            "ports": [
                {"name": "pg", "port": 5432, "protocol": "TCP", "targetPort": 5432},
                {"name": "metrics", "port": 9187, "protocol": "TCP", "targetPort": 9187},
            ],
        },
    }
    result = strategic_merge_patch(live, APPLY_SERVICE_PATCH, "Service")
    assert result["spec"]["ports"] == [{"name": "pg", "port": 5432, "protocol": "TCP", "targetPort": 5432}]
    assert result["spec"]["clusterIPs"] == ["None"]
    assert directive_keys(result) == []


def test_kubectl_rollout_restart_adds_the_restarted_at_annotation():
    live = live_db()
    live["spec"]["template"]["metadata"]["annotations"] = {"prometheus.io/scrape": "true"}
    result = strategic_merge_patch(live, ROLLOUT_RESTART_PATCH, "StatefulSet")
    assert result["spec"]["template"]["metadata"] == {
        "labels": {"app": "db"},
        "annotations": {
            "prometheus.io/scrape": "true",
            "kubectl.kubernetes.io/restartedAt": ROLLOUT_RESTART_PATCH["spec"]["template"]["metadata"]["annotations"][
                "kubectl.kubernetes.io/restartedAt"
            ],
        },
    }


def test_kubectl_patch_adds_a_container_before_the_existing_ones_like_the_apiserver():
    live = live_db()
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox"}]}}}}
    result = strategic_merge_patch(live, patch, "StatefulSet")
    containers = result["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["sidecar", "postgres"]
    assert containers[1] == live["spec"]["template"]["spec"]["containers"][0]


def test_controller_revision_data_restores_the_whole_template():
    """`kubectl rollout undo` applies a ControllerRevision's data: a template with `$patch: replace`."""
    live = live_web()
    revision_data = {
        "spec": {
            "template": {
                "$patch": "replace",
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]},
            }
        }
    }
    result = strategic_merge_patch(live, revision_data, "StatefulSet")
    assert result["spec"]["template"] == {
        "metadata": {"labels": {"app": "nginx"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]},
    }
    assert result["spec"]["replicas"] == 3


def test_patch_pv_claim_ref_null_removes_it():
    pv = {
        "kind": "PersistentVolume",
        "metadata": {"name": "pv-1"},
        "spec": {
            "capacity": {"storage": "1Gi"},
            "claimRef": {"kind": "PersistentVolumeClaim", "name": "www-web-0", "namespace": "default", "uid": "u1"},
            "persistentVolumeReclaimPolicy": "Retain",
        },
        "status": {"phase": "Released"},
    }
    result = strategic_merge_patch(pv, {"spec": {"claimRef": None}}, "PersistentVolume")
    assert "claimRef" not in result["spec"]
    assert result["spec"]["capacity"] == {"storage": "1Gi"}
    assert pv["spec"]["claimRef"]["uid"] == "u1"


# --- strategic merge patch: merge keys --------------------------------------


def pod(**spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


@pytest.mark.parametrize(
    "field, key, existing, change, expected",
    [
        (
            "volumes",
            "name",
            [{"name": "a", "emptyDir": {}}, {"name": "b", "secret": {"secretName": "s"}}],
            [{"name": "b", "secret": {"defaultMode": 256}}],
            [{"name": "a", "emptyDir": {}}, {"name": "b", "secret": {"secretName": "s", "defaultMode": 256}}],
        ),
        (
            "imagePullSecrets",
            "name",
            [{"name": "reg-a"}],
            [{"name": "reg-b"}],
            [{"name": "reg-b"}, {"name": "reg-a"}],
        ),
        (
            "hostAliases",
            "ip",
            [{"ip": "10.0.0.1", "hostnames": ["a"]}],
            [{"ip": "10.0.0.1", "hostnames": ["b"]}],
            [{"ip": "10.0.0.1", "hostnames": ["b"]}],
        ),
        (
            "topologySpreadConstraints",
            "topologyKey",
            [{"topologyKey": "zone", "maxSkew": 1}, {"topologyKey": "host", "maxSkew": 1}],
            [{"topologyKey": "zone", "maxSkew": 2}],
            [{"topologyKey": "zone", "maxSkew": 2}, {"topologyKey": "host", "maxSkew": 1}],
        ),
        (
            "initContainers",
            "name",
            [{"name": "init", "image": "busybox", "command": ["sh"]}],
            [{"name": "init", "image": "busybox:1.36"}],
            [{"name": "init", "image": "busybox:1.36", "command": ["sh"]}],
        ),
    ],
)
def test_pod_spec_lists_merge_on_their_keys(field, key, existing, change, expected):
    result = strategic_merge_patch(pod(**{field: existing}), {"spec": {field: change}}, "Pod")
    assert result["spec"][field] == expected


def test_container_lists_merge_on_their_keys():
    live = pod(
        containers=[
            {
                "name": "app",
                "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443, "protocol": "TCP"}],
                "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "logs", "mountPath": "/logs"}],
                "volumeDevices": [{"name": "raw", "devicePath": "/dev/xvda"}],
            }
        ]
    )
    change = {
        "spec": {
            "containers": [
                {
                    "name": "app",
                    "ports": [{"containerPort": 443, "name": "https"}],
                    "env": [{"name": "B", "value": "3"}, {"name": "C", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}],
                    "volumeMounts": [{"mountPath": "/logs", "readOnly": True}],
                    "volumeDevices": [{"devicePath": "/dev/xvda", "name": "raw2"}],
                }
            ]
        }
    }
    (container,) = strategic_merge_patch(live, change, "Pod")["spec"]["containers"]
    assert container["ports"] == [
        {"containerPort": 80, "protocol": "TCP"},
        {"containerPort": 443, "protocol": "TCP", "name": "https"},
    ]
    # B keeps its place after A (the live order), the new C follows B (the patch order)
    assert container["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "3"},
        {"name": "C", "valueFrom": {"fieldRef": {"fieldPath": "x"}}},
    ]
    assert container["volumeMounts"] == [
        {"name": "data", "mountPath": "/data"},
        {"name": "logs", "mountPath": "/logs", "readOnly": True},
    ]
    assert container["volumeDevices"] == [{"name": "raw2", "devicePath": "/dev/xvda"}]


def test_ports_merge_on_container_port_in_pods_and_on_port_in_services():
    change = {"spec": {"ports": [{"port": 80, "containerPort": 80, "name": "renamed"}]}}
    service = {"kind": "Service", "spec": {"ports": [{"port": 80, "name": "http"}, {"port": 81, "name": "alt"}]}}
    assert strategic_merge_patch(service, change, "Service")["spec"]["ports"] == [
        {"port": 80, "name": "renamed", "containerPort": 80},
        {"port": 81, "name": "alt"},
    ]
    container_change = {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80, "name": "renamed"}]}]}}
    live = pod(containers=[{"name": "c", "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 81}]}])
    assert strategic_merge_patch(live, container_change, "Pod")["spec"]["containers"][0]["ports"] == [
        {"containerPort": 80, "name": "renamed"},
        {"containerPort": 81},
    ]


def test_status_conditions_merge_on_type_and_owner_references_on_uid():
    live = {
        "kind": "Pod",
        "metadata": {
            "name": "web-0",
            "ownerReferences": [{"uid": "u1", "kind": "StatefulSet", "name": "web", "controller": True}],
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "PodScheduled", "status": "True"},
            ],
        },
    }
    change = {
        "metadata": {"ownerReferences": [{"uid": "u1", "blockOwnerDeletion": True}]},
        "status": {"conditions": [{"type": "Ready", "status": "Unknown", "reason": "NodeLost"}]},
    }
    result = strategic_merge_patch(live, change, "Pod")
    assert result["status"]["conditions"] == [
        {"type": "Ready", "status": "Unknown", "reason": "NodeLost"},
        {"type": "PodScheduled", "status": "True"},
    ]
    assert result["metadata"]["ownerReferences"] == [
        {"uid": "u1", "kind": "StatefulSet", "name": "web", "controller": True, "blockOwnerDeletion": True}
    ]


def test_node_conditions_and_addresses_merge_on_type():
    node = {
        "kind": "Node",
        "spec": {"podCIDRs": ["10.0.0.0/24"], "taints": [{"key": "a", "effect": "NoSchedule"}]},
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}, {"type": "DiskPressure", "status": "False"}],
            "addresses": [{"type": "InternalIP", "address": "10.1.1.1"}, {"type": "Hostname", "address": "n1"}],
        },
    }
    change = {
        "spec": {"podCIDRs": ["fd00::/64"], "taints": [{"key": "b", "effect": "NoExecute"}]},
        "status": {
            "conditions": [{"type": "Ready", "status": "Unknown"}],
            "addresses": [{"type": "Hostname", "address": "node-1"}],
        },
    }
    result = strategic_merge_patch(node, change, "Node")
    assert [c["status"] for c in result["status"]["conditions"]] == ["Unknown", "False"]
    assert result["status"]["addresses"][1] == {"type": "Hostname", "address": "node-1"}
    assert sorted(result["spec"]["podCIDRs"]) == ["10.0.0.0/24", "fd00::/64"]
    assert result["spec"]["taints"] == [{"key": "b", "effect": "NoExecute"}]  # atomic


@pytest.mark.parametrize(
    "path, old, new",
    [
        (("spec", "template", "spec", "tolerations"), [{"key": "a", "operator": "Exists"}], [{"key": "b", "operator": "Exists"}]),
        (("spec", "template", "spec", "containers", 0, "args"), ["--a", "--b"], ["--c"]),
        (("spec", "template", "spec", "containers", 0, "command"), ["sh", "-c"], ["bash"]),
        (("spec", "volumeClaimTemplates"), [{"metadata": {"name": "www"}}], [{"metadata": {"name": "data"}}]),
        (("spec", "selector", "matchExpressions"), [{"key": "a", "operator": "Exists"}], [{"key": "b", "operator": "Exists"}]),
    ],
)
def test_lists_without_a_merge_key_are_replaced_whole(path, old, new):
    def build(value):
        sts = {"kind": "StatefulSet", "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "c"}]}}}}
        node = sts
        for step, nxt in zip(path[:-1], path[1:]):
            node = node[step]
        node[path[-1]] = value
        return sts

    live = build(old)
    patch = build(new)
    if "containers" in path:
        patch["spec"]["template"]["spec"]["containers"][0] = {"name": "c", path[-1]: new}
    result = strategic_merge_patch(live, patch, "StatefulSet")
    node = result
    for step in path:
        node = node[step]
    assert node == new


def test_finalizers_merge_as_a_set_and_other_kinds_use_generic_rules():
    live = {"kind": "PersistentVolumeClaim", "metadata": {"finalizers": ["kubernetes.io/pvc-protection"]}}
    result = strategic_merge_patch(
        live, {"metadata": {"finalizers": ["example.com/a", "kubernetes.io/pvc-protection"]}}, "PersistentVolumeClaim"
    )
    assert result["metadata"]["finalizers"] == ["example.com/a", "kubernetes.io/pvc-protection"]
    result = strategic_merge_patch(live, {"metadata": {"finalizers": ["example.com/b"]}}, "Whatever")
    assert sorted(result["metadata"]["finalizers"]) == ["example.com/b", "kubernetes.io/pvc-protection"]
    conditions = {"kind": "PersistentVolumeClaim", "status": {"conditions": [{"type": "Resizing", "status": "True"}]}}
    result = strategic_merge_patch(
        conditions, {"status": {"conditions": [{"type": "FileSystemResizePending", "status": "True"}]}}, "PersistentVolumeClaim"
    )
    assert [c["type"] for c in result["status"]["conditions"]] == ["FileSystemResizePending", "Resizing"]


# --- strategic merge patch: directives --------------------------------------


def test_null_deletes_keys_and_unmatched_nulls_vanish():
    live = {"kind": "StatefulSet", "metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"replicas": 3}}
    result = strategic_merge_patch(
        live, {"metadata": {"labels": {"a": None, "c": None}}, "spec": {"minReadySeconds": None}}, "StatefulSet"
    )
    assert result == {"kind": "StatefulSet", "metadata": {"labels": {"b": "2"}}, "spec": {"replicas": 3}}


def test_new_objects_lose_their_nulls_and_directives():
    live = pod(containers=[{"name": "a"}])
    change = {
        "spec": {
            "securityContext": {"runAsUser": 1000, "fsGroup": None},
            "volumes": [{"name": "v", "$retainKeys": ["name", "emptyDir"], "emptyDir": {"medium": None}}],
            "containers": [
                {"name": "b", "$setElementOrder/ports": [{"containerPort": 1}], "ports": [{"containerPort": 1}]}
            ],
        }
    }
    result = strategic_merge_patch(live, change, "Pod")
    assert result["spec"]["securityContext"] == {"runAsUser": 1000}
    assert result["spec"]["volumes"] == [{"name": "v", "emptyDir": {}}]
    assert result["spec"]["containers"] == [{"name": "b", "ports": [{"containerPort": 1}]}, {"name": "a"}]
    assert directive_keys(result) == []


def test_patch_replace_on_a_map_and_on_a_list():
    live = pod(
        nodeSelector={"disk": "ssd", "zone": "a"},
        containers=[{"name": "a", "image": "a"}, {"name": "b", "image": "b"}],
    )
    change = {
        "spec": {
            "nodeSelector": {"$patch": "replace", "zone": "b"},
            "containers": [{"name": "c", "image": "c"}, {"$patch": "replace"}],
        }
    }
    result = strategic_merge_patch(live, change, "Pod")
    assert result["spec"]["nodeSelector"] == {"zone": "b"}
    assert result["spec"]["containers"] == [{"name": "c", "image": "c"}]


def test_patch_delete_on_list_elements_and_maps():
    live = pod(
        containers=[{"name": "a"}, {"name": "b"}, {"name": "c"}],
        affinity={"nodeAffinity": {"x": 1}},
    )
    change = {
        "spec": {
            "containers": [{"name": "b", "$patch": "delete"}, {"name": "zzz", "$patch": "delete"}],
            "affinity": {"$patch": "delete"},
            "dnsConfig": {"$patch": "delete"},
        }
    }
    result = strategic_merge_patch(live, change, "Pod")
    assert result["spec"]["containers"] == [{"name": "a"}, {"name": "c"}]
    assert result["spec"]["affinity"] == {}  # as the apiserver: the map is emptied
    assert "dnsConfig" not in result["spec"]


def test_explicit_merge_directive_on_a_map_merges():
    live = pod(nodeSelector={"disk": "ssd"})
    result = strategic_merge_patch(live, {"spec": {"nodeSelector": {"$patch": "merge", "zone": "a"}}}, "Pod")
    assert result["spec"]["nodeSelector"] == {"disk": "ssd", "zone": "a"}


def test_retain_keys_clears_unlisted_fields():
    live = {
        "kind": "Deployment",
        "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}},
    }
    change = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}
    result = strategic_merge_patch(live, change, "Deployment")
    assert result["spec"]["strategy"] == {"type": "Recreate"}


def test_retain_keys_refuses_a_patch_setting_an_unlisted_field():
    change = {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": {}}}}
    with pytest.raises(PatchError) as caught:
        strategic_merge_patch({"spec": {}}, change, "Deployment")
    assert caught.value.code == 400
    assert "retainKeys" in str(caught.value)


def test_set_element_order_reorders_and_interleaves_server_only_elements():
    live = pod(
        containers=[
            {"name": "one"},
            {"name": "two", "image": "2"},
            {"name": "seven"},
            {"name": "nine"},
            {"name": "three"},
            {"name": "four"},
        ]
    )
    change = {
        "spec": {
            "$setElementOrder/containers": [{"name": "two"}, {"name": "one"}, {"name": "four"}, {"name": "three"}],
        }
    }
    result = strategic_merge_patch(live, change, "Pod")
    assert [c["name"] for c in result["spec"]["containers"]] == ["two", "one", "seven", "nine", "four", "three"]
    assert result["spec"]["containers"][0] == {"name": "two", "image": "2"}


def test_set_element_order_places_new_elements():
    live = pod(containers=[{"name": "a", "image": "old"}, {"name": "b"}])
    change = {
        "spec": {
            "$setElementOrder/containers": [{"name": "new"}, {"name": "a"}, {"name": "b"}, {"name": "last"}],
            "containers": [{"name": "new"}, {"name": "a", "image": "fresh"}, {"name": "last"}],
        }
    }
    result = strategic_merge_patch(live, change, "Pod")
    assert result["spec"]["containers"] == [
        {"name": "new"},
        {"name": "a", "image": "fresh"},
        {"name": "b"},
        {"name": "last"},
    ]


def test_set_element_order_must_list_the_patched_elements_in_order():
    live = pod(containers=[{"name": "a"}, {"name": "b"}])
    change = {
        "spec": {
            "$setElementOrder/containers": [{"name": "a"}, {"name": "b"}],
            "containers": [{"name": "b", "image": "x"}, {"name": "a", "image": "y"}],
        }
    }
    with pytest.raises(PatchError) as caught:
        strategic_merge_patch(live, change, "Pod")
    assert caught.value.code == 400


def test_primitive_list_directives():
    live = {"kind": "Pod", "metadata": {"finalizers": ["a", "b", "c"]}}
    change = {
        "metadata": {
            "$setElementOrder/finalizers": ["c", "d", "a"],
            "$deleteFromPrimitiveList/finalizers": ["b"],
            "finalizers": ["d"],
        }
    }
    assert strategic_merge_patch(live, change, "Pod")["metadata"]["finalizers"] == ["c", "d", "a"]
    # deleting from a list that is not there does not create it
    result = strategic_merge_patch({"metadata": {}}, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}, "Pod")
    assert result == {"metadata": {}}


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"spec": {"containers": [{"image": "no-name"}]}}, "merge key 'name'"),
        ({"spec": {"containers": [{"$patch": "delete"}]}}, "merge key 'name'"),
        ({"spec": {"containers": ["nginx"]}}, "objects"),
        ({"spec": {"containers": [{"name": "a", "$patch": "merge"}]}}, "$patch: merge"),
        ({"spec": {"containers": [{"name": "a", "$patch": "explode"}]}}, "explode"),
        ({"spec": {"$patch": "explode"}}, "explode"),
        ({"spec": {"$frobnicate": 1}}, "$frobnicate"),
        ({"spec": {"$setElementOrder/containers": "a"}}, "must be a list"),
        ({"spec": {"$setElementOrder/containers": ["a"]}}, "merge key"),
        ({"metadata": {"$deleteFromPrimitiveList/finalizers": "a"}}, "list of plain values"),
        ({"metadata": {"finalizers": [{"a": 1}]}}, "plain values"),
        ({"spec": {"$retainKeys": "name"}}, "$retainKeys"),
    ],
)
def test_malformed_strategic_patches_are_400_with_a_readable_message(change, fragment):
    with pytest.raises(PatchError) as caught:
        strategic_merge_patch(pod(containers=[{"name": "a"}]), change, "Pod")
    assert caught.value.code == 400
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_strategic_patch_must_be_an_object():
    with pytest.raises(PatchError) as caught:
        strategic_merge_patch({}, [{"op": "add"}], "Pod")
    assert caught.value.code == 400


def test_type_changes_replace_the_value():
    live = pod(nodeSelector={"a": "b"}, hostname="x")
    result = strategic_merge_patch(live, {"spec": {"nodeSelector": "oops", "hostname": {"$patch": "replace", "v": 1}}}, "Pod")
    assert result["spec"] == {"nodeSelector": "oops", "hostname": {"v": 1}}


def test_strategic_patch_result_shares_nothing_with_its_inputs():
    live = live_web()
    patch = copy.deepcopy(APPLY_WEB_PATCH)
    patch["spec"]["template"]["spec"]["tolerations"] = [{"key": "k", "operator": "Exists"}]
    patch["spec"]["template"]["metadata"] = {"annotations": {"new": "yes"}, "labels": {"extra": "1"}}
    result = strategic_merge_patch(live, patch, "StatefulSet")
    assert not shares_containers(result, live)
    assert not shares_containers(result, patch)


# --- RFC 7386 merge patch ---------------------------------------------------


@pytest.mark.parametrize(
    "target, patch, expected",
    [  # the examples of RFC 7386 appendix A
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
        ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
        ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ],
)
def test_merge_patch_follows_rfc_7386(target, patch, expected):
    assert merge_patch(target, patch) == expected


def test_merge_patch_replaces_lists_and_never_mutates():
    live = live_db()
    before = copy.deepcopy(live)
    patch = {"spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "only"}]}}}, "status": None}
    result = merge_patch(live, patch)
    assert live == before
    assert result["spec"]["replicas"] == 5
    assert result["spec"]["template"]["spec"]["containers"] == [{"name": "only"}]
    assert result["spec"]["template"]["metadata"] == before["spec"]["template"]["metadata"]
    assert "status" not in result
    assert not shares_containers(result, live) and not shares_containers(result, patch)


def test_merge_patch_pv_claim_ref_null_and_uid_null():
    pv = {"spec": {"claimRef": {"name": "www-web-0", "namespace": "default", "uid": "u1"}}}
    assert merge_patch(pv, {"spec": {"claimRef": {"uid": None}}}) == {
        "spec": {"claimRef": {"name": "www-web-0", "namespace": "default"}}
    }
    assert merge_patch(pv, {"spec": {"claimRef": None}}) == {"spec": {}}


@pytest.mark.parametrize("patch", [[{"op": "add"}], "x", 3, None])
def test_merge_patch_must_be_an_object(patch):
    with pytest.raises(PatchError) as caught:
        merge_patch({}, patch)
    assert caught.value.code == 400


# --- RFC 6902 JSON patch ----------------------------------------------------


@pytest.mark.parametrize(
    "target, ops, expected",
    [  # the examples of RFC 6902 appendix A that apply to objects
        ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
        ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
        ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
        ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
        ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo", "foo": "bar"}),
        (
            {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
            [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
            {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
        ),
        (
            {"foo": ["all", "grass", "cows", "eat"]},
            [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
            {"foo": ["all", "cows", "eat", "grass"]},
        ),
        (
            {"baz": "qux", "foo": ["a", 2, "c"]},
            [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
            {"baz": "qux", "foo": ["a", 2, "c"]},
        ),
        ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}], {"foo": "bar", "child": {"grandchild": {}}}),
        ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], {"foo": ["bar", ["abc", "def"]]}),
        ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
        ({"/": 9}, [{"op": "replace", "path": "/~1", "value": 1}], {"/": 1}),
        ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}], {"a": {"b": 1}, "c": {"b": 1}}),
        ({"a": 1}, [{"op": "replace", "path": "", "value": {"b": 2}}], {"b": 2}),
        ({"a": [1]}, [{"op": "add", "path": "/a/1", "value": 2}], {"a": [1, 2]}),
        ({"a": 1}, [{"op": "move", "from": "/a", "path": "/a"}], {"a": 1}),
    ],
)
def test_json_patch_follows_rfc_6902(target, ops, expected):
    before = copy.deepcopy(target)
    assert json_patch(target, ops) == expected
    assert target == before


def test_json_patch_as_kubectl_sends_it():
    live = live_web()
    ops = [
        {"op": "replace", "path": "/spec/updateStrategy/rollingUpdate/partition", "value": 2},
        {"op": "add", "path": "/metadata/annotations/note", "value": "canary"},
        {"op": "remove", "path": "/spec/template/spec/containers/0/ports/1"},
        {"op": "add", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "web"},
    ]
    result = json_patch(live, ops)
    assert result["spec"]["updateStrategy"]["rollingUpdate"]["partition"] == 2
    assert result["metadata"]["annotations"]["note"] == "canary"
    assert [p["containerPort"] for p in result["spec"]["template"]["spec"]["containers"][0]["ports"]] == [80]
    assert result["metadata"]["labels"]["app.kubernetes.io/name"] == "web"
    assert len(live["spec"]["template"]["spec"]["containers"][0]["ports"]) == 2


def test_json_patch_copies_values_out_of_the_operations():
    value = {"deep": [1, 2]}
    ops = [{"op": "add", "path": "/a", "value": value}, {"op": "copy", "from": "/a", "path": "/b"}]
    result = json_patch({}, ops)
    result["a"]["deep"].append(3)
    assert value == {"deep": [1, 2]}
    assert result["b"] == {"deep": [1, 2]}


@pytest.mark.parametrize(
    "ops, fragment",
    [
        ([{"op": "test", "path": "/a", "value": 2}], "test failed"),
        ([{"op": "test", "path": "/a", "value": True}], "test failed"),
        ([{"op": "test", "path": "/a", "value": "1"}], "test failed"),
        ([{"op": "remove", "path": "/missing"}], "does not exist"),
        ([{"op": "replace", "path": "/missing", "value": 1}], "does not exist"),
        ([{"op": "add", "path": "/missing/child", "value": 1}], "does not exist"),
        ([{"op": "add", "path": "/list/5", "value": 1}], "out of range"),
        ([{"op": "remove", "path": "/list/-"}], "not an array index"),
        ([{"op": "add", "path": "/list/01", "value": 1}], "not an array index"),
        ([{"op": "move", "from": "/obj", "path": "/obj/inner"}], "own child"),
        ([{"op": "copy", "from": "/nope", "path": "/b"}], "does not exist"),
        ([{"op": "add", "path": "/a/b", "value": 1}], "parent"),
        ([{"op": "replace", "path": "", "value": [1]}], "not an object"),
    ],
)
def test_json_patch_that_does_not_apply_is_422(ops, fragment):
    target = {"a": 1, "list": [0], "obj": {"inner": 1}}
    before = copy.deepcopy(target)
    with pytest.raises(PatchError) as caught:
        json_patch(target, [{"op": "add", "path": "/added", "value": 1}] + ops)
    assert caught.value.code == 422
    assert fragment in str(caught.value)
    assert target == before  # nothing applied, not even the first operation


@pytest.mark.parametrize(
    "ops, fragment",
    [
        ({"op": "add"}, "array"),
        (["add"], "must be an object"),
        ([{"path": "/a", "value": 1}], "'op'"),
        ([{"op": "frobnicate", "path": "/a"}], "frobnicate"),
        ([{"op": "add", "value": 1}], "no 'path'"),
        ([{"op": "add", "path": "/a"}], "no 'value'"),
        ([{"op": "test", "path": "/a"}], "no 'value'"),
        ([{"op": "move", "path": "/a"}], "no 'from'"),
        ([{"op": "add", "path": "a", "value": 1}], "start with '/'"),
        ([{"op": "add", "path": 3, "value": 1}], "must be a string"),
        ([{"op": "add", "path": "/a~2", "value": 1}], "'~'"),
    ],
)
def test_malformed_json_patch_is_400(ops, fragment):
    with pytest.raises(PatchError) as caught:
        json_patch({"a": 1}, ops)
    assert caught.value.code == 400
    assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError)
