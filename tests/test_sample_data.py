"""The sample-data generator: deterministic, and its ground truth agrees with the files it writes."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from generated_sample import (
    DATA_FILES,
    GROUND_TRUTH_KEYS,
    OUTPUT_FILES,
    ROOT,
    SAMPLE_DIR,
    SMALL_SCALE,
    account_node,
    channel_node,
    first_error,
    read_rows,
    truth_of,
    valid_rows,
)

from graphbench import normalize
from graphbench.schema import node_id


def test_same_seed_writes_the_same_bytes(generator: Any, small: Path, tmp_path: Path) -> None:
    generator.generate(tmp_path, seed=11, scale=SMALL_SCALE)
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (small / name).read_bytes(), name


def test_another_seed_writes_other_data(generator: Any, small: Path, tmp_path: Path) -> None:
    generator.generate(tmp_path, seed=12, scale=SMALL_SCALE)
    assert (tmp_path / "transactions.csv").read_bytes() != (small / "transactions.csv").read_bytes()


def test_committed_sample_is_what_seed_7_scale_1_writes(full: Path) -> None:
    if not (SAMPLE_DIR / "ground_truth.json").exists():
        pytest.skip("no committed sample yet")
    for name in OUTPUT_FILES:
        assert (SAMPLE_DIR / name).read_bytes() == (full / name).read_bytes(), \
            f"sample_data/{name} is stale: rerun python sample_data/generate.py --seed 7 --scale 1 --out sample_data"


# --- ground truth agrees with the files ----------------------------------------------------------

def test_ground_truth_has_exactly_the_agreed_keys(sample: Path) -> None:
    assert list(truth_of(sample)) == GROUND_TRUTH_KEYS


def test_counts_are_the_data_rows_of_each_file(sample: Path) -> None:
    counts = truth_of(sample)["counts"]
    assert set(counts) == set(DATA_FILES)
    for name in DATA_FILES:
        assert counts[name] == len(read_rows(sample, name)) > 0


def test_malformed_rows_fail_on_the_recorded_field_and_all_others_pass(sample: Path) -> None:
    truth = truth_of(sample)
    recorded = {(m["file"], m["row"]): m["field"] for m in truth["malformed_rows"]}
    assert recorded, "no malformed rows planted"
    for name in DATA_FILES:
        for i, row in enumerate(read_rows(sample, name), start=1):
            assert first_error(name, row) == recorded.get((name, i)), (name, i, row)
    total = sum(truth["counts"].values())
    assert 0.004 * total <= len(recorded) <= 0.03 * total


def test_every_account_id_in_the_ground_truth_is_an_account_of_the_files(sample: Path) -> None:
    truth = truth_of(sample)
    accounts = {account_node(r["platform"], r["handle"]) for r in valid_rows(sample, "accounts.csv")}
    named = [a for ring in truth["rings"] for a in ring["accounts"]]
    named += [a for op in truth["operators"] for a in op["accounts"]]
    named += [i["account"] for i in truth["influencers"]] + [a for i in truth["influencers"] for a in i["advertises"]]
    assert named and set(named) <= accounts
    by_operator = [a for op in truth["operators"] for a in op["accounts"]]
    assert sorted(by_operator) == sorted(accounts), "every account belongs to exactly one operator"


def test_ring_members_are_their_operators_accounts(sample: Path) -> None:
    truth = truth_of(sample)
    for ring in truth["rings"]:
        members = sorted(a for op in truth["operators"] if op["ring"] == ring["id"] for a in op["accounts"])
        operators = [op for op in truth["operators"] if op["ring"] == ring["id"]]
        assert sorted(ring["accounts"]) == members and 3 <= len(operators) <= 10
        assert all(1 <= len(op["accounts"]) <= 4 for op in operators)


def test_second_captures_repeat_an_account_with_a_later_capture(sample: Path) -> None:
    rows = valid_rows(sample, "accounts.csv")
    seen: dict[str, dict[str, Any]] = {}
    repeats = 0
    for row in rows:
        key = account_node(row["platform"], row["handle"])
        if key in seen:
            repeats += 1
            assert normalize.timestamp(row["captured_at"]) > normalize.timestamp(seen[key]["captured_at"])
            assert row["followers"] != seen[key]["followers"]
        seen[key] = row
    assert repeats >= 1


def test_every_listing_is_a_mention_or_a_negative_and_never_both(sample: Path) -> None:
    truth = truth_of(sample)
    listings = [node_id("Listing", normalize.platform(r["platform"]), normalize.listing_id(r["listing_id"]))
                for r in valid_rows(sample, "listings.jsonl")]
    assert len(listings) == len(set(listings))
    mentioned = {m["listing"] for m in truth["mentions"]}
    negative = set(truth["negative_listings"])
    assert not mentioned & negative
    assert mentioned | negative == set(listings)


def test_each_mention_term_is_written_in_its_listing_and_names_a_cites_species(sample: Path) -> None:
    truth = truth_of(sample)
    by_id = {node_id("Listing", normalize.platform(r["platform"]), normalize.listing_id(r["listing_id"])): r
             for r in valid_rows(sample, "listings.jsonl")}
    with open(ROOT / "graphbench" / "data" / "species.csv", encoding="utf-8", newline="") as f:
        species = {normalize.scientific_name(r["scientific_name"]): r for r in csv.DictReader(f)}
    kinds = defaultdict(int)
    for mention in truth["mentions"]:
        row = by_id[mention["listing"]]
        assert mention["term"] in f"{row.get('title', '')} {row.get('text', '')}"
        assert species[mention["scientific_name"]]["cites_appendix"].strip()
        kinds[mention["match"]] += 1
    assert set(kinds) == {"exact", "synonym", "common_name", "code_word", "misspelling"} or sample.name.startswith(
        "sample_small") and set(kinds) >= {"exact", "common_name", "misspelling"}


def test_misspellings_are_one_or_two_edits_of_the_scientific_name(sample: Path) -> None:
    for mention in truth_of(sample)["mentions"]:
        if mention["match"] == "misspelling":
            assert mention["term"] != mention["scientific_name"]
            assert 1 <= edit_distance(mention["term"], mention["scientific_name"]) <= 2, mention


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (an adjacent swap counts as one edit)."""
    d = [[max(i, j) if min(i, j) == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def test_cross_posts_share_a_photo_within_four_bits_across_listings(sample: Path) -> None:
    truth = truth_of(sample)
    rows = {node_id("Listing", normalize.platform(r["platform"]), normalize.listing_id(r["listing_id"])): r
            for r in valid_rows(sample, "listings.jsonl")}
    assert truth["cross_post_groups"]
    for group in truth["cross_post_groups"]:
        assert len(group) == len(set(group)) >= 2
        hashes = [int(rows[lid]["image_phash"], 16) for lid in group]
        assert max(bin(h ^ hashes[0]).count("1") for h in hashes) <= 8  # each copy is 0-4 bits off the first
        accounts = {account_node(rows[lid]["platform"], rows[lid]["handle"]) for lid in group}
        assert len(accounts) >= 2


def test_ring_hashtags_channels_and_routes_are_in_the_files(sample: Path) -> None:
    truth = truth_of(sample)
    tags: set[str] = set()
    for row in valid_rows(sample, "listings.jsonl"):
        tags.update(normalize.hashtag(t) for t in normalize.split_multi(row.get("hashtags")))
        tags.update(normalize.hashtags_in_text(row.get("text", "")))
    linked = {channel_node(r["channel_type"], r["channel_id"]) for r in valid_rows(sample, "payment_links.csv")}
    shipments = valid_rows(sample, "shipments.csv")
    routes = {(normalize.country(r["origin_country"]), normalize.country(r["destination_country"]))
              for r in shipments}
    couriers = {r["shipper"] for r in shipments}
    for ring in truth["rings"]:
        assert ring["hashtags"] and set(ring["hashtags"]) <= tags
        assert ring["channels"] and set(ring["channels"]) <= linked
        assert {tuple(r) for r in ring["routes"]} <= routes and set(ring["couriers"]) <= couriers
        assert ring["species"] and ring["misspellings"]
    for identifier in truth["popular_identifiers"]:
        assert identifier in linked or identifier.removeprefix("Hashtag:") in tags


def test_escrow_is_shared_by_many_unrelated_accounts(full: Path) -> None:
    truth = truth_of(full)
    escrow = next(i for i in truth["popular_identifiers"] if i.startswith("PaymentChannel:"))
    users = {account_node(r["platform"], r["handle"]) for r in valid_rows(full, "payment_links.csv")
             if channel_node(r["channel_type"], r["channel_id"]) == escrow}
    operators = {op["id"] for op in truth["operators"] for a in op["accounts"] if a in users}
    assert len(users) >= 200 and len(operators) >= 150


# --- laundering patterns -------------------------------------------------------------------------
