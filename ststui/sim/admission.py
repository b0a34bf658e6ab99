"""API-server admission for the simulated cluster: defaulting, then validation.

Place in the flow: `objects.ObjectStore` calls `admit(plural, obj, old)` on every
create and every spec/metadata write that comes from a client (create, PUT, PATCH;
not the status subresource, not controllers' `mutate`). `obj` is already a private
copy, so it is defaulted in place and returned; a spec the real apiserver would
refuse raises `objects.invalid(...)` (422 Invalid) with the apiserver's messages.

The work is table-driven: `RULES` maps a plural to its steps, each step a function
`(obj, old, errors)` that fills defaults and appends (field, message) pairs.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Callable

from .objects import invalid
from .resources import BY_PLURAL
from .selectors import SelectorError, selector_from_object

Errors = list[tuple[str, str]]
Step = Callable[[dict, "dict | None", Errors], None]

# --------------------------------------------------------------------------- names

_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = rf"{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*"
_DNS1035_LABEL = r"[a-z]([-a-z0-9]*[a-z0-9])?"

_NAME_RULES = {  # kind of name -> (regex, max length, description)
    "subdomain": (_DNS1123_SUBDOMAIN, 253,
                  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                  "'-' or '.', and must start and end with an alphanumeric character "
                  "(e.g. 'example.com', regex used for validation is '%s')"),
    "label": (_DNS1123_LABEL, 63,
              "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
              "and must start and end with an alphanumeric character "
              "(e.g. 'my-name',  or '123-abc', regex used for validation is '%s')"),
    "dns1035": (_DNS1035_LABEL, 63,
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                "start with an alphabetic character, and end with an alphanumeric character "
                "(e.g. 'my-name',  or 'abc-123', regex used for validation is '%s')"),
}
_NAME_RULES["path"] = (r"(?!\.\.?$)[^/%]+", 253, "may not be '.' or '..' and may not contain '/' or '%%'")
_NAME_KIND = {"namespaces": "label", "services": "dns1035", "statefulsets": "label",   # others: subdomain
              "clusterroles": "path", "clusterrolebindings": "path", "roles": "path", "rolebindings": "path"}


def _go_value(value: Any) -> str:
    """How Go's %v-ish field.Invalid prints a value."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        inner = ", ".join(f'{json.dumps(str(k))}:{json.dumps(str(v))}' for k, v in sorted(value.items()))
        return "map[string]string{" + inner + "}"
    return str(value)


def _invalid_value(value: Any, message: str) -> str:
    return f"Invalid value: {_go_value(value)}: {message}"


def _check_label(name: str, path: str, errors: Errors) -> None:
    pattern, max_len, description = _NAME_RULES["label"]
    if len(name) > max_len or not re.fullmatch(pattern, name):
        errors.append((path, _invalid_value(name, description % pattern)))


def check_name(plural: str, name: str, errors: Errors, path: str = "metadata.name") -> None:
    pattern, max_len, description = _NAME_RULES[_NAME_KIND.get(plural, "subdomain")]
    if len(name) > max_len:
        errors.append((path, _invalid_value(name, f"must be no more than {max_len} characters")))
    elif not re.fullmatch(pattern, name):
        errors.append((path, _invalid_value(name, description % pattern)))


# --------------------------------------------------------------------------- small checks

def _int_at_least(value: Any, minimum: int, path: str, errors: Errors) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        errors.append((path, _invalid_value(value, "must be an integer")))
    elif value < minimum:
        errors.append((path, _invalid_value(value, f"must be greater than or equal to {minimum}")))


def _one_of(value: Any, allowed: tuple[str, ...], path: str, errors: Errors) -> None:
    if value not in allowed:
        supported = ", ".join(json.dumps(a) for a in allowed)
        errors.append((path, f"Unsupported value: {_go_value(value)}: supported values: {supported}"))


def _default(d: dict, key: str, value: Any) -> Any:
    """Set d[key] when it is missing or null (JSON null decodes to Go's nil: defaulted)."""
    if d.get(key) is None:
        d[key] = value
    return d[key]


def _dict_at(obj: dict, *path: str) -> dict:
    """The dict at `path`, created when absent (a non-dict value is left alone and {} returned)."""
    cur = obj
    for p in path:
        nxt = cur.get(p)
        if nxt is None:
            nxt = cur[p] = {}
        if not isinstance(nxt, dict):
            return {}
        cur = nxt
    return cur


# --------------------------------------------------------------------------- pod specs

def _pull_policy(image: str) -> str:
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


