"""Container logs over HTTP (GET .../pods/NAME/log) through the official client: lines that
follow the pod's life on the sim's manual clock, every PodLogOptions parameter, follow
streams that end with their container, previous with and without a terminated run, and
the apiserver's / kubelet's refusals."""
from __future__ import annotations

import json
import re

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from ststui.sim import logs
from ststui.sim.clock import parse_rfc3339, rfc3339

from rawhttp import Raw

STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (.*)$")


def make_pod(sim, name, image="nginx:1.27", containers=None):
    spec_containers = containers or [{"name": "app", "image": image, "ports": [{"containerPort": 8080}]}]
    client.CoreV1Api(sim.api()).create_namespaced_pod(
        "default", {"metadata": {"name": name, "labels": {"app": name}}, "spec": {"containers": spec_containers}})


def running(sim, name, seconds=10):
    make_pod(sim, name)
    sim.advance(seconds)


def log_of(sim, name, **kw) -> str:
    return client.CoreV1Api(sim.api()).read_namespaced_pod_log(name, "default", **kw)


def refusal(call, *args, **kw) -> tuple[int, dict]:
    with pytest.raises(ApiException) as err:
        call(*args, **kw)
    return err.value.status, json.loads(err.value.body)


def log_path(name, ns="default"):
    return f"/api/v1/namespaces/{ns}/pods/{name}/log"


def stamped(text: str) -> list[tuple[float, str]]:
    out = []
    for line in text.splitlines():
        m = STAMP.match(line)
        assert m, line
        out.append((parse_rfc3339(m.group(1)), m.group(2)))
    return out


# --------------------------------------------------------------------------- the life of a pod

def test_no_log_while_the_container_is_created_then_lines_follow_the_clock(sim):
    make_pod(sim, "web")
    sim.cluster.run_pending()
    status, body = refusal(client.CoreV1Api(sim.api()).read_namespaced_pod_log, "web", "default")
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == 'container "app" in pod "web" is waiting to start: ContainerCreating'
    sim.advance(8)
    early = log_of(sim, "web")
    assert "starting nginx 1.27 (pod web, container app, attempt 1)" in early
    assert "listening on 0.0.0.0:8080" in early
    assert "readiness probe passed" in early
    sim.advance(35)
    later = log_of(sim, "web")
    assert later.startswith(early)                 # the past does not change
    assert later.count("served ") >= 3             # periodic work every 10 s
    assert log_of(sim, "web") == later             # same state, same time: same lines


def test_deleting_the_pod_logs_the_signal_and_the_shutdown(sim):
    running(sim, "web", 20)
    core = client.CoreV1Api(sim.api())
    core.delete_namespaced_pod("web", "default", grace_period_seconds=30)
    sim.cluster.run_pending()
    text = log_of(sim, "web")
    assert text.rstrip().endswith("received SIGTERM: draining connections")
    sim.advance(0.9)
    assert "shutdown complete" not in log_of(sim, "web")


def test_unknown_pod_missing_container_and_wrong_method(sim):
    core = client.CoreV1Api(sim.api())
    status, body = refusal(core.read_namespaced_pod_log, "nope", "default")
    assert status == 404 and body["message"] == 'pods "nope" not found'
    make_pod(sim, "two", containers=[{"name": "a", "image": "nginx:1.27"}, {"name": "b", "image": "redis:7.4"}])
    sim.advance(10)
    status, body = refusal(core.read_namespaced_pod_log, "two", "default")
    assert status == 400 and body["message"] == "a container name must be specified for pod two, choose one of: [a b]"
    status, body = refusal(core.read_namespaced_pod_log, "two", "default", container="c")
    assert status == 400 and body["message"] == "container c is not valid for pod two"
    assert "starting redis 7.4 (pod two, container b" in log_of(sim, "two", container="b")
    assert "starting nginx 1.27 (pod two, container a" in log_of(sim, "two", container="a")
    status, _, _ = Raw(sim.api()).request("POST", log_path("two"), body={})
    assert status == 405


