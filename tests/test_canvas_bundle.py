"""The graph canvas without a browser: the committed bundle is built from the committed sources, ships
as package data, needs nothing from the network, and the payload Python sends is compact and does not
depend on row order."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import networkx as nx
import pytest

from graphbench.viz.canvas import BUNDLE_DIR, canvas_payload, caption, frames_from_networkx
from graphbench.viz.canvas.bundle_hash import bundle_is_current, source_hash

ROOT = Path(__file__).resolve().parents[1]


def test_bundle_is_built_from_the_committed_sources() -> None:
    assert (BUNDLE_DIR / "canvas.js").is_file() and (BUNDLE_DIR / "index.html").is_file(), "run make canvas"
    recorded = (BUNDLE_DIR / "SOURCE_HASH").read_text().strip()
    assert recorded == source_hash(), "graphbench/viz/canvas/bundle is older than frontend/canvas: run make canvas"
    assert bundle_is_current()


def test_a_changed_source_makes_the_bundle_stale(tmp_path: Path) -> None:
    frontend = tmp_path / "frontend"
    (frontend / "src").mkdir(parents=True)
    for name in ("build.mjs", "package.json", "package-lock.json"):
        (frontend / name).write_text(name)
    (frontend / "src" / "main.js").write_text("console.log(1)")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "canvas.js").write_text("")
    (bundle / "SOURCE_HASH").write_text(source_hash(frontend))
    assert bundle_is_current(frontend, bundle)
    (frontend / "src" / "main.js").write_text("console.log(2)")
    assert not bundle_is_current(frontend, bundle)


def test_bundle_is_offline_and_declared_as_package_data() -> None:
    page = (BUNDLE_DIR / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'(?:src|href)\s*=\s*["\'](https?:)?//', page) == []
    script = (BUNDLE_DIR / "canvas.js").read_text(encoding="utf-8")
    # the only URLs in the bundle are in licence comments and XML namespaces, none is fetched
    assert not re.search(r"fetch\(|importScripts\(\s*['\"]http|<script[^>]+src=['\"]http", script)
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "viz/canvas/bundle/*" in data["tool"]["setuptools"]["package-data"]["graphbench"]
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "node_modules/" in ignored


def test_captions_name_the_platform() -> None:
    one = caption("Account:instagram:sarilucky_vn", {"label": "Account", "platform": "instagram", "handle": "sarilucky_vn"})
    two = caption("Account:facebook:sarilucky_vn", {"label": "Account", "platform": "facebook", "handle": "sarilucky_vn"})
    assert (one, two) == ("instagram:sarilucky_vn", "facebook:sarilucky_vn")
    assert caption("Account:tiktok:x.y", {}) == "tiktok:x.y"  # from the id when properties are missing
    assert caption("Hashtag:pets", {"label": "Hashtag", "tag": "pets"}) == "#pets"
    assert len(caption("Listing:ebay:1", {"label": "Listing", "platform": "ebay", "title": "x" * 80})) == 32


def _graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node("Account:instagram:a", label="Account", platform="instagram", handle="a", followers=10)
    graph.add_node("PaymentChannel:paypal:p@x", label="PaymentChannel")
    graph.add_node("PaymentChannel:paypal:q@x", label="PaymentChannel")
    graph.add_node("Listing:ebay:1", label="Listing", platform="ebay", title="t", posted_at="2024-03-02T10:00:00Z")
    graph.add_edge("Account:instagram:a", "PaymentChannel:paypal:p@x", type="USES")
    graph.add_edge("Account:instagram:a", "Listing:ebay:1", type="POSTED")
    graph.add_edge("PaymentChannel:paypal:p@x", "PaymentChannel:paypal:q@x", type="TRANSFERRED", amount=1200.5,
                   currency="USD", ts="2024-03-02T00:00:00Z")
    graph.add_edge("PaymentChannel:paypal:p@x", "PaymentChannel:paypal:q@x", type="TRANSFERRED", amount=9,
                   currency="VND", ts="not a date")
    return graph


def test_payload_is_column_wise_and_independent_of_row_order() -> None:
    nodes, edges = frames_from_networkx(_graph())
    payload = canvas_payload(nodes, edges)
    again = canvas_payload(list(reversed(nodes)), list(reversed(edges)))
    assert payload == again
    n, e = payload["nodes"], payload["edges"]
    assert n["id"] == sorted(n["id"]) and n["labels"] == ["Account", "Listing", "PaymentChannel"]
    assert n["caption"][n["id"].index("Account:instagram:a")] == "instagram:a"
    assert n["ts"][n["id"].index("Listing:ebay:1")] == 1709373600.0  # 2024-03-02T10:00Z as epoch seconds
    assert e["types"] == ["POSTED", "TRANSFERRED", "USES"] and e["currencies"] == ["USD", "VND"]
    transfers = [i for i, t in enumerate(e["type"]) if e["types"][t] == "TRANSFERRED"]
    assert sorted(e["amount"][i] for i in transfers) == [9.0, 1200.5]
    # a date that does not parse is sent as missing, the edge is still drawn
    assert sorted((e["ts"][i] is None) for i in transfers) == [False, True]
    assert len(json.dumps(payload)) < 2000


def test_edges_to_unknown_nodes_are_counted_not_drawn_and_rules_are_checked() -> None:
    payload = canvas_payload([{"id": "Account:x:a"}, {"id": "Account:x:b"}],
                             [{"source": "Account:x:a", "target": "Account:x:b", "type": "LINKS_TO"},
                              {"source": "Account:x:a", "target": "Account:x:gone", "type": "LINKS_TO"}],
                             community={"Account:x:a": 3}, selected=["Account:x:a", "Account:x:gone"])
    assert payload["dropped_edges"] == 1 and payload["edges"]["source"] == [0]
    assert payload["nodes"]["community"] == [3, None]
    assert payload["options"]["selected"] == ["Account:x:a"]
    with pytest.raises(ValueError, match="color_by must be one of"):
        canvas_payload([{"id": "Account:x:a"}], color_by="colour")


def test_twenty_thousand_nodes_travel_compactly() -> None:
    nodes = [{"id": f"Account:p:{i}", "label": "Account", "x": i % 200, "y": i // 200} for i in range(20_000)]
    edges = [{"source": f"Account:p:{i % 20_000}", "target": f"Account:p:{(i * 7 + 1) % 20_000}", "type": "LINKS_TO"}
             for i in range(100_000)]
    size = len(json.dumps(canvas_payload(nodes, edges, layout="none"), separators=(",", ":")))
    assert size < 4_000_000  # ids once, edges as integer positions: ~40 bytes a node, ~12 an edge
