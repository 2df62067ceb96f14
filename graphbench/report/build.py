"""The cyber-alert report's content, gathered from the store through the analytics (no rendering here).

A report covers a scope (:class:`ReportScope`: the whole store, a community, a set of accounts, a
time window). Every section holds numbers and examples from the graph; every item cited is also
listed in the evidence annex with its source file and row, capture time, URL and SHA-256.
:func:`assemble_report` is pure (tables in, :class:`Report` out); :func:`build_report` reads the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import pandas as pd

from graphbench.analytics import risk, routes, trends
from graphbench.analytics.communities import summarise_communities
from graphbench.analytics.flows import aggregate_flows, channel_type_of
from graphbench.analytics.patterns import find_patterns, patterns_frame
from graphbench.export.takedown import takedown_rows
from graphbench.report import charts
from graphbench.report.evidence import Citations, annex
from graphbench.report.scope import ReportScope, Scoped, scope_tables

SECTION_TITLES = (
    "Summary", "Network", "Species involved", "Keywords and hashtags", "Influencers", "Evasion tactics",
    "Payment channels and money flows", "Laundering patterns", "Couriers and routes", "Key accounts",
    "Recommended actions", "Evidence annex",
)
TABLE_ROWS = 20  # rows per table in the body; the annex and the action lists are longer
_EXAMPLE_CHARS = 90


@dataclass
class Section:
    title: str
    text: str = ""
    bullets: list[str] = field(default_factory=list)
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # caption, table
    images: list[tuple[str, bytes]] = field(default_factory=list)  # caption, PNG


@dataclass
class Report:
    scope: ReportScope
    generated_at: str
    store: str
    sections: list[Section]
    evidence: pd.DataFrame  # see graphbench.report.evidence.ANNEX_COLUMNS
    facts: dict[str, Any]  # headline numbers and top items, for --json and tests
    key_findings: list[str] = field(default_factory=list)


def build_report(store: Any, scope: ReportScope | None = None) -> Report:
    """Read the store's tables and assemble the report for ``scope`` (the whole store by default)."""
    from graphbench.store.tables import read_tables

    return assemble_report(read_tables(store), scope or ReportScope(), getattr(store, "url", ""))


def assemble_report(tables: Mapping[str, pd.DataFrame], scope: ReportScope, store_name: str = "") -> Report:
    scoped = scope_tables(tables, scope)
    t = scoped.tables
    patterns = find_patterns(t["TRANSFERRED"])
    scores = risk.score_accounts(t, patterns)
    scores = scores[scores["id"].isin(scoped.accounts)].reset_index(drop=True)
    context = _Context(scope, scoped, scores, patterns, Citations(), {"scope": scope.describe()})
    builders = (_summary, _network, _species, _keywords, _influencers, _evasion, _payments, _laundering,
                _routes, _key_accounts, _actions)
    sections = [build(context) for build in builders]
    evidence = annex(t, context.citations)
    sections.append(Section("Evidence annex", f"{len(evidence):,} items cited above, each traceable to its source "
                            "record: file and row, capture time, URL and the SHA-256 of the raw record "
                            "(`graphbench verify` re-reads the files and checks every hash).",
                            tables=[("Evidence", evidence)]))
    context.facts["evidence_items"] = len(evidence)
    return Report(scope, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), store_name, sections, evidence,
                  context.facts, _key_findings(context.facts))


@dataclass
class _Context:
    scope: ReportScope
    scoped: Scoped
    scores: pd.DataFrame
    patterns: list[Any]
    citations: Citations
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return self.scoped.tables

    @cached_property
    def flagged(self) -> pd.DataFrame:
        return self.scores[self.scores["score"] >= risk.FLAGGED_SCORE]


