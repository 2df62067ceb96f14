"""Who may do what: the one table of role rights, action → the roles allowed it.

Three roles, each holding the rights of the one before it:

- ``viewer``: reads (search, open nodes, traces, named queries, cases and alerts as they are); no export,
  no Cypher console, no provenance download;
- ``analyst``: reads, cases, verdicts, exports, the console, watchlists and the alert queue;
- ``admin``: also loads, users, deletes, and the audit log.

Every page and command asks :func:`allowed` (or the app's ``require``) about an action named here; an
action not in the table is refused to everyone, so a misspelt name fails closed.
"""

from __future__ import annotations

from graphbench.errors import GraphbenchError

ROLES = ("viewer", "analyst", "admin")

_READ = frozenset(ROLES)
_ANALYST = frozenset({"analyst", "admin"})
_ADMIN = frozenset({"admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "read": _READ,            # open any analysis page
    "search": _READ,
    "open_node": _READ,
    "trace": _READ,
    "query": _READ,           # the named queries (read-only, typed parameters)
    "case_view": _READ,
    "alert_view": _READ,
    "export": _ANALYST,       # report and graph downloads, takedown lists
    "console": _ANALYST,      # the read-only Cypher console
    "provenance": _ANALYST,   # a node's provenance and its download
    "verdict": _ANALYST,      # accept / reject a SAME_AS link
    "case_edit": _ANALYST,    # create a case, pin, annotate, set status and assignee
    "watchlist_edit": _ANALYST,
    "alert_triage": _ANALYST,  # an alert's status and assignee, a rescan
    "takedown": _ANALYST,     # recording that listings were reported for takedown
    "load": _ADMIN,           # uploads and loads
    "users": _ADMIN,
    "delete": _ADMIN,         # deleting a case, a watchlist or an alert
    "audit_view": _ADMIN,
}
ACTIONS = tuple(PERMISSIONS)


class NotAllowed(GraphbenchError):
    """The signed-in user's role does not hold the right to this action."""


def check_role(role: str) -> str:
    if role not in ROLES:
        raise GraphbenchError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    return role


def allowed(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action`` (False for an unknown role or action: fail closed)."""
    return role is not None and role in PERMISSIONS.get(action, frozenset())


def require(role: str | None, action: str) -> None:
    """Raise :class:`NotAllowed` (one sentence) unless ``role`` may do ``action``."""
    if not allowed(role, action):
        raise NotAllowed(f"the {role or 'signed-out'} role may not {action.replace('_', ' ')}; "
                         f"ask an admin for the {' or '.join(sorted(PERMISSIONS.get(action, {'admin'})))} role")
