"""One Analysis serves everyone: each artefact computed once per data version, and the same answer
(a scoped report shows the risk score `graphbench risk` gives) wherever it is asked."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from graphbench.analysis import Analysis, data_version
from graphbench.report import ReportScope, build_report

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def _count_calls(monkeypatch: pytest.MonkeyPatch, calls: Counter, module: object, name: str) -> None:
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls[name] += 1
        return real(*args, **kwargs)
    monkeypatch.setattr(module, name, counted)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How often the expensive analytics run, counted at the functions themselves."""
    from graphbench.analytics import communities, patterns, projection, risk, routes

    counter: Counter = Counter()
    for module, name in ((routes, "shipment_routes"), (patterns, "find_patterns"), (risk, "score_accounts"),
                         (projection, "build_account_graph"), (communities, "detect_communities")):
        _count_calls(monkeypatch, counter, module, name)
    return counter


def test_a_report_computes_each_artefact_once(sample_store, calls: Counter) -> None:
    analysis = Analysis.of_store(sample_store)
    whole = build_report(analysis, ReportScope())
    community = whole.facts["communities"][0]
    build_report(analysis, ReportScope(community=community))  # a second report of the same data version
    build_report(analysis, ReportScope(since="2024-06-01"))
    # shipment routes ran 7 times per report before; patterns, risk, graph and communities once per report
    assert calls == Counter(shipment_routes=1, find_patterns=1, score_accounts=1, build_account_graph=1,
                            detect_communities=1)
    assert set(analysis.computed.values()) == {1}  # every table read once, every artefact computed once


def test_the_cli_the_report_and_the_app_share_one_risk_table(sample_store, calls: Counter) -> None:
    analysis = Analysis.of_store(sample_store)
    scores = analysis.risk
    assert analysis.risk is scores and analysis.flagged is analysis.flagged
    assert calls["score_accounts"] == 1 and calls["find_patterns"] == 1


def test_an_analysis_of_tables_reads_no_store(sample_store) -> None:
    from graphbench.store.tables import read_tables

    tables = read_tables(sample_store, provenance=False)
    analysis = Analysis.of_tables(tables)
    assert analysis.tables["Account"] is tables["Account"]
    assert analysis.store is None and len(analysis.risk) > 0


def test_tables_are_read_when_first_used(sample_store) -> None:
    analysis = Analysis.of_store(sample_store)
    assert len(analysis.shipment_routes) > 0
    read = {k.removeprefix("table:") for k in analysis.computed if k.startswith("table:")}
    assert read == {"Shipment", "FROM", "TO", "SENT"}  # not the listings, not the transfers


def test_the_data_version_changes_with_the_data() -> None:
    from graphbench.batch import GraphBatch
    from graphbench.store import open_store

    store = open_store("memory:")
    before = data_version(store)
    assert data_version(store) == before and data_version(store, edits=1) != before
    batch = GraphBatch()
    batch.add_node("Account:x:a", {"platform": "x", "handle": "a"}, {})
    store.upsert(batch)
    assert data_version(store) != before


def test_a_scoped_report_shows_the_score_graphbench_risk_gives(tmp_path: Path, capsys) -> None:
    """On the sample, 223 of 555 accounts once scored differently in their community's report."""
    from graphbench.cli import main
    from graphbench.report.view import ReportView
    from graphbench.store import open_store

    url = f"file:{tmp_path / 'ws'}"
    assert main(["--store", url, "load", str(SAMPLE), "--rejects", str(tmp_path / "rej"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["--store", url, "risk", "--top", "1000000", "--json"]) == 0
    cli = {row["id"]: row["score"] for row in json.loads(capsys.readouterr().out)["accounts"]}
    store = open_store(url)
    analysis = Analysis.of_store(store)
    membership = pd.Series(analysis.membership)
    compared = 0
    for community in membership.value_counts().index[:4]:  # the four largest communities
        scope = ReportScope(community=int(community))
        view = ReportView.of(analysis, scope)
        assert dict(zip(view.scores["id"], view.scores["score"], strict=True)) == {
            a: s for a, s in cli.items() if membership.get(a) == community}
        compared += len(view.scores)
        key = next(s for s in build_report(analysis, scope).sections if s.title == "Key accounts").tables[0][1]
        assert len(key) and all(cli[a] == s for a, s in zip(key["account"], key["score"], strict=True))
    assert compared > 20
    store.close()


def test_one_app_session_computes_each_artefact_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     calls: Counter, sample_workspace) -> None:
    """The Money page's patterns, the Report page's report, the Communities page's graph and the Trends
    page's routes come from one Analysis: before, one session searched the patterns 3 times and built
    the account graph twice."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("GRAPHBENCH_STORE", sample_workspace(tmp_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    calls.clear()

    at = AppTest.from_file(str(root / "app.py"), default_timeout=180)
    at.run()
    for page, act in (("money", None), ("report", "Generate"), ("communities", "Run community detection"),
                      ("trends", None)):
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        if act:
            next(b for b in at.button if b.label == act).click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert page != "report" or at.get("download_button")  # the report was built
    assert calls["find_patterns"] == 1 and calls["score_accounts"] == 1 and calls["build_account_graph"] == 1
    assert calls["shipment_routes"] == 1  # the report's and the Trends page's (was 7 + 4)
    assert calls["detect_communities"] == 1  # the page's default run is the report's numbering


def test_a_scope_shows_the_store_patterns_that_touch_it(sample_store) -> None:
    from graphbench.report.view import ReportView

    analysis = Analysis.of_store(sample_store)
    uses = analysis.tables["USES"]
    owner = dict(zip(uses["end"], uses["start"], strict=False))
    cycle = next(p for p in analysis.patterns if p.kind == "cycle" and any(m in owner for m in p.members))
    community = analysis.membership[owner[next(m for m in cycle.members if m in owner)]]
    view = ReportView.of(analysis, ReportScope(community=community))
    channels = set(uses.loc[uses["start"].isin(view.scoped.accounts), "end"])
    expected = [p for p in analysis.patterns if channels & set(p.members)]
    assert cycle in expected and view.patterns == expected  # the same objects `graphbench patterns` lists, none recomputed
    window = ReportView.of(analysis, ReportScope(since="2024-06-01", until="2024-06-30"))
    assert window.patterns and all(p.last_ts >= "2024-06-01" and p.first_ts <= "2024-06-30\uffff"
                                   for p in window.patterns)
    assert len(window.patterns) < len(analysis.patterns)


def test_threads_sharing_an_analysis_compute_each_artefact_once(sample_store, calls: Counter) -> None:
    """The app shares one Analysis between sessions (threads)."""
    from concurrent.futures import ThreadPoolExecutor

    analysis = Analysis.of_store(sample_store)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: analysis.risk, range(4)))
    assert all(r is results[0] for r in results)
    assert calls["score_accounts"] == 1 and calls["find_patterns"] == 1 and calls["shipment_routes"] == 1
