"""Generated listings with planted cross-posts, at any size: near-duplicate texts, re-compressed
photos (a few bits off), popular stock photos, boilerplate phrases, re-posts by one account.

Used by the Spark parity test (small) and benchmarks/bench_resolve_spark.py (100k to 1M listings).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BOILERPLATE = ["ship worldwide dm for price", "captive bred healthy eating well", "payment before shipping no refunds"]


def generated_listings(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(listings with id, image_phash, title, text; POSTED with start account, end listing)."""
    rng = np.random.default_rng(seed)
    n_accounts = max(2, n // 5)
    account = rng.integers(0, n_accounts, n)
    words = rng.integers(0, 30_000, (n, 16))
    photos = rng.integers(0, 2**63, n, dtype=np.int64).astype(np.uint64) | np.uint64(1 << 63)
    has_photo = rng.random(n) < 0.7
    # planted text twins: listing i copies listing i - 1 with one or two words changed (another account)
    twin = rng.random(n) < 0.08
    twin[0] = False
    for i in np.flatnonzero(twin):
        words[i] = words[i - 1]
        words[i, rng.integers(0, 16, rng.integers(1, 3))] = rng.integers(0, 30_000)
    # planted photo twins: the photo of listing i - 2, 0 to 5 bits flipped
    photo_twin = rng.random(n) < 0.06
    photo_twin[:2] = False
    for i in np.flatnonzero(photo_twin):
        flipped = photos[i - 2]
        for bit in rng.choice(64, rng.integers(0, 6), replace=False):
            flipped ^= np.uint64(1 << int(bit))
        photos[i], has_photo[i] = flipped, has_photo[i - 2]
    # some text twins reuse the photo too (a seller copying its own advert across platforms)
    both = np.flatnonzero(twin & (rng.random(n) < 0.3))
    photos[both], has_photo[both], has_photo[both - 1] = photos[both - 1], True, True
    # popular stock photos: one of 20 photos on 1 % of listings, accounts all different
    stock = rng.integers(0, 2**63, 20, dtype=np.int64).astype(np.uint64)
    on_stock = rng.random(n) < 0.01
    photos[on_stock] = stock[rng.integers(0, 20, on_stock.sum())]
    has_photo |= on_stock
    text = [" ".join(f"w{w}" for w in row) for row in words.tolist()]
    boiler = rng.integers(-1, len(BOILERPLATE), n)  # -1: none
    text = [t if b < 0 else f"{t} {BOILERPLATE[b]}" for t, b in zip(text, boiler.tolist(), strict=True)]
    ids = np.array([f"Listing:gen:L{i:08d}" for i in range(n)], dtype=object)
    listings = pd.DataFrame({
        "id": ids,
        "image_phash": [f"{int(p):016x}" if h else None for p, h in zip(photos.tolist(), has_photo.tolist(), strict=True)],
        "title": [f"item {i % 97}" for i in range(n)],
        "text": text,
    })
    posted = pd.DataFrame({"start": [f"Account:gen:a{a}" for a in account.tolist()], "end": ids})
    return listings, posted
