"""A community drawn from bounded neighbourhood reads: its accounts and what two or more of them share.

On Neo4j the community page must not pull the whole account graph to draw one community. Each member's
two-hop neighbourhood comes from the store, capped, and counts only what the member uses itself (its
phones, e-mails, channels) or through the listings it posted (their hashtags and accepted channels),
never a linked account's identifiers. Drawn: identifiers two or more members use, unless popular (an
escrow channel, #pets: as in the account graph, what everybody uses joins nobody), money between
channels of two different members, and direct ties between members (LINKS_TO, SAME_AS).
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
    """Members (at most ``max_members``) with the evidence that joins them, read in bounded pieces: the
    identifiers two or more of them use (fewer than ``max_users`` accounts or listings use each), money
    between their own channels, and direct ties between members. One neighbourhood read of
    ``per_member`` nodes per member, one of ``max_users`` per identifier that would be drawn."""
    chosen = list(dict.fromkeys(members))[:max_members]
    inside = set(chosen)
    picture = nx.MultiDiGraph()
    users: dict[str, dict[str, str]] = {}  # identifier → {member: how the member uses it}
    found: dict[str, dict[str, Any]] = {}
    money: list[tuple[str, str, dict[str, Any]]] = []
    for member in chosen:
        around = store.neighbourhood(member, hops=2, limit=per_member)
        if member not in around:
            continue
        picture.add_node(member, **around.nodes[member])
        for node, how in _own_identifiers(member, around).items():
            users.setdefault(node, {})[member] = how
            found[node] = around.nodes[node]
        for start, end, data in around.edges(data=True):
            if member in (start, end) and start in inside and end in inside and start != end:
                picture.add_edge(start, end, **data)
            elif data.get("type") == "TRANSFERRED":
                money.append((start, end, data))
    shared = {node for node, by in users.items() if len(by) >= 2}
    # a transfer between channels of two different members (key views compare as sets)
    paid = [(s, e, d) for s, e, d in money if s in users and e in users and users[s].keys() != users[e].keys()]
    candidates = shared | {node for s, e, _ in paid for node in (s, e)}
    popular = {node for node in candidates if _popular(store, node, found[node]["label"], max_users)}
    paid = [(s, e, d) for s, e, d in paid if s not in popular and e not in popular]
    kept = (shared - popular) | {node for s, e, _ in paid for node in (s, e)}
    for node in sorted(kept):
        picture.add_node(node, **found[node])
        for member, how in users[node].items():
            picture.add_edge(member, node, type=how)
    for start, end, data in paid:
        picture.add_edge(start, end, **data)
    _drop_repeated_ties(picture)
    return picture


def _own_identifiers(member: str, around: nx.MultiDiGraph) -> dict[str, str]:
    """What the member uses itself or through the listings it posted — never a linked account's."""
    direct = {end if start == member else start: str(data.get("type"))
              for start, end, data in around.edges(data=True) if member in (start, end)}
    own = {node: how for node, how in direct.items() if around.nodes[node].get("label") in USED_THROUGH}
    posted = {node for node, how in direct.items() if how == "POSTED"}
    for start, end, _ in around.edges(data=True):
        if start in posted and around.nodes[end].get("label") in USED_THROUGH:
            own.setdefault(end, "via a listing")
    return own


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