def _summary(c: _Context) -> Section:
    t = c.tables
    accounts = sorted(c.scoped.accounts)
    platforms = pd.Series([a.split(":")[1] for a in accounts], dtype=object).value_counts()
    amount = float(pd.to_numeric(t["TRANSFERRED"].get("amount"), errors="coerce").sum()) \
        if len(t["TRANSFERRED"]) else 0.0
    currencies = sorted(t["TRANSFERRED"]["currency"].dropna().astype(str).unique()) \
        if "currency" in t["TRANSFERRED"] else []
    mentions = t["MENTIONS"]
    listing_times = pd.to_datetime(t["Listing"].get("posted_at"), utc=True, errors="coerce").dropna() \
        if len(t["Listing"]) else pd.Series(dtype="datetime64[ns, UTC]")
    period = (f"{listing_times.min():%Y-%m-%d} to {listing_times.max():%Y-%m-%d}" if len(listing_times)
              else "no dated listings")
    c.facts.update({"accounts": len(accounts), "listings": len(t["Listing"]),
                    "flagged_accounts": len(c.flagged), "platforms": platforms.to_dict(),
                    "transfers": len(t["TRANSFERRED"]), "transfer_amount": round(amount, 2),
                    "shipments": len(t["Shipment"]), "period": period})
    numbers = pd.DataFrame([
        ("Accounts", f"{len(accounts):,} on {len(platforms)} platforms"),
        ("Listings", f"{len(t['Listing']):,} posted {period}"),
        ("Listings naming CITES-listed taxa", f"{mentions['start'].nunique():,} naming {mentions['end'].nunique():,} taxa"),
        ("Flagged accounts", f"{len(c.flagged):,} score {risk.FLAGGED_SCORE:.0f} or more on the risk indicators"),
        ("Transfers", f"{len(t['TRANSFERRED']):,} totalling {amount:,.0f} ({', '.join(currencies) or 'no currency'})"),
        ("Laundering patterns", f"{len(c.patterns):,}"),
        ("Shipments", f"{len(t['Shipment']):,} by {t['CARRIED_BY']['end'].nunique():,} couriers"),
        ("Platforms", ", ".join(f"{p} ({n})" for p, n in platforms.items())),
    ], columns=["measure", "value"])
    text = (f"This alert covers {_scope_phrase(c)}. It describes the trafficking networks found in the monitored "
            "platforms, the species and the words they trade under, how they evade moderation, how they are "
            "paid and how they ship, and recommends takedowns, financial referrals and inspections. Every "
            "item cited is traceable to its source record in the evidence annex.")
    return Section("Summary", text, tables=[("The scope in numbers", numbers)])


def _scope_phrase(c: _Context) -> str:
    return "all monitored accounts" if not c.scope.narrowed else c.scope.describe()


def _network(c: _Context) -> Section:
    membership = c.scoped.membership
    risk_of = dict(zip(c.scores["id"], c.scores["score"], strict=True))
    in_scope = sorted(c.scoped.accounts, key=lambda a: (-risk_of.get(a, 0.0), a))
    flagged = [a for a in in_scope if risk_of.get(a, 0.0) >= risk.FLAGGED_SCORE]
    # the picture: the riskiest accounts, at most 300, so the flagged ones first
    drawn = in_scope[:charts.MAX_NETWORK_NODES]
    picture = charts.network_png(c.scoped.graph, drawn, membership, risk_of)
    touched = {membership[a] for a in c.scoped.accounts if a in membership}
    summaries = [s for s in summarise_communities(c.scoped.communities, c.scoped.graph, c.tables, min_size=2)
                 if s.community in touched]
    flagged_per = pd.Series([membership.get(a, -1) for a in flagged], dtype=int).value_counts()
    rows = [{"community": s.community, "accounts": s.size, "flagged": int(flagged_per.get(s.community, 0)),
             "platforms": "; ".join(s.platforms), "key members": "; ".join(m.split(":", 1)[1] for m in s.key_members[:4]),
             "species": "; ".join(x.removeprefix("Species:") for x in s.species[:3]),
             "channels": "; ".join(x.removeprefix("PaymentChannel:") for x in s.payment_channels[:2])}
            for s in summaries]
    table = pd.DataFrame(rows, columns=["community", "accounts", "flagged", "platforms", "key members", "species",
                                        "channels"])
    table = table.sort_values(["flagged", "accounts", "community"], ascending=[False, False, True])
    c.citations.cite([m for s in summaries[:5] for m in s.key_members[:2]], "account", "Network")
    c.facts["communities"] = table.head(TABLE_ROWS)["community"].tolist()
    text = (f"{len(table):,} networks (communities of two or more accounts joined by shared phones, e-mails, "
            f"payment channels, money, cross-posts and profile links) hold the accounts in scope; "
            f"{int((table['flagged'] > 0).sum()):,} of them contain flagged accounts. The picture shows "
            f"{len(drawn):,} accounts, flagged first.")
    return Section("Network", text, tables=[("Networks by flagged members", table.head(12))],
                   images=[("Accounts and the evidence joining them — colour: community (numbered as in "
                            "`graphbench communities`), size: risk score, dark ring: flagged", picture)])


