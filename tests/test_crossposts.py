"""Cross-post detection on fixtures with planted answers, and its index against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from graphbench.resolve.crossposts import (
    CrossPostSettings,
    cross_post_groups,
    find_cross_posts,
    image_pairs,
    minhash_signatures,
    parse_phashes,
    shingles,
    text_pairs,
)

RNG_SEED = 7


def _flip(value: int, bits: list[int]) -> str:
    for bit in bits:
        value ^= 1 << bit
    return f"{value:016x}"


def _random_text(rng: np.random.Generator, words: int = 18) -> str:
    return " ".join(f"w{int(i)}" for i in rng.integers(0, 50_000, words))


def _tables(rows: list[tuple[str, str, str | None, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(listing id, account id, phash, text) → listings and POSTED tables."""
    listings = pd.DataFrame({"id": [r[0] for r in rows], "image_phash": [r[2] for r in rows],
                             "title": "", "text": [r[3] for r in rows]})
    posted = pd.DataFrame({"start": [r[1] for r in rows], "end": [r[0] for r in rows]})
    return listings, posted


def _pair_set(pairs: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(pairs["start"], pairs["end"], strict=True))


@pytest.fixture
def planted() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(RNG_SEED)
    photo = int(rng.integers(0, 2**63)) | 1 << 63
    boa = ("Baby boa constrictor for sale, captive bred in our own facility, eats frozen mice every week, "
           "calm and handled daily, ship by courier to any city, payment before shipping, DM price")
    rows = [
        # group 1: one photo, re-compressed on three platforms (0, 3 and 5 bits off), texts differ
        ("Listing:instagram:G1A", "Account:instagram:reptile.house", _flip(photo, []), _random_text(rng)),
        ("Listing:facebook:G1B", "Account:facebook:reptilehouse.vn", _flip(photo, [3, 40, 61]), _random_text(rng)),
        ("Listing:zalo:G1C", "Account:zalo:rh_vn", _flip(photo, [0, 9, 17, 33, 50]), _random_text(rng)),
        # group 2: the same text with one word changed, no photo
        ("Listing:ebay:G2A", "Account:ebay:snakes4u", None, boa),
        ("Listing:gumtree:G2B", "Account:gumtree:snakes_4u", None, boa.replace("mice", "rats")),
    ]
    for i in range(40):  # noise: unrelated photos and texts
        rows.append((f"Listing:x:N{i:02d}", f"Account:x:n{i}", f"{int(rng.integers(0, 2**63)):016x}",
                     _random_text(rng)))
    return _tables(rows)


def test_planted_groups_are_recovered(planted):
    listings, posted = planted
    pairs = find_cross_posts(listings, posted)
    assert _pair_set(pairs) == {
        ("Listing:facebook:G1B", "Listing:instagram:G1A"),
        ("Listing:instagram:G1A", "Listing:zalo:G1C"),  # G1B and G1C are 8 bits apart: grouped via G1A
        ("Listing:ebay:G2A", "Listing:gumtree:G2B"),
    }
    by_pair = pairs.set_index(["start", "end"])
    assert by_pair.loc[("Listing:facebook:G1B", "Listing:instagram:G1A"), "method"] == "image"
    assert by_pair.loc[("Listing:facebook:G1B", "Listing:instagram:G1A"), "hamming"] == 3
    assert by_pair.loc[("Listing:ebay:G2A", "Listing:gumtree:G2B"), "method"] == "text"
    assert pairs["score"].between(0, 1).all()
    groups = cross_post_groups(pairs)
    members = groups.groupby("group")["listing"].apply(set).tolist()
    assert members == [{"Listing:instagram:G1A", "Listing:facebook:G1B", "Listing:zalo:G1C"},
                       {"Listing:ebay:G2A", "Listing:gumtree:G2B"}]


def test_six_bits_apart_is_not_the_same_photo_by_default():
    photo = 0x0123456789ABCDEF
    listings, posted = _tables([("Listing:a:1", "Account:a:x", _flip(photo, []), ""),
                                ("Listing:b:1", "Account:b:y", _flip(photo, [1, 2, 3, 4, 5, 60]), "")])
    assert find_cross_posts(listings, posted).empty
    assert len(find_cross_posts(listings, posted, CrossPostSettings(max_hamming=6))) == 1


@pytest.mark.parametrize("max_hamming", [0, 3, 6, 9])
def test_image_index_finds_exactly_what_brute_force_finds(max_hamming):
    rng = np.random.default_rng(max_hamming)
    centres = rng.integers(0, 2**63, 60, dtype=np.uint64)
    values = []
    for centre in centres:  # each centre with neighbours 0..12 bits away
        values.append(int(centre))
        for distance in rng.integers(0, 13, 3):
            values.append(int(_flip(int(centre), rng.choice(64, distance, replace=False).tolist()), 16))
    hashes, valid = parse_phashes(pd.Series([f"{v:016x}" for v in values]))
    found = {tuple(p) for p in image_pairs(hashes, valid, max_hamming, max_bucket=10_000).tolist()}
    expected = {(i, j) for i, j in itertools.combinations(range(len(values)), 2)
                if bin(values[i] ^ values[j]).count("1") <= max_hamming}
    assert found == expected


