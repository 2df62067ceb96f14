"""Drawing one community from bounded reads: a planted ring's accounts and what they share."""

from __future__ import annotations

import json
from pathlib import Path

from graphbench.store_reads.community_neighbourhoods import community_picture

ROOT = Path(__file__).resolve().parents[1]
TRUTH = json.loads((ROOT / "sample_data" / "ground_truth.json").read_text())
RING = TRUTH["rings"][0]


class CountingStore:
    """Passes neighbourhood reads to the real store and records each one (node, hops, limit)."""

    def __init__(self, store) -> None:
        self.store = store
        self.reads: list[tuple[str, int, int]] = []

    def neighbourhood(self, node_id: str, hops: int = 1, limit: int = 200, rel_types=None):
        self.reads.append((node_id, hops, limit))
        return self.store.neighbourhood(node_id, hops=hops, limit=limit, rel_types=rel_types)


def test_a_planted_ring_is_drawn_with_what_joins_its_accounts(sample_store) -> None:
    members = RING["accounts"]
    counting = CountingStore(sample_store)
    picture = community_picture(counting, members, per_member=150, max_users=100)
    assert set(members) <= set(picture)
    drawn = set(picture) - set(members)
    assert drawn & set(RING["channels"]), "money between the ring's own channels joins its accounts"
    assert not drawn & set(TRUTH["popular_identifiers"]), "escrow channels and #pets join nobody"
    for node in drawn:  # shared by two members, or a member's channel that paid / was paid by another's
        users = set(picture.predecessors(node)) & set(members)
        money = [e for e in picture.in_edges(node, data=True) if e[2].get("type") == "TRANSFERRED"]
        money += [e for e in picture.out_edges(node, data=True) if e[2].get("type") == "TRANSFERRED"]
        assert len(users) >= 2 or (node.startswith("PaymentChannel:") and users and money), node
    # bounded reads only: one per member, then one small one per identifier drawn
    assert [r for r in counting.reads if r[0] in members] == [(m, 2, 150) for m in members]
    assert all(limit == 100 and hops == 1 for node, hops, limit in counting.reads if node not in members)


def test_a_phone_or_email_only_one_member_has_is_left_out(sample_store) -> None:
    members = RING["accounts"]
    picture = community_picture(sample_store, members)
    holders: dict[str, set[str]] = {}
    for member in members:
        for node in sample_store.neighbourhood(member, hops=1, limit=500, rel_types=["HAS_PHONE", "HAS_EMAIL"]):
            if node != member:
                holders.setdefault(node, set()).add(member)
    lonely = {n for n, by in holders.items() if len(by) == 1}
    shared = {n for n, by in holders.items() if len(by) >= 2}
    assert lonely and shared, "the sample gives some members a phone of their own, and some share one"
    assert not lonely & set(picture)
    assert shared <= set(picture)


def test_members_are_capped(sample_store) -> None:
    counting = CountingStore(sample_store)
    picture = community_picture(counting, RING["accounts"], max_members=3)
    assert len([r for r in counting.reads if r[1] == 2]) == 3
    assert set(picture) >= set(RING["accounts"][:3])
    assert not set(picture) & set(RING["accounts"][3:])