def _species(c: _Context) -> Section:
    mentions, species = c.tables["MENTIONS"], c.tables["Species"]
    owner = dict(zip(c.tables["POSTED"]["end"], c.tables["POSTED"]["start"], strict=True))
    info = species.set_index("id") if len(species) else pd.DataFrame(columns=["cites_appendix", "taxon_group"])
    per = mentions.assign(account=mentions["start"].map(owner)).groupby("end").agg(
        listings=("start", "nunique"), accounts=("account", "nunique")).reset_index()
    per["species"] = per["end"].str.removeprefix("Species:")
    per["appendix"] = per["end"].map(info.get("cites_appendix", pd.Series(dtype=object))).fillna("?")
    per["group"] = per["end"].map(info.get("taxon_group", pd.Series(dtype=object))).fillna("")
    per = per.sort_values(["listings", "species"], ascending=[False, True])
    appendix_one = per[per["appendix"] == "I"]
    c.citations.cite(mentions.loc[mentions["end"].isin(appendix_one["end"].head(5)), "start"].head(10), "listing",
                     "Species involved")
    c.facts["top_species"] = per["species"].head(10).tolist()
    c.facts["appendix_i_species"] = appendix_one["species"].head(10).tolist()
    over_time = trends.listings_over_time(c.tables, by="species", top=6)
    text = (f"{len(per):,} CITES-listed taxa are named in {mentions['start'].nunique():,} listings; "
            f"{len(appendix_one):,} are in Appendix I (commercial trade prohibited), named in "
            f"{int(appendix_one['listings'].sum()):,} listings"
            + (f" — most often {', '.join(appendix_one['species'].head(3))}." if len(appendix_one) else "."))
    return Section("Species involved", text,
                   tables=[("Species by listings", per[["species", "appendix", "group", "listings", "accounts"]]
                            .head(TABLE_ROWS))],
                   images=[("Listings per month naming the six most traded taxa", charts.trend_png(over_time, "group"))]
                   if len(over_time) else [])


def _keywords(c: _Context) -> Section:
    tagged, mentions = c.tables["TAGGED"], c.tables["MENTIONS"]
    top_tags = (tagged.assign(tag="#" + tagged["end"].str.removeprefix("Hashtag:")).groupby("tag")["start"]
                .nunique().sort_values(ascending=False).head(15).reset_index(name="listings"))
    terms = (mentions.groupby(["term", "match"])["start"].nunique().sort_values(ascending=False).head(15)
             .reset_index(name="listings") if "term" in mentions else pd.DataFrame(columns=["term", "match"]))
    emerging = trends.emerging_terms(c.tables, "hashtag")
    emerging_words = trends.emerging_terms(c.tables, "keyword")
    c.facts["hashtags"] = top_tags["tag"].tolist()
    c.facts["emerging_hashtags"] = emerging["term"].head(10).tolist()
    c.facts["emerging_keywords"] = emerging_words["term"].head(10).tolist()
    # the chart follows what moves: emerging tags (else the most used) and the busiest code words
    chart_tags = emerging["term"].head(6).tolist() or top_tags["tag"].str.removeprefix("#").head(6).tolist()
    tag_series = trends.term_counts(c.tables, "hashtag", freq="M", terms=chart_tags)
    code = mentions[mentions["match"] == "code_word"] if "match" in mentions else mentions.head(0)
    chart_words = code.groupby("term")["start"].nunique().sort_values(ascending=False).head(6).index.tolist()
    word_series = trends.term_counts(c.tables, "keyword", freq="M", terms=chart_words)
    images = []
    if len(tag_series):
        images.append(("Hashtags per month: " + ("emerging tags" if len(emerging) else "most used tags"),
                       charts.trend_png(tag_series.assign(term="#" + tag_series["term"]), "term")))
    if len(word_series):
        images.append(("Code words per month (the six most used)", charts.trend_png(word_series, "term")))
    emerging_table = pd.concat([emerging.head(8).assign(kind="hashtag", term="#" + emerging["term"].head(8)),
                                emerging_words.head(8).assign(kind="keyword")], ignore_index=True)
    emerging_table = emerging_table.reindex(columns=["kind", "term", "recent", "before", "expected", "z"])
    text = ("Emerging — used far more in the last 60 days than their own history predicts, after allowing for "
            "overall growth: " + (", ".join("#" + x for x in emerging["term"].head(8)) or "no hashtag")
            + "; " + (", ".join(emerging_words["term"].head(8)) or "no keyword") + ".")
    return Section("Keywords and hashtags", text, images=images,
                   tables=[("Emerging terms", emerging_table), ("Most used hashtags", top_tags),
                           ("Most used terms, as written", terms)])


