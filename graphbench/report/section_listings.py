"""Sections about what is sold and how it is written: Species involved, Keywords and hashtags,
Influencers, Evasion tactics (facts, then their rendering)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from graphbench.analytics import trends
from graphbench.analytics.risk import INFLUENCER_FOLLOWERS
from graphbench.report import charts
from graphbench.report.document import TABLE_ROWS, Section, snippet
from graphbench.report.view import ReportView

Cited = list[tuple[Any, str]]


# -- Species ----------------------------------------------------------------------------------------

@dataclass
class SpeciesFacts:
    per_species: pd.DataFrame  # species, appendix, group, listings, accounts; most listed first
    appendix_one: pd.DataFrame  # the Appendix I rows of per_species
    example_listings: list[str]  # listings naming the five most listed Appendix I taxa
    listings_naming: int
    over_time: pd.DataFrame  # listings per month of the six most traded taxa

    def citations(self) -> Cited:
        return [(x, "listing") for x in self.example_listings]

    def summary(self) -> dict[str, Any]:
        return {"top_species": self.per_species["species"].head(10).tolist(),
                "appendix_i_species": self.appendix_one["species"].head(10).tolist()}


def compute_species(view: ReportView) -> SpeciesFacts:
    t = view.tables
    mentions, species = t["MENTIONS"], t["Species"]
    owner = dict(zip(t["POSTED"]["end"], t["POSTED"]["start"], strict=True))
    info = species.set_index("id") if len(species) else pd.DataFrame(columns=["cites_appendix", "taxon_group"])
    per = mentions.assign(account=mentions["start"].map(owner)).groupby("end").agg(
        listings=("start", "nunique"), accounts=("account", "nunique")).reset_index()
    per["species"] = per["end"].str.removeprefix("Species:")
    per["appendix"] = per["end"].map(info.get("cites_appendix", pd.Series(dtype=object))).fillna("?")
    per["group"] = per["end"].map(info.get("taxon_group", pd.Series(dtype=object))).fillna("")
    per = per.sort_values(["listings", "species"], ascending=[False, True])
    appendix_one = per[per["appendix"] == "I"]
    examples = mentions.loc[mentions["end"].isin(appendix_one["end"].head(5)), "start"].head(10).tolist()
    return SpeciesFacts(per, appendix_one, examples, mentions["start"].nunique(),
                        trends.listings_over_time(t, by="species", top=6))


def render_species(f: SpeciesFacts) -> Section:
    one = f.appendix_one
    text = (f"{len(f.per_species):,} CITES-listed taxa are named in {f.listings_naming:,} listings; "
            f"{len(one):,} are in Appendix I (commercial trade prohibited), named in "
            f"{int(one['listings'].sum()):,} listings"
            + (f" — most often {', '.join(one['species'].head(3))}." if len(one) else "."))
    return Section("Species involved", text,
                   tables=[("Species by listings", f.per_species[["species", "appendix", "group", "listings",
                                                                  "accounts"]].head(TABLE_ROWS))],
                   images=[("Listings per month naming the six most traded taxa",
                            charts.trend_png(f.over_time, "group"))] if len(f.over_time) else [])


# -- Keywords and hashtags --------------------------------------------------------------------------

@dataclass
class KeywordFacts:
    top_tags: pd.DataFrame  # tag (with #), listings
    terms: pd.DataFrame  # term, match, listings: most used as written
    emerging: pd.DataFrame  # hashtags used far more lately than their history predicts
    emerging_words: pd.DataFrame  # keywords likewise
    tag_series: pd.DataFrame  # per month: emerging tags (else the most used)
    word_series: pd.DataFrame  # per month: the six busiest code words

    def citations(self) -> Cited:
        return []

    def summary(self) -> dict[str, Any]:
        return {"hashtags": self.top_tags["tag"].tolist(), "emerging_hashtags": self.emerging["term"].head(10).tolist(),
                "emerging_keywords": self.emerging_words["term"].head(10).tolist()}


def compute_keywords(view: ReportView) -> KeywordFacts:
    t = view.tables
    tagged, mentions = t["TAGGED"], t["MENTIONS"]
    top_tags = (tagged.assign(tag="#" + tagged["end"].str.removeprefix("Hashtag:")).groupby("tag")["start"]
                .nunique().sort_values(ascending=False).head(15).reset_index(name="listings"))
    terms = (mentions.groupby(["term", "match"])["start"].nunique().sort_values(ascending=False).head(15)
             .reset_index(name="listings") if "term" in mentions else pd.DataFrame(columns=["term", "match"]))
    emerging = trends.emerging_terms(t, "hashtag")
    emerging_words = trends.emerging_terms(t, "keyword")
    # the chart follows what moves: emerging tags (else the most used) and the busiest code words
    chart_tags = emerging["term"].head(6).tolist() or top_tags["tag"].str.removeprefix("#").head(6).tolist()
    code = mentions[mentions["match"] == "code_word"] if "match" in mentions else mentions.head(0)
    chart_words = code.groupby("term")["start"].nunique().sort_values(ascending=False).head(6).index.tolist()
    return KeywordFacts(top_tags, terms, emerging, emerging_words,
                        trends.term_counts(t, "hashtag", freq="M", terms=chart_tags),
                        trends.term_counts(t, "keyword", freq="M", terms=chart_words))


def render_keywords(f: KeywordFacts) -> Section:
    images = []
    if len(f.tag_series):
        images.append(("Hashtags per month: " + ("emerging tags" if len(f.emerging) else "most used tags"),
                       charts.trend_png(f.tag_series.assign(term="#" + f.tag_series["term"]), "term")))
    if len(f.word_series):
        images.append(("Code words per month (the six most used)", charts.trend_png(f.word_series, "term")))
    emerging, words = f.emerging, f.emerging_words
    emerging_table = pd.concat([emerging.head(8).assign(kind="hashtag", term="#" + emerging["term"].head(8)),
                                words.head(8).assign(kind="keyword")], ignore_index=True)
    emerging_table = emerging_table.reindex(columns=["kind", "term", "recent", "before", "expected", "z"])
    text = ("Emerging — used far more in the last 60 days than their own history predicts, after allowing for "
            "overall growth: " + (", ".join("#" + x for x in emerging["term"].head(8)) or "no hashtag")
            + "; " + (", ".join(words["term"].head(8)) or "no keyword") + ".")
    return Section("Keywords and hashtags", text, images=images,
                   tables=[("Emerging terms", emerging_table), ("Most used hashtags", f.top_tags),
                           ("Most used terms, as written", f.terms)])


# -- Influencers ------------------------------------------------------------------------------------

@dataclass
class InfluencerFacts:
    table: pd.DataFrame  # account, followers, url, advertises for; biggest audience first

    def citations(self) -> Cited:
        return [(a, "account") for a in self.table["account"]]

    def summary(self) -> dict[str, Any]:
        return {"influencers": self.table["account"].tolist()}


def compute_influencers(view: ReportView) -> InfluencerFacts:
    accounts = view.tables["Account"].drop_duplicates("id").set_index("id")
    rows = []
    for row in view.scores.itertuples(index=False):
        if "influencer_for_flagged" in row.indicators:
            followers = accounts["followers"].get(row.id) if "followers" in accounts else None
            rows.append({"account": row.id, "followers": followers, "url": accounts.get("url", {}).get(row.id),
                         "advertises for": "; ".join(e.removeprefix("links to ")
                                                     for e in row.evidence["influencer_for_flagged"])})
    table = pd.DataFrame(rows, columns=["account", "followers", "url", "advertises for"])
    return InfluencerFacts(table.sort_values("followers", ascending=False, na_position="last"))


def render_influencers(f: InfluencerFacts) -> Section:
    reach = pd.to_numeric(f.table["followers"], errors="coerce").sum()
    text = (f"{len(f.table):,} accounts with at least {INFLUENCER_FOLLOWERS:,} followers link to, or are linked "
            f"with, flagged sellers — a combined audience of {reach:,.0f}." if len(f.table) else
            "No high-follower account advertises for a flagged seller in this scope.")
    return Section("Influencers", text, tables=[("Influencers advertising for flagged sellers", f.table)])


# -- Evasion tactics --------------------------------------------------------------------------------

@dataclass
class EvasionFacts:
    misspelt_listings: int
    code_listings: int
    miss_table: pd.DataFrame  # term, species, listings, example, text
    code_table: pd.DataFrame
    cross_table: pd.DataFrame  # platforms, cross_posts, methods
    cross_posts: int
    across_platforms: int
    cross_examples: list[str]  # the first cross-posted listings

    def citations(self) -> Cited:
        examples = list(self.miss_table["example"].head(8)) + list(self.code_table["example"].head(8))
        return [(x, "listing") for x in [*examples, *self.cross_examples]]

    def summary(self) -> dict[str, Any]:
        return {"code_words": self.code_table["term"].drop_duplicates().head(15).tolist(),
                "misspellings": self.miss_table["term"].drop_duplicates().head(25).tolist(),
                "cross_posts": self.cross_posts}


def compute_evasion(view: ReportView) -> EvasionFacts:
    t = view.tables
    mentions, listings = t["MENTIONS"], t["Listing"].drop_duplicates("id").set_index("id")
    by_match = mentions.get("match", pd.Series("", index=mentions.index))
    misspelt, code = mentions[by_match == "misspelling"], mentions[by_match == "code_word"]
    cross = t["CROSS_POSTED_AS"]
    pairs = cross.assign(a=cross["start"].str.split(":").str[1], b=cross["end"].str.split(":").str[1])
    pairs = pairs.assign(platforms=[" ↔ ".join(sorted((a, b))) for a, b in zip(pairs["a"], pairs["b"], strict=True)])
    cross_table = (pairs.groupby("platforms").agg(cross_posts=("start", "size"),
                                                  methods=("method", lambda m: ", ".join(sorted(set(m.dropna()))))
                                                  if "method" in pairs else ("start", "size"))
                   .reset_index().sort_values("cross_posts", ascending=False))
    return EvasionFacts(misspelt["start"].nunique(), code["start"].nunique(), terms_with_example(misspelt, listings),
                        terms_with_example(code, listings), cross_table, len(cross),
                        int((pairs["a"] != pairs["b"]).sum()), cross["start"].head(5).tolist())


def render_evasion(f: EvasionFacts) -> Section:
    text = (f"{f.misspelt_listings:,} listings misspell scientific names ({f.miss_table['term'].nunique():,} "
            f"spellings), {f.code_listings:,} use code words ({f.code_table['term'].nunique():,} words), and "
            f"{f.cross_posts:,} cross-posts join copies of the same item, {f.across_platforms:,} of them across "
            "platforms.")
    return Section("Evasion tactics", text, tables=[
        ("Misspelt scientific names, with an example listing",
         f.miss_table.head(TABLE_ROWS).rename(columns={"term": "written as", "example": "example listing"})),
        ("Code words, with an example listing",
         f.code_table.head(TABLE_ROWS).rename(columns={"term": "code word", "example": "example listing"})),
        ("Cross-posting between platforms", f.cross_table.head(15))])


def terms_with_example(mentions: pd.DataFrame, listings: pd.DataFrame) -> pd.DataFrame:
    """``term, species, listings, example, text`` — each term with its most recent listing as the example."""
    columns = ["term", "species", "listings", "example", "text"]
    if mentions.empty:
        return pd.DataFrame(columns=columns)
    frame = mentions.assign(species=mentions["end"].str.removeprefix("Species:"),
                            when=mentions["start"].map(listings.get("posted_at", pd.Series(dtype=object))))
    grouped = frame.sort_values("when", ascending=False, na_position="last").groupby(["term", "species"])
    table = grouped.agg(listings=("start", "nunique"), example=("start", "first")).reset_index()
    title = listings.get("title", pd.Series(dtype=object))
    text = listings.get("text", pd.Series(dtype=object))
    table["text"] = [snippet(title.get(x), text.get(x)) for x in table["example"]]
    return table.sort_values(["listings", "term"], ascending=[False, True]).reset_index(drop=True)[columns]
