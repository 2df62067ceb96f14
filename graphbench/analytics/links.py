"""Link analysis: how two entities are connected, what they share, and which accounts probably belong together.

Paths run on the full heterogeneous graph (accounts, listings, identifiers, shipments, places) built by
:func:`entity_graph` as an undirected networkx graph, so keep it bounded (a neighbourhood, a community,
or a small store). Hubs — nodes with more than ``hub_degree`` neighbours, like a popular hashtag — and
every place and courier (``NEVER_CARRY``: two sellers in one country, or sending by one courier, are not
connected by it, however small the data) may start or end a path but not carry one.

Link prediction scores account pairs on the account–identifier bipartite graph (phones, e-mails,
payment channels, hashtags): Adamic–Adar Σ 1/ln d(z) or resource allocation Σ 1/d(z) over the
identifiers z both use, so sharing a rare identifier counts far more than sharing a common one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from graphbench.analytics.projection import account_identifiers

HUB_DEGREE = 200
NEVER_CARRY = frozenset({"Location", "Shipper"})  # labels that never sit inside a path (countries, couriers)
MAX_HOPS = 6
# Identifiers used by more accounts than this say nothing about who works with whom.
MAX_IDENTIFIER_DEGREE = 200
_SKIPPED_PROPERTIES = frozenset({"start", "end", "source_file", "source_row", "sha256", "first_seen",
                                 "last_seen", "sources"})


@dataclass
class Relationship:
    type: str
    start: str
    end: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class EntityPath:
    nodes: list[str]
    steps: list[list[Relationship]]  # steps[i]: every relationship between nodes[i] and nodes[i + 1]

    @property
    def hops(self) -> int:
        return len(self.nodes) - 1


def entity_graph(tables: Mapping[str, pd.DataFrame]) -> nx.Graph:
    """Undirected graph of every relationship table given (``{rel_type: table}``; node tables are skipped).

    Edge attribute ``relationships`` lists the :class:`Relationship` objects joining the two nodes
    (direction kept in ``start`` / ``end``); node attribute ``label`` comes from the id.
    """
    graph = nx.Graph()
    for rel_type, table in tables.items():
        if table is None or table.empty or "start" not in table:
            continue  # node tables and empty relationship tables
        extra = [c for c in table.columns if c not in _SKIPPED_PROPERTIES]
        starts = table["start"].tolist()
        ends = table["end"].tolist()
        values = table[extra].to_dict("records") if extra else [{}] * len(table)
        for start, end, properties in zip(starts, ends, values, strict=True):
            properties = {k: v for k, v in properties.items() if _present(v)}
            relationship = Relationship(rel_type, str(start), str(end), properties)
            if graph.has_edge(start, end):
                graph.edges[start, end]["relationships"].append(relationship)
            else:
                graph.add_edge(start, end, relationships=[relationship])
    for node in graph.nodes:
        graph.nodes[node]["label"] = str(node).split(":", 1)[0]
    return graph


def shortest_path(graph: nx.Graph, a: str, b: str, max_hops: int = MAX_HOPS,
                  hub_degree: int = HUB_DEGREE) -> EntityPath | None:
    """The shortest path from ``a`` to ``b`` within ``max_hops`` (no hub inside), or None."""
    paths = k_shortest_paths(graph, a, b, k=1, max_hops=max_hops, hub_degree=hub_degree)
    return paths[0] if paths else None


def k_shortest_paths(graph: nx.Graph, a: str, b: str, k: int = 5, max_hops: int = MAX_HOPS,
                     hub_degree: int = HUB_DEGREE) -> list[EntityPath]:
    """Up to ``k`` shortest simple paths from ``a`` to ``b``, shortest first, none longer than ``max_hops``."""
    if a not in graph or b not in graph or a == b:
        return []
    view = _without_hubs(graph, {a, b}, hub_degree)
    found: list[EntityPath] = []
    try:
        for nodes in islice(nx.shortest_simple_paths(view, a, b), k):
            if len(nodes) - 1 > max_hops:
                break
            found.append(_path(graph, nodes))
    except nx.NetworkXNoPath:
        return []
    return found


def _without_hubs(graph: nx.Graph, keep: set[str], hub_degree: int) -> nx.Graph:
    hubs = {n for n, d in graph.degree if d > hub_degree or str(n).split(":", 1)[0] in NEVER_CARRY} - keep
    return nx.restricted_view(graph, hubs, []) if hubs else graph


def _path(graph: nx.Graph, nodes: list[str]) -> EntityPath:
    steps = [list(graph.edges[u, v]["relationships"]) for u, v in zip(nodes, nodes[1:], strict=False)]
    return EntityPath([str(n) for n in nodes], steps)


def shared_identifiers(a: str, b: str, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """What accounts ``a`` and ``b`` have in common: ``kind, identifier``.

    Kinds: phone, email, channel (used or accepted by their listings), hashtag, species (mentioned by
    their listings), shipper, route (``origin → destination`` of their shipments), location.
    """
    uses = pd.concat([account_identifiers(tables), _account_context(tables)], ignore_index=True)
    mine = uses[uses["account"] == a][["kind", "identifier"]].drop_duplicates()
    theirs = uses[uses["account"] == b][["kind", "identifier"]].drop_duplicates()
    common = mine.merge(theirs, on=["kind", "identifier"])
    order = {kind: i for i, kind in enumerate(
        ("phone", "email", "channel", "hashtag", "species", "shipper", "route", "location"))}
    common = common.assign(rank=common["kind"].map(order)).sort_values(["rank", "identifier"])
    return common.drop(columns="rank").reset_index(drop=True)


def _account_context(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Species, shippers, routes and places per account (not used for link prediction: too coarse)."""
    def rel(name: str) -> pd.DataFrame:
        table = tables.get(name)
        if table is None or table.empty:
            return pd.DataFrame({"start": pd.Series(dtype=object), "end": pd.Series(dtype=object)})
        return table[["start", "end"]]

    def rows(account: pd.Series, identifier: pd.Series, kind: str) -> pd.DataFrame:
        return pd.DataFrame({"account": account.to_numpy(dtype=object),
                             "identifier": identifier.to_numpy(dtype=object), "kind": kind})

    species = rel("POSTED").merge(rel("MENTIONS"), left_on="end", right_on="start", suffixes=("", "_r"))
    sent = rel("SENT")
    shippers = sent.merge(rel("CARRIED_BY"), left_on="end", right_on="start", suffixes=("", "_r"))
    origins = sent.merge(rel("FROM"), left_on="end", right_on="start", suffixes=("", "_o"))
    routes = origins.merge(rel("TO"), left_on="end", right_on="start", suffixes=("", "_d"))
    located = rel("LOCATED_IN")
    located = located[located["start"].astype(str).str.startswith("Account:")]
    return pd.concat([
        rows(species["start"], species["end_r"], "species"),
        rows(shippers["start"], shippers["end_r"], "shipper"),
        rows(routes["start"], routes["end_o"].astype(str) + " → " + routes["end_d"].astype(str), "route"),
        rows(located["start"], located["end"], "location"),
    ], ignore_index=True)