def _influencers(c: _Context) -> Section:
    accounts = c.tables["Account"].drop_duplicates("id").set_index("id")
    rows = []
    for row in c.scores.itertuples(index=False):
        if "influencer_for_flagged" in row.indicators:
            followers = accounts["followers"].get(row.id) if "followers" in accounts else None
            rows.append({"account": row.id, "followers": followers, "url": accounts.get("url", {}).get(row.id),
                         "advertises for": "; ".join(e.removeprefix("links to ")
                                                     for e in row.evidence["influencer_for_flagged"])})
    table = pd.DataFrame(rows, columns=["account", "followers", "url", "advertises for"])
    table = table.sort_values("followers", ascending=False, na_position="last")
    c.citations.cite(table["account"], "account", "Influencers")
    c.facts["influencers"] = table["account"].tolist()
    reach = pd.to_numeric(table["followers"], errors="coerce").sum()
    text = (f"{len(table):,} accounts with at least {risk.INFLUENCER_FOLLOWERS:,} followers link to, or are linked "
            f"with, flagged sellers — a combined audience of {reach:,.0f}." if len(table) else
            "No high-follower account advertises for a flagged seller in this scope.")
    return Section("Influencers", text, tables=[("Influencers advertising for flagged sellers", table)])


def _evasion(c: _Context) -> Section:
    mentions, listings = c.tables["MENTIONS"], c.tables["Listing"].drop_duplicates("id").set_index("id")
    by_match = mentions.get("match", pd.Series("", index=mentions.index))
    misspelt, code = mentions[by_match == "misspelling"], mentions[by_match == "code_word"]
    miss_table = _terms_with_example(misspelt, listings)
    code_table = _terms_with_example(code, listings)
    cross = c.tables["CROSS_POSTED_AS"]
    pairs = cross.assign(a=cross["start"].str.split(":").str[1], b=cross["end"].str.split(":").str[1])
    pairs = pairs.assign(platforms=[" ↔ ".join(sorted((a, b))) for a, b in zip(pairs["a"], pairs["b"], strict=True)])
    cross_table = (pairs.groupby("platforms").agg(cross_posts=("start", "size"),
                                                  methods=("method", lambda m: ", ".join(sorted(set(m.dropna()))))
                                                  if "method" in pairs else ("start", "size"))
                   .reset_index().sort_values("cross_posts", ascending=False))
    between = int((pairs["a"] != pairs["b"]).sum())
    examples = list(miss_table["example"].head(8)) + list(code_table["example"].head(8))
    c.citations.cite(examples, "listing", "Evasion tactics")
    c.citations.cite(cross["start"].head(5), "listing", "Evasion tactics")
    c.facts["code_words"] = code_table["term"].drop_duplicates().head(15).tolist()
    c.facts["misspellings"] = miss_table["term"].drop_duplicates().head(25).tolist()
    c.facts["cross_posts"] = len(cross)
    text = (f"{misspelt['start'].nunique():,} listings misspell scientific names ({miss_table['term'].nunique():,} "
            f"spellings), {code['start'].nunique():,} use code words ({code_table['term'].nunique():,} words), and "
            f"{len(cross):,} cross-posts join copies of the same item, {between:,} of them across platforms.")
    return Section("Evasion tactics", text, tables=[
        ("Misspelt scientific names, with an example listing",
         miss_table.head(TABLE_ROWS).rename(columns={"term": "written as", "example": "example listing"})),
        ("Code words, with an example listing",
         code_table.head(TABLE_ROWS).rename(columns={"term": "code word", "example": "example listing"})),
        ("Cross-posting between platforms", cross_table.head(15))])


