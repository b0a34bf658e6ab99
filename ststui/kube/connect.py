"""Connect to a cluster the way kubectl does: kubeconfig files, contexts, namespaces.

Place in the flow: the CLI calls `connect()` once at start (and again when the user
switches context); the resulting `Connection.api_client` is what `kube.watch` and
`kube.ops` send their requests through. `check_reachable()` asks GET /version so a
wrong address or bad credentials give one sentence and exit code 2 before the UI starts.

Rules followed (kubectl's loading rules):
- `--kubeconfig FILE` (must exist) wins; else every existing file of `KUBECONFIG`
  (colon-separated, missing ones skipped) merged, the first file to define a cluster,
  context, user or `current-context` winning; else `~/.kube/config`.
- No kubeconfig at all: the in-cluster service account (KUBERNETES_SERVICE_HOST/PORT,
  token and CA under /var/run/secrets/kubernetes.io/serviceaccount).
- Namespace: `-A` means all (None); else `-n`; else the context's namespace; else "default".
- Client certificates, tokens, exec plugins and auth providers are loaded by the
  `kubernetes` client's own `KubeConfigLoader`.

Errors are `ConnectError` with one readable sentence; no message ever contains a token,
password, key or certificate from the kubeconfig (they are scrubbed before raising).
"""
from __future__ import annotations

import json
import logging
import os
import re
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import urllib3
import yaml
from kubernetes.client import ApiClient, Configuration
from kubernetes.client.exceptions import ApiException
from kubernetes.config.incluster_config import InClusterConfigLoader
from kubernetes.config.kube_config import ConfigNode, KubeConfigLoader

from .rest import open_request

SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
IN_CLUSTER_CONTEXT = "in-cluster"
DEFAULT_POOL_SIZE = 12                 # connections kept per host: watches + a few ops
DEFAULT_TIMEOUT = (5.0, 30.0)          # (connect, read) seconds when a call gives none
REACHABLE_TIMEOUT = (3.0, 5.0)         # GET /version at start
USER_AGENT = "ststui/0.1"

_NAME_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class ConnectError(Exception):
    """Cannot connect; `str(error)` is one sentence for people, free of credentials."""

    def __init__(self, message: Any = "") -> None:
        super().__init__(mask_secrets(message))


class TimeoutApiClient(ApiClient):
    """An ApiClient whose requests never wait forever: a call without its own
    `_request_timeout` gets `default_timeout` (watches pass their own, longer one)."""

    default_timeout: tuple[float, float] = DEFAULT_TIMEOUT

    def call_api(self, method, url, header_params=None, body=None, post_params=None,
                 _request_timeout=None):
        return super().call_api(method, url, header_params, body, post_params,
                                _request_timeout or self.default_timeout)


@dataclass
class Connection:
    api_client: ApiClient
    context: str                   # context name, or "in-cluster"
    cluster_server: str            # the server URL only, never credentials
    namespace: str | None          # None: all namespaces
    default_namespace: str         # the context's namespace (or "default")
    contexts: list[str] = field(default_factory=list)
    in_cluster: bool = False

    @property
    def all_namespaces(self) -> bool:
        return self.namespace is None

    def close(self) -> None:
        try:
            self.api_client.close()
        except Exception:
            pass


# --------------------------------------------------------------------------- files

def kubeconfig_paths(kubeconfig: str | None, environ: Mapping[str, str] | None = None) -> list[str]:
    """The kubeconfig files kubectl would read, in precedence order (existing ones only).

    An explicit `--kubeconfig` that does not exist is an error, as in kubectl."""
    env = os.environ if environ is None else environ
    if kubeconfig:
        path = _expand(kubeconfig, env)
        if not os.path.exists(path):
            raise ConnectError(f"Kubeconfig file {kubeconfig} does not exist.")
        if os.path.isdir(path):
            raise ConnectError(f"Kubeconfig path {kubeconfig} is a directory, not a file.")
        return [path]
    listed = env.get("KUBECONFIG")
    if listed:
        seen: list[str] = []
        for part in listed.split(os.pathsep):
            if not part:
                continue
            path = _expand(part, env)
            if os.path.isfile(path) and path not in seen:
                seen.append(path)
        return seen
    default = _expand("~/.kube/config", env)
    return [default] if os.path.isfile(default) else []


