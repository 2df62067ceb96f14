"""A community drawn from its members' neighbourhoods: its accounts and what two or more of them share.

Pure: it takes the neighbourhoods (read, bounded, by :mod:`graphbench.store_reads.community_neighbourhoods`)
and which identifiers are popular, and draws. A member counts only what it uses itself (its phones,
e-mails, channels) or through the listings it posted (their hashtags and accepted channels), never a
linked account's identifiers. Drawn: identifiers two or more members use, unless popular (an escrow
channel, #pets: as in the account graph, what everybody uses joins nobody), money between channels of two
different members, and direct ties between members (LINKS_TO, SAME_AS).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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


@dataclass
class Evidence:
    """What the members' neighbourhoods show, before the popular identifiers are dropped."""

    picture: nx.MultiDiGraph  # the members found, and direct ties between them
    users: dict[str, dict[str, str]] = field(default_factory=dict)  # identifier → {member: how it uses it}
    found: dict[str, dict[str, Any]] = field(default_factory=dict)  # identifier → its node attributes
    paid: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # money between two members

    def candidates(self) -> dict[str, str]:
        """Identifiers that would be drawn (shared, or an end of money between members) → their label."""
        nodes = {node for node, by in self.users.items() if len(by) >= 2}
        nodes |= {node for s, e, _ in self.paid for node in (s, e)}
        return {node: str(self.found[node]["label"]) for node in sorted(nodes)}


def gather_evidence(members: Sequence[str], around: Mapping[str, nx.MultiDiGraph]) -> Evidence:
    """Members (in order) with their own identifiers and ties, from each member's neighbourhood."""
    inside = set(members)
    evidence = Evidence(nx.MultiDiGraph())
    money: list[tuple[str, str, dict[str, Any]]] = []
    for member in members:
        graph = around.get(member)
        if graph is None or member not in graph:
            continue
        evidence.picture.add_node(member, **graph.nodes[member])
        for node, how in _own_identifiers(member, graph).items():
            evidence.users.setdefault(node, {})[member] = how
            evidence.found[node] = graph.nodes[node]
        for start, end, data in graph.edges(data=True):
            if member in (start, end) and start in inside and end in inside and start != end:
                evidence.picture.add_edge(start, end, **data)
            elif data.get("type") == "TRANSFERRED":
                money.append((start, end, data))
    users = evidence.users
    # a transfer between channels of two different members (key views compare as sets)
    evidence.paid = [(s, e, d) for s, e, d in money if s in users and e in users and users[s].keys() != users[e].keys()]
    return evidence


def draw(evidence: Evidence, popular: set[str]) -> nx.MultiDiGraph:
    """The picture: members, shared identifiers that are not popular, money between members' channels."""
    picture = evidence.picture.copy()
    shared = {node for node, by in evidence.users.items() if len(by) >= 2}
    paid = [(s, e, d) for s, e, d in evidence.paid if s not in popular and e not in popular]
    kept = (shared - popular) | {node for s, e, _ in paid for node in (s, e)}
    for node in sorted(kept):
        picture.add_node(node, **evidence.found[node])
        for member, how in evidence.users[node].items():
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


def _drop_repeated_ties(picture: nx.MultiDiGraph) -> None:
    """A tie between two members is seen from both ends: keep one edge per (start, end, type)."""
    seen: set[tuple[str, str, Any]] = set()
    for start, end, key, data in list(picture.edges(keys=True, data=True)):
        mark = (start, end, data.get("type"))
        if mark in seen:
            picture.remove_edge(start, end, key)
        seen.add(mark)