def _terms_with_example(mentions: pd.DataFrame, listings: pd.DataFrame) -> pd.DataFrame:
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
    table["text"] = [_snippet(title.get(x), text.get(x)) for x in table["example"]]
    return table.sort_values(["listings", "term"], ascending=[False, True]).reset_index(drop=True)[columns]


def _snippet(title: Any, text: Any) -> str:
    parts = [str(v) for v in (title, text) if v is not None and v == v and str(v).strip()]
    joined = " — ".join(parts)
    return joined if len(joined) <= _EXAMPLE_CHARS else joined[:_EXAMPLE_CHARS - 1] + "…"


def _payments(c: _Context) -> Section:
    uses, transfers = c.tables["USES"], c.tables["TRANSFERRED"]
    flagged = set(c.flagged["id"])
    typed = uses.assign(type=uses["end"].map(channel_type_of), flagged=uses["start"].isin(flagged))
    by_type = typed.groupby("type").agg(channels=("end", "nunique"), accounts=("start", "nunique"),
                                        used_by_flagged=("flagged", "sum")).reset_index()
    by_type = by_type.sort_values(["channels", "type"], ascending=[False, True])
    flows = aggregate_flows(transfers, channel_type_of) if len(transfers) else None
    between = flows.between if flows is not None else pd.DataFrame(columns=["source", "target", "amount", "count"])
    inflow = transfers.groupby("end").agg(received=("amount", "sum"), transfers=("amount", "size"),
                                          senders=("start", "nunique")).reset_index() if len(transfers) else \
        pd.DataFrame(columns=["end", "received", "transfers", "senders"])
    collectors = inflow.sort_values("received", ascending=False).head(10).rename(columns={"end": "channel"})
    c.citations.cite(collectors["channel"].head(5), "payment channel", "Payment channels and money flows")
    c.facts["channel_types"] = by_type["type"].tolist()
    currencies = ", ".join(flows.currencies) if flows is not None else ""
    text = (f"{uses['end'].nunique():,} payment channels of {len(by_type):,} types are used by the accounts in "
            f"scope; {int(by_type['used_by_flagged'].sum()):,} uses are by flagged accounts. "
            f"{len(transfers):,} transfers between channels" + (f" (amounts as recorded, in {currencies})" if currencies
                                                                 else "") + ".")
    return Section("Payment channels and money flows", text,
                   tables=[("Channels by type", by_type), ("Money between channel types", between.head(15)),
                           ("Channels collecting the most", collectors)],
                   images=[("Money between channel types (bar label: number of transfers)", charts.flows_png(between))]
                   if len(between) else [])