def _expand(path: str, env: Mapping[str, str]) -> str:
    if path.startswith("~"):
        home = env.get("HOME") or os.path.expanduser("~")
        path = home + path[1:]
    return os.path.abspath(path)


def _read_kubeconfig(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ConnectError(f"Cannot read kubeconfig file {path}: {e.strerror or 'unreadable'}.") from None
    except UnicodeDecodeError:
        raise ConnectError(f"Kubeconfig file {path} is not a text file.") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        # Never show the YAML error's snippet: it may quote a token.
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise ConnectError(f"Kubeconfig file {path} is not valid YAML{where}.") from None
    if doc is None:
        return None                       # an empty file merges as nothing, as in kubectl
    if not isinstance(doc, dict):
        raise ConnectError(f"Kubeconfig file {path} is not a kubeconfig (its top level is not a mapping).")
    return doc


def _merge(paths: list[str]) -> dict[str, Any]:
    """Merge kubeconfig files: the first file to define a name (or current-context) wins.

    Entries are wrapped in the client's ConfigNode with their file's path, so relative
    certificate and token paths resolve against the file that named them."""
    merged: dict[str, Any] = {"clusters": [], "contexts": [], "users": [], "current-context": None}
    names: dict[str, set[str]] = {"clusters": set(), "contexts": set(), "users": set()}
    for path in paths:
        doc = _read_kubeconfig(path)
        if doc is None:
            continue
        for section in ("clusters", "contexts", "users"):
            entries = doc.get(section) or []
            if not isinstance(entries, list):
                raise ConnectError(f"Kubeconfig file {path}: '{section}' is not a list.")
            for entry in entries:
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    raise ConnectError(f"Kubeconfig file {path}: an entry of '{section}' has no name.")
                body_key = section[:-1]          # cluster / context / user
                if not isinstance(entry.get(body_key) or {}, dict):
                    raise ConnectError(
                        f"Kubeconfig file {path}: {body_key} '{entry['name']}' is not a mapping.")
                if entry["name"] in names[section]:
                    continue
                names[section].add(entry["name"])
                merged[section].append(ConfigNode(f"{path}/{section}", entry, path))
        current = doc.get("current-context")
        if current and not merged["current-context"]:
            merged["current-context"] = str(current)
    return merged


_SECRET_KEYS = {"token", "password", "client-key-data", "client-certificate-data", "id-token",
                "refresh-token", "access-token", "client-secret", "idp-certificate-authority-data"}


def _secrets_of(merged: dict[str, Any]) -> list[str]:
    """Credential values of every user (tokens, passwords, key data, exec args and env,
    auth-provider config): what must never appear in a message."""
    found: list[str] = []

    def strings(value: Any) -> None:
        if isinstance(value, ConfigNode):
            strings(value.value)
        elif isinstance(value, dict):
            for v in value.values():
                strings(v)
        elif isinstance(value, list):
            for v in value:
                strings(v)
        elif isinstance(value, str) and len(value) >= 6:
            found.append(value)

    for user in merged.get("users", []):
        body = (user.value if isinstance(user, ConfigNode) else user).get("user") or {}
        if not isinstance(body, dict):
            continue
        for key, value in body.items():
            if key in _SECRET_KEYS:
                strings(value)
        exec_ = body.get("exec") or {}
        if isinstance(exec_, dict):
            strings(exec_.get("args"))
            strings([e.get("value") for e in exec_.get("env") or [] if isinstance(e, dict)])
        provider = body.get("auth-provider") or {}
        if isinstance(provider, dict):
            strings(provider.get("config"))
    return sorted(set(found), key=len, reverse=True)


# --------------------------------------------------------------------------- masking

# Credential values of every kubeconfig loaded in this process (`remember_secrets`), masked
# wherever they appear, besides anything shaped like a credential (`_SECRET_PATTERNS`).
_KNOWN_SECRETS: set[str] = set()
_SECRET_PATTERNS = [
    # Authorization: Bearer xyz / Basic xyz, in headers, curl lines, server error bodies
    (re.compile(r"(?i)\b(authorization['\"]?\s*[:=]\s*['\"]?)(?:(bearer|basic)\s+)?[^\s'\",}]+"),
     lambda m: f"{m.group(1)}{m.group(2) + ' ' if m.group(2) else ''}***"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"), lambda m: f"{m.group(1)} ***"),
    # JSON web tokens (service account and OIDC tokens)
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), lambda m: "***"),
    # PEM private keys
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S),
     lambda m: "***private key***"),
    # key=value / "key": "value" for credential-like keys (exec plugin output, kubeconfig YAML)
    (re.compile(r"(?i)(['\"]?\b(?:token|id-token|access-token|refresh-token|access_token|password|passwd|"
                r"secret|client-secret|client-key-data|client-certificate-data|api[-_]?key)\b['\"]?\s*[:=]\s*)"
                r"(['\"]?)[^\s'\",}]+\2"),
     lambda m: f"{m.group(1)}{m.group(2)}***{m.group(2)}"),
]


