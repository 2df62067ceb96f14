"""Sanity of the packaged species list and keyword watchlist."""

from __future__ import annotations

import pandas as pd
import pytest

from graphbench.matching.species_tables import (
    KEYWORD_COLUMNS,
    KEYWORD_KINDS,
    SPECIES_COLUMNS,
    clean_synonyms,
    default_keywords_path,
    default_species_path,
    split_names,
)

TAXON_GROUPS = {"mammal", "bird", "reptile", "amphibian", "fish", "invertebrate", "plant"}


@pytest.fixture(scope="module")
def species() -> pd.DataFrame:
    return pd.read_csv(default_species_path(), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def keywords() -> pd.DataFrame:
    return pd.read_csv(default_keywords_path(), dtype=str, keep_default_na=False)


def test_species_columns_exactly(species: pd.DataFrame) -> None:
    assert tuple(species.columns) == SPECIES_COLUMNS


def test_keywords_columns_exactly(keywords: pd.DataFrame) -> None:
    assert tuple(keywords.columns) == KEYWORD_COLUMNS


def test_at_least_150_taxa_with_unique_names(species: pd.DataFrame) -> None:
    assert len(species) >= 150
    duplicated = species.loc[species["scientific_name"].duplicated(), "scientific_name"]
    assert duplicated.tolist() == []


def test_appendix_and_group_valid(species: pd.DataFrame) -> None:
    assert set(species["cites_appendix"]) <= {"I", "II", "III"}
    assert set(species["taxon_group"]) <= TAXON_GROUPS


def test_scientific_names_are_well_formed(species: pd.DataFrame) -> None:
    for name in species["scientific_name"]:
        words = name.split()
        assert words[0][0].isupper() and words[0][1:].islower(), name
        assert all(word.islower() for word in words[1:]), name


def test_synonyms_are_scientific_names_not_the_accepted_one(species: pd.DataFrame) -> None:
    for row in species.itertuples(index=False):
        for synonym in split_names(row.synonyms):
            assert clean_synonyms(synonym) == [synonym], synonym
            assert synonym != row.scientific_name


def test_no_name_names_two_species_by_accident(species: pd.DataFrame) -> None:
    accepted = set(species["scientific_name"])
    for row in species.itertuples(index=False):
        assert not set(split_names(row.synonyms)) & (accepted - {row.scientific_name})


def test_known_listings(species: pd.DataFrame) -> None:
    appendix = dict(zip(species["scientific_name"], species["cites_appendix"], strict=True))
    assert appendix["Manis javanica"] == "I"
    assert appendix["Psittacus erithacus"] == "I"
    assert appendix["Geochelone elegans"] == "I"
    assert appendix["Python regius"] == "II"
    assert appendix["Aonyx cinereus"] == "I"
    assert appendix["Gekko gecko"] == "II"
    assert appendix["Totoaba macdonaldi"] == "I"
    assert appendix["Chelydra serpentina"] == "III"


def test_every_keyword_names_a_listed_species(species: pd.DataFrame, keywords: pd.DataFrame) -> None:
    named = keywords.loc[keywords["scientific_name"] != "", "scientific_name"]
    assert set(named) - set(species["scientific_name"]) == set()


def test_keyword_kinds_valid_and_terms_unique_per_species(keywords: pd.DataFrame) -> None:
    assert set(keywords["kind"]) <= set(KEYWORD_KINDS)
    assert not keywords.duplicated(["term", "scientific_name"]).any()
    assert (keywords["term"].str.strip() != "").all()


def test_names_use_no_comma(species: pd.DataFrame) -> None:
    # Species+ exports separate names with commas, so the matcher splits on them too.
    assert not species["common_names"].str.contains(",").any()


def test_cites_checklist_mapping_turns_a_species_plus_export_into_species_rows() -> None:
    import csv
    from pathlib import Path

    from graphbench.matching import build_species_index, match_text
    from loaders.mapping import Mapping
    from loaders.species import appendix

    root = Path(__file__).resolve().parents[1]
    export = root / "tests" / "fixtures" / "cites_checklist" / "species_plus_export.csv"
    mapping = Mapping.load(root / "mappings" / "cites_checklist.yaml")
    [entry] = mapping.entries_for(export)
    with export.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        entry.check_header(list(reader.fieldnames or []), export)
        convert = entry.converter()
        rows = [convert(raw, number) for number, raw in enumerate(reader, start=1)]

    by_name = {row["scientific_name"]: row for row in rows}
    assert set(by_name) == {"Manis javanica", "Geochelone elegans", "Python regius",
                            "Loxodonta africana", "Aquilaria malaccensis"}
    assert by_name["Python regius"]["common_names"] == "Ball Python, Royal Python;Pitón real;Python royal"
    assert appendix(by_name["Loxodonta africana"]["cites_appendix"]) == "I"
    assert by_name["Manis javanica"]["taxon_group"] == "Mammalia"

    index = build_species_index(pd.DataFrame(rows), include_defaults=False)
    found = {text: {m.scientific_name for m in match_text(text, index)} for text in (
        "Malayan Pangolin", "Boa regia", "Testudo elegans", "Aloewood chips", "pitón real")}
    assert found == {
        "Malayan Pangolin": {"Manis javanica"},
        "Boa regia": {"Python regius"},
        "Testudo elegans": {"Geochelone elegans"},
        "Aloewood chips": {"Aquilaria malaccensis"},
        "pitón real": {"Python regius"},
    }