def test_a_pod_without_a_node_has_an_empty_log(sim):
    client.CoreV1Api(sim.api()).create_namespaced_pod("default", {
        "metadata": {"name": "lost"},
        "spec": {"nodeSelector": {"disk": "none-has-it"}, "containers": [{"name": "app", "image": "nginx:1.27"}]}})
    sim.advance(10)
    assert client.CoreV1Api(sim.api()).read_namespaced_pod("lost", "default").spec.node_name is None
    assert log_of(sim, "lost") == ""


# --------------------------------------------------------------------------- parameters

def test_tail_lines(sim):
    running(sim, "web", 60)
    whole = log_of(sim, "web").splitlines()
    assert len(whole) > 5
    assert log_of(sim, "web", tail_lines=2).splitlines() == whole[-2:]
    assert log_of(sim, "web", tail_lines=10_000).splitlines() == whole
    status, body, _ = Raw(sim.api()).request("GET", log_path("web"), query={"tailLines": "0"})
    assert status == 200 and body is None


def test_timestamps_since_seconds_and_since_time(sim):
    running(sim, "web", 60)
    now = sim.cluster.now()
    lines = stamped(log_of(sim, "web", timestamps=True))
    times = [t for t, _ in lines]
    assert times == sorted(times) and times[-1] <= now
    assert [text for _, text in lines] == log_of(sim, "web").splitlines()
    recent = stamped(log_of(sim, "web", timestamps=True, since_seconds=25))
    assert recent and all(t >= now - 25 for t, _ in recent)
    assert recent == [line for line in lines if line[0] >= now - 25]
    cut = lines[3][0]
    status, body, _ = Raw(sim.api()).request("GET", log_path("web"), query={
        "sinceTime": rfc3339(cut), "timestamps": "true"})
    assert status == 200
    assert stamped(body) == [line for line in lines if line[0] >= int(cut)]


def test_limit_bytes_cuts_the_output(sim):
    running(sim, "web", 60)
    whole = log_of(sim, "web")
    assert log_of(sim, "web", limit_bytes=50) == whole[:50]
    assert log_of(sim, "web", limit_bytes=10 ** 6) == whole


@pytest.mark.parametrize("query, code, message", [
    ({"tailLines": "-1"}, 422, 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: '
                                "must be greater than or equal to 0"),
    ({"sinceSeconds": "0"}, 422, 'PodLogOptions "web" is invalid: sinceSeconds: Invalid value: 0: '
                                 "must be greater than 0"),
    ({"limitBytes": "0"}, 422, 'PodLogOptions "web" is invalid: limitBytes: Invalid value: 0: '
                               "must be greater than 0"),
    ({"sinceSeconds": "5", "sinceTime": "2026-01-01T00:00:00Z"}, 422,
     'PodLogOptions "web" is invalid: sinceSeconds: Forbidden: at most one of `sinceTime` or '
     "`sinceSeconds` may be specified"),
    ({"tailLines": "ten"}, 400, 'strconv.ParseInt: parsing "ten": invalid syntax'),
    ({"follow": "maybe"}, 400, 'strconv.ParseBool: parsing "maybe": invalid syntax'),
    ({"sinceTime": "yesterday"}, 400, None),
])
def test_bad_parameters_are_refused(sim, query, code, message):
    running(sim, "web")
    status, body, _ = Raw(sim.api()).request("GET", log_path("web"), query=query)
    assert status == code and body["kind"] == "Status" and body["code"] == code
    if message:
        assert body["message"] == message


# --------------------------------------------------------------------------- previous

def test_previous_without_a_terminated_container_is_refused(sim):
    running(sim, "web")
    status, body = refusal(client.CoreV1Api(sim.api()).read_namespaced_pod_log, "web", "default", previous=True)
    assert status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == 'previous terminated container "app" in pod "web" not found'


