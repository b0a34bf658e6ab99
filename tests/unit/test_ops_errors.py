"""kube.ops without a cluster: readable API errors, read-only and refused plans send nothing,
network failures become an OpResult, YAML for the viewer drops managedFields."""
import json
import select
import socket

import pytest
import urllib3
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException

from ststui.kube.ops import FetchError, OpResult, describe_api_error, execute, fetch_object, list_events, to_yaml
from ststui.kube.rest import HttpError
from ststui.state.actions import plan_delete_pod, plan_force_delete_pod, plan_scale, plan_step
from view_builders import T0, make_view


def api_exception(code, message="", reason="", causes=None, status_reason=""):
    body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
            "reason": status_reason, "code": code}
    if causes is not None:
        body["details"] = {"name": "web", "kind": "statefulsets", "causes": causes}
    exc = ApiException(status=code, reason=reason)
    exc.body = json.dumps(body)
    return exc


def test_forbidden_names_who_and_what():
    exc = api_exception(403, 'statefulsets.apps "web" is forbidden: User "alice" cannot patch resource '
                             '"statefulsets" in API group "apps" in the namespace "shop"', "Forbidden")
    assert describe_api_error(exc) == ('Forbidden: User "alice" cannot patch resource "statefulsets" in API '
                                       'group "apps" in the namespace "shop".')


def test_not_found():
    exc = api_exception(404, 'pods "web-9" not found', "Not Found", status_reason="NotFound")
    assert describe_api_error(exc) == 'Not found: pods "web-9" not found; it may have been deleted meanwhile.'


def test_conflict_and_uid_precondition():
    exc = api_exception(409, 'Operation cannot be fulfilled on statefulsets.apps "web": the object has been '
                             'modified; please apply your changes to the latest version and try again',
                        status_reason="Conflict")
    assert describe_api_error(exc).startswith("Conflict: the object changed since it was read; reload and try again (")
    pre = api_exception(409, "Precondition failed: UID in precondition: uid-1, UID in object meta: uid-2",
                        status_reason="Conflict")
    assert describe_api_error(pre) == ("Conflict: the object was replaced since it was shown (its UID changed), "
                                       "so nothing was done; look again and retry.")
    exists = api_exception(409, 'pods "web-0" already exists', status_reason="AlreadyExists")
    assert describe_api_error(exists) == 'Already exists: pods "web-0" already exists.'


def test_invalid_lists_field_causes():
    exc = api_exception(422, 'StatefulSet.apps "web" is invalid: spec.replicas: Invalid value: -1: must be '
                             'greater than or equal to 0', causes=[
                                 {"reason": "FieldValueInvalid", "field": "spec.replicas",
                                  "message": "Invalid value: -1: must be greater than or equal to 0"},
                                 {"reason": "FieldValueForbidden", "field": "spec.selector",
                                  "message": "Forbidden: field is immutable"}])
    assert describe_api_error(exc) == ("Invalid: spec.replicas: Invalid value: -1: must be greater than or equal "
                                       "to 0; spec.selector: Forbidden: field is immutable.")
    assert describe_api_error(api_exception(422, "bad patch")) == "Invalid: bad patch."


@pytest.mark.parametrize("code,expected", [
    (400, "Bad request: the body is not JSON."),
    (401, "Unauthorized: the server rejected the credentials (expired token or certificate?)."),
    (410, "Gone: the version asked for has expired; reload and try again."),
    (429, "Too many requests: the server is throttling; try again in a moment."),
    (503, "Server error (503): the body is not JSON; try again."),
])
def test_other_statuses(code, expected):
    assert describe_api_error(api_exception(code, "the body is not JSON.")) == expected


def test_non_json_body_and_rest_http_error():
    exc = ApiException(status=502, reason="Bad Gateway")
    exc.body = "<html>\n<h1>502 Bad Gateway</h1>\n</html>"
    assert describe_api_error(exc) == "Server error (502): <html> <h1>502 Bad Gateway</h1> </html>; try again."
    err = HttpError(404, {"kind": "Status", "message": 'persistentvolumes "pv-9" not found', "reason": "NotFound"})
    assert describe_api_error(err) == 'Not found: persistentvolumes "pv-9" not found; it may have been deleted meanwhile.'


def test_network_errors():
    refused = urllib3.exceptions.MaxRetryError(None, "/api", urllib3.exceptions.NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused"))
    assert describe_api_error(refused) == "Cannot reach the API server: connection refused."
    read = urllib3.exceptions.ReadTimeoutError(None, "/api", "Read timed out.")
    assert describe_api_error(read) == "Cannot reach the API server: the request timed out."
    tls = ApiException(status=0, reason="SSLError\n[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert describe_api_error(tls).startswith("Cannot reach the API server: TLS handshake failed (")


# --------------------------------------------------------------------------- nothing sent

@pytest.fixture
def listener():
    """A listening socket standing in for the API server address: a test can tell whether anything connected."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock
    sock.close()


def client_for(port):
    cfg = Configuration(host=f"http://127.0.0.1:{port}")
    return ApiClient(configuration=cfg)


def connected(sock):
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


def test_read_only_sends_nothing(listener):
    api = client_for(listener.getsockname()[1])
    plan = plan_scale(make_view(), "5")
    result = execute(api, plan, read_only=True)
    assert result == OpResult(False, "Read-only mode: Scale shop/web was not done and nothing was sent.",
                              "kubectl scale sts web -n shop --current-replicas=3 --replicas=5")
    assert not connected(listener)


def test_refused_plan_sends_nothing(listener):
    api = client_for(listener.getsockname()[1])
    plan = plan_step(make_view(partition=0))
    result = execute(api, plan, read_only=False)
    assert not result.ok and result.message.startswith("Not done: The partition of shop/web is already 0")
    assert not connected(listener)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_execute_turns_connection_refused_into_a_result():
    api = client_for(closed_port())
    plan = plan_force_delete_pod(make_view(), 1, now=T0)
    result = execute(api, plan, read_only=False)
    assert result == OpResult(False, "Cannot reach the API server: connection refused.",
                              "kubectl delete pod web-1 -n shop --grace-period=0 --force")


def test_fetch_errors_are_readable():
    api = client_for(closed_port())
    with pytest.raises(FetchError, match=r"^Cannot reach the API server: connection refused\.$"):
        fetch_object(api, "/api/v1/namespaces/shop/pods/web-0")
    with pytest.raises(FetchError):
        list_events(api, "shop", "Pod", "web-0", "uid-web-0")


def test_yaml_drops_managed_fields_and_keeps_order():
    obj = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "web-0", "managedFields": [{"manager": "kubectl"}], "labels": {"app": "web"}},
           "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}
    text = to_yaml(obj)
    assert "managedFields" not in text
    assert text.index("apiVersion") < text.index("kind") < text.index("metadata") < text.index("spec")
    assert "image: nginx:1.25" in text
    listed = to_yaml({"kind": "PodList", "items": [json.loads(json.dumps(obj))]})
    assert "managedFields" not in listed


def test_plan_requests_are_what_execute_would_send():
    # execute() sends Plan.requests verbatim; make sure the shapes survive json (no tuples, sets, ...)
    for plan in (plan_scale(make_view(), "4"), plan_delete_pod(make_view(), 0)):
        for request in plan.requests:
            assert json.loads(json.dumps(request.body)) == request.body