def _laundering(c: _Context) -> Section:
    frame = patterns_frame(c.patterns)
    counts = frame["kind"].value_counts().to_dict() if len(frame) else {}
    c.facts["patterns"] = counts
    shown = frame.sort_values("amount", ascending=False).head(25) if len(frame) else frame
    for tx_ids in shown["tx_ids"].head(10):
        c.citations.cite_transfers(list(tx_ids)[:3], "Laundering patterns")
    table = pd.DataFrame({
        "kind": shown["kind"].str.replace("_", "-"), "channels": shown["members"].map(len),
        "centre / first members": [(center or "; ".join(m[:2])) for center, m in zip(shown["center"], shown["members"],
                                                                                   strict=True)],
        "transfers": shown["tx_ids"].map(len), "amount": shown["amount"], "first": shown["first_ts"],
        "last": shown["last_ts"]})
    by_kind = pd.DataFrame([{"pattern": k.replace("_", "-"), "found": v,
                             "amount": float(frame.loc[frame["kind"] == k, "amount"].sum())}
                            for k, v in counts.items()], columns=["pattern", "found", "amount"])
    text = (f"{len(frame):,} laundering patterns among the transfers in scope: "
            + ", ".join(f"{k.replace('_', '-')} {v}" for k, v in counts.items()) + "."
            if counts else "No laundering pattern was found among the transfers in scope.")
    return Section("Laundering patterns", text, bullets=[
        "fan-in / fan-out: many payers into one collector, or one channel paying many, in a short window",
        "scatter-gather / gather-scatter: money split across relays and re-joined (or the reverse)",
        "cycle: money returning to where it started; stack: layered relays; structuring: repeated amounts just "
        "under a reporting threshold"] if counts else [],
        tables=[("Patterns by kind", by_kind), ("Largest patterns", table)])


def _routes(c: _Context) -> Section:
    per_courier = routes.routes(c.tables)
    top = routes.top_routes(c.tables, n=15)
    hubs = routes.consumer_hubs(c.tables)
    shipments = routes.shipment_routes(c.tables)
    couriers = (shipments.groupby("shipper").agg(shipments=("id", "nunique"), origins=("origin", "nunique"),
                                                 destinations=("destination", "nunique"),
                                                 senders=("sender", "nunique")).reset_index()
                .sort_values(["shipments", "shipper"], ascending=[False, True])) if len(shipments) else \
        pd.DataFrame(columns=["shipper", "shipments", "origins", "destinations", "senders"])
    origins = shipments.groupby("origin")["id"].nunique().sort_values(ascending=False).head(10)
    destinations = shipments.groupby("destination")["id"].nunique().sort_values(ascending=False).head(10)
    places = pd.DataFrame({"origin": origins.index.tolist() + [""] * (10 - len(origins)),
                           "shipped from": origins.tolist() + [None] * (10 - len(origins)),
                           "destination": destinations.index.tolist() + [""] * (10 - len(destinations)),
                           "shipped to": destinations.tolist() + [None] * (10 - len(destinations))}).head(
        max(len(origins), len(destinations)))
    c.facts["couriers"] = couriers["shipper"].tolist()
    c.facts["routes"] = list(dict.fromkeys(f"{o}→{d}" for o, d in zip(per_courier["origin"], per_courier["destination"],
                                                                        strict=True)))[:30]
    c.facts["consumer_hubs"] = hubs["country"].tolist()
    c.facts["top_routes"] = [f"{o}→{d}" for o, d in zip(top["origin"], top["destination"], strict=True)]
    top_table = top.assign(shippers=top["shippers"].map(", ".join)).drop(columns=["first", "last"])
    text = (f"{len(shipments):,} shipments by {len(couriers):,} couriers on {len(per_courier):,} courier routes. "
            "Consumer hubs (receiving from three or more origins, far more than they send): "
            + (", ".join(hubs["country"]) or "none") + ".")
    return Section("Couriers and routes", text,
                   tables=[("Couriers", couriers), ("Busiest routes over all couriers", top_table),
                           ("Origin and destination countries", places)],
                   images=[("Shipments per route (bar label: couriers)", charts.routes_png(top))] if len(top) else [])


def _key_accounts(c: _Context) -> Section:
    accounts = c.tables["Account"].drop_duplicates("id").set_index("id")
    key = c.scores.head(TABLE_ROWS)
    rows = []
    for row in key.itertuples(index=False):
        first = next(iter(row.evidence.get(row.indicators[0], [])), "") if row.indicators else ""
        rows.append({"account": row.id, "followers": accounts.get("followers", {}).get(row.id),
                     "community": c.scoped.membership.get(row.id), "score": row.score,
                     "indicators": ", ".join(i.replace("_", " ") for i in row.indicators),
                     "example evidence": str(first)[:_EXAMPLE_CHARS]})
    table = pd.DataFrame(rows, columns=["account", "followers", "community", "score", "indicators",
                                        "example evidence"])
    c.citations.cite(table["account"], "account", "Key accounts")
    c.facts["key_accounts"] = table["account"].tolist()
    text = ("Each score adds named, weighted indicators (CITES Appendix I species, code words, misspelt names, "
            "cross-posting, laundering patterns, routes to consumer hubs, identifiers shared with flagged "
            "accounts …); `graphbench risk --account ID` lists every piece of evidence behind it.")
    return Section("Key accounts", text, tables=[("Highest-risk accounts", table)])


