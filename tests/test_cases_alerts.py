"""Cases, watchlists and alerts kept beside the graph (issue 17.4, 17.5), on both stores.

Known answers from tests/fixtures/team (see its README): a takedown of IG1 followed by a load in which its
operator reappears on Facebook raises exactly one alert, naming IG1 and FB9 and the evidence."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from graphbench.alerts import AlertQueue, WatchlistRepository, record_takedown, scan
from graphbench.cases import CaseRepository, rel_target
from graphbench.errors import GraphbenchError
from graphbench.records import records_for
from graphbench.store import open_store
from loaders.load import load_dir

TEAM = Path(__file__).resolve().parent / "fixtures" / "team"
IG1, FB9 = "Listing:instagram:IG1", "Listing:facebook:FB9"


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store_factory(request, tmp_path: Path):
    """A function giving the store *again* each call (a restart: a new store object on the same data)."""
    if request.param == "embedded":
        url = f"file:{tmp_path / 'ws'}"
    else:
        from conftest import NEO4J_URL

        request.getfixturevalue("neo4j_store")  # the server, emptied for this test
        url = NEO4J_URL
    opened: list = []

    def reopen():
        if opened:
            opened[-1].close()
        opened.append(open_store(url))
        return opened[-1]
    yield reopen
    if opened:
        opened[-1].close()


def test_records_contract(store_factory) -> None:
    records = records_for(store_factory())
    assert records.get("case", "x") is None and records.all("case") == []
    records.put("case", "b", {"n": 2, "text": "ü 'quoted' \"double\""})
    records.put("case", "a", {"n": 1})
    records.put("alert", "a", {"other": True})
    assert [d["n"] for d in records.all("case")] == [1, 2]
    assert records.get("case", "b") == {"n": 2, "text": "ü 'quoted' \"double\""}
    assert records.put_new("case", "a", {"n": 99}) is False and records.get("case", "a") == {"n": 1}
    assert records.put_new("case", "c", {"n": 3}) is True
    records.put("case", "a", {"n": 10})
    assert records.get("case", "a") == {"n": 10}
    assert records.delete("case", "a") is True and records.delete("case", "a") is False
    again = records_for(store_factory())  # after a restart
    assert [d["n"] for d in again.all("case")] == [2, 3] and again.all("alert") == [{"other": True}]


def test_a_case_reopened_after_a_restart_is_as_left(store_factory, tmp_path: Path) -> None:
    store = store_factory()
    load_dir(store, TEAM / "before", rejects_dir=tmp_path / "rejects")
    cases = CaseRepository(records_for(store))
    case = cases.create("  Pangolin scales   ring ", "alice", assignee="bob")
    cases.pin(case.case_id, ["Account:instagram:scales.trader", IG1, IG1], "alice")
    cases.note(case.case_id, IG1, "reported to the platform on 2024-03-05", "alice")
    posted = rel_target("POSTED", "Account:instagram:scales.trader", IG1)
    cases.note(case.case_id, posted, "the operator's own post", "bob")
    view = {"explore_focus": IG1, "explore_expanded": {IG1: 40}, "explore_hidden": ["Hashtag:tcm"],
            "canvas": {"selected": [IG1], "pinned": [IG1], "positions": {IG1: [0.25, -1.5]}, "seq": "s:3"}}
    cases.save_view(case.case_id, view, "alice")
    cases.set_status(case.case_id, "in progress", "bob")
    with pytest.raises(GraphbenchError, match="unknown case status"):
        cases.set_status(case.case_id, "archived", "bob")

    reopened = CaseRepository(records_for(store_factory())).get(case.case_id)  # a new store object: a restart
    assert reopened.name == "Pangolin scales ring" and reopened.status == "in_progress"
    assert reopened.assignee == "bob" and reopened.updated_by == "bob"
    assert reopened.pins == ["Account:instagram:scales.trader", IG1]  # each once, in the order pinned
    assert reopened.view == view  # the canvas dict exactly as given
    assert [(n.target, n.text, n.author) for n in reopened.notes] == [
        (IG1, "reported to the platform on 2024-03-05", "alice"), (posted, "the operator's own post", "bob")]
    assert reopened.notes[1].about == f"Account:instagram:scales.trader -POSTED-> {IG1}"
    listed = CaseRepository(records_for(store_factory()))
    assert [c.case_id for c in listed.search("platform on 2024")] == [case.case_id]  # searches note text
    assert listed.search("no such words") == [] and listed.search(status="closed") == []


def test_case_report_carries_the_notes(tmp_path: Path) -> None:
    from graphbench.cases.report import run_case_report

    store = open_store("memory:")
    load_dir(store, TEAM / "before", rejects_dir=tmp_path / "rejects")
    cases = CaseRepository(records_for(store))
    case = cases.create("Scales", "alice")
    cases.pin(case.case_id, ["Account:instagram:scales.trader"], "alice")
    cases.note(case.case_id, "", "refer to the CITES focal point", "alice")
    summary, data = run_case_report(store, cases.get(case.case_id), "md")
    text = data.decode("utf-8")
    assert summary["sections"][:2] == ["Summary", "Case"]
    assert "| the case | refer to the CITES focal point | alice |" in text
    assert "# Case\\: Scales" in text and "scope: 1 selected accounts" in text  # scoped to the pinned account


def test_takedown_then_reappearance_raises_exactly_one_alert(store_factory, tmp_path: Path) -> None:
    store = store_factory()
    load_dir(store, TEAM / "before", rejects_dir=tmp_path / "rejects")
    taken = record_takedown(store, IG1, "alice", "reported 2024-03-05")
    assert taken["accounts"] == ["Account:instagram:scales.trader"]
    assert taken["phones"] == ["Phone:+84911931648"] and taken["image_phash"] == "37e71224ad8be6d8"
    assert taken["known"] == ["Listing:instagram:IG1", "Listing:instagram:IG3"]  # IG3 was there already
    assert scan(store).raised == []  # nothing new yet
    with pytest.raises(GraphbenchError, match="no listing"):
        record_takedown(store, "Listing:instagram:NOPE", "alice")

    load_dir(store, TEAM / "after", rejects_dir=tmp_path / "rejects")  # the load path scans by itself
    alerts = AlertQueue(records_for(store_factory())).alerts()
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["kind"] == "reappearance" and alert["listings"] == [IG1, FB9] and alert["status"] == "new"
    assert IG1 in alert["title"] and FB9 in alert["title"]
    kinds = {e["kind"]: e for e in alert["evidence"]}
    assert set(kinds) == {"operator", "phone"}
    assert kinds["phone"]["value"] == "Phone:+84911931648"
    assert kinds["operator"]["account"] == "Account:facebook:scales.trader.vn"
    assert "SAME_AS Account:instagram:scales.trader" in kinds["operator"]["via"]

    store = store_factory()
    load_dir(store, TEAM / "after", rejects_dir=tmp_path / "rejects")  # the same load again
    assert scan(store).raised == [] and len(AlertQueue(records_for(store)).alerts()) == 1  # raised once only
    queue = AlertQueue(records_for(store))
    queue.update(alert["alert_id"], "bob", status="in_progress", assignee="bob")
    changed = AlertQueue(records_for(store_factory())).get(alert["alert_id"])
    assert (changed["status"], changed["assignee"], changed["history"][-1]["by"]) == ("in_progress", "bob", "bob")


def test_watchlists_of_every_kind_match_what_they_name(tmp_path: Path) -> None:
    store = open_store("memory:")
    load_dir(store, TEAM / "before", rejects_dir=tmp_path / "rejects")
    lists = WatchlistRepository(records_for(store))
    lists.save("words", "term", ["Pangolin scales", "comb"], "alice")
    lists.save("tags", "hashtag", ["#TCM", "#tcm"], "alice")
    lists.save("phones", "phone", ["+84 91 193 1648"], "alice")
    lists.save("mails", "email", ["Someone@Mail.example"], "alice")
    lists.save("handles", "handle", ["@Bystander"], "alice")
    assert [w.terms for w in lists.all() if w.name == "tags"] == [["tcm"]]  # normalised, once
    with pytest.raises(GraphbenchError, match="phone"):
        lists.save("bad", "phone", ["not a phone"], "alice")
    raised = scan(store).raised
    got = {(a["watchlist"], a["entities"][0]) for a in raised}
    assert got == {("words", IG1), ("words", "Listing:instagram:IG2"),
                   ("tags", IG1), ("tags", "Listing:instagram:IG3"),
                   ("phones", "Account:instagram:scales.trader"),
                   ("mails", "Account:instagram:bystander"),
                   ("handles", "Account:instagram:bystander")}
    assert scan(store).raised == []  # each match once
    load_dir(store, TEAM / "after", rejects_dir=tmp_path / "rejects")
    newer = {(a["watchlist"], a["entities"][0]) for a in AlertQueue(records_for(store)).alerts()} - got
    assert newer == {("tags", FB9), ("phones", "Account:facebook:scales.trader.vn"),
                     ("words", "Listing:instagram:IG4")}  # "Wooden comb": a whole word; "combing" would not


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append({"type": self.headers["Content-Type"], "alert": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_webhook_receives_each_new_alert_and_refuses_public_addresses(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from graphbench.alerts.webhook import check_url, post

    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("GRAPHBENCH_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hooks/graphbench")
        store = open_store("memory:")
        load_dir(store, TEAM / "before", rejects_dir=tmp_path / "rejects")
        record_takedown(store, IG1, "alice")
        load_dir(store, TEAM / "after", rejects_dir=tmp_path / "rejects")
    finally:
        server.shutdown()
        server.server_close()
    assert [r["alert"]["listings"] for r in _Receiver.received] == [[IG1, FB9]]
    assert _Receiver.received[0]["type"] == "application/json"
    for public in ("http://8.8.8.8/hook", "https://1.1.1.1:8443/x"):
        with pytest.raises(GraphbenchError, match="outside your own network"):
            check_url(public)
        assert "outside your own network" in post(public, {"alert_id": "x"})
    with pytest.raises(GraphbenchError, match="http:// or https://"):
        check_url("file:///etc/passwd")
    assert check_url("http://192.168.1.20:8080/in")[1] == "192.168.1.20"  # own network: allowed (not contacted)


def test_the_goal_through_the_command_line(tmp_path: Path, capsys) -> None:
    from graphbench.cli.dispatch import main

    store = ["--store", f"file:{tmp_path / 'ws'}"]
    rejects = ["--rejects", str(tmp_path / "rejects"), "--quiet"]
    assert main([*store, "load", str(TEAM / "before"), *rejects]) == 0
    assert main([*store, "--json", "alerts", "takedown", IG1, "--note", "reported"]) == 0
    assert main([*store, "load", str(TEAM / "after"), *rejects]) == 0
    capsys.readouterr()
    assert main([*store, "alerts", "--json"]) == 0
    [alert] = json.loads(capsys.readouterr().out)["alerts"]
    assert alert["listings"] == [IG1, FB9] and {e["kind"] for e in alert["evidence"]} == {"operator", "phone"}
    assert main([*store, "alerts", "set", alert["alert_id"], "--status", "referred", "--assignee", "carol"]) == 0
    capsys.readouterr()
    assert main([*store, "alerts", "--status", "referred", "--json"]) == 0
    assert [a["assignee"] for a in json.loads(capsys.readouterr().out)["alerts"]] == ["carol"]
    assert main([*store, "alerts", "set", "A-nope", "--status", "closed"]) == 2
    assert capsys.readouterr().err.strip() == "graphbench: error: there is no alert 'A-nope'"


def test_a_case_saved_from_explore_reopens_there_in_a_new_session(tmp_path: Path, monkeypatch) -> None:
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).resolve().parents[1]
    store = open_store(f"file:{tmp_path / 'ws'}")
    load_dir(store, TEAM / "before", rejects_dir=tmp_path / "rejects")
    store.close()
    monkeypatch.setenv("GRAPHBENCH_STORE", f"file:{tmp_path / 'ws'}")

    def at_page(at: AppTest, name: str) -> AppTest:
        at.switch_page(f"app_pages/{name}.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    first = AppTest.from_file(str(root / "app.py"), default_timeout=120)
    first.run()
    explore = at_page(first, "explore")
    next(t for t in explore.text_input if t.label == "Focus node id").input(IG1).run()
    cases = at_page(first, "cases")
    next(t for t in cases.text_input if t.label == "Name").input("Scales on Instagram")
    next(b for b in cases.button if b.label == "Create").click().run()
    next(b for b in cases.button if b.label == "Save the Explore view into this case").click().run()
    assert not cases.exception, [e.value for e in cases.exception]

    second = AppTest.from_file(str(root / "app.py"), default_timeout=120)  # another session, later
    second.run()
    cases = at_page(second, "cases")
    assert [c.value for c in cases.subheader if c.value == "Scales on Instagram"]
    assert cases.dataframe[1].value["pinned"].tolist() == [IG1]  # the focus was pinned with the view
    next(b for b in cases.button if b.label == "Reopen on Explore").click().run()
    assert not second.exception, [e.value for e in second.exception]
    assert second.session_state["explore_focus"] == IG1
    assert next(t for t in second.text_input if t.label == "Focus node id").value == IG1
