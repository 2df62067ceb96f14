"""A STIX 2.1 bundle for sharing an alert's indicators: user accounts, URLs, e-mail addresses,
crypto wallets as observables; an indicator (with a STIX pattern) per high-risk account and listing
URL; ``related-to`` relationships between them and a report object that holds everything.

Only http(s) listing URLs become ``url`` observables and indicators: a receiving platform may turn
them into links, and a ``javascript:`` or ``file:`` one would run or read there."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from graphbench.analytics.risk import FLAGGED_SCORE
from graphbench.store.base import GraphStore
from graphbench.viz.safe_text import web_url

if TYPE_CHECKING:
    from graphbench.analysis import Analysis

IDENTITY_NAME = "graphbench"


def build_bundle(tables: Mapping[str, pd.DataFrame], scores: pd.DataFrame, min_score: float = FLAGGED_SCORE,
                 created: str | None = None) -> Any:
    import stix2

    author = stix2.Identity(name=IDENTITY_NAME, identity_class="system")
    flagged = scores[scores["score"] >= min_score]
    accounts = tables["Account"].set_index("id")
    objects: list[Any] = [author]
    refs: list[str] = []
    posted = tables["POSTED"]
    listings = tables["Listing"].set_index("id")
    uses = tables["USES"]
    emails = tables["HAS_EMAIL"]
    for row in flagged.itertuples(index=False):
        platform, handle = row.id.split(":", 2)[1:]
        account = stix2.UserAccount(account_login=handle, account_type=platform,
                                    display_name=str(accounts.loc[row.id].get("display_name") or handle)
                                    if row.id in accounts.index else handle)
        pattern = (f"[user-account:account_login = '{_quote(handle)}' AND "
                   f"user-account:account_type = '{_quote(platform)}']")
        indicator = stix2.Indicator(name=f"High-risk wildlife seller {row.id}", pattern=pattern, pattern_type="stix",
                                    valid_from=created or "2024-01-01T00:00:00Z", created_by_ref=author.id,
                                    description="; ".join(row.indicators) or f"risk score {row.score:.0f}", labels=["wildlife-trafficking"],
                                    confidence=int(min(100, row.score)))
        objects += [account, indicator,
                    stix2.Relationship(indicator, "based-on", account, created_by_ref=author.id)]
        refs += [indicator.id]
        urls = listings.reindex(posted.loc[posted["start"] == row.id, "end"])["url"].dropna()
        for url in [u for u in map(web_url, urls) if u][:20]:
            observable = stix2.URL(value=str(url))
            url_indicator = stix2.Indicator(name=f"Listing by {row.id}", pattern=f"[url:value = '{_quote(url)}']",
                                            pattern_type="stix", valid_from=created or "2024-01-01T00:00:00Z",
                                            created_by_ref=author.id, labels=["wildlife-trafficking"],
                                            description=f"A listing posted by {row.id}, whose risk score is "
                                                        f"{row.score:.0f}")
            objects += [observable, url_indicator,
                        stix2.Relationship(url_indicator, "based-on", observable, created_by_ref=author.id),
                        stix2.Relationship(url_indicator, "related-to", indicator, created_by_ref=author.id)]
            refs.append(url_indicator.id)
        for address in emails.loc[emails["start"] == row.id, "end"]:
            objects.append(stix2.EmailAddress(value=address.split(":", 1)[1]))
        for channel in uses.loc[uses["start"] == row.id, "end"]:
            kind, identifier = channel.split(":", 2)[1:]
            if kind in ("btc", "eth", "usdt", "crypto"):
                wallet = stix2.Indicator(name=f"{kind} wallet of {row.id}", pattern_type="stix",
                                         pattern=f"[x-crypto-wallet:address = '{_quote(identifier)}']",
                                         valid_from=created or "2024-01-01T00:00:00Z", created_by_ref=author.id,
                                         description=f"A {kind} wallet that {row.id} uses for payments",
                                         allow_custom=True)
                objects += [wallet, stix2.Relationship(wallet, "related-to", indicator, created_by_ref=author.id)]
                refs.append(wallet.id)
    if refs:
        objects.append(stix2.Report(name="graphbench cyber-alert: wildlife trafficking indicators",
                                    published=created or "2024-01-01T00:00:00Z", object_refs=refs,
                                    created_by_ref=author.id, report_types=["threat-report"]))
    return stix2.Bundle(objects=objects, allow_custom=True)


def _quote(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("'", "\\'")


def write_stix(store: GraphStore, path: str | Path, analysis: Analysis | None = None) -> dict[str, int]:
    """The bundle of ``store``, with the risk scores of ``analysis`` (one of the store's own when None)."""
    from graphbench.analysis import Analysis

    analysis = analysis or Analysis.of_store(store)
    bundle = build_bundle(analysis.tables, analysis.risk)
    # indent, not pretty=True: stix2's pretty property ordering is quadratic (minutes on the sample)
    Path(path).write_text(bundle.serialize(indent=1), encoding="utf-8")
    return {"objects": len(bundle.objects)}