def predict_links(tables: Mapping[str, pd.DataFrame], method: str = "adamic_adar", top: int | None = 20,
                  accounts: Iterable[str] | None = None, kinds: Iterable[str] | None = None,
                  max_identifier_degree: int = MAX_IDENTIFIER_DEGREE) -> pd.DataFrame:
    """Account pairs most likely to be one operator or associates, not yet joined by SAME_AS or LINKS_TO.

    Returns ``a, b, score, shared`` (the identifiers both use, rarest first), best first. ``accounts``
    restricts to pairs involving those accounts (``a`` is then the given account); ``kinds`` to some
    identifier kinds (phone, email, channel, hashtag).
    """
    if method not in ("adamic_adar", "resource_allocation"):
        raise ValueError(f"unknown link prediction method {method!r}; known: adamic_adar, resource_allocation")
    uses = account_identifiers(tables)
    if kinds is not None:
        uses = uses[uses["kind"].isin(list(kinds))]
    columns = ["a", "b", "score", "shared"]
    if uses.empty:
        return pd.DataFrame(columns=columns)
    account_codes, account_names = pd.factorize(uses["account"])
    identifier_codes, identifier_names = pd.factorize(uses["identifier"])
    incidence = sparse.csr_matrix((np.ones(len(uses)), (account_codes, identifier_codes)),
                                  shape=(len(account_names), len(identifier_names)))
    degree = np.asarray(incidence.sum(axis=0)).ravel()
    usable = (degree >= 2) & (degree <= max_identifier_degree)
    identifier_weight = np.zeros(len(degree))
    identifier_weight[usable] = (1.0 / np.log(degree[usable]) if method == "adamic_adar"
                                 else 1.0 / degree[usable])
    weighted = incidence @ sparse.diags(identifier_weight)

    if accounts is None:
        scores = (weighted @ incidence.T).tocoo()
        keep = scores.row < scores.col
    else:
        wanted = account_names.get_indexer(list(accounts))
        wanted = wanted[wanted >= 0]
        scores = (weighted[wanted] @ incidence.T).tocoo()
        scores.row = wanted[scores.row]
        keep = scores.row != scores.col
    rows, cols, values = scores.row[keep], scores.col[keep], scores.data[keep]
    found = pd.DataFrame({"a": account_names[rows], "b": account_names[cols], "score": values})
    found = found[found["score"] > 0]
    found = _not_yet_linked(found, tables)
    candidates = len(found)  # before the cut, so a caller can say what it left out
    found = found.sort_values(["score", "a", "b"], ascending=[False, True, True])
    found = found if top is None else found.head(top)  # None: every pair
    rarity = pd.Series(degree, index=identifier_names)
    by_account = uses.groupby("account")["identifier"].agg(set)
    found["shared"] = [sorted(by_account[a] & by_account[b] & set(rarity.index[usable]),
                              key=lambda z: (rarity[z], z)) for a, b in zip(found["a"], found["b"], strict=True)]
    result = found.reset_index(drop=True)[columns]
    result.attrs["candidates"] = candidates
    return result


def _not_yet_linked(pairs: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    linked: set[tuple[str, str]] = set()
    for rel_type in ("SAME_AS", "LINKS_TO"):
        table = tables.get(rel_type)
        if table is not None and not table.empty:
            for start, end in zip(table["start"], table["end"], strict=True):
                linked.update({(start, end), (end, start)})
    if not linked:
        return pairs
    keep = [(a, b) not in linked for a, b in zip(pairs["a"], pairs["b"], strict=True)]
    return pairs[keep]


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return True
