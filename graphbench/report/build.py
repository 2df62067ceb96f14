"""The cyber-alert report's content, gathered from the store through the analytics (no rendering here).

A report covers a scope — the whole store, a community, a set of accounts — and optionally a time
window. Every section holds numbers and examples from the graph; every item cited is also listed in
the evidence annex with its source file and row, capture time, URL and SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from graphbench.store.tables import read_tables


@dataclass
class ReportScope:
    accounts: list[str] | None = None  # None = every account
    community: int | None = None  # a community of `graphbench communities` (default engine, seed 0)
    since: str | None = None  # ISO UTC
    until: str | None = None
    title: str = "Cyber-alert: online wildlife trafficking network"
    marking: str = "TLP:AMBER"

    def describe(self) -> str:
        parts = []
        if self.community is not None:
            parts.append(f"community {self.community}")
        if self.accounts:
            parts.append(f"{len(self.accounts)} selected accounts")
        if self.since or self.until:
            parts.append(f"from {self.since or 'the start'} to {self.until or 'now'}")
        return ", ".join(parts) or "the whole store"


@dataclass
class Section:
    title: str
    text: str = ""
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    images: list[tuple[str, bytes]] = field(default_factory=list)  # caption, PNG


@dataclass
class Report:
    scope: ReportScope
    generated_at: str
    store: str
    sections: list[Section]
    evidence: pd.DataFrame  # item, kind, source_file, source_row, first_seen, last_seen, url, sha256
    facts: dict[str, Any]  # headline numbers and top items, for --json and tests


SECTION_TITLES = (
    "Summary", "Network", "Species involved", "Keywords and hashtags", "Influencers", "Evasion tactics",
    "Payment channels and money flows", "Laundering patterns", "Couriers and routes", "Key accounts",
    "Recommended actions", "Evidence annex",
)


def _in_window(values: pd.Series, scope: ReportScope) -> pd.Series:
    keep = pd.Series(True, index=values.index)
    text = values.astype("string").fillna("")
    if scope.since:
        keep &= text >= scope.since
    if scope.until:
        keep &= (text <= scope.until) | text.str.startswith(scope.until[:10])
    return keep


def scoped_tables(store: Any, scope: ReportScope) -> tuple[dict[str, pd.DataFrame], set[str]]:
    """The tables restricted to the scope's accounts (their listings, channels, shipments) and window."""
    tables = read_tables(store)
    accounts = set(tables["Account"]["id"])
    if scope.community is not None:
        from graphbench.analytics.communities import detect_communities
        from graphbench.analytics.projection import build_account_graph

        result = detect_communities(build_account_graph(tables, accounts=tables["Account"]), seed=0)
        accounts = {a for a, c in result.membership.items() if c == scope.community}
    if scope.accounts:
        chosen = set(scope.accounts)
        accounts = accounts & chosen if scope.community is not None else chosen
    if scope.community is None and not scope.accounts and not (scope.since or scope.until):
        return tables, accounts
    posted = tables["POSTED"]
    listings = tables["Listing"]
    mine = set(posted.loc[posted["start"].isin(accounts), "end"])
    listings = listings[listings["id"].isin(mine) & _in_window(listings["posted_at"], scope)]
    keep_listings = set(listings["id"])
    channels = set(tables["USES"].loc[tables["USES"]["start"].isin(accounts), "end"])
    transfers = tables["TRANSFERRED"]
    transfers = transfers[(transfers["start"].isin(channels) | transfers["end"].isin(channels))
                          & _in_window(transfers.get("ts", pd.Series(dtype=object)), scope)]
    sent = tables["SENT"]
    shipments = set(sent.loc[sent["start"].isin(accounts), "end"])
    ship_table = tables["Shipment"]
    ship_table = ship_table[ship_table["id"].isin(shipments)
                            & _in_window(ship_table.get("shipped_at", pd.Series(dtype=object)), scope)]
    keep_ships = set(ship_table["id"])
    scoped = dict(tables)
    scoped["Account"] = tables["Account"][tables["Account"]["id"].isin(accounts)]
    scoped["Listing"] = listings
    scoped["TRANSFERRED"] = transfers
    scoped["Shipment"] = ship_table
    for rel in ("POSTED",):
        scoped[rel] = tables[rel][tables[rel]["end"].isin(keep_listings)]
    for rel in ("TAGGED", "MENTIONS", "ACCEPTS"):
        scoped[rel] = tables[rel][tables[rel]["start"].isin(keep_listings)]
    scoped["CROSS_POSTED_AS"] = tables["CROSS_POSTED_AS"][tables["CROSS_POSTED_AS"]["start"].isin(keep_listings)
                                                          | tables["CROSS_POSTED_AS"]["end"].isin(keep_listings)]
    for rel in ("USES", "HAS_PHONE", "HAS_EMAIL", "LINKS_TO", "SAME_AS", "SENT"):
        scoped[rel] = tables[rel][tables[rel]["start"].isin(accounts)]
    for rel in ("CARRIED_BY", "FROM", "TO"):
        scoped[rel] = tables[rel][tables[rel]["start"].isin(keep_ships)]
    return scoped, accounts


