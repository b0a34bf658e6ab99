"""Label and field selectors of the simulated API server (ststui.sim.selectors)."""

import pytest

from ststui.sim.selectors import (
    SelectorError,
    parse_field_selector,
    parse_label_selector,
    selector_from_object,
)

WEB_0 = {"app": "web", "tier": "db", "statefulset.kubernetes.io/pod-name": "web-0"}
WEB_1 = {"app": "web", "tier": "cache"}
API = {"app": "api"}
UNLABELLED: dict = {}
LABEL_SETS = [WEB_0, WEB_1, API, UNLABELLED, {"app": ""}, {"version": "12"}, {"version": "3"}]


def matching(selector, label_sets=LABEL_SETS):
    return [labels for labels in label_sets if selector.matches(labels)]


# --- label selector strings -------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_label_selector_matches_everything(text):
    selector = parse_label_selector(text)
    assert selector.matches_everything()
    assert parse_field_selector(text).matches_everything()
    assert matching(selector) == LABEL_SETS
    assert selector.matches(None)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("app=web", [WEB_0, WEB_1]),
        ("app==web", [WEB_0, WEB_1]),
        ("app!=web", [API, UNLABELLED, {"app": ""}, {"version": "12"}, {"version": "3"}]),
        ("app in (web,api)", [WEB_0, WEB_1, API]),
        ("app notin (web)", [API, UNLABELLED, {"app": ""}, {"version": "12"}, {"version": "3"}]),
        ("app", [WEB_0, WEB_1, API, {"app": ""}]),
        ("!app", [UNLABELLED, {"version": "12"}, {"version": "3"}]),
        ("app=", [{"app": ""}]),
        ("app=web,tier=db", [WEB_0]),
        ("app=web,tier!=db", [WEB_1]),
        ("app in (web),!tier", []),
        ("statefulset.kubernetes.io/pod-name=web-0", [WEB_0]),
        ("version>5", [{"version": "12"}]),
        ("version<5", [{"version": "3"}]),
    ],
)
def test_label_selector_operators(text, expected):
    assert matching(parse_label_selector(text)) == expected


def test_label_selector_is_whitespace_tolerant():
    spaced = parse_label_selector("  app in ( web , api ) ,  tier != cache , ! version ")
    compact = parse_label_selector("app in (web,api),tier!=cache,!version")
    assert matching(spaced) == matching(compact) == [WEB_0, API]
    assert spaced == compact


def test_in_with_an_empty_slot_selects_the_empty_value_like_kubernetes():
    selector = parse_label_selector("app in (web,)")
    assert matching(selector) == [WEB_0, WEB_1, {"app": ""}]


def test_in_and_notin_accept_their_keywords_as_values():
    assert parse_label_selector("mode in (in,notin)").matches({"mode": "notin"})


def test_label_selector_prints_like_kubernetes_sorted_by_key():
    selector = parse_label_selector("tier notin (b,a), app==web, !gone, has, x>1, app in (y,x)")
    assert str(selector) == "app==web,app in (x,y),!gone,has,tier notin (a,b),x>1"
    assert parse_label_selector(str(selector)) == selector


def test_numeric_comparison_ignores_non_numeric_values():
    selector = parse_label_selector("version>1")
    assert not selector.matches({"version": "v2"})
    assert not selector.matches({})
    assert selector.matches({"version": "2"})


@pytest.mark.parametrize(
    "text",
    [
        "app=web,",
        ",app=web",
        "app=web,,tier=db",
        "app in web",
        "app in (web",
        "app in (web db)",
        "app notin",
        "!app=web",
        "!",
        "app web",
        "=web",
        "app=web=db",
        "app=(web)",
        "app>x",
        "app<",
        "-app=web",
        "app=-web",
        "app=" + "x" * 64,
        "Example.com/app=web",
        "/app=web",
        "example.com/=web",
        "app in (web),(",
    ],
)
def test_bad_label_selectors_raise_a_readable_selector_error(text):
    with pytest.raises(SelectorError) as caught:
        parse_label_selector(text)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    assert "label selector" in message


def test_error_message_names_the_selector_and_the_problem():
    with pytest.raises(SelectorError, match=r"'app=web,'.*after ','"):
        parse_label_selector("app=web,")


# --- metav1.LabelSelector objects ------------------------------------------


def test_nil_selector_matches_nothing_and_empty_matches_everything():
    assert matching(selector_from_object(None)) == []
    assert selector_from_object(None).matches_nothing
    assert not selector_from_object(None).matches_everything()
    assert selector_from_object({}).matches_everything()
    assert not parse_label_selector("a").matches_everything()
    assert not parse_field_selector("a=b").matches_everything()
    assert matching(selector_from_object({})) == LABEL_SETS
    assert matching(selector_from_object({"matchLabels": {}, "matchExpressions": []})) == LABEL_SETS


def test_nil_selector_can_mean_no_constraint():
    assert matching(selector_from_object(None, none_matches_everything=True)) == LABEL_SETS


