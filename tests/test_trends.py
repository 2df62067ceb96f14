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


def _weekly_tags() -> dict[str, pd.DataFrame]:
    """Ten weeks of one listing a day; #steady every day, #burst only in the last week."""
    days = pd.date_range("2024-01-01", periods=70, freq="D")  # a Monday: weeks start on day 0, 7, 14 …
    listings = pd.DataFrame({"id": [f"Listing:x:{i}" for i in range(70)],
                             "posted_at": days.strftime("%Y-%m-%dT10:00:00Z"), "platform": "x"})
    tagged = [(f"Listing:x:{i}", "Hashtag:steady") for i in range(70)]
    tagged += [(f"Listing:x:{i}", "Hashtag:burst") for i in range(63, 70)]
    return {"Listing": listings, "TAGGED": pd.DataFrame(tagged, columns=["start", "end"])}


def test_term_counts_show_the_burst_week_by_week_with_quiet_weeks_as_zero() -> None:
    counts = trends.term_counts(_weekly_tags(), "hashtag", freq="W")
    burst = counts[counts["term"] == "burst"]["listings"].tolist()
    steady = counts[counts["term"] == "steady"]["listings"].tolist()
    assert burst == [0] * 9 + [7]
    assert steady == [7] * 10
    assert set(trends.term_counts(_weekly_tags(), "hashtag", terms=["burst"])["term"]) == {"burst"}


def test_listings_over_time_weekly_by_platform() -> None:
    table = trends.listings_over_time(_weekly_tags(), by="platform", freq="W")
    assert table["listings"].tolist() == [7] * 10 and set(table["group"]) == {"x"}
    assert table["period"].iloc[0] == pd.Timestamp("2024-01-01")


def test_city_hotspots_keep_cities_apart_and_give_the_appendix_i_share() -> None:
    located = pd.DataFrame({"start": ["Listing:x:1", "Listing:x:2", "Listing:x:3", "Listing:x:4"],
                            "end": ["Location:VN:hanoi", "Location:VN:hanoi", "Location:VN:hcmc", "Location:VN"]})
    mentions = pd.DataFrame({"start": ["Listing:x:1"], "end": ["Species:Manis javanica"]})
    species = pd.DataFrame({"id": ["Species:Manis javanica"], "cites_appendix": ["I"]})
    shipped = pd.DataFrame({"start": ["Shipment:dhl:1"], "end": ["Location:VN:hcmc"]})
    tables = {"LOCATED_IN": located, "MENTIONS": mentions, "Species": species, "FROM": shipped}
    cities = trends.hotspots(tables, level="city").set_index("place")
    assert cities.loc["VN:hanoi", "listings"] == 2 and cities.loc["VN:hanoi", "appendix_i_share"] == 0.5
    assert cities.loc["VN:hcmc", "shipped_from"] == 1 and cities.loc["VN:hcmc", "score"] == 2
    assert cities.loc["VN", "listings"] == 1  # a record naming only the country stays at country level
    country = trends.hotspots(tables).set_index("country")
    assert country.loc["VN", "listings"] == 4 and country.loc["VN", "appendix_i_share"] == 0.25
