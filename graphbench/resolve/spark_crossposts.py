"""Cross-post detection on Apache Spark: the in-process index (:mod:`graphbench.resolve.crossposts`),
stage by stage as Spark jobs, so the listings, their shingles and the candidate pairs live on the
cluster instead of in one process. The links are the same as in process, not merely alike:

- **text**: the same word-bigram shingles and hashes (``_shingle_hashes`` runs inside each partition),
  the same boilerplate cut (a shingle in more than ``max_shingle_df`` listings, counted by a Spark
  ``groupBy``), the same MinHash family and seed, the same bands; a bucket of more than ``max_bucket``
  listings makes no pairs; a pair is kept when its MinHash estimate reaches ``min_jaccard``.
- **image**: the same multi-index blocks with their one-bit deletion neighbourhoods, one Spark bucket
  per (block, variant, value); candidates checked with a real popcount.
- **photo files** (``image_hashes``, only listings whose photos graphbench read): paired on the
  driver by the in-process ``photo_pairs`` and added to the candidates;
- the candidates' measures (Hamming distance, Jaccard estimate) are computed on the cluster; only those
  pairs come back, and :func:`graphbench.resolve.crossposts.decide_cross_posts` applies the same rules
  (same account, popular photos and texts, scores) as in process.

Why not ``pyspark.ml.feature.MinHashLSH``: its hash family, OR-only banding (one hash per table) and
exact Jaccard on the vectors are another index with other candidates and other scores — its links
would differ from the in-process ones, which are the reference the parity test holds both to. Its
candidates would also need verification to be exact; the banded index here already is what the
in-process path verifies.

Workers run graphbench's own Python functions (``mapInPandas``), so graphbench must be installed on
each worker (local mode: this interpreter).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from graphbench.resolve.crossposts import (
    CrossPostSettings,
    _column,
    _empty_pairs,
    _pair_values,
    _popcount,
    _shingle_hashes,
    decide_cross_posts,
    listing_signals,
    photo_pairs,
)

_FOLD = np.uint64(0x9E3779B97F4A7C15)


def find_cross_posts_spark(spark: Any, listings: pd.DataFrame, posted: pd.DataFrame,
                           settings: CrossPostSettings | None = None) -> pd.DataFrame:
    """What :func:`graphbench.resolve.crossposts.find_cross_posts` returns, computed on ``spark``."""
    from pyspark.sql import functions as F

    cfg = settings or CrossPostSettings()
    ids = listings["id"].astype(str).to_numpy()
    n = len(ids)
    if n < 2:
        return _empty_pairs()
    owner, hashes, has_hash, texts = listing_signals(listings, ids, posted)
    rows = np.arange(n, dtype=np.int64)
    frame = pd.DataFrame({"row": rows, "text": texts.to_numpy(dtype=object),
                          "hash": hashes.view(np.int64), "has_hash": has_hash})
    table = spark.createDataFrame(frame, "row long, text string, hash long, has_hash boolean")
    table = table.repartition(max(2, spark.sparkContext.defaultParallelism * 2, n // 100_000)).cache()

    signatures = _signatures(table, cfg, n)
    text_candidates = _bucket_pairs(_band_keys(signatures, cfg), cfg.max_bucket)
    text_found = _measure(text_candidates, signatures, None).where(F.col("jaccard") >= F.lit(float(cfg.min_jaccard)))
    hashed = table.where("has_hash").select("row", "hash").cache()
    image_candidates = _bucket_pairs(_block_keys(hashed, cfg), cfg.max_bucket)
    image_found = _measure(image_candidates, None, hashed).where(F.col("hamming") <= F.lit(int(cfg.max_hamming)))

    # hashes of photo files (a few listings carry them): paired on the driver, as in process
    photo_found, photo_distance = photo_pairs(_column(listings, "image_hashes"), cfg.photo_max_hamming,
                                              cfg.max_bucket)
    candidates = text_found.select("left", "right").union(image_found.select("left", "right"))
    if len(photo_found):
        photos = spark.createDataFrame(pd.DataFrame({"left": photo_found[:, 0], "right": photo_found[:, 1]}),
                                       "left long, right long")
        candidates = candidates.union(photos)
    measured = _measure(candidates.distinct(), signatures, hashed).toPandas()
    if measured.empty:
        return _empty_pairs()
    measured = measured.sort_values(["left", "right"], ignore_index=True)
    left, right = measured["left"].to_numpy(np.int64), measured["right"].to_numpy(np.int64)
    return decide_cross_posts(ids, owner, left, right, measured["hamming"].fillna(-1).to_numpy(np.int64),
                              measured["jaccard"].to_numpy(np.float64), cfg,
                              _pair_values(photo_found, photo_distance, left, right))


def _signatures(table: Any, cfg: CrossPostSettings, n_rows: int) -> Any:
    """(row, signature as bytes) of the listings whose text gives a signal (``min_shingles``)."""
    def shingle(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            docs, hashed = _shingle_hashes(batch["text"].tolist())
            yield pd.DataFrame({"row": batch["row"].to_numpy()[docs], "h": hashed.view(np.int64)})

    shingles = table.select("row", "text").mapInPandas(shingle, "row long, h long")
    if cfg.max_shingle_df is not None:
        common = shingles.groupBy("h").count().where(f"count > {cfg.max_shingle_df}").select("h")
        shingles = shingles.join(common, "h", "left_anti")
    rng = np.random.default_rng(cfg.seed)  # the in-process family: same seed, same draws
    a = rng.integers(1, 1 << 63, cfg.num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 1 << 63, cfg.num_perm, dtype=np.uint64)
    min_shingles = cfg.min_shingles

    def sign(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        # Arrow cuts a partition into batches of 10,000 records, which may split a row's shingles:
        # the whole partition first (repartition below sizes it), then the minima
        parts = [part for part in batches if len(part)]
        if parts:
            batch = pd.concat(parts, ignore_index=True).sort_values("row", kind="stable")
            docs, hashed = batch["row"].to_numpy(), batch["h"].to_numpy().view(np.uint64)
            starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
            counts = np.diff(np.r_[starts, len(docs)])
            out = np.empty((len(starts), len(a)), dtype=np.uint32)
            for k in range(len(a)):
                permuted = hashed * a[k] + b[k]
                permuted ^= permuted >> np.uint64(29)
                out[:, k] = (np.minimum.reduceat(permuted, starts) >> np.uint64(32)).astype(np.uint32)
            valid = counts >= min_shingles
            yield pd.DataFrame({"row": docs[starts][valid], "sig": [bytes(s) for s in out[valid]]})

    # every shingle of a row in one partition, so its minimum is taken whole (uint64 arithmetic wraps);
    # ~50k listings (~1M shingles) a partition
    partitions = max(table.sparkSession.sparkContext.defaultParallelism * 2, n_rows // 50_000)
    return shingles.repartition(partitions, "row").mapInPandas(sign, "row long, sig binary").cache()


def _band_keys(signatures: Any, cfg: CrossPostSettings) -> Any:
    """(bucket, row): one bucket per band value, folded as the in-process ``text_pairs`` folds it."""
    per_band, bands = cfg.num_perm // cfg.bands, cfg.bands

    def keys(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            sig = np.frombuffer(b"".join(batch["sig"].tolist()), dtype=np.uint32).reshape(len(batch), -1)
            for band in range(bands):
                folded = np.zeros(len(batch), dtype=np.uint64)
                for column in range(band * per_band, (band + 1) * per_band):
                    folded = folded * _FOLD + sig[:, column]
                yield pd.DataFrame({"band": band, "key": folded.view(np.int64), "row": batch["row"].to_numpy()})

    return signatures.mapInPandas(keys, "band int, key long, row long").selectExpr(
        "struct(band, key) AS bucket", "row")


def _block_keys(hashed: Any, cfg: CrossPostSettings) -> Any:
    """(bucket, row): per block, its value and each one-bit deletion of it (as ``image_pairs``)."""
    blocks = cfg.max_hamming // 2 + 1
    edges = np.linspace(0, 64, blocks + 1).astype(int)

    def keys(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            values64 = batch["hash"].to_numpy().view(np.uint64)
            for block in range(blocks):
                width = int(edges[block + 1] - edges[block])
                values = (values64 >> np.uint64(edges[block])) & np.uint64((1 << width) - 1)
                for variant in range(-1, width):
                    key = values if variant < 0 else values & ~np.uint64(1 << variant)
                    yield pd.DataFrame({"block": block, "variant": variant, "key": key.view(np.int64),
                                        "row": batch["row"].to_numpy()})

    return hashed.mapInPandas(keys, "block int, variant int, key long, row long").selectExpr(
        "struct(block, variant, key) AS bucket", "row")


def _bucket_pairs(keyed: Any, max_bucket: int) -> Any:
    """Unique (left < right) row pairs sharing a bucket of 2..``max_bucket`` rows."""
    from pyspark.sql import functions as F

    buckets = keyed.groupBy("bucket").agg(F.collect_list("row").alias("rows"))
    buckets = buckets.where((F.size("rows") >= 2) & (F.size("rows") <= max_bucket)).select("rows")

    def pairs(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            found = []
            for members in batch["rows"]:
                members = np.sort(np.asarray(members, dtype=np.int64))
                p, q = np.triu_indices(len(members), k=1)
                found.append(np.column_stack([members[p], members[q]]))
            if found:
                both = np.concatenate(found)
                yield pd.DataFrame({"left": both[:, 0], "right": both[:, 1]})

    return buckets.mapInPandas(pairs, "left long, right long").distinct()


def _measure(pairs: Any, signatures: Any | None, hashed: Any | None) -> Any:
    """Pairs with ``jaccard`` (MinHash estimate; null unless both have a signature) and ``hamming``
    (null unless both have a hash)."""
    from pyspark.sql import functions as F

    out = pairs
    if signatures is not None:
        out = (out.join(signatures.selectExpr("row AS left", "sig AS sig_l"), "left", "left")
               .join(signatures.selectExpr("row AS right", "sig AS sig_r"), "right", "left"))
    else:
        out = out.withColumn("sig_l", F.lit(None).cast("binary")).withColumn("sig_r", F.lit(None).cast("binary"))
    if hashed is not None:
        flagged = hashed.withColumn("has", F.lit(True))
        out = (out.join(flagged.selectExpr("row AS left", "hash AS hash_l", "has AS has_l"), "left", "left")
               .join(flagged.selectExpr("row AS right", "hash AS hash_r", "has AS has_r"), "right", "left"))
        # a long column with nulls reaches pandas as float64, which cannot hold 64 hash bits: 0 + a flag
        out = out.fillna(0, ["hash_l", "hash_r"]).fillna(False, ["has_l", "has_r"])
    else:
        out = (out.withColumn("hash_l", F.lit(0).cast("long")).withColumn("hash_r", F.lit(0).cast("long"))
               .withColumn("has_l", F.lit(False)).withColumn("has_r", F.lit(False)))

    def measure(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            texted = batch["sig_l"].notna().to_numpy() & batch["sig_r"].notna().to_numpy()
            jaccard = np.full(len(batch), np.nan)
            if texted.any():
                width = len(batch["sig_l"][texted].iloc[0]) // 4
                left = np.frombuffer(b"".join(batch["sig_l"][texted].tolist()), np.uint32).reshape(-1, width)
                right = np.frombuffer(b"".join(batch["sig_r"][texted].tolist()), np.uint32).reshape(-1, width)
                jaccard[texted] = (left == right).mean(axis=1)
            hashed_both = batch["has_l"].to_numpy(dtype=bool) & batch["has_r"].to_numpy(dtype=bool)
            hamming = pd.array([None] * len(batch), dtype="Int64")
            if hashed_both.any():
                x = (batch["hash_l"].to_numpy(dtype=np.int64)[hashed_both].view(np.uint64)
                     ^ batch["hash_r"].to_numpy(dtype=np.int64)[hashed_both].view(np.uint64))
                hamming[hashed_both] = _popcount(x)
            yield pd.DataFrame({"left": batch["left"], "right": batch["right"], "hamming": hamming,
                                "jaccard": jaccard})

    return out.select("left", "right", "sig_l", "sig_r", "hash_l", "hash_r", "has_l", "has_r").mapInPandas(
        measure, "left long, right long, hamming long, jaccard double")
