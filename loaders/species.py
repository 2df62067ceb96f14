"""species: scientific_name, cites_appendix, common_names, synonyms, taxon_group."""

from __future__ import annotations

from typing import Any

from graphbench import normalize
from graphbench.batch import GraphBatch
from graphbench.schema import node_id
from loaders.context import RowContext
from loaders.fields import multi, optional, required

KIND = "species"
REQUIRED = ("scientific_name",)


def appendix(raw: str) -> str:
    value = raw.strip().upper().removeprefix("APPENDIX").strip()
    # Species+ writes "I/II" for split listings; the stricter appendix is the one that matters
    for level in ("I", "II", "III"):
        if value == level or value.split("/")[0].strip() == level:
            return level
    raise ValueError(f"{raw!r} is not a CITES appendix (I, II or III)")


def species_props(row: dict[str, str]) -> dict[str, Any]:
    return {
        "scientific_name": required(row, "scientific_name", normalize.scientific_name),
        "cites_appendix": optional(row, "cites_appendix", appendix),
        "common_names": multi(row, "common_names") or None,
        "synonyms": multi(row, "synonyms", normalize.scientific_name) or None,
        "taxon_group": optional(row, "taxon_group", str.lower),
    }


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    props = species_props(row)
    batch = GraphBatch()
    batch.add_node(node_id("Species", props["scientific_name"]), props, ctx.provenance(None))
    return batch