_POD_SPEC_DEFAULTS = {
    "restartPolicy": "Always",
    "terminationGracePeriodSeconds": 30,
    "dnsPolicy": "ClusterFirst",
    "schedulerName": "default-scheduler",
    "securityContext": {},
}


def default_pod_spec(spec: dict) -> None:
    for key, value in _POD_SPEC_DEFAULTS.items():
        _default(spec, key, type(value)() if isinstance(value, dict) else value)
    for list_name in ("initContainers", "containers"):
        for c in spec.get(list_name) or []:
            if not isinstance(c, dict):
                continue
            _default(c, "terminationMessagePath", "/dev/termination-log")
            _default(c, "terminationMessagePolicy", "File")
            _default(c, "resources", {})
            if isinstance(c.get("image"), str) and c["image"]:
                _default(c, "imagePullPolicy", _pull_policy(c["image"]))
            for port in c.get("ports") or []:
                if isinstance(port, dict):
                    _default(port, "protocol", "TCP")


def validate_pod_spec(spec: Any, path: str, errors: Errors) -> None:
    if not isinstance(spec, dict):
        errors.append((path, "Required value"))
        return
    containers = spec.get("containers")
    if not containers or not isinstance(containers, list):
        errors.append((f"{path}.containers", "Required value"))
        return
    seen: set[str] = set()
    for list_name in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(list_name) or []):
            where = f"{path}.{list_name}[{i}]"
            if not isinstance(c, dict):
                errors.append((where, "Invalid value: must be an object"))
                continue
            name = c.get("name")
            if not name:
                errors.append((f"{where}.name", "Required value"))
            elif name in seen:
                errors.append((f"{where}.name", f"Duplicate value: {json.dumps(name)}"))
            else:
                seen.add(name)
                _check_label(name, f"{where}.name", errors)
            if not c.get("image"):
                errors.append((f"{where}.image", "Required value"))
    _one_of(spec.get("restartPolicy"), ("Always", "OnFailure", "Never"), f"{path}.restartPolicy", errors)
    _int_at_least(spec.get("terminationGracePeriodSeconds"), 0, f"{path}.terminationGracePeriodSeconds", errors)


# --------------------------------------------------------------------------- per-kind steps

def _statefulset(obj: dict, old: dict | None, errors: Errors) -> None:
    spec = _dict_at(obj, "spec")
    _default(spec, "replicas", 1)
    _default(spec, "podManagementPolicy", "OrderedReady")
    _default(spec, "revisionHistoryLimit", 10)
    strategy = _dict_at(spec, "updateStrategy")
    _default(strategy, "type", "RollingUpdate")
    if strategy.get("type") == "RollingUpdate":
        _default(_dict_at(strategy, "rollingUpdate"), "partition", 0)
    retention = _dict_at(spec, "persistentVolumeClaimRetentionPolicy")
    _default(retention, "whenDeleted", "Retain")
    _default(retention, "whenScaled", "Retain")
    template = _dict_at(spec, "template")
    default_pod_spec(_dict_at(template, "spec"))
    for claim in spec.get("volumeClaimTemplates") or []:
        if isinstance(claim, dict):
            _default(claim, "apiVersion", "v1")
            _default(claim, "kind", "PersistentVolumeClaim")
            _default(_dict_at(claim, "spec"), "volumeMode", "Filesystem")
            _default(_dict_at(claim, "status"), "phase", "Pending")

    _int_at_least(spec.get("replicas"), 0, "spec.replicas", errors)
    _int_at_least(spec.get("minReadySeconds"), 0, "spec.minReadySeconds", errors)
    _int_at_least(spec.get("revisionHistoryLimit"), 0, "spec.revisionHistoryLimit", errors)
    _one_of(spec.get("podManagementPolicy"), ("OrderedReady", "Parallel"), "spec.podManagementPolicy", errors)
    if "serviceName" in spec and not isinstance(spec["serviceName"], str):
        errors.append(("spec.serviceName", _invalid_value(spec["serviceName"], "must be a string")))
    _one_of(strategy.get("type"), ("RollingUpdate", "OnDelete"), "spec.updateStrategy.type", errors)
    rolling = strategy.get("rollingUpdate")
    if strategy.get("type") == "OnDelete" and rolling:
        errors.append(("spec.updateStrategy.rollingUpdate",
                       "Invalid value: \"OnDelete\": only allowed for updateStrategy 'RollingUpdate'"))
    if isinstance(rolling, dict):
        _int_at_least(rolling.get("partition"), 0, "spec.updateStrategy.rollingUpdate.partition", errors)
        _check_max_unavailable(rolling.get("maxUnavailable"), errors)
    for when in ("whenDeleted", "whenScaled"):
        _one_of(retention.get(when), ("Retain", "Delete"),
                f"spec.persistentVolumeClaimRetentionPolicy.{when}", errors)
    ordinals = spec.get("ordinals")
    if isinstance(ordinals, dict):
        _int_at_least(ordinals.get("start"), 0, "spec.ordinals.start", errors)

    selector = spec.get("selector")
    labels = (template.get("metadata") or {}).get("labels") or {}
    if selector is None:
        errors.append(("spec.selector", "Required value"))
    else:
        try:
            matcher = selector_from_object(selector)
        except SelectorError as e:
            errors.append(("spec.selector", _invalid_value(selector, str(e))))
        else:
            if matcher.matches_everything():
                errors.append(("spec.selector", _invalid_value(selector, "empty selector is invalid for statefulset")))
            elif not matcher.matches(labels):
                errors.append(("spec.template.metadata.labels",
                               _invalid_value(labels, "`selector` does not match template `labels`")))
    validate_pod_spec(template.get("spec"), "spec.template.spec", errors)
    restart = (template.get("spec") or {}).get("restartPolicy")
    if restart not in (None, "Always"):
        errors.append(("spec.template.spec.restartPolicy",
                       f'Unsupported value: {json.dumps(restart)}: supported values: "Always"'))
    if old is not None:
        _statefulset_update(spec, old.get("spec") or {}, errors)


