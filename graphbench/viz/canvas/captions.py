"""What the canvas writes beside a node, and when a node happened (for the time slider).

Captions name the platform wherever the key has one, so two accounts with the same handle on two
platforms read differently: ``instagram:sarilucky_vn`` and ``facebook:sarilucky_vn``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

MAX_CAPTION = 32
# the event-like nodes' own dates; an account's creation date is not an event in the picture, so
# accounts, hashtags, species … stay visible whatever the time window
TIME_FIELDS = ("ts", "posted_at", "shipped_at", "date")


def _short(text: str) -> str:
    return text if len(text) <= MAX_CAPTION else text[: MAX_CAPTION - 1] + "…"


def _present(value: Any) -> bool:
    return value is not None and str(value) not in ("", "nan", "None", "NaT")


def caption(node_id: str, data: Mapping[str, Any]) -> str:
    """``platform:handle`` for accounts, ``platform:title`` for listings, ``type:id`` for payment
    channels, ``#tag`` for hashtags, else the node's key (its id without the label)."""
    label = str(data.get("label") or node_id.split(":", 1)[0])
    key = node_id.split(":", 1)[1] if ":" in node_id else node_id
    platform = data.get("platform")
    if label == "Account" and _present(data.get("handle")) and _present(platform):
        return _short(f"{platform}:{data['handle']}")
    if label == "Account" and _present(data.get("handle")):  # a drawing's own node (a community, …)
        return _short(str(data["handle"]))
    if label == "Listing" and _present(data.get("title")) and _present(platform):
        return _short(f"{platform}:{data['title']}")
    if label == "Hashtag":
        return _short("#" + str(data.get("tag") or key))
    if label == "More" and _present(data.get("handle")):
        return _short(str(data["handle"]))
    return _short(key)


def event_times(frame: pd.DataFrame) -> pd.Series:
    """:func:`event_time` of every row of ``frame``, column-wise (NaN where none parses)."""
    result = pd.Series(float("nan"), index=frame.index, dtype="float64")
    for field in TIME_FIELDS:
        if field not in frame.columns or not result.isna().any():
            continue
        column = frame[field]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            seconds = pd.to_numeric(column, errors="coerce").astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(column):
            seconds = _epoch(pd.to_datetime(column, utc=True))
        else:
            text = column.where(column.map(_present), None).astype("string")
            when = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
            odd = when.isna() & text.notna()
            if odd.any():  # not ISO 8601: the slow, forgiving parser, on those rows only
                when[odd] = pd.to_datetime(text[odd], utc=True, errors="coerce", format="mixed")
            seconds = _epoch(when)
        result = result.fillna(seconds)
    return result.round(3)


def _epoch(when: pd.Series) -> pd.Series:
    seconds = (when - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    return seconds.astype("float64")


def event_time(data: Mapping[str, Any]) -> float | None:
    """Epoch seconds (UTC) of the first of TIME_FIELDS that parses, else None."""
    for field in TIME_FIELDS:
        value = data.get(field)
        if not _present(value):
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        when = pd.to_datetime(str(value), utc=True, errors="coerce")
        if not pd.isna(when):
            return round(when.timestamp(), 3)
    return None
