"""Cross-post detection: listings that show the same item, found by image hash and by text.

Two signals, each found through an index (never an all-pairs loop):

- **image**: 64-bit perceptual hashes (``image_phash``, 16 hex chars) within ``max_hamming`` bits;
  and hashes graphbench computed from the photo files (``image_hashes``, several per listing, see
  :func:`photo_pairs`) within ``photo_max_hamming`` bits of each other.
  Multi-index hashing: the 64 bits are cut into ``m = max_hamming // 2 + 1`` blocks, so by the
  pigeonhole principle two hashes within ``max_hamming`` bits differ in at most one bit in some
  block. Each listing is bucketed, per block, under the exact block value and under the block
  value with each single bit cleared ("deletion neighbourhood"), so pairs one bit apart in a block
  share a bucket. Candidates are then checked with a real popcount.
- **text**: near-duplicate title+text by banded MinHash over word bigrams (own vectorised
  implementation, ``num_perm`` permutations in ``bands`` bands); candidates are checked with the
  MinHash estimate of their Jaccard similarity. Word pairs found in more than ``max_shingle_df``
  listings ("ship worldwide", "DM for price") are boilerplate and left out first: on the 343k-listing
  sample they made 97% of text-only matches wrong.

Score: ``1 - hamming / 32`` for the image (1.0 identical, 0.84 at 5 bits), the Jaccard estimate for
the text, combined as ``1 - (1 - image)(1 - text)`` when both agree.

Against gluing: a bucket holding more than ``max_bucket`` listings (a stock photo, boilerplate
"DM for price" text) yields no pairs, and a listing whose image (or text) matches listings of more
than ``max_accounts`` other accounts counts as *popular*: its image-only (text-only) pairs are
dropped, so a generic photo links two listings only when their text matches too.

Decision on re-posts: the same account posting the same item twice is a re-post, not a
cross-post; such pairs are left out unless ``include_same_account=True``, and then they carry
``same_account=True``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from graphbench.resolve import photo_index

PAIR_COLUMNS = ["start", "end", "method", "score", "hamming", "jaccard", "same_account"]
_MERSENNE = np.uint64((1 << 61) - 1)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_URL = re.compile(r"https?://\S+|www\.\S+")


@dataclass(frozen=True)
class CrossPostSettings:
    # of 64 bits; a resized / re-compressed photo moves a few bits. 5 keeps 3 index blocks of ~21
    # bits; 6 would need 4 blocks of 16 bits and ~30x more chance candidates at 1M listings
    max_hamming: int = 5
    # hashes graphbench computed from photo files (``image_hashes``: each photo and two centre crops,
    # graphbench/images/hashing.py): a copy cropped by a few per cent lands 6 bits from the nearest
    # crop; 6 bits keeps 4 index blocks of 16 bits, searched only among listings that have photos
    photo_max_hamming: int = 6
    min_jaccard: float = 0.7  # word-bigram Jaccard of title + text; 0.6 lets templated boilerplate in
    min_shingles: int = 4  # texts with fewer distinctive shingles carry no text signal
    max_shingle_df: int | None = 30  # a word pair in more listings than this is boilerplate, not content
    num_perm: int = 64
    bands: int = 16  # 16 bands x 4 rows: P(candidate) = 0.99 at J=0.7, 0.87 at J=0.6, 0.02 at J=0.3
    max_bucket: int = 200  # larger buckets are generic photos / boilerplate: no pairs from them
    max_accounts: int = 8  # an image or text matching listings of more accounts is "popular"
    include_same_account: bool = False
    seed: int = 1


def find_cross_posts(listings: pd.DataFrame, posted: pd.DataFrame,
                     settings: CrossPostSettings | None = None) -> pd.DataFrame:
    """Pairs of listings that show the same item.

    ``listings``: column ``id`` plus ``image_phash``, ``title``, ``text`` (any may be missing);
    ``posted``: POSTED relationships (``start`` account, ``end`` listing).
    Returns columns ``start, end, method ('image'|'text'|'image+text'), score (0..1), hamming,
    jaccard, same_account``, one row per pair with ``start < end``. ``hamming`` is NA when a
    listing has no image hash, ``jaccard`` (MinHash estimate) NA when a text is too short.
    """
    cfg = settings or CrossPostSettings()
    ids = listings["id"].astype(str).to_numpy()
    if len(ids) < 2:
        return _empty_pairs()
    owner, hashes, has_hash, texts = listing_signals(listings, ids, posted)
    signatures, has_text = minhash_signatures(texts.tolist(), cfg.num_perm, cfg.min_shingles, cfg.seed,
                                               cfg.max_shingle_df)

    photo_found, photo_distance = photo_pairs(_column(listings, "image_hashes"), cfg.photo_max_hamming,
                                              cfg.max_bucket)
    pairs = _unique_pairs([
        image_pairs(hashes, has_hash, cfg.max_hamming, cfg.max_bucket),
        text_pairs(signatures, has_text, cfg.bands, cfg.max_bucket, cfg.min_jaccard),
        photo_found,
    ])
    if not len(pairs):
        return _empty_pairs()
    left, right = pairs[:, 0], pairs[:, 1]
    both_hashed = has_hash[left] & has_hash[right]
    hamming = np.where(both_hashed, _popcount(hashes[left] ^ hashes[right]), -1)
    both_texted = has_text[left] & has_text[right]
    jaccard = np.where(both_texted, estimated_jaccard(signatures, np.column_stack([left, right])), np.nan)
    return decide_cross_posts(ids, owner, left, right, hamming, jaccard, cfg,
                              _pair_values(photo_found, photo_distance, left, right))


def decide_cross_posts(ids: np.ndarray, owner: np.ndarray, left: np.ndarray, right: np.ndarray,
                       hamming: np.ndarray, jaccard: np.ndarray, cfg: CrossPostSettings,
                       photo_d: np.ndarray) -> pd.DataFrame:
    """The rules applied to candidate row pairs (``left < right``, unique) once they are measured:
    ``hamming`` of the ``image_phash`` column, -1 when a listing has none; ``jaccard`` (MinHash
    estimate) NaN when a text gives no signal; ``photo_d`` the smallest distance between the photo
    files' hashes, -1 when they do not match. Shared by the in-process index and the Spark one
    (:mod:`graphbench.resolve.spark_crossposts`)."""
    n = len(ids)
    if not len(left):
        return _empty_pairs()
    same_account = (owner[left] == owner[right]) & (owner[left] >= 0)
    if not cfg.include_same_account:
        keep_pairs = ~same_account
        left, right, same_account = left[keep_pairs], right[keep_pairs], same_account[keep_pairs]
        hamming, jaccard, photo_d = hamming[keep_pairs], jaccard[keep_pairs], photo_d[keep_pairs]

    both_hashed = hamming >= 0
    both_texted = ~np.isnan(jaccard)
    hamming = np.where((photo_d >= 0) & ((hamming < 0) | (photo_d < hamming)), photo_d, hamming)
    both_hashed |= photo_d >= 0
    image_ok = both_hashed & (hamming <= cfg.max_hamming) | (photo_d >= 0)
    text_ok = both_texted & (np.nan_to_num(jaccard, nan=-1.0) >= cfg.min_jaccard)

    popular_image = _popular(left, right, image_ok & ~same_account, owner, n, cfg.max_accounts)
    popular_text = _popular(left, right, text_ok & ~same_account, owner, n, cfg.max_accounts)
    image_alone = image_ok & ~text_ok
    text_alone = text_ok & ~image_ok
    keep = (image_ok | text_ok)
    keep &= ~(image_alone & (popular_image[left] | popular_image[right]))
    keep &= ~(text_alone & (popular_text[left] | popular_text[right]))

    image_score = np.where(image_ok, 1.0 - hamming / 32.0, 0.0)
    text_score = np.where(text_ok, np.nan_to_num(jaccard), 0.0)
    score = 1.0 - (1.0 - image_score) * (1.0 - text_score)
    method = np.where(image_ok & text_ok, "image+text", np.where(image_ok, "image", "text"))

    start, end = ids[left], ids[right]
    swap = start > end
    start, end = np.where(swap, end, start), np.where(swap, start, end)
    result = pd.DataFrame({
        "start": start[keep], "end": end[keep], "method": method[keep],
        "score": np.round(score[keep], 4),
        "hamming": pd.array([h if h >= 0 else None for h in hamming[keep].tolist()], dtype="Int64"),
        "jaccard": np.round(jaccard[keep], 4),
        "same_account": same_account[keep],
    })
    return result.sort_values(["start", "end"], ignore_index=True)


def cross_post_groups(pairs: pd.DataFrame) -> pd.DataFrame:
    """Connected components of the cross-post pairs: columns ``listing, group, size``.

    Groups are numbered from 0, largest first (ties by smallest listing id).
    """
    if pairs.empty:
        return pd.DataFrame({"listing": pd.Series(dtype=object), "group": pd.Series(dtype="int64"),
                             "size": pd.Series(dtype="int64")})
    codes, listing_ids = pd.factorize(pd.concat([pairs["start"], pairs["end"]], ignore_index=True))
    half = len(pairs)
    graph = coo_matrix((np.ones(half), (codes[:half], codes[half:])), shape=(len(listing_ids),) * 2)
    _, labels = connected_components(graph, directed=False)
    table = pd.DataFrame({"listing": np.asarray(listing_ids, dtype=object), "component": labels})
    table["size"] = table.groupby("component")["listing"].transform("size")
    first = table.groupby("component")["listing"].transform("min")
    order = table.assign(first=first).sort_values(["size", "first"], ascending=[False, True])
    numbering = {c: i for i, c in enumerate(order["component"].drop_duplicates())}
    table["group"] = table["component"].map(numbering)
    return table[["listing", "group", "size"]].sort_values(["group", "listing"], ignore_index=True)


# -- image index ---------------------------------------------------------------------------------

def parse_phashes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """16-hex-char perceptual hashes as uint64, and a mask of the rows that had a valid one."""
    text = values.astype("string").str.strip().str.lower()
    valid = text.str.fullmatch(r"[0-9a-f]{16}").fillna(False).to_numpy(dtype=bool)
    hashes = np.zeros(len(values), dtype=np.uint64)
    if valid.any():
        hashes[valid] = np.array([int(h, 16) for h in text[valid].tolist()], dtype=np.uint64)
    return hashes, valid


def image_pairs(hashes: np.ndarray, valid: np.ndarray, max_hamming: int, max_bucket: int) -> np.ndarray:
    """Row pairs (i < j) whose hashes are within ``max_hamming`` bits, found through the block index."""
    rows = np.flatnonzero(valid)
    blocks = max_hamming // 2 + 1
    edges = np.linspace(0, 64, blocks + 1).astype(int)
    found: list[np.ndarray] = []

    def close_pairs(keys: np.ndarray) -> np.ndarray:
        pairs = _pairs_in_buckets(rows, keys, max_bucket)
        distance = _popcount(hashes[pairs[:, 0]] ^ hashes[pairs[:, 1]])
        return pairs[distance <= max_hamming]  # verify at once: candidates are many, matches few

    for block in range(blocks):
        width = edges[block + 1] - edges[block]
        values = (hashes[rows] >> np.uint64(edges[block])) & np.uint64((1 << width) - 1)
        found.append(close_pairs(values))
        for bit in range(width):
            found.append(close_pairs(values & ~np.uint64(1 << bit)))
    return _unique_pairs(found)


def photo_pairs(values: pd.Series, max_hamming: int, max_bucket: int) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (i < j) with any hash of row i within ``max_hamming`` bits of any hash of row j, and
    that smallest distance; ``values`` holds each row's list of 16-hex-digit hashes (``image_hashes``)."""
    entry_rows, texts = photo_index.explode(values)
    hashes, valid = parse_phashes(pd.Series(texts, dtype=object))
    entries = image_pairs(hashes, valid, max_hamming, max_bucket)  # pairs of hashes, not of rows
    distance = _popcount(hashes[entries[:, 0]] ^ hashes[entries[:, 1]])
    return photo_index.closest_per_row_pair(entry_rows, entries, distance)


