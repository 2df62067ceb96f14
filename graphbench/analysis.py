"""One analysis of one store at one data version: every artefact computed once, when first asked for.

The CLI, the report, the exports and the app pages all take an :class:`Analysis` instead of reading
the store and running the analytics themselves, so one question has one answer wherever it is asked
(a scoped report shows the risk score ``graphbench risk`` shows), and nothing is computed twice (the
shipment routes once, not once per report section; the patterns once, not once per page).

Artefacts (each a lazy, cached attribute or method):

=====================  ================================================================================
``tables``             the analysis tables (``graphbench.store.tables.ANALYSIS_TABLES``, no provenance)
``evidence_tables``    the node and transfer tables *with* provenance, for evidence annexes
``transfers``          the TRANSFERRED table (only the columns the money analyses read, when no
                       ``tables`` were read yet)
``fx_rates``           the exchange rates in effect (packaged ECB, overridden by the store's FxRate nodes)
``transfer_index``     :class:`~graphbench.analytics.trace.TransferIndex`, amounts in ``base_currency``
                       (``transfer_index_in(base)`` for another base: one index per base, one table read)
``patterns``           every laundering pattern (``graphbench patterns``, default parameters);
                       ``patterns_in(base)`` compares amounts in another base, as ``patterns --base-currency``
``shipment_routes``    :func:`graphbench.analytics.routes.shipment_routes`, country level
                       (``shipments_at(level)`` for city level)
``risk``               :func:`graphbench.analytics.risk.score_accounts` over the whole store
``flagged``            the rows of ``risk`` at or above ``risk.FLAGGED_SCORE``
``account_graph``      :func:`graphbench.analytics.projection.build_account_graph`
``communities(…)``     one :class:`CommunityResult` per (engine, resolution, seed); default as
                       ``graphbench communities`` numbers them (engine auto, seed 0)
``flows``              money between channel types (:func:`graphbench.analytics.flows.aggregate_flows`)
=====================  ================================================================================

**Data version.** :func:`data_version` is the token an Analysis belongs to: the store's node and
relationship counts (``store.stats()``) plus an edit counter the caller keeps (the app bumps it after
an analyst's SAME_AS verdict, which changes no count). A new token means a new Analysis; an Analysis
never notices that its store changed. In one CLI command the store does not change, so a command
builds one Analysis and drops it; the app keeps one per (store URL, token) in ``st.cache_resource``.

``computed`` counts how often each artefact was computed (always 0 or 1 per Analysis): tests and
benchmarks read it. An Analysis is safe to share between threads (one lock per artefact).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

if TYPE_CHECKING:
    from graphbench.analytics.communities import CommunityResult
    from graphbench.analytics.flows import Flows
    from graphbench.analytics.fx import FxRates
    from graphbench.analytics.patterns import Pattern
    from graphbench.analytics.projection import AccountGraph
    from graphbench.analytics.trace import TransferIndex
    from graphbench.store.base import GraphStore

T = TypeVar("T")
# the tables an evidence annex cites: graphbench.report.evidence reads these with provenance
EVIDENCE_TABLES: tuple[str, ...] = ("Account", "Listing", "PaymentChannel", "Shipment", "TRANSFERRED")


def data_version(store: GraphStore, edits: int = 0) -> str:
    """The token of the data an Analysis of ``store`` describes: its counts plus ``edits``, the
    number of changes the caller made that keep every count (an analyst's verdict on a link)."""
    return json.dumps(store.stats(), sort_keys=True) + f"#{edits}"


class Analysis:
    """Every artefact of one store (or one set of tables) at one data version, each computed once.

    Build with :meth:`of_store` (reads lazily from the store: keep it open while artefacts are
    still to be computed) or :meth:`of_tables` (tables already in memory: tests, notebooks).
    """

    def __init__(self, store: GraphStore | None = None, tables: Mapping[str, pd.DataFrame] | None = None,
                 version: str = "", base_currency: str = "USD", fx_file: str | None = None) -> None:
        if store is None and tables is None:
            raise ValueError("an Analysis needs a store or tables")
        self.store = store
        self.version = version
        self.base_currency = base_currency
        self.fx_file = fx_file  # an fx_rates file overriding the store's and the packaged rates (--fx-rates)
        self.computed: Counter[str] = Counter()
        self._given_tables = dict(tables) if tables is not None else None
        self._cache: dict[Any, Any] = {}
        self._lock = threading.Lock()  # guards _cache, computed and _key_locks; never held while computing
        self._key_locks: dict[Any, threading.Lock] = {}
        self._tables: Mapping[str, pd.DataFrame] = (self._given_tables if self._given_tables is not None
                                                    else LazyTables(self._read_table))

    @classmethod
    def of_store(cls, store: GraphStore, version: str | None = None, base_currency: str = "USD",
                 fx_file: str | None = None) -> Analysis:
        return cls(store=store, version=data_version(store) if version is None else version,
                   base_currency=base_currency, fx_file=fx_file)

    @classmethod
    def of_tables(cls, tables: Mapping[str, pd.DataFrame], version: str = "tables",
                  base_currency: str = "USD") -> Analysis:
        return cls(tables=tables, version=version, base_currency=base_currency)

    @property
    def name(self) -> str:
        """The store's URL, or "" for tables."""
        return str(getattr(self.store, "url", "")) if self.store is not None else ""

    def _once(self, key: Any, compute: Callable[[], T]) -> T:
        # one lock per artefact: two sessions asking for the risk compute it once, while a third reads
        # a table; artefacts depend on each other as a DAG, so the per-artefact locks cannot deadlock
        with self._lock:
            if key in self._cache:
                return self._cache[key]  # type: ignore[no-any-return]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._cache:
                    return self._cache[key]  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                self._cache[key] = value
                self.computed[key if isinstance(key, str) else key[0]] += 1
            return value

    def has(self, artefact: str) -> bool:
        """Whether ``artefact`` was computed already (the app asks before a whole-graph read)."""
        with self._lock:  # another thread may be adding to the cache
            return any(k == artefact or (isinstance(k, tuple) and k[0] == artefact) for k in self._cache)

    # -- what is read ------------------------------------------------------------------------------

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]:
        """The analysis tables, each read from the store when first used (no provenance columns)."""
        return self._tables

    @property
    def evidence_tables(self) -> dict[str, pd.DataFrame]:
        def read() -> dict[str, pd.DataFrame]:
            if self._given_tables is not None:
                return self._given_tables
            from graphbench.store.tables import read_tables

            return read_tables(self._store(), EVIDENCE_TABLES, provenance=True)
        return self._once("evidence_tables", read)

    @property
    def transfers(self) -> pd.DataFrame:
        def read() -> pd.DataFrame:
            if self._given_tables is not None or self.has("table:TRANSFERRED"):
                return self.tables.get("TRANSFERRED", pd.DataFrame(columns=["start", "end"]))
            from graphbench.store_reads.money_overview import transfer_table

            return transfer_table(self._store())  # only the columns the money analyses read
        return self._once("transfers", read)

    @property
    def fx_rates(self) -> FxRates:
        def read() -> FxRates:
            from graphbench.fx_source import rates_in_effect

            return rates_in_effect(self.store, self.fx_file)
        return self._once("fx_rates", read)

    # -- what is computed --------------------------------------------------------------------------

    @property
    def transfer_index(self) -> TransferIndex:
        return self.transfer_index_in(self.base_currency)

    def transfer_index_in(self, base_currency: str) -> TransferIndex:
        """The transfer index with amounts in ``base_currency`` (cached per base; the table is read once)."""
        from graphbench.analytics.trace import TransferIndex

        base = base_currency.upper()

        def build() -> TransferIndex:
            if self._given_tables is not None or self.has("transfers") or self.has("table:TRANSFERRED"):
                return TransferIndex.from_frame(self.transfers, base, self.fx_rates)
            from graphbench.store_reads.money_overview import transfer_index

            # not read as a table yet: batch by batch, so 20M transfers never become Python strings
            return transfer_index(self._store(), base, self.fx_rates)
        return self._once(("transfer_index", base), build)

    @property
    def patterns(self) -> list[Pattern]:
        return self.patterns_in(self.base_currency)

    def patterns_in(self, base_currency: str) -> list[Pattern]:
        """Every pattern with amounts compared in ``base_currency`` (what ``patterns --base-currency``
        finds; cached per base, so the default base's list is the one risk and the report use)."""
        from graphbench.analytics.patterns import find_patterns

        base = base_currency.upper()
        return self._once(("patterns", base), lambda: find_patterns(self.transfer_index_in(base)))

    @property
    def shipment_routes(self) -> pd.DataFrame:
        """One row per shipment with origin and destination countries (what risk and the report use)."""
        return self.shipments_at("country")

    def shipments_at(self, level: str) -> pd.DataFrame:
        """:func:`graphbench.analytics.routes.shipment_routes` at ``level`` (``country`` or ``city``)."""
        from graphbench.analytics.routes import shipment_routes

        return self._once(("shipment_routes", level), lambda: shipment_routes(self.tables, level))

    @property
    def risk(self) -> pd.DataFrame:
        """``id, score, indicators, evidence`` per account over the whole store, highest first."""
        from graphbench.analytics.risk import score_accounts

        return self._once("risk", lambda: score_accounts(self.tables, self.patterns, self.shipment_routes))

    @property
    def flagged(self) -> pd.DataFrame:
        from graphbench.analytics.risk import FLAGGED_SCORE

        return self._once("flagged", lambda: self.risk[self.risk["score"] >= FLAGGED_SCORE])

    @property
    def account_graph(self) -> AccountGraph:
        from graphbench.analytics.projection import build_account_graph

        return self._once("account_graph",
                          lambda: build_account_graph(self._projection_tables(), accounts=self.tables["Account"]))

    def _projection_tables(self) -> Mapping[str, pd.DataFrame]:
        """The tables as the projection reads them: of the transfers only their ends (it links the accounts
        behind each sender and receiver; on 20M transfers the other columns as Python objects are ~10 GB),
        unless the whole table is in hand already."""
        if self._given_tables is not None or self.has("table:TRANSFERRED"):
            return self.tables

        def ends() -> pd.DataFrame:
            return self._once(("transfer ends",),
                              lambda: self._store().relationships("TRANSFERRED", columns=["start", "end"]))
        return LazyTables(lambda name: ends() if name == "TRANSFERRED" else self.tables[name])

    def communities(self, engine: str = "auto", resolution: float = 1.0, seed: int = 0) -> CommunityResult:
        """Communities of the account graph; the default is how ``graphbench communities`` and the
        report number them."""
        from graphbench.analytics.communities import detect_communities

        return self._once(("communities", engine, float(resolution), int(seed)),
                          lambda: detect_communities(self.account_graph, engine=engine, resolution=resolution,
                                                     seed=seed))

    @property
    def membership(self) -> dict[str, int]:
        """Account → community under the default detection."""
        return self._once("membership", lambda: {str(k): int(v) for k, v in self.communities().membership.items()})

    @property
    def flows(self) -> Flows:
        from graphbench.analytics.flows import aggregate_flows, channel_type_of

        return self._once("flows", lambda: aggregate_flows(self.transfers, channel_type_of,
                                                           base_currency=self.base_currency, rates=self.fx_rates))

    def _read_table(self, name: str) -> pd.DataFrame:
        from graphbench.store.tables import read_tables

        return self._once(("table:" + name,), lambda: read_tables(self._store(), [name], provenance=False)[name])

    def _store(self) -> GraphStore:
        assert self.store is not None  # only reached when no tables were given
        return self.store


class LazyTables(Mapping[str, pd.DataFrame]):
    """``{name: table}`` over the analysis tables, each read (once) when first looked up: the account
    graph reads only what the projection uses, a report everything. Any node label or relationship
    type of the schema may be looked up; iteration lists ``ANALYSIS_TABLES``."""

    def __init__(self, read: Callable[[str], pd.DataFrame]) -> None:
        self._read = read

    def __getitem__(self, name: str) -> pd.DataFrame:
        from graphbench.schema import NODE_TYPES, REL_TYPES

        if name not in NODE_TYPES and name not in REL_TYPES:
            raise KeyError(name)
        return self._read(name)

    def __iter__(self) -> Iterator[str]:
        from graphbench.store.tables import ANALYSIS_TABLES

        return iter(ANALYSIS_TABLES)

    def __len__(self) -> int:
        from graphbench.store.tables import ANALYSIS_TABLES

        return len(ANALYSIS_TABLES)
