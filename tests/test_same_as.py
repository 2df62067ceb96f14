"""Entity resolution of accounts, and resolution written to a store, on planted answers."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from graphbench.batch import GraphBatch, provenance
from graphbench.errors import GraphbenchError
from graphbench.resolve.run import accept_same_as, reject_same_as, resolve_store
from graphbench.resolve.same_as import SameAsWeights, handle_similarity, resolve_accounts
from graphbench.store import open_store


def _accounts(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"id": list(ids), "handle": [i.split(":", 2)[2] for i in ids]})


def _rels(*pairs: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"start": [p[0] for p in pairs], "end": [p[1] for p in pairs]})


def _pairs(result: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(result["start"], result["end"], strict=True))


def test_a_shared_phone_links_two_accounts_with_its_evidence():
    accounts = _accounts("Account:instagram:reptile.house", "Account:facebook:snake_shop", "Account:x:other")
    phones = _rels(("Account:instagram:reptile.house", "Phone:+84912345678"),
                   ("Account:facebook:snake_shop", "Phone:+84912345678"),
                   ("Account:x:other", "Phone:+84900000000"))
    result = resolve_accounts(accounts, has_phone=phones)
    assert result.to_dict("records") == [{
        "start": "Account:facebook:snake_shop", "end": "Account:instagram:reptile.house",
        "score": 0.9, "evidence": "shared_phone:+84912345678"}]


def test_escrow_channel_and_influencer_do_not_chain_unrelated_sellers():
    sellers = [f"Account:x:seller{i:02d}" for i in range(30)]
    accounts = _accounts(*sellers, "Account:x:influencer")
    escrow = _rels(*[(s, "PaymentChannel:paypal:escrow@pay.example") for s in sellers])
    adverts = _rels(*[("Account:x:influencer", s) for s in sellers])
    assert resolve_accounts(accounts, uses=escrow, links_to=adverts).empty
    # a pair that shares its own wallet is still found, and the escrow adds nothing to chain it
    own = _rels(("Account:x:seller01", "PaymentChannel:btc:bc1qownwallet0000000000000"),
                ("Account:x:seller02", "PaymentChannel:btc:bc1qownwallet0000000000000"))
    result = resolve_accounts(accounts, uses=pd.concat([escrow, own]), links_to=adverts)
    assert _pairs(result) == {("Account:x:seller01", "Account:x:seller02")}


def test_identifier_damping_is_full_for_an_operator_and_zero_for_a_crowd():
    weights = SameAsWeights()
    assert weights.damping([2, 4]).tolist() == [1.0, 1.0]
    assert 0 < weights.damping([10])[0] < 1
    assert weights.damping([40, 400]).tolist() == [0.0, 0.0]


def test_look_alike_handles_add_up_with_working_together_but_never_alone():
    accounts = _accounts("Account:instagram:reptile.house", "Account:facebook:reptlie_house",
                         "Account:tiktok:reptilehouse_vn", "Account:x:unrelated", "Account:y:ivory.king")
    assert handle_similarity("reptile.house", "reptilehouse_vn") == 1.0  # same stem
    assert handle_similarity("thereptile.house", "reptile_house27") == 1.0
    assert handle_similarity("reptile.house", "reptlie_house") == 0.92  # misspelt
    assert handle_similarity("foresthouse.official", "shellhouse.official") < 0.8
    # no other evidence: similar handles alone are never even looked at
    assert resolve_accounts(accounts).empty
    one_way = _rels(("Account:instagram:reptile.house", "Account:tiktok:reptilehouse_vn"),
                    ("Account:instagram:reptile.house", "Account:facebook:reptlie_house"),
                    ("Account:x:unrelated", "Account:y:ivory.king"))
    result = resolve_accounts(accounts, links_to=one_way)
    # reused name + one-way link: linked; misspelt name + one-way link, or a link alone: not
    assert result.to_dict("records") == [{
        "start": "Account:instagram:reptile.house", "end": "Account:tiktok:reptilehouse_vn",
        "score": 0.7375, "evidence": "link:one_way;handle_sim:1.00"}]
    mutual = pd.concat([one_way, _rels(("Account:facebook:reptlie_house", "Account:instagram:reptile.house"))])
    result = resolve_accounts(accounts, links_to=mutual)
    assert ("Account:facebook:reptlie_house", "Account:instagram:reptile.house") in _pairs(result)
    assert result["evidence"].iloc[0] == "link:mutual;handle_sim:0.92"


def test_working_together_alone_is_not_the_same_operator():
    accounts = _accounts("Account:a:one", "Account:b:two", "Account:c:one_vn")
    posted = _rels(*[(a, f"Listing:{a.split(':')[1]}:{i}") for a in accounts["id"] for i in range(6)])
    # ring partners: six cross-posted items and links both ways
    cross = _rels(*[(f"Listing:a:{i}", f"Listing:b:{i}") for i in range(6)], ("Listing:a:0", "Listing:c:0"))
    links = _rels(("Account:a:one", "Account:b:two"), ("Account:b:two", "Account:a:one"))
    result = resolve_accounts(accounts, posted=posted, cross_posts=cross, links_to=links)
    # only the pair that also reuses a name is linked: one -> one_vn
    assert result.to_dict("records") == [{"start": "Account:a:one", "end": "Account:c:one_vn",
                                          "score": 0.755, "evidence": "cross_post:1;handle_sim:1.00"}]


def test_evidence_is_listed_in_a_fixed_order_and_pairs_are_ordered():
    accounts = _accounts("Account:z:shop", "Account:a:shop_vn")
    result = resolve_accounts(
        accounts,
        has_email=_rels(("Account:z:shop", "Email:s@shop.example"), ("Account:a:shop_vn", "Email:s@shop.example")),
        has_phone=_rels(("Account:z:shop", "Phone:+84912345678"), ("Account:a:shop_vn", "Phone:+84912345678")),
        uses=_rels(("Account:z:shop", "PaymentChannel:paypal:s@shop.example"),
                   ("Account:a:shop_vn", "PaymentChannel:paypal:s@shop.example")),
    )
    row = result.iloc[0]
    assert (row["start"], row["end"]) == ("Account:a:shop_vn", "Account:z:shop")
    assert row["evidence"] == ("shared_phone:+84912345678;shared_email:s@shop.example;"
                               "shared_payment:PaymentChannel:paypal:s@shop.example;handle_sim:1.00")
    assert row["score"] == pytest.approx(1 - 0.1 * 0.1 * 0.2 * (1 - 0.65), abs=1e-4)


# -- written to a store ----------------------------------------------------------------------------

@pytest.fixture(params=["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def tiny_store(request):
    """Three accounts (two share a phone), two listings with near photos, in each kind of store."""
    store = open_store("memory:") if request.param == "memory" else request.getfixturevalue("neo4j_store")
    batch = GraphBatch()
    origin = provenance("test.csv", 1, "0" * 64, "2024-05-01T00:00:00Z")
    for account in ("Account:a:one", "Account:b:two", "Account:c:three"):
        batch.add_node(account, {"platform": account.split(":")[1], "handle": account.split(":")[2]}, origin)
    batch.add_node("Phone:+84912345678", {"e164": "+84912345678"}, origin)
    batch.add_node("Listing:a:1", {"image_phash": "f0e1d2c3b4a59687", "title": "ball python"}, origin)
    batch.add_node("Listing:c:1", {"image_phash": "f0e1d2c3b4a59686", "title": "python"}, origin)
    batch.add_rel("HAS_PHONE", "Account:a:one", "Phone:+84912345678", {}, origin)
    batch.add_rel("HAS_PHONE", "Account:b:two", "Phone:+84912345678", {}, origin)
    batch.add_rel("POSTED", "Account:a:one", "Listing:a:1", {}, origin)
    batch.add_rel("POSTED", "Account:c:three", "Listing:c:1", {}, origin)
    store.upsert(batch)
    return store


def _table(store, rel_type: str) -> list[dict]:
    table = store.relationships(rel_type).sort_values(["start", "end"])
    return table.astype(object).where(table.notna(), None).to_dict("records")


def test_resolve_store_writes_links_and_a_rerun_changes_nothing(tiny_store):
    store = tiny_store
    summary = resolve_store(store)
    assert (summary.cross_posts, summary.same_as, summary.rejected) == (1, 1, 0)
    cross = _table(store, "CROSS_POSTED_AS")
    assert [(r["start"], r["end"], r["method"], r["hamming"]) for r in cross] == [
        ("Listing:a:1", "Listing:c:1", "image", 1)]
    same = _table(store, "SAME_AS")
    assert [(r["start"], r["end"], r["evidence"]) for r in same] == [
        ("Account:a:one", "Account:b:two", "shared_phone:+84912345678")]
    assert same[0]["source_file"] == "graphbench.resolve"
    resolve_store(store)
    assert _table(store, "CROSS_POSTED_AS") == cross
    assert _table(store, "SAME_AS") == same


def test_a_rejection_survives_a_rerun(tiny_store):
    store = tiny_store
    resolve_store(store)
    reject_same_as(store, "Account:b:two", "Account:a:one")  # either order
    summary = resolve_store(store)
    assert summary.rejected == 1 and summary.stale_verdicts_kept == 0
    [row] = _table(store, "SAME_AS")
    assert row["status"] == "rejected" and row["evidence"] == "shared_phone:+84912345678"


def test_a_verdict_on_a_pair_whose_evidence_lapsed_is_kept(tiny_store):
    store = tiny_store
    resolve_store(store)
    accept_same_as(store, "Account:a:one", "Account:b:two")
    summary = resolve_store(store, weights=SameAsWeights(phone=0.1))  # evidence now too weak
    assert (summary.same_as, summary.accepted, summary.stale_verdicts_kept) == (1, 1, 1)
    [row] = _table(store, "SAME_AS")
    assert row["status"] == "accepted"
    assert resolve_store(store).stale_verdicts_kept == 0  # holds again, verdict still on it
    assert _table(store, "SAME_AS")[0]["status"] == "accepted"


def test_a_verdict_on_a_missing_link_is_refused(tiny_store):
    store = tiny_store
    resolve_store(store)
    with pytest.raises(GraphbenchError, match="no SAME_AS link"):
        reject_same_as(store, "Account:a:one", "Account:c:three")


# -- the sample data against its ground truth ------------------------------------------------------

def test_same_operator_accounts_in_the_sample(sample_store, ground_truth):
    resolve_store(sample_store)
    found = _pairs(sample_store.relationships("SAME_AS"))
    truth = {tuple(sorted(p)) for group in ground_truth["operators"]
             for p in itertools.combinations(_members(group), 2)}
    hits = len(found & truth)
    assert hits / len(found) >= 0.95  # precision
    assert hits / len(truth) >= 0.85  # recall


def _members(group: object) -> list[str]:
    return list(group["accounts"] if isinstance(group, dict) else group)