def test_popular_photo_does_not_chain_sellers():
    rng = np.random.default_rng(RNG_SEED)
    stock = "f0e1d2c3b4a59687"
    rows = [(f"Listing:x:S{i:02d}", f"Account:x:seller{i}", stock, _random_text(rng)) for i in range(30)]
    shared_text = _random_text(rng)
    rows += [("Listing:y:T1", "Account:y:twin1", stock, shared_text),
             ("Listing:z:T2", "Account:z:twin2", stock, shared_text)]
    listings, posted = _tables(rows)
    pairs = find_cross_posts(listings, posted)
    # only the two listings that share their text as well as the stock photo stay linked
    assert _pair_set(pairs) == {("Listing:y:T1", "Listing:z:T2")}
    assert pairs["method"].tolist() == ["image+text"]


def test_boilerplate_text_in_a_huge_bucket_makes_no_pairs():
    boiler = "contact us on whatsapp for price and more photos of available animals today"
    rows = [(f"Listing:x:B{i:03d}", f"Account:x:b{i}", None, boiler) for i in range(250)]
    listings, posted = _tables(rows)
    assert find_cross_posts(listings, posted).empty


def test_listings_alike_only_in_their_boilerplate_are_not_alike():
    rng = np.random.default_rng(RNG_SEED)
    boiler = ("Healthy and ready to ship. Limited stock, first come first served. Trusted seller, many repeat "
              "customers. Safe packing, ship worldwide. DM for price and more photos")
    rows = [(f"Listing:x:B{i:02d}", f"Account:x:b{i}", None, f"{_random_text(rng, 3)}. {boiler}") for i in range(40)]
    item = _random_text(rng, 12)
    rows += [("Listing:y:R1", "Account:y:r1", None, f"{item}. {boiler}"),
             ("Listing:z:R2", "Account:z:r2", None, f"{boiler}. {item} 🔥")]
    listings, posted = _tables(rows)
    assert _pair_set(find_cross_posts(listings, posted)) == {("Listing:y:R1", "Listing:z:R2")}
    # counting the boilerplate, every listing looks like every other (Jaccard ≈ 0.8)
    everything = find_cross_posts(listings, posted, CrossPostSettings(max_shingle_df=None, max_accounts=1000))
    assert len(everything) > 100


def test_reposts_by_the_same_account_are_left_out_unless_asked_for():
    rows = [("Listing:x:1", "Account:x:a", "00000000000000ff", ""),
            ("Listing:x:2", "Account:x:a", "00000000000000ff", ""),
            ("Listing:y:1", "Account:y:b", "00000000000000fe", "")]
    listings, posted = _tables(rows)
    assert _pair_set(find_cross_posts(listings, posted)) == {("Listing:x:1", "Listing:y:1"),
                                                            ("Listing:x:2", "Listing:y:1")}
    everything = find_cross_posts(listings, posted, CrossPostSettings(include_same_account=True))
    repost = everything[everything["same_account"]]
    assert _pair_set(repost) == {("Listing:x:1", "Listing:x:2")}


def test_short_or_missing_text_and_bad_hashes_give_no_signal():
    rows = [("Listing:x:1", "Account:x:a", "not-a-hash", "for sale"),
            ("Listing:y:1", "Account:y:b", "NOT-A-HASH", "for sale"),
            ("Listing:z:1", "Account:z:c", None, None)]
    listings, posted = _tables(rows)
    assert find_cross_posts(listings, posted).empty


def test_minhash_estimate_tracks_exact_jaccard():
    rng = np.random.default_rng(RNG_SEED)
    base = _random_text(rng, 40).split()
    texts = [" ".join(base)]
    for changed in (2, 6, 12, 20):
        words = list(base)
        for position in rng.choice(len(words), changed, replace=False):
            words[position] = "zz" + words[position]
        texts.append(" ".join(words))
    signatures, valid = minhash_signatures(texts, num_perm=256, min_shingles=4, seed=1)
    assert valid.all()
    for j in range(1, len(texts)):
        exact = len(shingles(texts[0]) & shingles(texts[j])) / len(shingles(texts[0]) | shingles(texts[j]))
        estimate = float((signatures[0] == signatures[j]).mean())
        assert abs(estimate - exact) < 0.1
    found = {tuple(p) for p in text_pairs(signatures, valid, bands=64, max_bucket=100, min_jaccard=0.6).tolist()}
    assert (0, 1) in found and (0, 4) not in found


def test_no_listings_no_pairs():
    listings, posted = _tables([])
    assert list(find_cross_posts(listings, posted).columns) == [
        "start", "end", "method", "score", "hamming", "jaccard", "same_account"]
    assert cross_post_groups(find_cross_posts(listings, posted)).empty


def test_cross_post_groups_in_the_sample(sample_store, ground_truth):
    posted = sample_store.relationships("POSTED", [])
    pairs = find_cross_posts(sample_store.nodes("Listing", ["image_phash", "title", "text"]), posted)
    owner = posted.drop_duplicates("end").set_index("end")["start"].to_dict()
    truth = {tuple(sorted(p)) for group in ground_truth["cross_post_groups"]
             for p in itertools.combinations(group, 2) if owner.get(p[0]) != owner.get(p[1])}
    found = _pair_set(pairs)
    assert len(found & truth) / len(found) >= 0.95  # precision of the direct pairs
    group_of = cross_post_groups(pairs).set_index("listing")["group"].to_dict()
    together = sum(1 for a, b in truth if a in group_of and group_of.get(a) == group_of.get(b))
    assert together / len(truth) >= 0.95  # re-posts of one item end up in one group
