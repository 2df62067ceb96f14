"""Drawing one community from bounded reads: a planted ring's accounts and what they share."""

from __future__ import annotations

import json
from pathlib import Path

from graphbench.analytics.community_picture import USED_THROUGH, community_picture

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


def test_a_planted_ring_is_drawn_with_what_its_accounts_share(sample_store) -> None:
    members = RING["accounts"]
    counting = CountingStore(sample_store)
    picture = community_picture(counting, members, per_member=150, max_users=100)
    assert set(members) <= set(picture)
    shared = set(picture) - set(members)
    assert shared & set(RING["channels"]), "the ring's payment channels join its accounts"
    assert not shared & set(TRUTH["popular_identifiers"]), "escrow channels and #pets join nobody"
    for node in shared:  # every identifier drawn is reached by at least two members
        assert len(set(picture.predecessors(node)) & set(members)) >= 2, node
    # bounded reads only: one per member, one per identifier two members share
    assert [r for r in counting.reads if r[0] in members] == [(m, 2, 150) for m in members]
    assert all(limit == 100 and hops == 1 for node, hops, limit in counting.reads if node not in members)


def test_an_identifier_only_one_member_reaches_is_left_out(sample_store) -> None:
    members = RING["accounts"]
    picture = community_picture(sample_store, members)
    reached: dict[str, set[str]] = {}
    for member in members:
        around = sample_store.neighbourhood(member, hops=2, limit=150)
        for node, data in around.nodes(data=True):
            if data.get("label") in USED_THROUGH:
                reached.setdefault(node, set()).add(member)
    lonely = [n for n, by in reached.items() if len(by) == 1]
    assert lonely, "the sample should give some member an identifier of its own"
    assert not set(lonely) & set(picture)


def test_members_are_capped(sample_store) -> None:
    counting = CountingStore(sample_store)
    picture = community_picture(counting, RING["accounts"], max_members=3)
    assert len([r for r in counting.reads if r[1] == 2]) == 3
    assert set(picture) >= set(RING["accounts"][:3])
    assert not set(picture) & set(RING["accounts"][3:])
