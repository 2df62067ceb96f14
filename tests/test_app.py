"""One AppTest per page, on the sample data: each page's main path runs without an exception and
shows what it should."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def app_store(tmp_path_factory: pytest.TempPathFactory, sample_workspace) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("app")
    return {"GRAPHBENCH_STORE": sample_workspace(folder), "GRAPHBENCH_REJECTS": str(folder / "rejects")}


@pytest.fixture
def app(app_store, monkeypatch: pytest.MonkeyPatch):
    for key, value in app_store.items():
        monkeypatch.setenv(key, value)

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.run()
        if page != "data":
            at.switch_page(f"app_pages/{page}.py")
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return open_page


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_data_page_shows_counts_rejects_and_provenance(app) -> None:
    at = app("data")
    no_errors(at)
    assert at.title[0].value == "Data"
    rejects = at.dataframe[0].value
    # 94 planted bad rows: 74 with a bad required field are rejected, 20 bad optional fields are
    # set aside and their rows load (issue 15.5)
    assert len(rejects) == 74 and {"file", "row", "field", "reason"} <= set(rejects.columns)
    warnings = at.dataframe[1].value
    assert len(warnings) >= 20 and {"file", "row", "field", "reason", "value"} <= set(warnings.columns)
    from graphbench.store import open_store

    store = open_store(os.environ["GRAPHBENCH_STORE"])
    stats = store.stats()
    store.close()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Nodes"] == f"{sum(stats['nodes'].values()):,}"
    assert metrics["Relationships"] == f"{sum(stats['relationships'].values()):,}"
    at.text_input[0].set_value("Account:facebook:emeka.royal").run()
    no_errors(at)
    assert at.json and "sha256" in json.loads(at.json[0].value)


def test_explore_search_and_expand(app) -> None:
    at = app("explore")
    at.text_input[0].set_value("emeka.royal").run()
    at.button[0].click().run()
    no_errors(at)
    assert any("nodes," in c.value and "relationships around" in c.value for c in at.caption)
    node_picker = next(s for s in at.selectbox if s.label == "Node")  # node details beside the graph
    node_picker.set_value("Account:facebook:emeka.royal").run()
    no_errors(at)
    properties, provenance = (dict(zip(t.value["property"], t.value["value"], strict=True)) for t in at.dataframe[:2])
    assert properties["handle"] == "emeka.royal" and "sha256" not in properties  # properties first, readable
    assert re.fullmatch(r"[0-9a-f]{64}", provenance["sha256"]) and provenance["source_file"].endswith("accounts.csv")


def test_explore_platform_filter_and_community_colours(app) -> None:
    at = app("explore")
    at.text_input[0].set_value("emeka.royal").run()
    at.button[0].click().run()
    at.slider[0].set_value(2).run()
    platform_box = next(m for m in at.multiselect if m.label.startswith("Platforms"))
    assert len(platform_box.options) >= 2  # the 2-hop neighbourhood spans platforms
    keep = "facebook"
    platform_box.set_value([keep]).run()
    no_errors(at)
    node_picker = next(s for s in at.selectbox if s.label == "Node")
    shown = node_picker.options
    platformed = [n for n in shown if n.split(":", 1)[0] in ("Account", "Listing")]
    assert platformed and all(n.split(":")[1] == keep for n in platformed)
    at.session_state["communities"] = {"membership": {"Account:facebook:emeka.royal": 3}}
    at.run()
    no_errors(at)
    assert any("coloured by community" in c.value for c in at.caption)


def test_communities_run(app) -> None:
    at = app("communities")
    at.button[0].click().run()
    no_errors(at)
    assert float(at.metric[0].value) > 0.5
    table = at.dataframe[0].value
    assert len(table) >= 12 and "key_members" in table.columns


def test_links_page_same_as_and_suggestions(app) -> None:
    at = app("links")
    no_errors(at)
    same_as = at.dataframe[0].value
    assert {"start", "end", "score", "evidence"} <= set(same_as.columns) and len(same_as) > 50


def test_money_trace_and_patterns(app) -> None:
    truth = json.loads((ROOT / "sample_data" / "ground_truth.json").read_text(encoding="utf-8"))
    cycle = next(p for p in truth["patterns"] if p["kind"] == "cycle")
    at = app("money")
    at.text_input[0].set_value(cycle["members"][0])
    at.button[0].click().run()
    no_errors(at)
    followed = at.dataframe[0].value
    assert set(cycle["tx_ids"]) & set(followed["tx_id"])
    kinds = set(next(d.value for d in at.dataframe if "kind" in d.value)["kind"])  # the patterns table
    assert {"fan_in", "cycle", "structuring"} <= kinds
    assert "≈ USD" in followed.columns and "amount" in followed.columns  # base and as written, side by side


def test_trends_and_routes(app) -> None:
    at = app("trends")
    no_errors(at)
    frames = [d.value for d in at.dataframe]
    assert any({"shipper", "origin", "destination", "shipments"} <= set(f.columns) and len(f) for f in frames)
    assert any({"origin", "destination", "senders", "shippers"} <= set(f.columns) and len(f) for f in frames)
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert any('"sankey"' in spec for spec in charts)
    next(r for r in at.radio if r.label == "Place level").set_value("city").run()
    no_errors(at)


def test_report_page_generates_a_download(app) -> None:
    at = app("report")
    at.text_input[1].set_value("2024-01-01")
    at.button[0].click().run()
    no_errors(at)
    assert at.get("download_button")
    assert any("evidence items" in c.value for c in at.caption)


def test_query_page_runs_a_named_query(app) -> None:
    at = app("query")
    at.selectbox[0].set_value("transfers_out").run()
    at.text_input[0].set_value("PaymentChannel:bank_account:MARKETPLACE-ESCROW-0001")
    at.button[0].click().run()
    no_errors(at)
    assert len(at.dataframe[0].value) > 10


def test_explore_busy_node_gets_an_n_more_placeholder(app) -> None:
    at = app("explore")
    at.text_input[1].set_value("Hashtag:pets").run()
    next(s for s in at.slider if s.label == "Most nodes").set_value(20).run()
    no_errors(at)
    caption = next(c.value for c in at.caption if "relationships around" in c.value)
    assert caption.startswith("21 nodes")  # 20 kept by the cap + the "N more" placeholder
    node_picker = next(s for s in at.selectbox if s.label == "Node")
    assert not any(n.startswith("More:") for n in node_picker.options)  # the placeholder is not a real node


# graphbench.viz is pure: HTML in, checked here without Streamlit

def _star(n: int):
    import networkx as nx

    graph = nx.Graph()
    for i in range(n):
        graph.add_edge("Account:x:hub", f"Listing:x:L{i}", type="POSTED")
    return graph


def test_pyvis_html_is_offline_and_escaped() -> None:
    from graphbench.viz.network import external_references, render_pyvis

    graph = _star(3)
    graph.add_node("Account:x:evil", label="Account", handle="<script>alert(1)</script>")
    page = render_pyvis(graph)
    assert external_references(page) == []
    assert "vis-network" in page or "vis.Network" in page  # the library is inline, not fetched
    assert "<script>alert(1)" not in page


def test_pyvis_caps_nodes_and_turns_physics_off_for_big_graphs() -> None:
    import re

    from graphbench.viz.network import MAX_NODES, render_pyvis

    small = render_pyvis(_star(20))
    assert '"physics": false' not in small and '"x":' not in small
    big = render_pyvis(_star(MAX_NODES + 200))
    drawn = re.search(r"nodes = new vis.DataSet\((.*?)\);", big, re.S).group(1)
    assert drawn.count('"id":') == MAX_NODES  # the busiest nodes, the hub among them
    assert '"id": "Account:x:hub"' in drawn and '"physics": false' in drawn and '"x":' in drawn


def test_pyvis_colours_by_community_and_weights_only_weighted_edges() -> None:
    import networkx as nx

    from graphbench.viz.network import PALETTE, render_pyvis

    graph = nx.Graph()
    graph.add_edge("Account:x:a", "Account:x:b", weight=3.0)
    graph.add_edge("Account:x:b", "Listing:x:c")
    page = render_pyvis(graph, community={"Account:x:a": 1, "Account:x:b": 1})
    assert page.count(PALETTE[1]) >= 2
    assert '"value": 3.0' in page and '"value": null' not in page


# neo4j_sample (tests/conftest.py): the sample in the real Neo4j, one load shared by the page tests
# below and the other tests that only read it


@pytest.mark.neo4j
def test_communities_on_neo4j_push_down_to_gds(neo4j_sample, monkeypatch: pytest.MonkeyPatch) -> None:
    """`auto` on a Neo4j server with GDS runs inside the database, and drawing a community reads
    member neighbourhoods: the page never pulls the whole graph's tables."""
    import graphbench.store.tables as tables_module
    from tests.conftest import NEO4J_URL

    monkeypatch.setenv("GRAPHBENCH_STORE", NEO4J_URL)

    def refuse(*args, **kwargs):
        raise AssertionError("the Communities page pulled whole tables out of Neo4j")
    monkeypatch.setattr(tables_module, "read_tables", refuse)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("app_pages/communities.py")
    at.run()
    assert at.selectbox[0].value == "auto"
    at.button[0].click().run()
    no_errors(at)
    assert float(at.metric[0].value) > 0.5
    assert "gds" in at.metric[0].help
    assert len(at.dataframe[0].value) >= 12  # the 12 planted rings, each a community
    assert any("read member by member from Neo4j" in c.value for c in at.caption)