def _check_max_unavailable(value: Any, errors: Errors) -> None:
    path = "spec.updateStrategy.rollingUpdate.maxUnavailable"
    if value is None:
        return
    if isinstance(value, str) and re.fullmatch(r"\d+%", value):
        number = int(value[:-1])
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        errors.append((path, _invalid_value(value, "must be an integer or percentage (e.g '5%')")))
        return
    if number < 0:
        errors.append((path, _invalid_value(value, "must be greater than or equal to 0")))
    elif number == 0:
        errors.append((path, _invalid_value(value, "cannot be 0")))


def _statefulset_update(spec: dict, old_spec: dict, errors: Errors) -> None:
    from .version_rules import statefulset_update_errors   # v1.32's list and message (selector included)
    errors.extend(statefulset_update_errors(spec, old_spec))


def _pod(obj: dict, old: dict | None, errors: Errors) -> None:
    spec = _dict_at(obj, "spec")
    default_pod_spec(spec)
    _default(spec, "enableServiceLinks", True)
    _default(spec, "priority", 0)
    if old is None:
        status = _dict_at(obj, "status")
        _default(status, "phase", "Pending")
        _default(status, "qosClass", "BestEffort")
    validate_pod_spec(spec, "spec", errors)
    if old is not None and _pod_fixed_part(spec) != _pod_fixed_part(old.get("spec") or {}):
        errors.append(("spec", "Forbidden: pod updates may not change fields other than "
                               "`spec.containers[*].image`,`spec.initContainers[*].image`,"
                               "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
                               "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it "
                               "to be set to 1 if it was previously negative)"))


def _pod_fixed_part(spec: dict) -> dict:
    """A pod spec with the fields an update may change blanked out."""
    fixed = {k: v for k, v in spec.items()
             if k not in ("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds")}
    for list_name in ("initContainers", "containers"):
        if isinstance(fixed.get(list_name), list):
            fixed[list_name] = [{k: v for k, v in c.items() if k not in ("image", "imagePullPolicy")}
                                if isinstance(c, dict) else c for c in fixed[list_name]]
    return fixed


def cluster_ip_for(uid: str) -> str:
    """A stable service address in 10.96.0.0/12, derived from the object's uid."""
    h = int.from_bytes(hashlib.sha256(uid.encode()).digest()[:4], "big")
    return f"10.{96 + (h >> 16) % 16}.{(h >> 8) % 256}.{1 + h % 254}"


