"""Hand-offs to kubectl: a shell in a pod, edit, port-forward, run in the terminal while the
TUI is suspended.

Place in the flow: the app's `s` / `e` / `shift+f` keys (in `tui.inspect`) build a
`Handoff` here (the argv: kubectl with the session's --context, its --kubeconfig when one
was given, and -n), then `run()` suspends the app (`App.suspend()`), runs kubectl in the
terminal, and restores the TUI when it exits. Nothing here changes the cluster itself:
what kubectl does (an exec, an edit saved by the user) comes back through the watch.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
from dataclasses import dataclass, field

from ststui.state.actions import PlanError

# Tried in order inside the container: the first that exists is exec'd.
SHELLS = ("bash", "ash", "sh")
SHELL_SCRIPT = ("for s in " + " ".join(SHELLS) + "; do command -v $s >/dev/null 2>&1 && exec $s; done; "
                "echo 'ststui: no shell (" + ", ".join(SHELLS) + ") in this container' >&2; exit 127")
NO_KUBECTL = "kubectl is not on PATH: install it to open a shell, edit or port-forward from ststui."
_PORTS = re.compile(r"^(\d{1,5})?(?::(\d{1,5}))?$")


@dataclass(frozen=True)
class Handoff:
    title: str
    argv: tuple[str, ...]
    effect: tuple[str, ...] = ()
    refused: str | None = None
    banner: str = ""                      # printed in the terminal before kubectl starts
    warnings: tuple[str, ...] = field(default=())

    @property
    def kubectl(self) -> str:
        return shlex.join(self.argv)


def _default_kubeconfig() -> str:
    return os.path.join(os.path.expanduser("~"), ".kube", "config")


def kubectl_base(context: str | None, kubeconfig: str | None, namespace: str) -> list[str]:
    """kubectl [--kubeconfig K] [--context C] -n NS: the session's connection, spelled out
    (--kubeconfig only when one was given and it is not kubectl's default)."""
    argv = ["kubectl"]
    if kubeconfig and os.path.abspath(os.path.expanduser(kubeconfig)) != os.path.abspath(_default_kubeconfig()):
        argv += ["--kubeconfig", kubeconfig]
    if context:
        argv += ["--context", context]
    argv += ["-n", namespace]
    return argv


def shell(base: list[str], pod: str, container: str) -> Handoff:
    return Handoff(f"Shell · {pod}", tuple(base + ["exec", "-it", pod, "-c", container, "--",
                                                    "sh", "-c", SHELL_SCRIPT]),
                   effect=(f"Opens a shell in container {container} of pod {pod} (bash, ash or sh, the first found).",),
                   banner=f"ststui: shell in {pod} ({container}); exit the shell to return to ststui.")


def edit(base: list[str], kind: str, name: str) -> Handoff:
    return Handoff(f"Edit · {kind}/{name}", tuple(base + ["edit", f"{kind}/{name}"]),
                   effect=(f"Opens {kind}/{name} in your $EDITOR; saving applies the change.",),
                   banner=f"ststui: editing {kind}/{name}; quit the editor to return to ststui.")


def parse_ports(text: str) -> list[str]:
    """"8080:80 9090" -> ["8080:80", "9090"]; PlanError with one sentence otherwise."""
    items = text.replace(",", " ").split()
    if not items:
        raise PlanError("Give at least one port: LOCAL:REMOTE (8080:80), or one number for both.")
    for item in items:
        match = _PORTS.match(item)
        if not match or not (match.group(1) or match.group(2)):
            raise PlanError(f"'{item}' is not a port mapping: write LOCAL:REMOTE (8080:80) or one number.")
        for number in (match.group(1), match.group(2)):
            if number is not None and not 1 <= int(number) <= 65535:
                raise PlanError(f"Port {number} is out of range: ports go from 1 to 65535.")
        if match.group(1) is None:
            raise PlanError(f"'{item}' has no local port: write LOCAL:REMOTE (8080:80) or one number.")
    return items


def port_forward(base: list[str], pod: str, text: str) -> Handoff:
    ports = parse_ports(text)
    return Handoff(f"Port-forward · {pod}", tuple(base + ["port-forward", f"pod/{pod}", *ports]),
                   effect=tuple(f"Forwards 127.0.0.1:{p.split(':')[0]} to port {p.split(':')[-1]} of pod {pod} "
                                f"until you press ctrl+c." for p in ports),
                   banner=f"ststui: port-forward to {pod}; press ctrl+c to stop and return to ststui.")


def kubectl_missing() -> bool:
    return shutil.which("kubectl") is None


def run_in_terminal(handoff: Handoff) -> int:
    """Run kubectl in the (suspended app's) terminal; returns its exit code. ctrl+c goes to
    kubectl (it stops a port-forward); ststui itself only waits for it."""
    if handoff.banner:
        print(handoff.banner, flush=True)
    previous = None
    try:
        previous = signal.signal(signal.SIGINT, lambda *_: None)   # reset to default in the child
    except ValueError:          # not the main thread
        previous = None
    try:
        return subprocess.call(list(handoff.argv))
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
