"""The bookkeeping of photo hash sets for cross-post detection (``crossposts.photo_pairs``): a listing
has several hashes (``image_hashes``: each photo and its centre crops), the block index compares
hashes, and these helpers turn hash pairs back into listing pairs and look their distance up."""

from __future__ import annotations

import numpy as np
import pandas as pd


def explode(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(row of each hash, the hashes) from per-row lists of hashes (or ``;``-joined text, or nothing)."""
    rows: list[int] = []
    texts: list[str] = []
    for row, value in enumerate(values.tolist()):
        if isinstance(value, str):
            value = value.split(";")
        if not hasattr(value, "__iter__"):  # None, NaN, pd.NA: no photos
            continue
        for text in value:
            rows.append(row)
            texts.append(str(text))
    return np.asarray(rows, dtype=np.int64), texts


def closest_per_row_pair(entry_rows: np.ndarray, entry_pairs: np.ndarray,
                         distance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (i < j) of the hash pairs, with the smallest distance of each; hashes of one row
    are not a pair."""
    if not len(entry_pairs):
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64)
    left, right = entry_rows[entry_pairs[:, 0]], entry_rows[entry_pairs[:, 1]]
    other = left != right
    table = pd.DataFrame({"a": np.minimum(left, right)[other], "b": np.maximum(left, right)[other],
                          "d": distance[other]}).groupby(["a", "b"], sort=True)["d"].min().reset_index()
    return table[["a", "b"]].to_numpy(dtype=np.int64).reshape(-1, 2), table["d"].to_numpy(dtype=np.int64)


def pair_values(pairs: np.ndarray, values: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """``values`` of ``pairs`` looked up for each (left, right) pair; -1 where the pair is absent."""
    out = np.full(len(left), -1, dtype=np.int64)
    if not len(pairs) or not len(left):
        return out
    known = pairs[:, 0] << 32 | pairs[:, 1]
    order = np.argsort(known)
    wanted = np.minimum(left, right).astype(np.int64) << 32 | np.maximum(left, right).astype(np.int64)
    at = np.clip(np.searchsorted(known[order], wanted), 0, len(known) - 1)
    hit = known[order][at] == wanted
    out[hit] = values[order][at][hit]
    return out