_pair_values = photo_index.pair_values  # the name the Spark engine imports


# -- text index ----------------------------------------------------------------------------------

def shingles(text: str) -> set[str]:
    """Word bigrams of a normalised text (lower case, no URLs, no punctuation); one word → itself."""
    words = _WORD.findall(_URL.sub(" ", text.casefold()))
    if len(words) < 2:
        return set(words)
    return {f"{a} {b}" for a, b in pairwise(words)}


def minhash_signatures(texts: list[str], num_perm: int, min_shingles: int, seed: int,
                       max_shingle_df: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (rows × ``num_perm``, uint32) over the :func:`shingles` of each text,
    and a mask of texts with at least ``min_shingles`` distinct shingles.

    Shingles found in more than ``max_shingle_df`` texts are boilerplate ("ship worldwide",
    "DM for price") and left out, so two listings alike only in their boilerplate are not alike.
    """
    docs, hashed = _shingle_hashes(texts)
    if max_shingle_df is not None and len(hashed):
        _, inverse, df = np.unique(hashed, return_inverse=True, return_counts=True)
        common = df[inverse] > max_shingle_df
        docs, hashed = docs[~common], hashed[~common]
    counts = np.bincount(docs, minlength=len(texts))
    valid = counts >= min_shingles
    signatures = np.full((len(texts), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    if not len(hashed):
        return signatures, valid
    starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    present = docs[starts]
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 1 << 63, num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 1 << 63, num_perm, dtype=np.uint64)
    for k in range(num_perm):
        # odd multiply-add modulo 2**64 (wrapping) and an xor-shift: a cheap universal hash family
        permuted = hashed * a[k] + b[k]
        permuted ^= permuted >> np.uint64(29)
        signatures[present, k] = (np.minimum.reduceat(permuted, starts) >> np.uint64(32)).astype(np.uint32)
    return signatures, valid


def _shingle_hashes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(row, shingle hash) for every distinct shingle of every text, sorted by row.

    Vectorised twin of :func:`shingles`: words are hashed once, a bigram's hash is folded from
    its two word hashes (order matters), a one-word text keeps its word.
    """
    cleaned = pd.Series(texts, dtype=object).fillna("").str.casefold().str.replace(_URL, " ", regex=True)
    words = cleaned.str.findall(_WORD.pattern).explode().dropna()
    if words.empty:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint64)
    docs = words.index.to_numpy(dtype=np.int64)
    word_hash = pd.util.hash_array(words.to_numpy(dtype=object))
    follows = docs[1:] == docs[:-1]
    bigram_docs = docs[1:][follows]
    bigram_hash = word_hash[:-1][follows] * np.uint64(0x9E3779B97F4A7C15) + (word_hash[1:][follows] ^ np.uint64(0x5BD1E995))
    words_in_doc = np.bincount(docs, minlength=len(texts))
    single = words_in_doc[docs] == 1
    all_docs = np.r_[bigram_docs, docs[single]]
    all_hash = np.r_[bigram_hash, word_hash[single]] % _MERSENNE
    table = pd.DataFrame({"doc": all_docs, "hash": all_hash}).drop_duplicates().sort_values("doc", kind="stable")
    return table["doc"].to_numpy(), table["hash"].to_numpy(dtype=np.uint64)


