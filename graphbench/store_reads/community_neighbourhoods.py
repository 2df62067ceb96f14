"""A community's picture read from a store in bounded pieces, never the whole account graph.

On Neo4j the community page must not pull the whole account graph to draw one community: each member's
two-hop neighbourhood comes from the store, capped, and each identifier that would be drawn is checked for
popularity with one capped read of its users. The drawing is :mod:`graphbench.analytics.community_picture`.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx

from graphbench.analytics.community_picture import USED_THROUGH, draw, gather_evidence
from graphbench.store.base import GraphStore


def community_picture(store: GraphStore, members: Sequence[str], max_members: int = 60, per_member: int = 150,
                      max_users: int = 100) -> nx.MultiDiGraph:
    """Members (at most ``max_members``) with the evidence that joins them: the identifiers two or more of
    them use (fewer than ``max_users`` accounts or listings use each), money between their own channels,
    and direct ties between members. One neighbourhood read of ``per_member`` nodes per member, one of
    ``max_users`` per identifier that would be drawn."""
    chosen = list(dict.fromkeys(members))[:max_members]
    around = {member: store.neighbourhood(member, hops=2, limit=per_member) for member in chosen}
    evidence = gather_evidence(chosen, around)
    popular = {node for node, label in evidence.candidates().items() if _popular(store, node, label, max_users)}
    return draw(evidence, popular)


def _popular(store: GraphStore, node: str, label: str, max_users: int) -> bool:
    """More users than the read may hold: the store marks the node ``truncated``."""
    users = store.neighbourhood(node, hops=1, limit=max_users, rel_types=USED_THROUGH[label])
    return node in users and bool(users.nodes[node].get("truncated"))