def remember_secrets(secrets: Iterable[str]) -> None:
    """Add credential values (at least 6 characters) that `mask_secrets` must mask."""
    _KNOWN_SECRETS.update(s for s in secrets if isinstance(s, str) and len(s) >= 6)


def mask_secrets(text: Any, secrets: Iterable[str] = ()) -> str:
    """The one function every path that turns an error, a log line, an audit entry or a
    crash report into text goes through: known credential values, bearer/basic tokens,
    Authorization headers, JWTs, private keys and token=/password= values become ***."""
    text = "" if text is None else str(text)
    for secret in sorted(set(secrets) | _KNOWN_SECRETS, key=len, reverse=True):
        if secret and secret in text:
            text = text.replace(secret, "***")
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def scrub(text: str, secrets: list[str]) -> str:
    """`text` with every secret (and anything that looks like a bearer token) masked."""
    return mask_secrets(text, secrets)


class MaskingLogFilter(logging.Filter):
    """Masks secrets in every record logged to the logger it is installed on (the root
    logger: the client's exec plugin refresh logs a plugin's stderr there)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg = mask_secrets(record.getMessage())
            record.args = ()
        except Exception:
            record.msg, record.args = "(a log message that could not be masked)", ()
        return True


def install_log_masking() -> None:
    root = logging.getLogger()
    if not any(isinstance(f, MaskingLogFilter) for f in root.filters):
        root.addFilter(MaskingLogFilter())


def _first_line(text: str, limit: int = 200) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    line = line.rstrip(". ")
    return line[:limit]


# --------------------------------------------------------------------------- contexts

def list_contexts(kubeconfig: str | None = None,
                  environ: Mapping[str, str] | None = None) -> tuple[list[str], str | None]:
    """Context names of the merged kubeconfig and its current context.

    ([], None) when there is no kubeconfig (in-cluster)."""
    paths = kubeconfig_paths(kubeconfig, environ)
    if not paths:
        return [], None
    merged = _merge(paths)
    names = [c.value["name"] for c in merged["contexts"]]
    return names, merged["current-context"]


def _entry(merged: dict[str, Any], section: str, name: str) -> ConfigNode | None:
    for node in merged[section]:
        if node.value.get("name") == name:
            return node
    return None


def _pick_context(merged: dict[str, Any], context: str | None) -> str:
    names = [c.value["name"] for c in merged["contexts"]]
    known = ", ".join(names) if names else "none"
    if context:
        if context not in names:
            raise ConnectError(f"Context '{context}' is not in the kubeconfig (contexts: {known}).")
        return context
    current = merged["current-context"]
    if not names:
        raise ConnectError("The kubeconfig defines no contexts.")
    if not current:
        raise ConnectError(f"The kubeconfig sets no current context; choose one with --context (contexts: {known}).")
    if current not in names:
        raise ConnectError(
            f"The kubeconfig's current context '{current}' is not defined in it; choose one with --context (contexts: {known}).")
    return current


def _validate_context(merged: dict[str, Any], name: str) -> tuple[dict[str, Any], str]:
    """The context's body and its cluster's server URL, or a ConnectError naming what is missing."""
    body = _entry(merged, "contexts", name).value.get("context") or {}
    cluster_name = body.get("cluster")
    if not cluster_name:
        raise ConnectError(f"Context '{name}' names no cluster.")
    cluster = _entry(merged, "clusters", cluster_name)
    if cluster is None:
        raise ConnectError(f"Context '{name}' uses cluster '{cluster_name}', which the kubeconfig does not define.")
    user_name = body.get("user")
    if user_name and _entry(merged, "users", user_name) is None:
        raise ConnectError(f"Context '{name}' uses user '{user_name}', which the kubeconfig does not define.")
    server = (cluster.value.get("cluster") or {}).get("server")
    if not server or not isinstance(server, str):
        raise ConnectError(f"Cluster '{cluster_name}' of context '{name}' has no server address.")
    return body, server.rstrip("/")


def _check_namespace(namespace: str) -> str:
    if len(namespace) > 63 or not _NAME_RE.match(namespace):
        raise ConnectError(f"Namespace '{namespace}' is not a valid namespace name.")
    return namespace


# --------------------------------------------------------------------------- connect

class _CaptureLoaderLogs(logging.Filter):
    """Swallows what the client's kubeconfig loader logs (exec plugin failures, which may
    quote a plugin's stderr) so it reaches no handler; keeps the text for our message."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if "kubernetes" in (record.pathname or "") and "config" in (record.pathname or ""):
            try:
                self.messages.append(record.getMessage())
            except Exception:
                pass
            return False
        return True


