"""Trends beyond the shared file: species-level bursts (whatever name a listing used) and hotspots."""

from __future__ import annotations

import pandas as pd

from graphbench.analytics import trends
from graphbench.store.tables import read_tables


def test_species_burst_counts_every_name_of_the_species_once_per_listing() -> None:
    days = pd.date_range("2024-01-01", periods=200, freq="D")
    listings = pd.DataFrame({"id": [f"Listing:x:{i}" for i in range(200)], "posted_at": days.strftime("%Y-%m-%d")})
    steady = [(f"Listing:x:{i}", "Species:Python regius", "Python regius") for i in range(0, 200, 4)]
    # the burst is written three ways; a listing naming it twice still counts once
    names = ["Manis javanica", "Manis javanca", "pangolin"]
    burst = [(f"Listing:x:{i}", "Species:Manis javanica", names[i % 3]) for i in range(170, 200)]
    burst += [(f"Listing:x:{i}", "Species:Manis javanica", "scales") for i in range(170, 200)]
    mentions = pd.DataFrame(steady + burst, columns=["start", "end", "term"])
    emerging = trends.emerging_terms({"Listing": listings, "MENTIONS": mentions}, "species", recent_days=30)
    assert list(emerging["term"]) == ["Manis javanica"]
    assert emerging.iloc[0]["recent"] == 30


def test_hotspots_weigh_appendix_i_listings_double() -> None:
    located = pd.DataFrame({"start": ["Listing:x:1", "Listing:x:2", "Listing:x:3"],
                            "end": ["Location:VN", "Location:TH", "Location:TH"]})
    mentions = pd.DataFrame({"start": ["Listing:x:1"], "end": ["Species:Manis javanica"]})
    species = pd.DataFrame({"id": ["Species:Manis javanica"], "cites_appendix": ["I"]})
    table = trends.hotspots({"LOCATED_IN": located, "MENTIONS": mentions, "Species": species})
    scores = table.set_index("country")["score"]
    assert scores["VN"] == 2 and scores["TH"] == 2  # one Appendix I listing weighs as two ordinary ones
    assert table.set_index("country").loc["VN", "appendix_i"] == 1


def test_sample_bursting_species_found(sample_store) -> None:
    emerging = trends.emerging_terms(read_tables(sample_store), "species")
    # sample_data/README.md: Corallus caninus and Saimiri sciureus burst in the last two months
    assert {"Corallus caninus", "Saimiri sciureus"} <= set(emerging.head(3)["term"])
