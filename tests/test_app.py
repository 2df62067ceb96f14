"""One AppTest per page, on the sample data: each page's main path runs without an exception and
shows what it should."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def app_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from graphbench.store import open_store
    from loaders.load import load_dir

    folder = tmp_path_factory.mktemp("app")
    store = open_store(f"file:{folder / 'ws'}")
    load_dir(store, ROOT / "sample_data", rejects_dir=folder / "rejects")
    store.close()
    return {"GRAPHBENCH_STORE": f"file:{folder / 'ws'}", "GRAPHBENCH_REJECTS": str(folder / "rejects")}


@pytest.fixture
def app(app_store, monkeypatch: pytest.MonkeyPatch):
    for key, value in app_store.items():
        monkeypatch.setenv(key, value)

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        at.run()
        if page != "data":
            at.switch_page(f"pages/{page}.py")
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
    assert len(rejects) == 94 and {"file", "row", "field", "reason"} <= set(rejects.columns)
    at.text_input[0].set_value("Account:facebook:emeka.royal").run()
    no_errors(at)
    assert at.json and "sha256" in json.loads(at.json[0].value)


def test_explore_search_and_expand(app) -> None:
    at = app("explore")
    at.text_input[0].set_value("emeka.royal").run()
    at.button[0].click().run()
    no_errors(at)
    assert any("nodes," in c.value and "relationships around" in c.value for c in at.caption)
    assert at.selectbox  # node details picker beside the graph


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
    kinds = set(at.dataframe[1].value["kind"])
    assert {"fan_in", "cycle", "structuring"} <= kinds


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