def text_pairs(signatures: np.ndarray, valid: np.ndarray, bands: int, max_bucket: int,
               min_jaccard: float) -> np.ndarray:
    """Row pairs (i < j) sharing a MinHash band whose estimated Jaccard is at least ``min_jaccard``."""
    rows = np.flatnonzero(valid)
    per_band = signatures.shape[1] // bands
    found: list[np.ndarray] = []
    for band in range(bands):
        keys = np.zeros(len(rows), dtype=np.uint64)
        for column in range(band * per_band, (band + 1) * per_band):
            keys = keys * np.uint64(0x9E3779B97F4A7C15) + signatures[rows, column]  # wraps: a fold, not a sum
        found.append(_pairs_in_buckets(rows, keys, max_bucket))
    pairs = _unique_pairs(found)
    return pairs[estimated_jaccard(signatures, pairs) >= min_jaccard]


def estimated_jaccard(signatures: np.ndarray, pairs: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """Share of equal MinHash positions for each row pair (an unbiased Jaccard estimate)."""
    out = np.empty(len(pairs), dtype=np.float64)
    for lo in range(0, len(pairs), chunk):
        part = pairs[lo:lo + chunk]
        out[lo:lo + chunk] = (signatures[part[:, 0]] == signatures[part[:, 1]]).mean(axis=1)
    return out


# -- shared machinery ----------------------------------------------------------------------------

def _pairs_in_buckets(rows: np.ndarray, keys: np.ndarray, max_bucket: int) -> np.ndarray:
    """All pairs of ``rows`` sharing a key, skipping keys held by one row or by more than ``max_bucket``."""
    if len(rows) < 2:
        return np.empty((0, 2), dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_rows = keys[order], rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(sorted_keys)])
    wanted = (sizes >= 2) & (sizes <= max_bucket)
    starts, sizes = starts[wanted], sizes[wanted]
    if not len(starts):
        return np.empty((0, 2), dtype=np.int64)
    found: list[np.ndarray] = []
    for size in np.unique(sizes):
        # every bucket of one size at once: offsets (p, q) with p < q inside the bucket
        first = starts[sizes == size]
        p, q = np.triu_indices(size, k=1)
        left = sorted_rows[(first[:, None] + p[None, :]).ravel()]
        right = sorted_rows[(first[:, None] + q[None, :]).ravel()]
        found.append(np.column_stack([np.minimum(left, right), np.maximum(left, right)]))
    return np.concatenate(found)