def test_match_labels_and_expressions_all_must_hold():
    selector = selector_from_object(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["db", "queue"]},
                {"key": "statefulset.kubernetes.io/pod-name", "operator": "Exists"},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "zone", "operator": "NotIn", "values": ["eu-1"]},
            ],
        }
    )
    assert matching(selector) == [WEB_0]
    assert not selector.matches({**WEB_0, "canary": "yes"})
    assert not selector.matches({**WEB_0, "zone": "eu-1"})
    assert selector.matches({**WEB_0, "zone": "eu-2"})


def test_object_selector_agrees_with_its_printed_form():
    selector = selector_from_object(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["cache"]}],
        }
    )
    assert str(selector) == "app=web,tier notin (cache)"
    reparsed = parse_label_selector(str(selector))
    assert matching(reparsed) == matching(selector) == [WEB_0]


@pytest.mark.parametrize(
    "sel",
    [
        {"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["b"]}]},
        {"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
        {"matchExpressions": [{"key": "a", "operator": "In"}]},
        {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["b"]}]},
        {"matchExpressions": [{"operator": "Exists"}]},
        {"matchExpressions": {"key": "a"}},
        {"matchLabels": {"app": 3}},
        {"matchLabels": {"bad key": "x"}},
        {"matchLabels": ["app"]},
        "app=web",
    ],
)
def test_bad_object_selectors_raise_selector_error(sel):
    with pytest.raises(SelectorError):
        selector_from_object(sel)


# --- field selectors --------------------------------------------------------

POD_RUNNING = {
    "metadata": {"name": "web-0", "namespace": "prod"},
    "spec": {"nodeName": "node-1", "hostNetwork": False, "priority": 0},
    "status": {"phase": "Running"},
}
POD_PENDING = {
    "metadata": {"name": "web-1", "namespace": "prod"},
    "spec": {},
    "status": {"phase": "Pending"},
}
POD_OTHER_NS = {
    "metadata": {"name": "web-0", "namespace": "dev"},
    "spec": {"nodeName": "node-2"},
    "status": {"phase": "Running"},
}
PODS = [POD_RUNNING, POD_PENDING, POD_OTHER_NS]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", PODS),
        ("metadata.name=web-0", [POD_RUNNING, POD_OTHER_NS]),
        ("metadata.name==web-0,metadata.namespace=prod", [POD_RUNNING]),
        ("metadata.namespace!=prod", [POD_OTHER_NS]),
        ("spec.nodeName=", [POD_PENDING]),
        ("spec.nodeName!=", [POD_RUNNING, POD_OTHER_NS]),
        ("status.phase!=Running", [POD_PENDING]),
        ("spec.hostNetwork=false", [POD_RUNNING]),
        ("spec.priority=0", [POD_RUNNING]),
        ("no.such.field=", PODS),
        ("metadata.name.deeper=x", []),
    ],
)
def test_field_selector_matches_dotted_paths(text, expected):
    selector = parse_field_selector(text)
    assert [pod for pod in PODS if selector.matches(pod)] == expected


def test_field_selector_for_kubectl_describe_events():
    selector = parse_field_selector(
        "involvedObject.name=web-0,involvedObject.namespace=prod,"
        "involvedObject.uid=0f1e-22,involvedObject.kind=Pod"
    )
    event = {
        "metadata": {"name": "web-0.17a", "namespace": "prod"},
        "involvedObject": {"kind": "Pod", "name": "web-0", "namespace": "prod", "uid": "0f1e-22"},
        "reason": "Scheduled",
    }
    assert selector.matches(event)
    assert not selector.matches({**event, "involvedObject": {**event["involvedObject"], "uid": "other"}})
    assert not selector.matches({"metadata": {"name": "x"}})


def test_field_selector_values_can_escape_commas_equals_and_backslashes():
    selector = parse_field_selector(r"metadata.name=a\,b\=c\\d,status.phase=Running")
    assert selector.required_value("metadata.name") == "a,b=c\\d"
    assert selector.matches({"metadata": {"name": "a,b=c\\d"}, "status": {"phase": "Running"}})
    assert str(selector) == r"metadata.name=a\,b\=c\\d,status.phase=Running"


def test_required_value_tells_the_server_which_name_to_look_up():
    selector = parse_field_selector("metadata.namespace=prod,metadata.name!=web-1")
    assert selector.required_value("metadata.namespace") == "prod"
    assert selector.required_value("metadata.name") is None


@pytest.mark.parametrize(
    "text",
    ["metadata.name", "=web-0", "metadata.name=a,", ",metadata.name=a", "a..b=c", r"a=b\x", "a=b\\", "a=b=c"],
)
def test_bad_field_selectors_raise_a_readable_selector_error(text):
    with pytest.raises(SelectorError) as caught:
        parse_field_selector(text)
    assert "field selector" in str(caught.value)
    assert isinstance(caught.value, ValueError)
