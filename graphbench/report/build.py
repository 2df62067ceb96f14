"""The cyber-alert report: every section's facts computed from one :class:`~graphbench.analysis.Analysis`,
then rendered into :class:`Section` s; the citations and the evidence annex derive from the facts.

A report covers a scope (:class:`ReportScope`: the whole store, a community, a set of accounts, a
time window). Each section is a pair in :data:`SECTIONS`: ``compute_…(view) -> facts`` (pure: a
dataclass of numbers, tables and cited items, no text) and ``render_…(facts) -> Section`` (sentences,
table captions, charts). Every item the facts cite is listed in the evidence annex with its source
file and row, capture time, URL and SHA-256. The section modules: :mod:`section_network` (Summary,
Network, Key accounts), :mod:`section_listings`, :mod:`section_money`, :mod:`section_routes`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import pandas as pd

from graphbench.analysis import Analysis
from graphbench.report import section_listings as listings
from graphbench.report import section_map as world
from graphbench.report import section_money as money
from graphbench.report import section_network as network
from graphbench.report import section_routes as shipping
from graphbench.report.document import SECTION_TITLES, Report, Section
from graphbench.report.evidence import Citations, annex
from graphbench.report.scope import ReportScope
from graphbench.report.view import ReportView
from graphbench.store.base import GraphStore


class Facts(Protocol):
    """What every section's facts offer besides their own fields."""

    def citations(self) -> list[tuple[Any, str]]: ...  # (item, kind), in citation order

    def summary(self) -> dict[str, Any]: ...  # headline numbers and items for --json


@dataclass(frozen=True)
class SectionSpec:
    title: str
    compute: Callable[[ReportView], Any]
    render: Callable[[Any], Section]


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("Summary", network.compute_summary, network.render_summary),
    SectionSpec("Network", network.compute_network, network.render_network),
    SectionSpec("Species involved", listings.compute_species, listings.render_species),
    SectionSpec("Keywords and hashtags", listings.compute_keywords, listings.render_keywords),
    SectionSpec("Influencers", listings.compute_influencers, listings.render_influencers),
    SectionSpec("Evasion tactics", listings.compute_evasion, listings.render_evasion),
    SectionSpec("Payment channels and money flows", money.compute_payments, money.render_payments),
    SectionSpec("Laundering patterns", money.compute_laundering, money.render_laundering),
    SectionSpec("Couriers and routes", shipping.compute_routes, shipping.render_routes),
    SectionSpec("Map of hotspots and routes", world.compute_map, world.render_map),
    SectionSpec("Key accounts", network.compute_key_accounts, network.render_key_accounts),
    SectionSpec("Recommended actions", shipping.compute_actions, shipping.render_actions),
)
assert tuple(s.title for s in SECTIONS) + ("Evidence annex",) == SECTION_TITLES


def build_report(source: GraphStore | Analysis, scope: ReportScope | None = None) -> Report:
    """The report for ``scope`` (the whole store by default) from an Analysis, or a store (which then
    gets an Analysis of its own)."""
    analysis = source if isinstance(source, Analysis) else Analysis.of_store(source)
    return report_of(analysis, scope or ReportScope())


def assemble_report(tables: Mapping[str, pd.DataFrame], scope: ReportScope, store_name: str = "") -> Report:
    """The report of tables already in memory (with their provenance columns, for the annex)."""
    return report_of(Analysis.of_tables(tables), scope, store_name)


def compute_facts(view: ReportView) -> list[tuple[SectionSpec, Facts]]:
    """Every section's facts, in report order (no rendering)."""
    return [(spec, spec.compute(view)) for spec in SECTIONS]


def report_of(analysis: Analysis, scope: ReportScope, store_name: str | None = None) -> Report:
    view = ReportView.of(analysis, scope)
    computed = compute_facts(view)
    citations = Citations()
    for spec, facts in computed:
        for item, kind in facts.citations():
            citations.cite([item], kind, spec.title)
    sections = [spec.render(facts) for spec, facts in computed]
    evidence = annex(analysis.evidence_tables, citations)
    sections.append(Section("Evidence annex", f"{len(evidence):,} items cited above, each traceable to its source "
                            "record: file and row, capture time, URL and the SHA-256 of the raw record "
                            "(`graphbench verify` re-reads the files and checks every hash).",
                            tables=[("Evidence", evidence)]))
    summary: dict[str, Any] = {"scope": scope.describe()}
    for _, facts in computed:
        summary.update(facts.summary())
    summary["evidence_items"] = len(evidence)
    return Report(scope, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  analysis.name if store_name is None else store_name, sections, evidence, summary,
                  key_findings(summary))


def key_findings(facts: Mapping[str, Any]) -> list[str]:
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


__all__ = ["SECTIONS", "SECTION_TITLES", "Report", "Section", "assemble_report", "build_report", "compute_facts",
           "key_findings", "report_of"]