def _actions(c: _Context) -> Section:
    t = c.tables
    takedown = takedown_rows(t, c.scores)
    shown = takedown.head(40)  # the full list is the takedown export
    c.citations.cite(shown["platform"].radd("Listing:") + ":" + shown["listing_id"].astype(str), "listing",
                     "Recommended actions")
    flagged_channels = set(t["USES"].loc[t["USES"]["start"].isin(set(c.flagged["id"])), "end"])
    transfers = t["TRANSFERRED"]
    risky = transfers[transfers["start"].isin(flagged_channels) | transfers["end"].isin(flagged_channels)]
    risky = risky.sort_values("amount", ascending=False).head(TABLE_ROWS) if len(risky) else risky
    c.citations.cite_transfers(risky.get("tx_id", pd.Series(dtype=object)), "Recommended actions")
    shipments = routes.shipment_routes(t)
    inspect = shipments[shipments["sender"].isin(set(c.flagged["id"]))].merge(
        t["Shipment"].reindex(columns=["id", "tracking_no", "declared_content"]), on="id", how="left")
    inspect = inspect.sort_values("shipped_at", ascending=False).head(TABLE_ROWS)
    c.citations.cite(inspect["id"], "shipment", "Recommended actions")
    c.facts["takedown_listings"] = len(takedown)
    text = (f"Report {len(takedown):,} listings to the platforms for takedown (the first "
            f"{min(len(takedown), 40)} below; `graphbench export --format takedown` writes them all); refer "
            f"{len(risky):,} transfers of flagged accounts and {len(c.patterns):,} laundering patterns to the financial "
            f"intelligence units; ask customs to inspect {len(inspect):,} shipments sent by flagged accounts.")
    return Section("Recommended actions", text, tables=[
        ("Listings to report for takedown", shown),
        ("Transfers to refer to financial intelligence units",
         risky.reindex(columns=["tx_id", "start", "end", "amount", "currency", "ts"]).rename(
             columns={"start": "from", "end": "to"})),
        ("Shipments to inspect", inspect.reindex(columns=["shipper", "tracking_no", "origin", "destination",
                                                          "declared_content", "shipped_at", "sender"]))])


def _key_findings(facts: Mapping[str, Any]) -> list[str]:
    findings = [f"{facts.get('flagged_accounts', 0):,} of {facts.get('accounts', 0):,} accounts are flagged by the "
                "risk indicators; the highest-risk are listed under Key accounts."]
    if facts.get("appendix_i_species"):
        findings.append("Appendix I species on sale: " + ", ".join(facts["appendix_i_species"][:5]) + ".")
    tricks = [f"{what} such as " + ", ".join(f"“{w}”" for w in words[:n])
              for what, words, n in (("code words", facts.get("code_words", []), 4),
                                     ("misspelt names", facts.get("misspellings", []), 3)) if words]
    if tricks:  # name only the tricks seen: "misspelt names such as ;" read as a bug
        findings.append("Evasion: " + " and ".join(tricks) + f"; {facts.get('cross_posts', 0):,} cross-posts.")
    if facts.get("patterns"):
        findings.append(f"{sum(facts['patterns'].values()):,} laundering patterns in {facts.get('transfers', 0):,} "
                        "transfers, for referral to financial intelligence units.")
    if facts.get("couriers"):
        routes = facts.get("top_routes", [])[:4]
        findings.append("Couriers: " + ", ".join(facts["couriers"][:4])
                        + ("; main routes " + ", ".join(routes) if routes else "") + ".")
    findings.append(f"{facts.get('takedown_listings', 0):,} listings recommended for takedown.")
    return findings