def build_report(store: Any, scope: ReportScope | None = None) -> Report:
    from graphbench.analytics import risk, routes, trends
    from graphbench.analytics.flows import aggregate_flows, channel_type_of
    from graphbench.analytics.patterns import find_patterns, patterns_frame
    from graphbench.export.takedown import takedown_rows
    from graphbench.report import charts

    scope = scope or ReportScope()
    tables, accounts = scoped_tables(store, scope)
    patterns = find_patterns(tables["TRANSFERRED"])
    scores = risk.score_accounts(tables, patterns)
    scores = scores[scores["id"].isin(accounts)]
    evidence: dict[str, str] = {}  # node id → kind, filled as sections cite items

    def cite(ids: Any, kind: str) -> None:
        for item in ids:
            evidence.setdefault(str(item), kind)

    sections: list[Section] = []
    listings, mentions, species = tables["Listing"], tables["MENTIONS"], tables["Species"]
    n_transfer_amount = float(pd.to_numeric(tables["TRANSFERRED"].get("amount"), errors="coerce").sum()) \
        if len(tables["TRANSFERRED"]) else 0.0
    flagged = scores[scores["score"] >= risk.FLAGGED_SCORE]
    platforms = sorted({a.split(":")[1] for a in accounts})
    summary_text = (
        f"Scope: {scope.describe()}. {len(accounts):,} accounts on {len(platforms)} platforms "
        f"({', '.join(platforms)}), {len(listings):,} listings of which {mentions['start'].nunique():,} name "
        f"{mentions['end'].nunique():,} CITES-listed taxa, {len(tables['TRANSFERRED']):,} transfers "
        f"({n_transfer_amount:,.0f} in total), {len(tables['Shipment']):,} shipments. "
        f"{len(flagged):,} accounts score {risk.FLAGGED_SCORE:.0f}+ on the risk indicators; "
        f"{len(patterns):,} laundering patterns were found.")
    sections.append(Section("Summary", summary_text))

    # network picture: the highest-risk accounts and what joins them
    from graphbench.analytics.projection import build_account_graph

    graph = build_account_graph(tables, accounts=tables["Account"])
    top_ids = list(flagged["id"].head(120)) or list(scores["id"].head(120))
    sections.append(Section("Network", "Accounts joined by shared identifiers, money, cross-posts and profile "
                            "links; colour = risk (darker is higher), size = connections.",
                            images=[("Highest-risk accounts and their ties", charts.network_png(graph, scores, top_ids))]))

    appendix = species.set_index("id")["cites_appendix"] if len(species) else pd.Series(dtype=object)
    per_species = mentions.groupby("end").agg(listings=("start", "nunique")).reset_index()
    per_species["species"] = per_species["end"].str.removeprefix("Species:")
    per_species["appendix"] = per_species["end"].map(appendix).fillna("?")
    per_species = per_species.sort_values(["listings", "species"], ascending=[False, True])
    cite(mentions.loc[mentions["end"].isin(per_species["end"].head(5)), "start"].head(10), "listing")
    sections.append(Section("Species involved",
                            f"{len(per_species)} taxa; {int((per_species['appendix'] == 'I').sum())} in Appendix I "
                            "(commercial trade prohibited).",
                            tables=[("Species by listings", per_species[["species", "appendix", "listings"]].head(20))]))

    tags = tables["TAGGED"].assign(tag="#" + tables["TAGGED"]["end"].str.removeprefix("Hashtag:"))
    top_tags = tags.groupby("tag")["start"].nunique().sort_values(ascending=False).head(15).reset_index(
        name="listings")
    terms = mentions.groupby(["term", "match"])["start"].nunique().sort_values(ascending=False).head(15).reset_index(
        name="listings") if "term" in mentions else pd.DataFrame()
    emerging = trends.emerging_terms(tables, "hashtag")
    emerging_words = trends.emerging_terms(tables, "keyword")
    over_time = trends.listings_over_time(tables, by="species", top=6)
    sections.append(Section(
        "Keywords and hashtags",
        "Emerging (used far more in the last 60 days than before, after allowing for overall growth): "
        + (", ".join("#" + t for t in emerging["term"].head(8)) or "none") + "; keywords: "
        + (", ".join(emerging_words["term"].head(8)) or "none") + ".",
        tables=[("Most used hashtags", top_tags), ("Most used terms (as written)", terms)],
        images=[("Listings per month, top species", charts.trend_png(over_time))] if len(over_time) else []))

    accounts_table = tables["Account"].set_index("id")
    influencer_rows = []
    for row in scores.itertuples(index=False):
        if "influencer_for_flagged" in row.indicators:
            followers = accounts_table["followers"].get(row.id) if "followers" in accounts_table else None
            influencer_rows.append({"account": row.id, "followers": followers,
                                    "advertises": "; ".join(e.removeprefix("links to ")
                                                            for e in row.evidence["influencer_for_flagged"])})
    influencers = pd.DataFrame(influencer_rows, columns=["account", "followers", "advertises"])
    cite(influencers["account"], "account")
    sections.append(Section("Influencers", f"{len(influencers)} high-follower accounts advertise for flagged sellers.",
                            tables=[("Influencers", influencers)]))

    misspelt = mentions[mentions.get("match") == "misspelling"] if "match" in mentions else mentions.head(0)
    code = mentions[mentions.get("match") == "code_word"] if "match" in mentions else mentions.head(0)
    miss_table = misspelt.assign(species=misspelt["end"].str.removeprefix("Species:")).groupby(
        ["term", "species"])["start"].nunique().sort_values(ascending=False).reset_index(name="listings")
    code_table = code.assign(species=code["end"].str.removeprefix("Species:")).groupby(
        ["term", "species"])["start"].nunique().sort_values(ascending=False).reset_index(name="listings")
    cross = tables["CROSS_POSTED_AS"]
    cross_pairs = cross.assign(a=cross["start"].str.split(":").str[1], b=cross["end"].str.split(":").str[1])
    cross_table = cross_pairs.groupby(["a", "b"]).size().reset_index(name="cross_posts").rename(
        columns={"a": "platform", "b": "also on"}).sort_values("cross_posts", ascending=False)
    cite(misspelt["start"].head(10), "listing")
    cite(code["start"].head(10), "listing")
    sections.append(Section(
        "Evasion tactics",
        f"{len(misspelt):,} listings misspell scientific names, {len(code):,} use code words, "
        f"{len(cross):,} cross-posts link copies of the same item across accounts and platforms.",
        tables=[("Misspelt scientific names", miss_table.head(15)), ("Code words", code_table.head(15)),
                ("Cross-posting between platforms", cross_table.head(15))]))

    transfers = tables["TRANSFERRED"]
    channel_types = tables["USES"].assign(type=tables["USES"]["end"].str.split(":").str[1])
    by_type = channel_types.groupby("type").agg(channels=("end", "nunique"), accounts=("start", "nunique")).reset_index()
    flows = aggregate_flows(transfers, channel_type_of).between if len(transfers) else pd.DataFrame()
    sections.append(Section(
        "Payment channels and money flows", f"{len(channel_types['end'].unique()):,} payment channels in use.",
        tables=[("Channels by type", by_type.sort_values("channels", ascending=False)),
                ("Money between channel types", flows.head(15) if len(flows) else flows)],
        images=[("Money flows between channel types", charts.flows_png(flows))] if len(flows) else []))

    pattern_table = patterns_frame(patterns) if patterns else pd.DataFrame(
        columns=["kind", "members", "amount", "first_ts", "last_ts"])
    if len(pattern_table):
        pattern_table = pattern_table.assign(members=pattern_table["members"].map(lambda m: len(m)))
    counts = pattern_table["kind"].value_counts().to_dict() if len(pattern_table) else {}
    sections.append(Section("Laundering patterns", ", ".join(f"{k.replace('_', '-')}: {v}" for k, v in counts.items())
                            or "No laundering patterns found.",
                            tables=[("Patterns", pattern_table[[c for c in ("kind", "members", "amount", "first_ts",
                                                                            "last_ts", "score")
                                                                if c in pattern_table]].head(25))]))

    route_table = routes.routes(tables)
    hubs = routes.consumer_hubs(tables)
    couriers = route_table.groupby("shipper")["shipments"].sum().sort_values(ascending=False).reset_index()
    sections.append(Section(
        "Couriers and routes",
        "Consumer hubs: " + (", ".join(hubs["country"]) or "none") + ".",
        tables=[("Couriers", couriers), ("Routes", route_table.drop(columns=["senders"]).head(20))],
        images=[("Shipments by origin → destination", charts.routes_png(route_table))] if len(route_table) else []))

    key = scores.head(20).assign(indicators=lambda f: f["indicators"].map(lambda i: ", ".join(i)))[
        ["id", "score", "indicators"]]
    cite(key["id"], "account")
    sections.append(Section("Key accounts", "Risk scores are explainable: each indicator below has its evidence "
                            "(graphbench risk --account ID).", tables=[("Highest-risk accounts", key)]))

    takedown = takedown_rows(tables, scores)
    cite(takedown["platform"].radd("Listing:") + ":" + takedown["listing_id"].astype(str), "listing")
    refer = pattern_table.head(15)
    flagged_channels = set(tables["USES"].loc[tables["USES"]["start"].isin(flagged["id"]), "end"])
    risky_transfers = transfers[transfers["start"].isin(flagged_channels) | transfers["end"].isin(flagged_channels)]
    risky_transfers = risky_transfers.sort_values("amount", ascending=False).head(20) if len(risky_transfers) else \
        risky_transfers
    cite(risky_transfers.get("tx_id", pd.Series(dtype=object)).map(lambda t: f"tx:{t}"), "transfer")
    inspect = tables["Shipment"].merge(tables["SENT"].rename(columns={"start": "sender", "end": "id"}), on="id")
    inspect = inspect[inspect["sender"].isin(flagged["id"])]
    inspect = inspect.reindex(columns=["shipper", "tracking_no", "declared_content", "shipped_at", "sender"]).head(20)
    sections.append(Section(
        "Recommended actions",
        f"Report {len(takedown):,} listings to the platforms for takedown; refer {len(risky_transfers):,} transfers "
        f"and {len(refer):,} patterns to the financial intelligence units; ask customs to inspect "
        f"{len(inspect):,} shipments.",
        tables=[("Listings to report for takedown", takedown.head(30)),
                ("Transfers to refer to FIUs", risky_transfers.reindex(
                    columns=["tx_id", "start", "end", "amount", "currency", "ts"])),
                ("Shipments to inspect", inspect)]))

    annex = _annex(tables, evidence)
    sections.append(Section("Evidence annex", f"{len(annex):,} items cited above, each traceable to its source row.",
                            tables=[("Evidence", annex)]))
    facts = {
        "scope": scope.describe(), "accounts": len(accounts), "listings": len(listings),
        "flagged_accounts": len(flagged), "patterns": counts,
        "top_species": per_species["species"].head(10).tolist(),
        "code_words": code_table["term"].drop_duplicates().head(15).tolist(),
        "misspellings": miss_table["term"].drop_duplicates().head(25).tolist(),
        "hashtags": top_tags["tag"].head(15).tolist(), "emerging_hashtags": emerging["term"].head(10).tolist(),
        "channel_types": by_type["type"].tolist(), "couriers": couriers["shipper"].tolist(),
        # routes are per courier: one origin→destination pair can appear under several couriers
        "routes": list(dict.fromkeys(f"{o}→{d}" for o, d in zip(route_table["origin"], route_table["destination"],
                                                                 strict=True)))[:30],
        "takedown_listings": len(takedown), "evidence_items": len(annex),
    }
    return Report(scope, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), getattr(store, "url", ""), sections,
                  annex, facts)


def _annex(tables: dict[str, pd.DataFrame], cited: dict[str, str]) -> pd.DataFrame:
    rows = []
    by_label: dict[str, pd.DataFrame] = {label: tables[label].set_index("id") for label in ("Account", "Listing")
                                         if label in tables}
    transfers = tables["TRANSFERRED"].set_index("tx_id") if "tx_id" in tables["TRANSFERRED"] else None
    for item, kind in cited.items():
        record: Any = None
        if item.startswith("tx:") and transfers is not None and item[3:] in transfers.index:
            record = transfers.loc[item[3:]]
            record = record.iloc[0] if isinstance(record, pd.DataFrame) else record
        else:
            table = by_label.get(item.split(":", 1)[0])
            if table is not None and item in table.index:
                record = table.loc[item]
        if record is None:
            continue
        rows.append({"item": item, "kind": kind, "source_file": str(record.get("source_file", "")).split("/")[-1],
                     "source_row": record.get("source_row"), "first_seen": record.get("first_seen"),
                     "last_seen": record.get("last_seen"), "url": record.get("url"), "sha256": record.get("sha256")})
    return pd.DataFrame(rows, columns=["item", "kind", "source_file", "source_row", "first_seen", "last_seen", "url",
                                       "sha256"])