def _new_configuration() -> Configuration:
    # type.__call__ as the client's own loaders do: a fresh Configuration, not a copy of the default.
    return type.__call__(Configuration)


def _finish(cfg: Configuration, pool_size: int) -> TimeoutApiClient:
    cfg.connection_pool_maxsize = pool_size
    # Retry a failed connect once, and a read failure once (a stale pooled connection) for
    # idempotent methods only (urllib3's default allowed_methods exclude PATCH and POST);
    # bounded so a timeout cannot multiply into minutes.
    cfg.retries = urllib3.Retry(total=2, connect=1, read=1, redirect=0, status=0, other=0)
    client = TimeoutApiClient(configuration=cfg)
    client.user_agent = USER_AGENT
    return client


def connect(kubeconfig: str | None, context: str | None, namespace: str | None,
            all_namespaces: bool, *, environ: Mapping[str, str] | None = None,
            service_account_dir: str = SERVICE_ACCOUNT_DIR,
            pool_size: int = DEFAULT_POOL_SIZE) -> Connection:
    """Build a Connection like kubectl would; raise ConnectError with one sentence if not possible.

    Does not talk to the server except to run exec credential plugins; call
    `check_reachable()` to find out whether the server answers."""
    env = os.environ if environ is None else environ
    if namespace is not None and not all_namespaces:
        _check_namespace(namespace)
    paths = kubeconfig_paths(kubeconfig, env)
    if not paths:
        return _connect_in_cluster(env, context, namespace, all_namespaces, service_account_dir,
                                   pool_size, kubeconfig_listed=env.get("KUBECONFIG"))

    merged = _merge(paths)
    secrets = _secrets_of(merged)
    remember_secrets(secrets)
    install_log_masking()
    name = _pick_context(merged, context)
    body, server = _validate_context(merged, name)
    default_ns = str(body.get("namespace") or "default")
    contexts = [c.value["name"] for c in merged["contexts"]]

    cfg = _new_configuration()
    # The loader reports exec failures with the module-level logging.error(), which goes to
    # the root logger (and calls basicConfig() when it has no handler): filter it out there.
    capture = _CaptureLoaderLogs()
    quiet = logging.NullHandler()
    root = logging.getLogger()
    root.addFilter(capture)
    root.addHandler(quiet)
    try:
        loader = KubeConfigLoader(config_dict=ConfigNode("kube-config", merged, paths[0]),
                                  active_context=name, config_base_path=None)
        loader.load_and_set(cfg)
    except ConnectError:
        raise
    except FileNotFoundError as e:
        raise ConnectError(scrub(
            f"Context '{name}': credential file {e.filename} does not exist.", secrets)) from None
    except Exception as e:  # ConfigException, binascii.Error, exec plugin errors, ...
        detail = _first_line(str(e)) or type(e).__name__
        raise ConnectError(scrub(f"Cannot load the credentials of context '{name}': {detail}.", secrets)) from None
    finally:
        root.removeFilter(capture)
        root.removeHandler(quiet)

    user_name = body.get("user")
    user_node = _entry(merged, "users", user_name) if user_name else None
    user = (user_node.value.get("user") or {}) if user_node is not None else {}
    if "exec" in user and not cfg.api_key and not cfg.cert_file:
        command = (user.get("exec") or {}).get("command", "?")
        why = _first_line(capture.messages[-1]) if capture.messages else "it gave no token or certificate"
        raise ConnectError(scrub(
            f"The credential plugin '{command}' of context '{name}' failed: {why}.", secrets))

    if namespace is not None and not all_namespaces:
        chosen: str | None = namespace
    elif all_namespaces:
        chosen = None
    else:
        chosen = default_ns
    return Connection(api_client=_finish(cfg, pool_size), context=name, cluster_server=server,
                      namespace=chosen, default_namespace=default_ns, contexts=contexts)


