"""`ststui get -o yaml|wide|name`: the formats beside present.py's text and json.

Place in the flow: commands.get -> build_views -> format(views, output, now). Pure.
- yaml: the same document as `-o json` (a list of `model.to_json(view)`), as YAML.
- wide: one line per StatefulSet, kubectl-style columns, untruncated: namespace, name,
  ready, updated, strategy (with partition), revisions, images, warnings, age.
- name: `statefulset.apps/NAME`, one a line, as `kubectl get -o name` prints them.
"""
from __future__ import annotations

import json
from typing import Iterable

import yaml

from ststui.state.model import StatefulSetView, to_json
from ststui.state.present import format_text, ready_text, revisions_text
from ststui.state.times import human_age

FORMATS = ("text", "json", "yaml", "wide", "name")


def documents(views: Iterable[StatefulSetView], missing: Iterable[str] = ()) -> list[dict]:
    """The `-o json` / `-o yaml` document: `to_json` of each view, plus the kinds that could
    not be read (`missingKinds`); with pods unread, a pod not seen is Unknown, not absent."""
    missing = sorted(missing)
    docs = []
    for view in views:
        doc = to_json(view)
        doc["missingKinds"] = missing
        if "pods" in missing:
            for pod in doc.get("pods") or ():
                if not pod.get("exists"):
                    pod["phase"] = "Unknown"     # not read, so not known to be absent
        docs.append(doc)
    return docs


def format_yaml(views: Iterable[StatefulSetView], missing: Iterable[str] = ()) -> str:
    dumper = type("NoAliases", (yaml.SafeDumper,), {"ignore_aliases": lambda self, data: True})
    return yaml.dump(documents(views, missing), Dumper=dumper, sort_keys=False)


def format_name(views: Iterable[StatefulSetView]) -> str:
    return "\n".join(f"statefulset.apps/{v.name}" for v in views)


def format_wide(views: Iterable[StatefulSetView], now: float) -> str:
    rows = [["NAMESPACE", "NAME", "READY", "UPDATED", "STRATEGY", "REVISIONS", "IMAGES", "WARNINGS", "AGE"]]
    for v in views:
        r = v.rollout
        strategy = r.strategy + (f"/partition={r.partition}" if r.strategy == "RollingUpdate" else "")
        images = ",".join(image for _, image in v.images) or "-"
        rows.append([v.namespace, v.name, ready_text(v), f"{r.updated_replicas}/{v.replicas}", strategy,
                     revisions_text(r), images, str(len(v.warnings)),
                     human_age(now - v.created) if v.created is not None else "-"])
    if len(rows) == 1:
        return "No StatefulSets found."
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("   ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows)


def format_views(views: list[StatefulSetView], output: str, now: float, missing: Iterable[str] = ()) -> str:
    if output == "json":
        return json.dumps(documents(views, missing), indent=2)
    if output == "yaml":
        return format_yaml(views, missing)
    if output == "wide":
        return format_wide(views, now)
    if output == "name":
        return format_name(views)
    return format_text(views, now)