def _service(obj: dict, old: dict | None, errors: Errors) -> None:
    spec = _dict_at(obj, "spec")
    old_spec = (old or {}).get("spec") or {}
    _default(spec, "type", "ClusterIP")
    _default(spec, "sessionAffinity", "None")
    if spec.get("type") in ("ClusterIP", "NodePort", "LoadBalancer"):
        _default(spec, "internalTrafficPolicy", "Cluster")
        if "clusterIP" not in spec and old_spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
        if not spec.get("clusterIP"):
            spec["clusterIP"] = cluster_ip_for(obj["metadata"].get("uid", obj["metadata"].get("name", "")))
        _default(spec, "clusterIPs", [spec["clusterIP"]])
        if spec["clusterIP"] != "None":
            _default(spec, "ipFamilies", ["IPv4"])
            _default(spec, "ipFamilyPolicy", "SingleStack")
        if old_spec.get("clusterIP") and spec["clusterIP"] != old_spec["clusterIP"]:
            errors.append(("spec.clusterIPs[0]", _invalid_value(spec["clusterIP"], "may not change once set")))
    _one_of(spec.get("type"), ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"), "spec.type", errors)
    for i, port in enumerate(spec.get("ports") or []):
        if not isinstance(port, dict):
            continue
        _default(port, "protocol", "TCP")
        if "targetPort" not in port and "port" in port:
            port["targetPort"] = port["port"]
        p = port.get("port")
        if not isinstance(p, int) or not 1 <= p <= 65535:
            errors.append((f"spec.ports[{i}].port",
                           _invalid_value(p, "must be between 1 and 65535, inclusive")))
    if old is None:
        _default(_dict_at(obj, "status"), "loadBalancer", {})


def _claim(obj: dict, old: dict | None, errors: Errors) -> None:
    spec = _dict_at(obj, "spec")
    _default(spec, "volumeMode", "Filesystem")
    if old is None:
        _default(_dict_at(obj, "status"), "phase", "Pending")
    if not spec.get("accessModes"):
        errors.append(("spec.accessModes", "Required value: at least 1 access mode is required"))
    if not ((spec.get("resources") or {}).get("requests") or {}).get("storage"):
        errors.append(("spec.resources[storage]", "Required value"))
    if old is not None:
        old_spec = old.get("spec") or {}
        changeable = ("resources", "volumeAttributesClassName")
        if not old_spec.get("volumeName"):
            changeable += ("volumeName",)
        if {k: v for k, v in spec.items() if k not in changeable} != \
                {k: v for k, v in old_spec.items() if k not in changeable}:
            errors.append(("spec", "Forbidden: spec is immutable after creation except "
                                   "resources.requests and volumeAttributesClassName for bound claims"))


def _volume(obj: dict, old: dict | None, errors: Errors) -> None:
    spec = _dict_at(obj, "spec")
    _default(spec, "persistentVolumeReclaimPolicy", "Retain")
    _default(spec, "volumeMode", "Filesystem")
    if old is None:
        _default(_dict_at(obj, "status"), "phase", "Available")
    if not (spec.get("capacity") or {}).get("storage"):
        errors.append(("spec.capacity", "Required value"))
    if not spec.get("accessModes"):
        errors.append(("spec.accessModes", "Required value"))
    _one_of(spec.get("persistentVolumeReclaimPolicy"), ("Delete", "Recycle", "Retain"),
            "spec.persistentVolumeReclaimPolicy", errors)


def _namespace(obj: dict, old: dict | None, errors: Errors) -> None:
    name = obj["metadata"].get("name", "")
    _default(_dict_at(obj, "metadata", "labels"), "kubernetes.io/metadata.name", name)
    if old is None:
        _default(_dict_at(obj, "status"), "phase", "Active")


def _storage_class(obj: dict, old: dict | None, errors: Errors) -> None:
    _default(obj, "reclaimPolicy", "Delete")
    _default(obj, "volumeBindingMode", "Immediate")
    if not obj.get("provisioner"):
        errors.append(("provisioner", "Required value"))
    _one_of(obj.get("reclaimPolicy"), ("Delete", "Retain"), "reclaimPolicy", errors)
    _one_of(obj.get("volumeBindingMode"), ("Immediate", "WaitForFirstConsumer"), "volumeBindingMode", errors)
    if old is not None:
        for f in ("provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"):
            if obj.get(f) != old.get(f):
                errors.append((f, _invalid_value(obj.get(f), "field is immutable")))


RULES: dict[str, tuple[Step, ...]] = {
    "statefulsets": (_statefulset,),
    "pods": (_pod,),
    "services": (_service,),
    "persistentvolumeclaims": (_claim,),
    "persistentvolumes": (_volume,),
    "namespaces": (_namespace,),
    "storageclasses": (_storage_class,),
    "poddisruptionbudgets": (lambda obj, old, errors: _disruption().validate(obj, old, errors),),
}


def _disruption():
    from . import disruption   # PodDisruptionBudget rules live with the budget controller
    return disruption


def admit(plural: str, obj: dict, old: dict | None) -> dict:
    """Default `obj` in place and validate it; raise 422 Invalid listing every problem."""
    rt = BY_PLURAL[plural]
    meta = obj.get("metadata") or {}
    name = meta.get("name") or ""
    errors: Errors = []
    if old is None:
        check_name(plural, name, errors)
    for step in RULES.get(plural, ()):
        step(obj, old, errors)
    if errors:
        raise invalid(rt, name, errors)
    return obj