def _unique_pairs(found: list[np.ndarray]) -> np.ndarray:
    found = [f for f in found if len(f)]
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(found).astype(np.int64)
    packed = np.unique(pairs[:, 0] << 32 | pairs[:, 1])
    return np.column_stack([packed >> 32, packed & 0xFFFFFFFF])


def _popular(left: np.ndarray, right: np.ndarray, matched: np.ndarray, owner: np.ndarray,
             n: int, max_accounts: int) -> np.ndarray:
    """Per row: does it match listings of more than ``max_accounts`` distinct other accounts?"""
    rows = np.r_[left[matched], right[matched]]
    others = np.r_[owner[right[matched]], owner[left[matched]]]
    popular = np.zeros(n, dtype=bool)
    if not len(rows):
        return popular
    # listings without an owner (code -1) each count as an account of their own
    others = np.where(others >= 0, others, -2 - np.r_[right[matched], left[matched]])
    distinct = pd.DataFrame({"row": rows, "other": others}).drop_duplicates().groupby("row").size()
    popular[distinct.index[distinct > max_accounts].to_numpy()] = True
    return popular


def _popcount(values: np.ndarray) -> np.ndarray:
    """Set bits per uint64 (``np.bitwise_count`` on NumPy 2, a byte table before it)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values).astype(np.int64)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
    return table[np.ascontiguousarray(values, dtype=np.uint64).view(np.uint8)].reshape(-1, 8).sum(axis=1)


def listing_signals(listings: pd.DataFrame, ids: np.ndarray, posted: pd.DataFrame
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Series]:
    """What both engines compare: owner codes, image hashes (and which are valid), title + text."""
    hashes, has_hash = parse_phashes(_column(listings, "image_phash"))
    texts = _column(listings, "title").fillna("").astype(str) + " " + _column(listings, "text").fillna("").astype(str)
    return owner_codes(ids, posted), hashes, has_hash, texts


def owner_codes(ids: np.ndarray, posted: pd.DataFrame) -> np.ndarray:
    """An integer per listing for the account that posted it (-1 when unknown)."""
    if posted.empty:
        return np.full(len(ids), -1, dtype=np.int64)
    owners = posted.drop_duplicates("end").set_index("end")["start"]
    codes, _ = pd.factorize(pd.Series(ids).map(owners))
    return codes.astype(np.int64)


def _column(table: pd.DataFrame, name: str) -> pd.Series:
    if name in table.columns:
        return table[name].reset_index(drop=True)
    return pd.Series([None] * len(table), dtype=object)


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({
        "start": pd.Series(dtype=object), "end": pd.Series(dtype=object), "method": pd.Series(dtype=object),
        "score": pd.Series(dtype="float64"), "hamming": pd.Series(dtype="Int64"),
        "jaccard": pd.Series(dtype="float64"), "same_account": pd.Series(dtype=bool),
    })
