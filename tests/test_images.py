"""Photos read by graphbench (graphbench/images, loaders/photos.py) on generated adverts with known
answers: the same item resized, recompressed, cropped and brightened across platforms is one
cross-post group and never joins another item (not even one photographed on the same background);
EXIF positions land in the right country; phone numbers painted in a plain font are read; a missing,
broken or escaping photo is a warning and the listing still loads."""

from __future__ import annotations

import csv
import random
import sys
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from photo_generator import (  # noqa: E402
    TEST_TRANSFORMS,
    brightness,
    item_photo,
    near_duplicate_set,
    paint_text,
    resize,
    with_gps,
)

from graphbench.images import exif_gps, hashing, ocr  # noqa: E402
from graphbench.images.gazetteer import Gazetteer  # noqa: E402
from graphbench.images.identifiers import identifiers_in_text  # noqa: E402
from graphbench.resolve.crossposts import find_cross_posts  # noqa: E402
from graphbench.store import open_store  # noqa: E402
from loaders.load import load_dir  # noqa: E402

# (lat, lon, country): towns and countryside on every continent, some near a border
POSITIONS = [(21.03, 105.85, "VN"), (13.75, 100.50, "TH"), (-1.29, 36.82, "KE"), (-3.47, -62.2, "BR"),
             (48.85, 2.35, "FR"), (-6.2, 106.85, "ID"), (40.71, -74.0, "US"), (-33.92, 18.42, "ZA"),
             (28.61, 77.2, "IN"), (22.3, 114.17, "HK"), (1.35, 103.82, "SG"), (6.45, 3.39, "NG"),
             (4.05, 9.7, "CM"), (-18.9, 47.5, "MG"), (55.75, 37.6, "RU"), (64.15, -21.9, "IS"),
             (-36.85, 174.76, "NZ"), (19.43, -99.13, "MX"), (31.23, 121.47, "CN"), (10.3, 123.9, "PH"),
             (49.0, 8.4, "DE"), (47.6, 7.6, "CH"), (25.03, 121.56, "TW"), (-12.05, -77.04, "PE")]


def test_near_duplicates_across_platforms_are_cross_posts_and_distinct_items_are_not() -> None:
    cases = near_duplicate_set(items=5, seed=3, transforms=TEST_TRANSFORMS)
    platforms = ("facebook", "instagram", "ebay", "telegram", "tiktok", "x")
    rows, posted = [], []
    for index, case in enumerate(cases):
        listing = f"Listing:{platforms[index % len(platforms)]}:P{index}"
        rows.append({"id": listing, "image_hashes": hashing.photo_hashes(case.picture), "item": case.item})
        posted.append({"start": f"Account:{platforms[index % len(platforms)]}:seller{index}", "end": listing})
    listings = pd.DataFrame(rows)
    pairs = find_cross_posts(listings, pd.DataFrame(posted))
    found = {frozenset(p) for p in zip(pairs["start"], pairs["end"], strict=True)}
    item = dict(zip(listings["id"], listings["item"], strict=True))
    truth = {frozenset((a, b)) for a, b in combinations(listings["id"], 2) if item[a] == item[b]}
    assert found <= truth, f"distinct items matched: {sorted(map(sorted, found - truth))[:3]}"
    assert len(found & truth) / len(truth) >= 0.9
    assert set(pairs["method"]) == {"image"}


def test_exif_positions_are_placed_in_the_right_country(tmp_path: Path) -> None:
    gazetteer = Gazetteer.packaged()
    for k, (lat, lon, country) in enumerate(POSITIONS):
        path = tmp_path / f"p{k}.jpg"
        with_gps(path, item_photo(50 + k, (160, 120)), lat, lon)
        from PIL import Image

        with Image.open(path) as image:
            read = exif_gps.gps_position(image)
        assert read == pytest.approx((lat, lon), abs=1e-4)
        assert gazetteer.nearest(*read).country == country, (lat, lon)
    plain = tmp_path / "plain.png"
    item_photo(1, (80, 60)).save(plain)
    from PIL import Image

    with Image.open(plain) as image:
        assert exif_gps.gps_position(image) is None


def test_phone_numbers_painted_on_photos_are_read() -> None:
    rng = random.Random(11)
    numbers = [f"+84 9{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}" for _ in range(5)]
    numbers += [f"+234 80{rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}" for _ in range(5)]
    read = 0
    for k, number in enumerate(numbers):
        photo = paint_text(item_photo(300 + k), number, rng, size=rng.choice([24, 30, 36]))
        found = identifiers_in_text(ocr.read_text(photo)).phones
        read += found == ["+" + "".join(c for c in number if c.isdigit())]
    assert read >= 9, f"{read} of {len(numbers)} numbers read"


