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
    if label == "Listing" and _present(data.get("title")) and _present(platform):
        return _short(f"{platform}:{data['title']}")
    if label == "Hashtag":
        return _short("#" + str(data.get("tag") or key))
    if label == "More" and _present(data.get("handle")):
        return _short(str(data["handle"]))
    return _short(key)


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