def _connect_in_cluster(env: Mapping[str, str], context: str | None, namespace: str | None,
                        all_namespaces: bool, sa_dir: str, pool_size: int,
                        kubeconfig_listed: str | None) -> Connection:
    host, port = env.get("KUBERNETES_SERVICE_HOST"), env.get("KUBERNETES_SERVICE_PORT")
    token_file = os.path.join(sa_dir, "token")
    if not host or not port or not os.path.isfile(token_file):
        if kubeconfig_listed:
            where = f"none of the files in KUBECONFIG ({kubeconfig_listed}) exist"
        else:
            where = "~/.kube/config does not exist and KUBECONFIG is not set"
        raise ConnectError(f"No kubeconfig found ({where}), and this is not running inside a cluster; "
                           "pass --kubeconfig or try --demo.")
    if context:
        raise ConnectError(f"Context '{context}' cannot be used: there is no kubeconfig, only the in-cluster service account.")
    cfg = _new_configuration()
    try:
        InClusterConfigLoader(token_filename=token_file, cert_filename=os.path.join(sa_dir, "ca.crt"),
                              environ=env).load_and_set(cfg)
    except Exception as e:
        raise ConnectError(f"Cannot use the in-cluster service account: {_first_line(str(e)) or type(e).__name__}.") from None
    ns_file = os.path.join(sa_dir, "namespace")
    default_ns = "default"
    try:
        with open(ns_file, encoding="utf-8") as f:
            default_ns = f.read().strip() or "default"
    except OSError:
        pass
    chosen = None if all_namespaces else (namespace or default_ns)
    return Connection(api_client=_finish(cfg, pool_size), context=IN_CLUSTER_CONTEXT,
                      cluster_server=cfg.host, namespace=chosen, default_namespace=default_ns,
                      contexts=[], in_cluster=True)


# --------------------------------------------------------------------------- reachability