def test_identifiers_in_text() -> None:
    text = ("WhatsApp +84 912 345 678 or 0912 345 679 | mail Seller.X@mail.example | x [at] y [dot] com\n"
            "IG: @rare.reptiles  t.me/pangolin_vn  @shop.vn  wechat: snake_king88\n"
            "BTC bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq ETH 0x52908400098527886E0F7030069857D2E4169EE7")
    found = identifiers_in_text(text, region="VN", platform="facebook")
    assert found.phones == ["+84912345678", "+84912345679"]
    assert found.emails == ["seller.x@mail.example", "x@y.com"]
    assert ("btc", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq") in found.wallets
    assert ("eth", "0x52908400098527886e0f7030069857d2e4169ee7") in found.wallets
    assert ("wechat", "snake_king88") in found.wallets
    assert found.handles == [("instagram", "rare.reptiles"), ("telegram", "pangolin_vn"), ("facebook", "shop.vn")]
    assert not identifiers_in_text("call 0912 345 678")  # a national number needs the country
    assert not identifiers_in_text("order 12345678901 ref 2024-03-05", region="VN")


@pytest.fixture(scope="module")
def photo_load(tmp_path_factory: pytest.TempPathFactory):
    """A folder of listings with photos, loaded once: (store, warnings, folder)."""
    folder = tmp_path_factory.mktemp("photos")
    (folder / "img").mkdir()
    rng = random.Random(2)
    advert = paint_text(item_photo(21), "+84 912 345 678", rng)
    with_gps(folder / "img" / "a.jpg", advert, 21.03, 105.85)  # Hanoi
    # the copy another platform shows: smaller, brighter, WebP (the painted number stays whole)
    brightness(resize(advert, 0.7), 1.15).save(folder / "img" / "a_copy.webp", "WEBP", quality=50)
    paint_text(item_photo(22), "pangolin scales", rng).save(folder / "img" / "scales.png")
    item_photo(23).save(folder / "img" / "other.png")
    (folder / "img" / "broken.jpg").write_bytes(b"\xff\xd8\xff not a photo")
    (tmp_path_factory.getbasetemp() / "outside.png").write_bytes((folder / "img" / "other.png").read_bytes())
    rows = [
        {"platform": "facebook", "listing_id": "L1", "handle": "seller.one", "title": "Rare item", "text": "DM",
         "posted_at": "2024-03-01", "image_files": "img/a.jpg"},
        {"platform": "instagram", "listing_id": "L2", "handle": "seller.two", "title": "for sale", "text": "",
         "posted_at": "2024-03-02", "image_files": "img/a_copy.webp;img/missing.jpg"},
        {"platform": "ebay", "listing_id": "L3", "handle": "seller.three", "title": "decor", "text": "",
         "posted_at": "2024-03-03", "location": "Bangkok, Thailand", "image_files": "img/scales.png"},
        {"platform": "ebay", "listing_id": "L4", "handle": "seller.four", "title": "x", "text": "",
         "posted_at": "2024-03-04", "image_files": "img/other.png;img/broken.jpg;../outside.png"},
    ]
    with (folder / "listings.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0], "location"])
        writer.writeheader()
        writer.writerows(rows)
    store = open_store("memory:")
    report = load_dir(store, folder, rejects_dir=folder / "rejects")
    warnings = pd.read_csv(report.files[0].warnings_file, dtype=str)
    return store, report, warnings


def test_photos_feed_cross_posts_places_phones_and_species(photo_load) -> None:
    store, report, _ = photo_load
    assert report.files[0].loaded == 4 and report.files[0].rejected == 0
    cross = store.relationships("CROSS_POSTED_AS", ["method"])
    assert set(zip(cross["start"], cross["end"], cross["method"], strict=True)) == {
        ("Listing:facebook:L1", "Listing:instagram:L2", "image")}
    located = store.relationships("LOCATED_IN", ["method", "lat", "lon"])
    exif = located[located["method"] == "exif"]
    assert exif[["start", "end"]].values.tolist() == [["Listing:facebook:L1", "Location:VN:hanoi"]]
    assert exif.iloc[0]["lat"] == pytest.approx(21.03, abs=1e-4)
    phones = store.relationships("HAS_PHONE", ["method"])
    assert set(zip(phones["start"], phones["end"], phones["method"], strict=True)) == {
        ("Account:facebook:seller.one", "Phone:+84912345678", "ocr"),
        ("Account:instagram:seller.two", "Phone:+84912345678", "ocr")}
    mentions = store.relationships("MENTIONS", ["source"])
    image_mentions = mentions[mentions["source"] == "image"]
    assert image_mentions[["start", "end"]].values.tolist() == [["Listing:ebay:L3", "Species:Manidae"]]
    listings = store.nodes("Listing", ["image_phash", "image_hashes"]).set_index("id")
    assert len(listings.loc["Listing:facebook:L1", "image_hashes"]) == len(hashing.CROPS)


def test_unreadable_photos_are_warnings_and_never_lose_the_listing(photo_load) -> None:
    store, _, warnings = photo_load
    assert set(store.nodes("Listing")["id"]) == {"Listing:facebook:L1", "Listing:instagram:L2", "Listing:ebay:L3",
                                                "Listing:ebay:L4"}
    reasons = dict(zip(warnings["value"], warnings["reason"], strict=True))
    assert set(warnings["field"]) == {"image_files"}
    assert "does not exist" in reasons["img/missing.jpg"]
    assert "cannot be decoded" in reasons["img/broken.jpg"]
    assert "outside the load folder" in reasons["../outside.png"] or "does not exist" in reasons["../outside.png"]
    assert store.nodes("Listing", ["image_hashes"]).set_index("id").loc["Listing:ebay:L4", "image_hashes"] is not None


def test_ocr_can_be_turned_off_for_a_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paint_text(item_photo(31), "+84 912 345 678", random.Random(1)).save(tmp_path / "a.png")
    (tmp_path / "listings.csv").write_text("platform,listing_id,handle,image_files\nebay,L1,s,a.png\n", encoding="utf-8")
    monkeypatch.setenv("GRAPHBENCH_PHOTO_OCR", "0")
    store = open_store("memory:")
    load_dir(store, tmp_path, rejects_dir=tmp_path / "rejects")
    listing = store.nodes("Listing", ["image_hashes", "image_text"]).iloc[0]
    assert len(listing["image_hashes"]) == len(hashing.CROPS) and pd.isna(listing["image_text"])
    assert store.relationships("HAS_PHONE").empty
