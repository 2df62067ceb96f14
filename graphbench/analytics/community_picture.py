"""A community drawn from bounded neighbourhood reads: its accounts and what two or more of them share.

On Neo4j the community page must not pull the whole account graph to draw one community. Each member's
two-hop neighbourhood comes from the store, capped (an account's phones, e-mails and channels, and
through its listings their hashtags and accepted channels); an identifier is drawn when two or more
members reach it and it is not a popular one (an escrow channel, #pets): as in the account graph,
what everybody uses joins nobody. Direct ties between members (LINKS_TO, SAME_AS) are drawn as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx

# Identifiers that join accounts, and the relationships through which they are used (for the
# popularity check: how many accounts or listings use it).
USED_THROUGH: dict[str, list[str]] = {
    "Phone": ["HAS_PHONE"],
    "Email": ["HAS_EMAIL"],
    "PaymentChannel": ["USES", "ACCEPTS"],
    "Hashtag": ["TAGGED"],
}


def community_picture(store: Any, members: Sequence[str], max_members: int = 60, per_member: int = 150,
                      max_users: int = 100) -> nx.MultiDiGraph:
    """Members (at most ``max_members``), the identifiers two or more of them reach within two hops
    and fewer than ``max_users`` accounts or listings use, and direct ties between members. Each read
    is bounded: one neighbourhood of ``per_member`` nodes per member, one of ``max_users`` per shared
    identifier."""
    chosen = list(dict.fromkeys(members))[:max_members]
    inside = set(chosen)
    picture = nx.MultiDiGraph()
    reached: dict[str, dict[str, str]] = {}  # identifier → {member: how it is reached}
    found: dict[str, dict[str, Any]] = {}
    for member in chosen:
        around = store.neighbourhood(member, hops=2, limit=per_member)
        if member not in around:
            continue
        picture.add_node(member, **around.nodes[member])
        direct = {end if start == member else start: data.get("type")
                  for start, end, data in around.edges(data=True) if member in (start, end)}
        for node, data in around.nodes(data=True):
            if data.get("label") in USED_THROUGH:
                reached.setdefault(node, {})[member] = direct.get(node) or "via a listing"
                found[node] = data
        for start, end, data in around.edges(data=True):
            if member in (start, end) and start in inside and end in inside and start != end:
                picture.add_edge(start, end, **data)
    for node in sorted(n for n, by in reached.items() if len(by) >= 2):
        if _popular(store, node, found[node]["label"], max_users):
            continue
        picture.add_node(node, **found[node])
        for member, how in reached[node].items():
            picture.add_edge(member, node, type=how)
    _drop_repeated_ties(picture)
    return picture


def _popular(store: Any, node: str, label: str, max_users: int) -> bool:
    """More users than the read may hold: the store marks the node ``truncated``."""
    users = store.neighbourhood(node, hops=1, limit=max_users, rel_types=USED_THROUGH[label])
    return node in users and bool(users.nodes[node].get("truncated"))


def _drop_repeated_ties(picture: nx.MultiDiGraph) -> None:
    """A tie between two members is seen from both ends: keep one edge per (start, end, type)."""
    seen: set[tuple[str, str, Any]] = set()
    for start, end, key, data in list(picture.edges(keys=True, data=True)):
        mark = (start, end, data.get("type"))
        if mark in seen:
            picture.remove_edge(start, end, key)
        seen.add(mark)
