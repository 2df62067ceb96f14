"""GraphBatch: what a loader produces and a store upserts — nodes and relationships with provenance.

Merge rule (the same in both stores, so they hold the same graph): for one node or relationship
key, properties of the record with the latest capture time (``last_seen``; none counts as oldest)
win, ties going to the record loaded later; a property the winner leaves empty keeps its older
value; ``first_seen``/``last_seen`` are the min/max; ``sources`` lists the source records
(``file#row#sha256``) once each, up to ``MAX_SOURCES``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphbench.schema import REL_TYPES, check_label, check_rel_type, label_of

# A busy identifier (an escrow channel, a popular hashtag) is named by thousands of rows; its node
# keeps the first MAX_SOURCES of them, and each relationship keeps its own row's provenance.
MAX_SOURCES = 50


@dataclass
class NodeRecord:
    id: str
    label: str
    props: dict[str, Any]


@dataclass
class RelRecord:
    type: str
    start: str
    end: str
    props: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str, Any]:
        disc = REL_TYPES[self.type].discriminator
        return (self.type, self.start, self.end, self.props.get(disc) if disc else None)


@dataclass
class GraphBatch:
    nodes: list[NodeRecord] = field(default_factory=list)
    rels: list[RelRecord] = field(default_factory=list)

    def add_node(self, node_id: str, props: dict[str, Any], provenance: dict[str, Any]) -> str:
        label = check_label(label_of(node_id))
        self.nodes.append(NodeRecord(node_id, label, _without_nulls({**props, **provenance})))
        return node_id

    def add_rel(self, rel_type: str, start: str, end: str, props: dict[str, Any],
                provenance: dict[str, Any]) -> None:
        check_rel_type(rel_type)
        self.rels.append(RelRecord(rel_type, start, end, _without_nulls({**props, **provenance})))

    def extend(self, other: GraphBatch) -> None:
        self.nodes.extend(other.nodes)
        self.rels.extend(other.rels)

    def __len__(self) -> int:
        return len(self.nodes) + len(self.rels)


def provenance(source_file: str, source_row: int, sha256: str, seen: str | None) -> dict[str, Any]:
    """Provenance properties of one source record (``seen`` = its capture time, ISO UTC or None)."""
    return {
        "source_file": source_file,
        "source_row": source_row,
        "sha256": sha256,
        "first_seen": seen,
        "last_seen": seen,
        "sources": [f"{source_file}#{source_row}#{sha256}"],
    }


def merge_props(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Merge two property maps of the same key by the module's rule (``new`` was loaded later)."""
    new_wins = (new.get("last_seen") or "") >= (old.get("last_seen") or "")
    merged = {**old, **new} if new_wins else {**new, **old}
    seen = [s for s in (old.get("first_seen"), new.get("first_seen")) if s]
    merged["first_seen"] = min(seen) if seen else None
    last = [s for s in (old.get("last_seen"), new.get("last_seen")) if s]
    merged["last_seen"] = max(last) if last else None
    sources = list(old.get("sources") or [])
    if len(sources) < MAX_SOURCES:
        known = set(sources)
        sources += [s for s in new.get("sources") or [] if s not in known][: MAX_SOURCES - len(sources)]
    merged["sources"] = sources
    return _without_nulls(merged)


def coalesce(batch: GraphBatch) -> GraphBatch:
    """Fold records with the same key into one (in load order), so a store writes each key once."""
    nodes: dict[str, NodeRecord] = {}
    for node in batch.nodes:
        if node.id in nodes:
            nodes[node.id].props = merge_props(nodes[node.id].props, node.props)
        else:
            nodes[node.id] = NodeRecord(node.id, node.label, dict(node.props))
    rels: dict[tuple[str, str, str, Any], RelRecord] = {}
    for rel in batch.rels:
        if rel.key in rels:
            rels[rel.key].props = merge_props(rels[rel.key].props, rel.props)
        else:
            rels[rel.key] = RelRecord(rel.type, rel.start, rel.end, dict(rel.props))
    return GraphBatch(list(nodes.values()), list(rels.values()))


def _without_nulls(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None and not (isinstance(v, float) and v != v)}