def check_reachable(conn: Connection, timeout: tuple[float, float] = REACHABLE_TIMEOUT) -> dict[str, Any]:
    """GET /version with a short timeout; return the version object or raise ConnectError."""
    where = f"{conn.cluster_server} (context {conn.context})"
    try:
        raw = open_request(conn.api_client, "GET", "/version", timeout=timeout)
        try:
            data = raw.data
        finally:
            raw.release_conn()
        status = raw.status
    except ApiException as e:            # the client turns TLS failures into status 0
        if e.status == 0 and "SSL" in str(e.reason or ""):
            raise ConnectError(f"TLS handshake with {where} failed: {_tls_reason(e.reason)}.") from None
        raise ConnectError(f"Cannot reach {where}: {_first_line(str(e.reason)) or 'request failed'}.") from None
    except Exception as e:
        raise ConnectError(f"Cannot reach {where}: {network_reason(e, timeout)}.") from None
    if status == 401:
        raise ConnectError(f"The server at {where} rejected the credentials (401 Unauthorized): "
                           "the token or certificate is wrong or has expired.")
    if status == 403:
        raise ConnectError(f"The server at {where} refused access to /version (403 Forbidden): "
                           "these credentials are not allowed to use the cluster.")
    if not 200 <= status <= 299:
        raise ConnectError(f"The server at {where} answered GET /version with HTTP {status}; is it a Kubernetes API server?")
    try:
        version = json.loads(data)
    except ValueError:
        raise ConnectError(f"The server at {where} did not answer GET /version with JSON; is it a Kubernetes API server?") from None
    return version if isinstance(version, dict) else {}


def _tls_reason(text: Any) -> str:
    text = str(text or "")
    m = re.search(r"certificate verify failed:?\s*([^()\]\n]*)", text)
    if m:
        extra = m.group(1).strip().rstrip(")")
        return "certificate verify failed" + (f" ({extra})" if extra else "")
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        return "the server does not speak TLS at that address"
    if "hostname" in text.lower() and "match" in text.lower():
        return "the certificate does not match the host name"
    return _first_line(text.replace("SSLError", "").strip()) or "TLS error"


def network_reason(exc: BaseException, timeout: Any = None) -> str:
    """A short phrase for a transport failure: 'connection refused', 'no answer within 5 s', ..."""
    chain: list[BaseException] = []
    seen = exc
    while seen is not None and len(chain) < 8:
        chain.append(seen)
        nxt = getattr(seen, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = seen.__cause__ or seen.__context__
        seen = nxt
    name_resolution = getattr(urllib3.exceptions, "NameResolutionError", ())
    for e in chain:
        text = str(e)
        if isinstance(e, (urllib3.exceptions.SSLError, ssl.SSLError)):
            return f"TLS handshake failed: {_tls_reason(e)}"
        if isinstance(e, ConnectionRefusedError) or "Connection refused" in text:
            return "connection refused"
        if (name_resolution and isinstance(e, name_resolution)) or isinstance(e, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(e, urllib3.exceptions.NewConnectionError) and "timed out" not in text:
            # urllib3 makes NewConnectionError a ConnectTimeoutError: tell the errno instead.
            m = re.search(r"\[Errno -?\d+\]\s*([^'\")]+)", text)
            return m.group(1).strip().lower() if m else "cannot open a connection"
        if isinstance(e, urllib3.exceptions.ConnectTimeoutError):
            secs = _seconds(timeout, 0)
            return f"no connection within {secs}" if secs else "connecting timed out"
        if isinstance(e, (urllib3.exceptions.ReadTimeoutError, socket.timeout, TimeoutError)):
            secs = _seconds(timeout, 1)
            return f"no answer within {secs}" if secs else "the request timed out"
        if isinstance(e, (urllib3.exceptions.ProtocolError, ConnectionResetError, ConnectionAbortedError)):
            return "the connection was closed by the server"
    return mask_secrets(_first_line(str(exc)) or type(exc).__name__)


def _seconds(timeout: Any, index: int) -> str | None:
    if isinstance(timeout, (int, float)):
        value = float(timeout)
    elif isinstance(timeout, tuple) and len(timeout) == 2 and timeout[index] is not None:
        value = float(timeout[index])
    else:
        return None
    return f"{value:g} s"
