"""The sample-data generator: deterministic, and its ground truth agrees with the files it writes."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from graphbench import normalize
from graphbench.schema import node_id

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "sample_data"
DATA_FILES = ("accounts.csv", "listings.jsonl", "transactions.csv", "payment_links.csv", "shipments.csv")
OUTPUT_FILES = (*DATA_FILES, "ground_truth.json", "README.md")
GROUND_TRUTH_KEYS = ["seed", "scale", "rings", "operators", "influencers", "cross_post_groups", "mentions",
                     "negative_listings", "patterns", "popular_identifiers", "malformed_rows", "counts"]
PATTERN_KINDS = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter", "stack", "structuring")
REQUIRED = {
    "accounts.csv": ("platform", "handle"),
    "listings.jsonl": ("platform", "listing_id", "handle"),
    "transactions.csv": ("tx_id", "timestamp", "from_type", "from_id", "to_type", "to_id", "amount"),
    "payment_links.csv": ("platform", "handle", "channel_type", "channel_id"),
    "shipments.csv": ("shipper", "tracking_no"),
}
SMALL_SCALE = 0.3


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("sample_data_generate", SAMPLE_DIR / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> Any:
    return load_generator()


@pytest.fixture(scope="module")
def small(generator: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_small")
    generator.generate(out, seed=11, scale=SMALL_SCALE)
    return out


@pytest.fixture(scope="module")
def full(generator: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_full")
    generator.generate(out, seed=7, scale=1)
    return out


# --- reading the files back the way a loader would -------------------------------------------

def read_rows(directory: Path, name: str) -> list[dict[str, Any]]:
    with open(directory / name, encoding="utf-8", newline="") as f:
        if name.endswith(".jsonl"):
            return [json.loads(line) for line in f]
        return list(csv.DictReader(f))


def text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def check_channel(row: dict[str, Any], type_key: str, id_key: str) -> list[tuple[str, Callable[[], Any]]]:
    return [(type_key, lambda: normalize.channel_type(text(row, type_key))),
            (id_key, lambda: normalize.channel_id(normalize.channel_type(text(row, type_key)), text(row, id_key)))]


def checks_for(name: str, row: dict[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    """(field, validation) pairs in the order a loader checks them; optional empty fields are skipped."""
    def optional(key: str, parse: Callable[[str], Any]) -> tuple[str, Callable[[], Any]]:
        return key, lambda: parse(text(row, key)) if text(row, key) else None

    if name == "accounts.csv":
        return [("platform", lambda: normalize.platform(text(row, "platform"))),
                ("handle", lambda: normalize.handle(text(row, "handle"))),
                optional("phone", normalize.phone), optional("email", normalize.email),
                optional("followers", normalize.amount), optional("created_at", normalize.timestamp),
                optional("captured_at", normalize.timestamp)]
    if name == "listings.jsonl":
        return [("platform", lambda: normalize.platform(text(row, "platform"))),
                ("listing_id", lambda: normalize.listing_id(text(row, "listing_id"))),
                ("handle", lambda: normalize.handle(text(row, "handle"))),
                optional("posted_at", normalize.timestamp), optional("price", normalize.amount),
                optional("currency", normalize.currency), optional("captured_at", normalize.timestamp)]
    if name == "transactions.csv":
        return [("tx_id", lambda: text(row, "tx_id") or normalize.listing_id("")),
                ("timestamp", lambda: normalize.timestamp(text(row, "timestamp"))),
                *check_channel(row, "from_type", "from_id"), *check_channel(row, "to_type", "to_id"),
                ("amount", lambda: normalize.amount(text(row, "amount"))),
                optional("currency", normalize.currency)]
    if name == "payment_links.csv":
        return [("platform", lambda: normalize.platform(text(row, "platform"))),
                ("handle", lambda: normalize.handle(text(row, "handle"))),
                *check_channel(row, "channel_type", "channel_id")]
    return [("shipper", lambda: normalize.shipper(text(row, "shipper"))),
            ("tracking_no", lambda: normalize.tracking_no(text(row, "tracking_no"))),
            optional("origin_country", normalize.country), optional("destination_country", normalize.country),
            optional("weight_kg", normalize.amount), optional("shipped_at", normalize.timestamp)]


def first_error(name: str, row: dict[str, Any]) -> str | None:
    """The field of the first failed check, or None if the row is valid."""
    for field, check in checks_for(name, row):
        if field in REQUIRED[name] and not text(row, field):
            return field
        try:
            check()
        except ValueError:
            return field
    return None


def valid_rows(directory: Path, name: str) -> list[dict[str, Any]]:
    truth = json.loads((directory / "ground_truth.json").read_text(encoding="utf-8"))
    bad = {m["row"] for m in truth["malformed_rows"] if m["file"] == name}
    return [row for i, row in enumerate(read_rows(directory, name), start=1) if i not in bad]


def account_node(platform: str, handle: str) -> str:
    return node_id("Account", normalize.platform(platform), normalize.handle(handle))


def channel_node(ctype: str, raw: str) -> str:
    kind = normalize.channel_type(ctype)
    return node_id("PaymentChannel", kind, normalize.channel_id(kind, raw))


def truth_of(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "ground_truth.json").read_text(encoding="utf-8"))


def transactions_by_id(directory: Path) -> dict[str, dict[str, Any]]:
    return {row["tx_id"]: row for row in valid_rows(directory, "transactions.csv")}


# --- determinism -------------------------------------------------------------------------------

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

@pytest.fixture(params=["small", "full"])
def sample(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)


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

def test_each_pattern_kind_has_at_least_five_instances(sample: Path) -> None:
    kinds = defaultdict(int)
    for pattern in truth_of(sample)["patterns"]:
        kinds[pattern["kind"]] += 1
    assert all(kinds[k] >= 5 for k in PATTERN_KINDS), dict(kinds)
    assert set(kinds) == set(PATTERN_KINDS)


def test_pattern_totals_times_and_members_match_their_transfers(sample: Path) -> None:
    txs = transactions_by_id(sample)
    for pattern in truth_of(sample)["patterns"]:
        rows = [txs[t] for t in pattern["tx_ids"]]
        assert sum(float(r["amount"]) for r in rows) == pytest.approx(pattern["amount"], abs=0.01)
        stamps = sorted(normalize.timestamp(r["timestamp"]) for r in rows)
        assert (stamps[0], stamps[-1]) == (pattern["first_ts"], pattern["last_ts"])
        ends = {channel_node(r["from_type"], r["from_id"]) for r in rows}
        ends |= {channel_node(r["to_type"], r["to_id"]) for r in rows}
        assert ends == set(pattern["members"])


def edges(pattern: dict[str, Any], txs: dict[str, dict[str, Any]]) -> list[tuple[str, str, float, str]]:
    rows = [txs[t] for t in pattern["tx_ids"]]
    return sorted(((channel_node(r["from_type"], r["from_id"]), channel_node(r["to_type"], r["to_id"]),
                    float(r["amount"]), normalize.timestamp(r["timestamp"])) for r in rows), key=lambda e: e[3])


def hours(first: str, last: str) -> float:
    return (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds() / 3600


def test_pattern_shapes(sample: Path) -> None:
    txs = transactions_by_id(sample)
    for pattern in truth_of(sample)["patterns"]:
        flow = edges(pattern, txs)
        sources = {e[0] for e in flow}
        targets = {e[1] for e in flow}
        kind = pattern["kind"]
        if kind == "fan_in":
            assert len(targets) == 1 and len(sources) >= 5
            assert hours(pattern["first_ts"], pattern["last_ts"]) <= 96
        elif kind == "fan_out":
            assert len(sources) == 1 and len(targets) >= 5
            assert hours(pattern["first_ts"], pattern["last_ts"]) <= 96
        elif kind == "cycle":
            assert 3 <= len(flow) <= 6 and flow[0][0] == flow[-1][1]
            assert all(a[1] == b[0] and a[2] > b[2] for a, b in zip(flow, flow[1:], strict=False))
        elif kind in ("scatter_gather", "gather_scatter"):
            middles = sources & targets
            assert len(middles) >= (1 if kind == "gather_scatter" else 4)
            assert len(sources - targets) >= (4 if kind == "gather_scatter" else 1)
            assert len(targets - sources) >= (4 if kind == "gather_scatter" else 1)
        elif kind == "stack":
            (source,) = sources - targets
            (sink,) = targets - sources
            assert longest_path(flow, source, sink) >= 3
        else:
            assert len(sources) == 1 and all(9000 <= e[2] < 10000 for e in flow) and len(flow) >= 5


def longest_path(flow: list[tuple[str, str, float, str]], source: str, sink: str) -> int:
    successors: dict[str, set[str]] = defaultdict(set)
    for start, end, _amount, _ts in flow:
        successors[start].add(end)

    def depth(node: str) -> int:
        return 0 if node == sink else 1 + max((depth(n) for n in successors[node]), default=-10**6)

    return depth(source)


def test_pattern_tx_ids_are_unique_and_patterns_do_not_share_transfers(sample: Path) -> None:
    tx_ids = [t for p in truth_of(sample)["patterns"] for t in p["tx_ids"]]
    assert len(tx_ids) == len(set(tx_ids))
    assert all(re.fullmatch(r"TX\d{9}", t) for t in tx_ids)


# --- same-operator evidence ----------------------------------------------------------------------

def test_each_ring_operators_accounts_are_tied_by_an_identifier_or_a_look_alike_handle(sample: Path) -> None:
    truth = truth_of(sample)
    evidence: dict[str, set[str]] = defaultdict(set)
    for row in valid_rows(sample, "accounts.csv"):
        account = account_node(row["platform"], row["handle"])
        if text(row, "phone"):
            evidence[account].add("phone:" + normalize.phone(row["phone"]))
        if text(row, "email"):
            evidence[account].add("email:" + normalize.email(row["email"]))
    for row in valid_rows(sample, "payment_links.csv"):
        evidence[account_node(row["platform"], row["handle"])].add(channel_node(row["channel_type"], row["channel_id"]))
    escrow = set(truth["popular_identifiers"])
    tied = 0
    for operator in (op for op in truth["operators"] if op["ring"] and len(op["accounts"]) > 1):
        accounts = operator["accounts"]
        linked = {accounts[0]}
        changed = True
        while changed:  # grow the set of accounts reachable through shared evidence
            changed = False
            for account in accounts:
                if account not in linked and any(
                        (evidence[account] & evidence[other]) - escrow or look_alike(account, other)
                        for other in linked):
                    linked.add(account)
                    changed = True
        assert linked == set(accounts), operator
        tied += 1
    assert tied >= 3


def look_alike(first: str, second: str) -> bool:
    """Handles sharing a run of at least 6 letters/digits once separators are dropped (scale.shop ~ scaleshop_vn)."""
    a, b = (re.sub(r"[^a-z0-9]", "", node.rsplit(":", 1)[1]) for node in (first, second))
    return any(a[i:i + 6] in b for i in range(len(a) - 5))
