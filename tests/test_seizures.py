"""Seizures on generated records with known answers: countries written as seizure databases write
them, counts per role and routes as counted from the plan, rejects for required fields only, links
to species, shipments, accounts, phones and channels, the risk indicator, ``graphbench seizures
--json`` — and the same answer from the embedded store and Neo4j."""

from __future__ import annotations

import csv
import json
import random
import sys
from collections import Counter
from pathlib import Path

import pytest

from graphbench.analytics.risk import score_accounts
from graphbench.analytics.seizures import SEIZURE_FIELDS, seizure_summary, top_countries
from graphbench.export.jsonl import generate_jsonl
from graphbench.store import open_store
from graphbench.store.tables import read_tables
from loaders.load import load_dir
from loaders.seizures import seizure_country

ROOT = Path(__file__).resolve().parents[1]
# how seizure records write each country (UNODC World WISE / TRAFFIC style names among them)
WRITTEN = {"VN": ["Viet Nam", "VN", "Vietnam"], "LA": ["Lao PDR", "Lao People's Democratic Republic", "LA"],
           "HK": ["China - Hong Kong", "Hong Kong", "China, Hong Kong SAR"], "CN": ["China", "CN"],
           "NG": ["Nigeria", "NG"], "MZ": ["Mozambique"], "MY": ["Malaysia", "MY"], "TH": ["Thailand"],
           "KE": ["Kenya", "KE"], "AE": ["United Arab Emirates", "UAE"], "CD": ["Democratic Republic of the Congo"],
           "CI": ["Côte d'Ivoire", "Ivory Coast"], "TW": ["Taiwan, Province of China"]}
HEADER = ["seizure_id", "date", "country", "city", "lat", "lon", "species", "quantity", "unit", "transport_mode",
          "concealment", "origin_country", "via_countries", "destination_country", "shipper", "tracking_no",
          "phones", "handles", "payment_ids", "source"]


def generate(seed: int, n: int) -> tuple[list[dict[str, str]], dict]:
    """``n`` seizure rows and the answer counted from the plan (codes, before they are written as names)."""
    rng = random.Random(seed)
    codes = sorted(WRITTEN)
    rows, seized, origin, transit, destination, kg, routes = [], Counter(), Counter(), Counter(), Counter(), Counter(), Counter()
    for k in range(n):
        at, src, dst = rng.choice(codes), rng.choice(codes), rng.choice(codes)
        via = rng.sample([c for c in codes if c not in (src, dst)], rng.choice([0, 0, 1, 2]))
        weight = rng.choice([None, round(rng.uniform(0.5, 900), 3)])
        rows.append({"seizure_id": f"WS-{seed}-{k:04d}", "date": f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                     "country": rng.choice(WRITTEN[at]), "origin_country": rng.choice(WRITTEN[src]),
                     "via_countries": ";".join(rng.choice(WRITTEN[c]) for c in via),
                     "destination_country": rng.choice(WRITTEN[dst]),
                     "species": rng.choice(["pangolin scales", "Manis javanica", "ivory", "rhino horn"]),
                     "quantity": "" if weight is None else str(weight) if rng.random() < 0.5 else str(weight * 1000),
                     "unit": "" if weight is None else "kg"})
        if weight is not None and rows[-1]["quantity"] != str(weight):
            rows[-1]["unit"] = "g"
        if weight is None and rng.random() < 0.5:
            rows[-1].update(quantity=str(rng.randint(1, 40)), unit="pieces")
        seized[at] += 1
        origin[src] += 1
        destination[dst] += 1
        for c in dict.fromkeys(via):
            transit[c] += 1
        kg[at] += weight or 0.0
        routes[(src, tuple(via), dst)] += 1
    return rows, {"seized": seized, "origin": origin, "transit": transit, "destination": destination, "kg": kg,
                  "routes": routes}


