"""Read, clean and merge the species and keyword tables the matcher is built from.

The packaged defaults live in ``graphbench/data``; users can add their own tables
(canonical columns, or a CITES Species+ export mapped onto them). Only
``read_*_table`` touch files; everything else works on DataFrames.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

import pandas as pd

SPECIES_COLUMNS = ("scientific_name", "cites_appendix", "common_names", "synonyms", "taxon_group")
KEYWORD_COLUMNS = ("term", "scientific_name", "kind", "language")
KEYWORD_KINDS = ("code_word", "common_name", "slang", "product")

TableSource: TypeAlias = pd.DataFrame | str | os.PathLike[str]

# Species+ exports separate names with commas, canonical files with ';'.
_NAME_SEPARATORS = re.compile(r"[;,]")
_EPITHET = re.compile(r"^[a-z][a-z-]+$")
_RANK_MARKERS = {"var.", "subsp.", "ssp.", "f."}


def default_species_path() -> Path:
    return Path(str(resources.files("graphbench") / "data" / "species.csv"))


def default_keywords_path() -> Path:
    return Path(str(resources.files("graphbench") / "data" / "keywords.csv"))


def _read_table(source: TableSource, columns: tuple[str, ...]) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        table = source.copy()
    else:
        table = pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    for column in columns:
        if column not in table.columns:
            table[column] = ""
    return table[list(columns)].map(_cell_text)


def _cell_text(value: object) -> str:
    """A cell as text; lists (as loaders hand them over) become ';'-joined."""
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value if v is not None)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def read_species_table(source: TableSource | None = None) -> pd.DataFrame:
    """The species table from a path or DataFrame (default: the packaged list)."""
    return _read_table(default_species_path() if source is None else source, SPECIES_COLUMNS)


def read_keywords_table(source: TableSource | None = None) -> pd.DataFrame:
    """The keyword watchlist from a path or DataFrame (default: the packaged list)."""
    return _read_table(default_keywords_path() if source is None else source, KEYWORD_COLUMNS)


def split_names(cell: str) -> list[str]:
    """Names in a multi-valued cell, stripped, empty ones dropped."""
    return [name.strip() for name in _NAME_SEPARATORS.split(cell) if name.strip()]


def strip_authority(name: str) -> str:
    """``'Testudo elegans Schoepff, 1795'`` -> ``'Testudo elegans'``; the genus and the
    lower-case epithets that follow it, nothing after the first author word."""
    words = name.replace("(", " ( ").split()
    if not words or not words[0][:1].isupper():
        return ""
    kept = [words[0]]
    for word in words[1:]:
        if word in _RANK_MARKERS:
            continue
        if not _EPITHET.match(word):
            break
        kept.append(word)
    return " ".join(kept)


def clean_synonyms(cell: str) -> list[str]:
    """Scientific synonyms (authors removed) of at least genus + epithet."""
    names = (strip_authority(part) for part in split_names(cell))
    return [name for name in names if len(name.split()) >= 2]


def _union(first: list[str], second: list[str]) -> list[str]:
    seen = {name.casefold() for name in first}
    return first + [name for name in second if name.casefold() not in seen]


def merge_species_tables(tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """One row per scientific name. Later tables add names to earlier rows and override
    their appendix and taxon group where they give one."""
    merged: dict[str, dict[str, Any]] = {}
    for table in tables:
        for row in table.itertuples(index=False):
            name = strip_authority(row.scientific_name.strip()) or row.scientific_name.strip()
            if not name:
                continue
            entry: dict[str, Any] = merged.setdefault(
                name, {"cites_appendix": "", "common_names": [], "synonyms": [], "taxon_group": ""}
            )
            entry["common_names"] = _union(entry["common_names"], split_names(row.common_names))
            entry["synonyms"] = _union(entry["synonyms"], clean_synonyms(row.synonyms))
            for field in ("cites_appendix", "taxon_group"):
                value = getattr(row, field).strip()
                if value:
                    entry[field] = value
    rows = [
        {
            "scientific_name": name,
            "cites_appendix": entry["cites_appendix"],
            "common_names": ";".join(entry["common_names"]),
            "synonyms": ";".join(s for s in entry["synonyms"] if s != name),
            "taxon_group": entry["taxon_group"],
        }
        for name, entry in merged.items()
    ]
    return pd.DataFrame(rows, columns=list(SPECIES_COLUMNS))


def merge_keyword_tables(tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """All keyword rows, duplicates (same term and species) dropped, first one kept."""
    frames = [table[list(KEYWORD_COLUMNS)] for table in tables]
    if not frames:
        return pd.DataFrame(columns=list(KEYWORD_COLUMNS))
    combined = pd.concat(frames, ignore_index=True)
    key = combined["term"].str.strip().str.casefold() + "\x00" + combined["scientific_name"].str.strip()
    return combined.loc[~key.duplicated()].reset_index(drop=True)