@pytest.mark.neo4j
def test_money_on_neo4j_reads_only_what_it_shows(neo4j_sample, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Neo4j the Money page opens and traces without pulling a whole table: the overview is
    aggregated in Cypher and the trace read hop by hop. Only the pattern search, on its button, reads
    every transfer, and then finds the planted patterns."""
    import graphbench.store.neo4j_store as neo4j_module
    import graphbench.store.tables as tables_module
    from tests.conftest import NEO4J_URL

    truth = json.loads((ROOT / "sample_data" / "ground_truth.json").read_text(encoding="utf-8"))
    cycle = next(p for p in truth["patterns"] if p["kind"] == "cycle")
    monkeypatch.setenv("GRAPHBENCH_STORE", NEO4J_URL)
    whole_reads: list[str] = []
    real_columns = neo4j_module.Neo4jStore._columns

    def counted(self, match, *args, **kwargs):
        if "FxRate" not in match:  # the user's exchange rates: a small table of their own, not the graph
            whole_reads.append(match)
        return real_columns(self, match, *args, **kwargs)

    def refuse(*args, **kwargs):
        raise AssertionError("the Money page pulled whole tables out of Neo4j")
    monkeypatch.setattr(tables_module, "read_tables", refuse)
    monkeypatch.setattr(neo4j_module.Neo4jStore, "_columns", counted)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    at.switch_page("app_pages/money.py")
    at.run()
    no_errors(at)
    # the busiest payer that is not popular: the marketplace escrow (213 accounts) pays out most but is never the default
    assert at.text_input[0].value == "PaymentChannel:iban:BR7433373639153727032574012EB"
    at.text_input[0].set_value(cycle["members"][0])
    next(b for b in at.button if b.label == "Trace").click().run()
    no_errors(at)
    assert set(cycle["tx_ids"]) & set(at.dataframe[0].value["tx_id"])
    assert whole_reads == []  # opening, the overview and the trace read no table
    next(b for b in at.button if b.label == "Run pattern search").click().run()
    no_errors(at)
    assert {"fan_in", "cycle", "structuring"} <= set(next(d.value for d in at.dataframe if "kind" in d.value)["kind"])
    assert len(whole_reads) == 1 and "TRANSFERRED" in whole_reads[0]


@pytest.mark.neo4j
def test_whole_graph_pages_on_neo4j_wait_for_the_go_ahead(neo4j_sample, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Neo4j, opening Trends, Links or an account in Explore reads no whole table; the SAME_AS
    review works at once; each whole-graph analysis runs on its button and then shows its results."""
    import graphbench.store.tables as tables_module
    from tests.conftest import NEO4J_URL

    monkeypatch.setenv("GRAPHBENCH_STORE", NEO4J_URL)
    agreed: list[bool] = []
    real_read_tables = tables_module.read_tables

    def only_when_agreed(*args, **kwargs):
        assert agreed, "a page pulled whole tables out of Neo4j before the analyst asked"
        return real_read_tables(*args, **kwargs)
    monkeypatch.setattr(tables_module, "read_tables", only_when_agreed)

    def page(name: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.run()
        at.switch_page(f"app_pages/{name}.py")
        at.run()
        no_errors(at)
        return at

    trends_page, links_page = page("trends"), page("links")
    explore_page = page("explore")
    explore_page.text_input[1].set_value("Account:facebook:emeka.royal").run()
    no_errors(explore_page)
    assert not explore_page.metric  # no risk score until asked
    same_as = links_page.dataframe[0].value  # the SAME_AS review needs only those links
    assert {"start", "end", "score", "evidence"} <= set(same_as.columns) and len(same_as) > 50
    assert not trends_page.dataframe
    agreed.append(True)
    next(b for b in trends_page.button if b.label == "Run trend analysis").click().run()
    no_errors(trends_page)
    assert any({"shipper", "origin", "destination", "shipments"} <= set(d.value.columns) for d in trends_page.dataframe)
    next(b for b in explore_page.button if b.label == "Run risk scoring").click().run()
    no_errors(explore_page)
    assert explore_page.metric[0].label == "Risk score"
