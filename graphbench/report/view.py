"""The report's view of one Analysis through one scope: what every section's ``compute_…`` reads.

Scores and patterns are the whole store's, never recomputed on the scope: an account's risk score
in a community's report is the one ``graphbench risk`` gives it (its indicators weigh evidence over
the whole store, e.g. who else shares its phone). A scope selects which accounts, patterns, listings
and shipments are shown, not how they are scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from graphbench.analysis import Analysis
from graphbench.analytics.risk import FLAGGED_SCORE
from graphbench.report.scope import ReportScope, Scoped, scope_tables


@dataclass
class ReportView:
    analysis: Analysis
    scope: ReportScope
    scoped: Scoped

    @classmethod
    def of(cls, analysis: Analysis, scope: ReportScope) -> ReportView:
        return cls(analysis, scope, scope_tables(analysis, scope))

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables restricted to the scope."""
        return self.scoped.tables

    @cached_property
    def scores(self) -> pd.DataFrame:
        """The whole store's risk scores (``graphbench risk``) of the accounts in scope, highest first."""
        risk = self.analysis.risk
        return risk[risk["id"].isin(self.scoped.accounts)].reset_index(drop=True)

    @cached_property
    def flagged(self) -> pd.DataFrame:
        return self.scores[self.scores["score"] >= FLAGGED_SCORE]

    @cached_property
    def patterns(self) -> list[Any]:
        """The whole store's laundering patterns (``graphbench patterns``) that touch the scope: a member
        channel used by an account in scope (when the scope names accounts or a community) and a time
        span that meets the window (when it has one)."""
        found = self.analysis.patterns
        scope = self.scope
        if scope.community is not None or scope.accounts:
            uses = self.tables["USES"]
            channels = set(uses.loc[uses["start"].isin(self.scoped.accounts), "end"])
            found = [p for p in found if channels.intersection(p.members)]
        if scope.since or scope.until:
            found = [p for p in found if _meets(p.first_ts, p.last_ts, scope)]
        return found

    @cached_property
    def shipments(self) -> pd.DataFrame:
        """:func:`graphbench.analytics.routes.shipment_routes` of the shipments in scope (computed once
        over the whole store by the Analysis, then selected)."""
        routes = self.analysis.shipment_routes
        keep = routes["id"].isin(set(self.tables["Shipment"]["id"]))
        if self.scope.community is not None or self.scope.accounts:  # as sent by accounts in scope
            keep &= routes["sender"].isin(self.scoped.accounts)
        return routes[keep].reset_index(drop=True)


def _meets(first: Any, last: Any, scope: ReportScope) -> bool:
    """Whether [first, last] (ISO timestamps) meets the window; ``until`` as a date takes in that day."""
    first_text, last_text = str(first or ""), str(last or "")
    if scope.since and last_text and last_text < scope.since:
        return False
    if scope.until:
        whole_day = len(scope.until) == 10 or scope.until.endswith("T00:00:00Z")
        limit = scope.until[:10] + "\uffff" if whole_day else scope.until
        if first_text and first_text > limit:
            return False
    return True
