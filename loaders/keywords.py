"""keywords: term, scientific_name, kind, language — the watchlist the species matcher uses.

Keywords make no nodes of their own: they shape MENTIONS (term and how it matched).
"""

from __future__ import annotations

from typing import Any

from graphbench import normalize
from graphbench.batch import GraphBatch
from loaders.context import RowContext
from loaders.fields import optional, required

KIND = "keywords"
REQUIRED = ("term",)
KEYWORD_KINDS = ("code_word", "common_name", "slang", "product")


def keyword_kind(raw: str) -> str:
    value = raw.strip().lower().replace(" ", "_").replace("-", "_")
    if value not in KEYWORD_KINDS:
        raise ValueError(f"unknown keyword kind {raw!r}; known: {', '.join(KEYWORD_KINDS)}")
    return value


def keyword_row(row: dict[str, str], ctx: RowContext | None = None) -> dict[str, Any]:
    """A watchlist row; an unknown kind is set aside on ``ctx`` (the term counts as a code word)."""
    return {
        "term": required(row, "term"),
        "scientific_name": optional(row, "scientific_name", normalize.scientific_name, ctx),
        "kind": optional(row, "kind", keyword_kind, ctx) or "code_word",
        "language": optional(row, "language"),
    }


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    keyword_row(row, ctx)  # validation only
    return GraphBatch()
