"""Who is asking: bearer tokens and impersonation headers, as kube-apiserver reads them.

Place in the flow: `server._dispatch` calls `authenticate(headers, store)` before every
API request and keeps the `User` on the handler; `gate.authorize` then asks `rbac`
whether that user may do what the request asks.

- The sim knows three users, one token each (`USERS`); `kubeconfig` writes one context
  per user. An `Authorization: Bearer` header with any other token is 401 Unauthorized,
  as kube-apiserver answers an unknown token.
- A request with no credentials at all is served as the admin user, as the old
  insecure port of kube-apiserver served it: the sim listens on loopback only, and the
  sim's own tests and controls talk to it without a kubeconfig.
- `Impersonate-User` / `Impersonate-Group` / `Impersonate-Uid` act as another user when
  RBAC lets the requester `impersonate` those users and groups (the admin may).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .objects import ApiError

AUTHENTICATED = "system:authenticated"
MASTERS = "system:masters"


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...] = (AUTHENTICATED,)
    uid: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)


ADMIN = User("ststui-sim", (MASTERS, AUTHENTICATED), "ststui-sim-admin")
VIEWER = User("viewer", (AUTHENTICATED,), "ststui-sim-viewer")
SHOP_OPERATOR = User("shop-operator", (AUTHENTICATED,), "ststui-sim-shop-operator")

# token -> user; the kubeconfig context named after each (see kubeconfig.CONTEXTS).
USERS: dict[str, User] = {
    "ststui-sim-token": ADMIN,
    "ststui-sim-viewer-token": VIEWER,
    "ststui-sim-shop-operator-token": SHOP_OPERATOR,
}


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "Unauthorized", {})


def authenticate(headers) -> User:
    """The user a request's Authorization header names (401 for a token nobody holds)."""
    auth = (headers.get("Authorization") or "").strip()
    if not auth:
        return ADMIN
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized()
    user = USERS.get(token.strip())
    if user is None:
        raise unauthorized()
    return user


def impersonation_request(headers) -> tuple[str | None, tuple[str, ...], str | None]:
    """(user, groups, uid) asked for by the Impersonate-* headers; user None when none was sent."""
    name = headers.get("Impersonate-User")
    groups = tuple(g for g in (headers.get_all("Impersonate-Group") or []) if g)
    uid = headers.get("Impersonate-Uid")
    if name is None and (groups or uid):
        raise ApiError(500, "InternalError",
                       "Internal error occurred: requested [impersonate groups or uid] without impersonating a user",
                       {})
    return name, groups, uid


def impersonated(name: str, groups: tuple[str, ...], uid: str | None) -> User:
    """The user a request acts as once impersonation is allowed (groups as kube-apiserver adds them)."""
    all_groups = list(groups)
    if name.startswith("system:serviceaccount:") and not groups:
        ns = name.split(":")[2] if name.count(":") >= 3 else ""
        all_groups += ["system:serviceaccounts", f"system:serviceaccounts:{ns}"]
    if name != "system:anonymous" and AUTHENTICATED not in all_groups:
        all_groups.append(AUTHENTICATED)
    return User(name, tuple(all_groups), uid or "")