def write(folder: Path, name: str, rows: list[dict[str, str]], header: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def test_country_names_as_seizure_records_write_them() -> None:
    for code, names in WRITTEN.items():
        for name in names:
            assert seizure_country(name) == code, name
    with pytest.raises(ValueError):
        seizure_country("Atlantis")


def test_counts_and_routes_match_the_plan(tmp_path: Path) -> None:
    rows, truth = generate(seed=7, n=240)
    write(tmp_path / "in", "seizures.csv", rows, HEADER)
    store = open_store("memory:")
    report = load_dir(store, tmp_path / "in", rejects_dir=tmp_path / "rejects")
    assert (report.files[0].loaded, report.files[0].rejected, report.files[0].warnings) == (240, 0, 0)
    summary = seizure_summary(store.nodes("Seizure", list(SEIZURE_FIELDS)))
    by_country = {c["country"]: c for c in summary["countries"]}
    for code in WRITTEN:
        c = by_country[code]
        assert (c["seizures"], c["as_origin"], c["as_transit"], c["as_destination"]) == (
            truth["seized"][code], truth["origin"][code], truth["transit"][code], truth["destination"][code]), code
        assert c["weight_kg"] == pytest.approx(truth["kg"][code], abs=1e-2)
    assert {(r["origin"], tuple(r["via"]), r["destination"]): r["seizures"] for r in summary["routes"]} == dict(truth["routes"])
    expected_top = sorted(truth["origin"].items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    assert top_countries(summary, "as_origin", 3) == expected_top


def test_required_fields_reject_and_optional_fields_warn(tmp_path: Path) -> None:
    rows = [
        {"seizure_id": "S1", "date": "2024-03-05", "country": "Viet Nam", "lat": "21.03", "lon": "205",
         "quantity": "lots", "unit": "kg", "origin_country": "Atlantis", "species": "pangolin scales"},
        {"seizure_id": "S2", "date": "", "country": "VN"},
        {"seizure_id": "S3", "date": "2024-03-05", "country": "Atlantis"},
        {"seizure_id": "", "date": "2024-03-05", "country": "VN"},
    ]
    write(tmp_path / "in", "seizures.csv", rows, HEADER)
    store = open_store("memory:")
    report = load_dir(store, tmp_path / "in", rejects_dir=tmp_path / "rejects").files[0]
    assert (report.rows, report.loaded, report.rejected) == (4, 1, 3)
    with open(report.warnings_file, encoding="utf-8") as handle:
        assert {r["field"] for r in csv.DictReader(handle)} == {"lon", "lat", "quantity", "origin_country"}
    node = store.nodes("Seizure", ["country", "quantity", "origin_country"]).iloc[0]
    assert node["id"] == "Seizure:S1" and node["country"] == "VN"
    assert store.relationships("OF")[["start", "end"]].values.tolist() == [["Seizure:S1", "Species:Manidae"]]


def linked_folder(folder: Path) -> None:
    """Accounts, a shipment, and seizures naming them in each way risk counts."""
    write(folder, "accounts.csv", [
        {"platform": "facebook", "handle": "named.seller", "phone": ""},
        {"platform": "facebook", "handle": "phone.holder", "phone": "+84 912 345 678"},
        {"platform": "instagram", "handle": "wallet.holder", "phone": ""},
        {"platform": "instagram", "handle": "sender", "phone": ""},
        {"platform": "instagram", "handle": "bystander", "phone": ""}], ["platform", "handle", "phone"])
    write(folder, "payment_links.csv", [
        {"platform": "instagram", "handle": "wallet.holder", "channel_type": "btc",
         "channel_id": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"}],
        ["platform", "handle", "channel_type", "channel_id"])
    write(folder, "shipments.csv", [
        {"shipper": "DHL", "tracking_no": "JD 0001 2345", "sender_platform": "instagram", "sender_handle": "sender",
         "origin_country": "NG", "destination_country": "VN"}],
        ["shipper", "tracking_no", "sender_platform", "sender_handle", "origin_country", "destination_country"])
    write(folder, "seizures.csv", [
        {"seizure_id": "S1", "date": "2024-03-05", "country": "Viet Nam", "city": "Hanoi", "lat": "21.03",
         "lon": "105.85", "species": "pangolin scales", "quantity": "120", "unit": "kg", "origin_country": "Nigeria",
         "via_countries": "Ethiopia;China - Hong Kong", "destination_country": "Viet Nam",
         "handles": "facebook:named.seller", "phones": "0912 345 678"},
        {"seizure_id": "S2", "date": "2024-04-01", "country": "VN", "tracking_no": "JD00012345",
         "payment_ids": "btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "species": "Manis javanica",
         "quantity": "3", "unit": "pieces"}], HEADER)


def photo_listings(folder: Path) -> None:
    """Two listings whose photos are one item (hashes, EXIF position, a painted phone): list-valued and
    OCR-derived properties must come out of both stores alike."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from photo_generator import item_photo, paint_text, resize, with_gps

    advert = paint_text(item_photo(41), "+84 912 345 678", random.Random(4))
    with_gps(folder / "a.jpg", advert, 10.78, 106.7)
    resize(advert, 0.6).save(folder / "b.webp", "WEBP", quality=60)
    write(folder, "listings.csv", [
        {"platform": "facebook", "listing_id": "P1", "handle": "named.seller", "posted_at": "2024-03-01",
         "image_files": "a.jpg"},
        {"platform": "instagram", "listing_id": "P2", "handle": "wallet.holder", "posted_at": "2024-03-02",
         "image_files": "b.webp"}], ["platform", "listing_id", "handle", "posted_at", "image_files"])


def test_seizures_link_and_count_in_risk(tmp_path: Path) -> None:
    linked_folder(tmp_path / "in")
    store = open_store("memory:")
    load_dir(store, tmp_path / "in", rejects_dir=tmp_path / "rejects")
    names = store.relationships("NAMES")
    assert set(zip(names["start"], names["end"], strict=True)) == {
        ("Seizure:S1", "Account:facebook:named.seller"), ("Seizure:S1", "Phone:+84912345678"),
        ("Seizure:S2", "PaymentChannel:btc:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")}
    via = store.relationships("VIA", ["order"]).sort_values("order")
    assert via["end"].tolist() == ["Location:ET", "Location:HK"]
    scores = score_accounts(read_tables(store)).set_index("id")
    named = {a for a in scores.index if "named_in_seizure" in scores.loc[a, "indicators"]}
    # the sender is linked by tracking number alone (S2 names no shipper); the bystander by nothing
    assert named == {"Account:facebook:named.seller", "Account:facebook:phone.holder",
                     "Account:instagram:wallet.holder", "Account:instagram:sender"}
    assert scores.loc["Account:instagram:sender", "evidence"]["named_in_seizure"] == [
        "Seizure:S2 seized Shipment:dhl:JD00012345"]


def test_cli_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from graphbench.cli import main

    linked_folder(tmp_path / "in")
    store = open_store(f"file:{tmp_path / 'ws'}")
    load_dir(store, tmp_path / "in", rejects_dir=tmp_path / "rej")
    store.close()
    assert main(["--store", f"file:{tmp_path / 'ws'}", "seizures", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"countries", "routes"}
    assert document["countries"][0] == {"country": "VN", "seizures": 2, "as_origin": 0, "as_transit": 0,
                                        "as_destination": 1, "weight_kg": 120.0}
    assert document["routes"] == [{"origin": "NG", "via": ["ET", "HK"], "destination": "VN", "seizures": 1,
                                   "weight_kg": 120.0}]


@pytest.mark.neo4j
def test_both_stores_give_the_same_seizures(neo4j_store, tmp_path: Path) -> None:
    rows, _ = generate(seed=3, n=15)
    write(tmp_path / "in", "seizures.csv", rows, HEADER)
    linked_folder(tmp_path / "linked")
    photo_listings(tmp_path / "linked")
    embedded = open_store("memory:")
    for store, tag in ((embedded, "a"), (neo4j_store, "b")):
        load_dir(store, tmp_path / "in", rejects_dir=tmp_path / tag)
        load_dir(store, tmp_path / "linked", rejects_dir=tmp_path / tag)
    assert list(generate_jsonl(neo4j_store)) == list(generate_jsonl(embedded))
    cross = [s.relationships("CROSS_POSTED_AS")[["start", "end"]].values.tolist() for s in (embedded, neo4j_store)]
    assert cross[0] == cross[1] == [["Listing:facebook:P1", "Listing:instagram:P2"]]
    summaries = [seizure_summary(s.nodes("Seizure", list(SEIZURE_FIELDS))) for s in (embedded, neo4j_store)]
    assert summaries[0] == summaries[1] and summaries[0]["routes"]
    risks = [score_accounts(read_tables(s)) for s in (embedded, neo4j_store)]
    assert risks[0][["id", "score"]].values.tolist() == risks[1][["id", "score"]].values.tolist()
