"""species: scientific_name, cites_appendix, common_names, synonyms, taxon_group."""

from __future__ import annotations

from typing import Any

from graphbench import normalize
from graphbench.batch import GraphBatch
from graphbench.matching.species_tables import clean_synonyms, split_names
from graphbench.schema import node_id
from loaders.context import RowContext
from loaders.fields import optional, required

KIND = "species"
REQUIRED = ("scientific_name",)


def appendix(raw: str) -> str:
    value = raw.strip().upper().removeprefix("APPENDIX").strip()
    # Species+ writes "I/II" for split listings; the stricter appendix is the one that matters
    for level in ("I", "II", "III"):
        if value == level or value.split("/")[0].strip() == level:
            return level
    raise ValueError(f"{raw!r} is not a CITES appendix (I, II or III)")


# Checklist exports give the class (or kingdom); graphbench's groups are plainer words.
TAXON_GROUPS = {
    "mammalia": "mammal", "aves": "bird", "reptilia": "reptile", "amphibia": "amphibian",
    "actinopteri": "fish", "actinopterygii": "fish", "elasmobranchii": "fish", "sarcopterygii": "fish",
    "dipneusti": "fish", "coelacanthi": "fish", "holocephali": "fish", "insecta": "invertebrate",
    "arachnida": "invertebrate", "anthozoa": "invertebrate", "hydrozoa": "invertebrate",
    "bivalvia": "invertebrate", "gastropoda": "invertebrate", "hirudinoidea": "invertebrate",
    "holothuroidea": "invertebrate", "plantae": "plant", "magnoliopsida": "plant", "liliopsida": "plant",
    "pinopsida": "plant", "cycadopsida": "plant", "polypodiopsida": "plant",
}


def taxon_group(raw: str) -> str:
    value = raw.strip().lower()
    return TAXON_GROUPS.get(value, value)


def species_props(row: dict[str, str], ctx: RowContext | None = None) -> dict[str, Any]:
    """Species node properties; an unreadable appendix is set aside on ``ctx`` (strict without one)."""
    return {
        "scientific_name": required(row, "scientific_name", normalize.scientific_name),
        "cites_appendix": optional(row, "cites_appendix", appendix, ctx),
        # Species+ exports separate names with commas and give synonyms with their authors
        "common_names": split_names(optional(row, "common_names") or "") or None,
        "synonyms": clean_synonyms(optional(row, "synonyms") or "") or None,
        "taxon_group": optional(row, "taxon_group", taxon_group, ctx),
    }


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    props = species_props(row, ctx)
    batch = GraphBatch()
    batch.add_node(node_id("Species", props["scientific_name"]), props, ctx.provenance(None))
    return batch