def test_previous_shows_the_run_that_failed_and_its_exit_code(sim):
    make_pod(sim, "bad", image="nginx:1.27-broken")
    sim.advance(90)                 # never Ready: restarted after a minute
    pod = client.CoreV1Api(sim.api()).read_namespaced_pod("bad", "default")
    last = pod.status.container_statuses[0].last_state.terminated
    assert last is not None and last.exit_code == 1
    previous = log_of(sim, "bad", previous=True, timestamps=True)
    lines = stamped(previous)
    assert "attempt 1)" in lines[0][1]
    assert any("health check failed" in text for _, text in lines)
    assert lines[-1][1] == "ERROR exiting with code 1"
    assert int(lines[-1][0]) == int(last.finished_at.timestamp())
    current = log_of(sim, "bad")
    assert "attempt 2)" in current.splitlines()[0]


# --------------------------------------------------------------------------- follow

def open_follow(sim, name, **query):
    raw = Raw(sim.api()).open("GET", log_path(name), query={"follow": "true", **query}, timeout=(5, 30))
    assert raw.status == 200
    assert "chunked" in raw.headers.get("Transfer-Encoding", "")
    return raw, raw.read_chunked(decode_content=False)


def read_until(chunks, predicate) -> str:
    text = ""
    for chunk in chunks:
        text += chunk.decode()
        if predicate(text):
            return text
    return text


def test_follow_sends_new_lines_as_time_passes_and_ends_with_the_container(sim):
    running(sim, "web", 5)
    raw, chunks = open_follow(sim, "web", tailLines="1")
    first = read_until(chunks, lambda t: t.endswith("\n"))
    assert len(first.splitlines()) == 1
    sim.advance(30)
    more = read_until(chunks, lambda t: t.count("served ") >= 2)
    assert "served " in more
    client.CoreV1Api(sim.api()).delete_namespaced_pod("web", "default", grace_period_seconds=30)
    sim.cluster.run_pending()
    read_until(chunks, lambda t: "received SIGTERM" in t)
    sim.settle()                                   # the containers stop, the pod is removed
    rest = "".join(chunk.decode() for chunk in chunks)   # the stream ends: no hang
    assert "shutdown complete" in rest
    raw.release_conn()
    assert client.CoreV1Api(sim.api()).list_namespaced_pod("default").items == []


def test_follow_of_a_crashing_container_ends_when_it_restarts(sim):
    make_pod(sim, "bad", image="nginx:1.27-broken")
    sim.advance(10)
    raw, chunks = open_follow(sim, "bad")
    read_until(chunks, lambda t: "listening" in t)
    sim.advance(60)                                # the kubelet restarts it
    rest = "".join(chunk.decode() for chunk in chunks)
    assert rest.rstrip().endswith("ERROR exiting with code 1")
    raw.release_conn()


def test_follow_with_limit_bytes_ends_at_the_limit(sim):
    running(sim, "web", 30)
    present = len(log_of(sim, "web").encode())
    status, body, _ = Raw(sim.api()).request("GET", log_path("web"), query={"follow": "true", "limitBytes": "40"})
    assert status == 200 and len(body.encode()) == 40           # reached at once: the answer ends
    raw, chunks = open_follow(sim, "web", limitBytes=str(present + 30))
    read_until(chunks, lambda t: len(t.encode()) >= present)
    sim.advance(60)
    rest = "".join(chunk.decode() for chunk in chunks)          # ends at the limit, mid-line
    raw.release_conn()
    assert len(rest.encode()) == 30


# --------------------------------------------------------------------------- states the kubelet reports

def _pod(state=None, last=None, restarts=0, ready=False, node="node-1"):
    status = {"name": "app", "image": "example/app:v1", "ready": ready, "restartCount": restarts,
              "state": state or {}, "lastState": {"terminated": last} if last else {}}
    return {"metadata": {"name": "p", "namespace": "default", "uid": "u1"},
            "spec": {"nodeName": node, "containers": [{"name": "app", "image": "example/app:v1"}]},
            "status": {"containerStatuses": [status]}}


