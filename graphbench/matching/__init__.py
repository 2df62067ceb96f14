"""Species matching: find CITES-listed species in listing text (names, synonyms, code
words, misspellings), from the packaged species list and keyword watchlist plus any
user tables."""

from graphbench.matching.matcher import (
    SpeciesMatcher,
    SpeciesMention,
    build_matcher,
    default_index,
    match_text,
    match_texts,
)
from graphbench.matching.species_index import SpeciesIndex, build_species_index
from graphbench.matching.species_tables import read_keywords_table, read_species_table

__all__ = [
    "SpeciesIndex",
    "SpeciesMatcher",
    "SpeciesMention",
    "build_matcher",
    "build_species_index",
    "default_index",
    "match_text",
    "match_texts",
    "read_keywords_table",
    "read_species_table",
]