@pytest.mark.parametrize("reason, message", [
    ("ErrImagePull", "image can't be pulled"),
    ("ImagePullBackOff", "trying and failing to pull image"),
    ("ContainerCreating", "ContainerCreating"),
])
def test_a_container_waiting_for_its_image_has_no_log(reason, message):
    pod = _pod(state={"waiting": {"reason": reason, "message": "Back-off pulling image"}})
    with pytest.raises(Exception) as err:
        logs.select_run(pod, logs.Options())
    assert err.value.code == 400
    assert str(err.value) == f'container "app" in pod "p" is waiting to start: {message}'


def test_a_crash_loop_shows_the_last_run_and_its_error():
    last = {"exitCode": 2, "reason": "Error", "startedAt": "2026-01-01T00:00:00Z",
            "finishedAt": "2026-01-01T00:00:03Z", "containerID": "containerd://x"}
    pod = _pod(state={"waiting": {"reason": "CrashLoopBackOff"}}, last=last, restarts=3)
    run = logs.select_run(pod, logs.Options())
    text = [t for _, t in logs.lines(run, None, 1e12)]
    assert text[-1] == "ERROR exiting with code 2"
    assert logs.select_run(pod, logs.Options(previous=True)) == run


def test_an_oom_killed_run_grows_and_has_no_last_word():
    last = {"exitCode": 137, "reason": "OOMKilled", "startedAt": "2026-01-01T00:00:00Z",
            "finishedAt": "2026-01-01T00:01:00Z"}
    pod = _pod(state={"running": {"startedAt": "2026-01-01T00:01:05Z"}}, last=last, restarts=1)
    run = logs.select_run(pod, logs.Options(previous=True))
    text = [t for _, t in logs.lines(run, None, 1e12)]
    memory = [int(re.search(r"(\d+) MiB", t).group(1)) for t in text if "MiB resident" in t]
    assert len(memory) >= 4 and memory == sorted(memory)
    assert "exiting" not in text[-1] and "shutdown" not in text[-1]


def test_a_crash_image_fails_right_after_start_up():
    last = {"exitCode": 1, "reason": "Error", "startedAt": "2026-01-01T00:00:00Z",
            "finishedAt": "2026-01-01T00:00:02Z"}
    pod = _pod(state={"waiting": {"reason": "CrashLoopBackOff"}}, last=last, restarts=1)
    pod["spec"]["containers"][0]["image"] = "example/app:v2-crash"
    text = [t for _, t in logs.lines(logs.select_run(pod, logs.Options()), None, 1e12)]
    assert any(t.startswith("ERROR fatal:") for t in text) and text[-1] == "ERROR exiting with code 1"


# --------------------------------------------------------------------------- the kubelet's failure images

def test_failure_images_of_the_kubelet_over_http(sim):
    for name, image in (("crash", "nginx:1.27-crashloop"), ("oom", "nginx:1.27-oom"), ("nopull", "nginx:1.27-nopull")):
        make_pod(sim, name, image=image)
    sim.advance(30)
    core = client.CoreV1Api(sim.api())
    status, body = refusal(core.read_namespaced_pod_log, "nopull", "default")
    assert status == 400 and body["message"] in (
        'container "app" in pod "nopull" is waiting to start: image can\'t be pulled',
        'container "app" in pod "nopull" is waiting to start: trying and failing to pull image')
    crash = log_of(sim, "crash")            # waiting in CrashLoopBackOff: the last run's log
    assert crash.rstrip().splitlines()[-1] == "ERROR exiting with code 1"
    assert any(line.startswith("ERROR fatal:") for line in crash.splitlines())
    assert log_of(sim, "crash", previous=True) == crash
    oom = log_of(sim, "oom", previous=True).splitlines()
    assert len(oom) >= 3 and "MiB resident" in oom[-1]
    assert "exiting" not in oom[-1]         # killed: no last word
