"""Issue 19.8: what an analyst asks and uploads in the app is in the audit log — console statements
(refused ones too), named queries and uploaded files — and the log is only ever appended to."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from graphbench import audit
from loaders.load import load_dir

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"
CHANNEL = "PaymentChannel:paypal:sales@reptile.example"


def entries() -> list[dict]:
    log = Path(os.environ["GRAPHBENCH_AUDIT_LOG"])
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


@pytest.fixture
def mini_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    from graphbench.store import open_store

    url = f"file:{tmp_path / 'ws'}"
    store = open_store(url)
    load_dir(store, MINI, rejects_dir=tmp_path / "rejects")
    store.close()
    monkeypatch.setenv("GRAPHBENCH_STORE", url)
    monkeypatch.setenv("GRAPHBENCH_REJECTS", str(tmp_path / "rejects"))
    monkeypatch.delenv("GRAPHBENCH_ALLOWED_STORES", raising=False)
    return url


def page(name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    if name != "data":
        at.switch_page(f"app_pages/{name}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_named_queries_in_the_app_are_audited(mini_store: str) -> None:
    at = page("query")
    at.selectbox[0].set_value("transfers_out").run()
    at.text_input[0].set_value(CHANNEL)
    at.button[0].click().run()
    shown = at.dataframe[0].value
    [entry] = [e for e in entries() if e["action"] == "query"]
    assert entry["params"]["name"] == "transfers_out" and entry["params"]["params"] == {"channel": CHANNEL}
    assert entry["params"]["rows"] == len(shown) > 0 and entry["params"]["refused"] is False
    assert entry["store"] == mini_store and entry["output_sha256"]
    # a refused one is recorded as refused, with the sentence the analyst saw
    at.text_input[1].set_value("not a number")
    at.button[0].click().run()
    refused = [e for e in entries() if e["action"] == "query"][-1]
    assert refused["params"]["refused"] is True and refused["params"]["rows"] is None
    assert "not a number" in refused["params"]["reason"] and at.error


def test_uploads_are_audited_with_name_size_and_sha256(mini_store: str) -> None:
    at = page("data")
    content = (MINI / "accounts.csv").read_bytes()
    uploader = next(u for u in at.get("file_uploader") if u.label.startswith("Exports"))
    uploader.set_value([("accounts.csv", content, "text/csv")]).run()
    next(b for b in at.button if b.label == "Load the uploaded files").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [entry] = [e for e in entries() if e["action"] == "upload"]
    assert entry["params"]["file"] == "accounts.csv" and entry["params"]["bytes"] == len(content)
    assert entry["params"]["sha256"] == hashlib.sha256(content).hexdigest() == entry["output_sha256"]


def test_the_log_is_appended_to_and_keeps_no_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "Amber/p@ss word")
    audit.record_query("console", "bolt://neo4j:Amber/p@ss word@db.example:7687",
                       "MATCH (n) WHERE n.note = 'Amber/p@ss word' RETURN n", {"password": "x", "q": 1}, [{"n": 1}])
    first = Path(os.environ["GRAPHBENCH_AUDIT_LOG"]).read_bytes()
    audit.record_upload("file:./ws", "x.csv", b"a,b\n")
    text = Path(os.environ["GRAPHBENCH_AUDIT_LOG"]).read_text(encoding="utf-8")
    assert text.encode().startswith(first) and len(text.splitlines()) == 2
    assert "p@ss" not in text and "Amber/" not in text
    console = json.loads(text.splitlines()[0])
    assert console["store"] == "bolt://db.example:7687" and console["params"]["params"] == {"q": 1}


@pytest.mark.neo4j
def test_console_statements_are_audited_refused_ones_too(neo4j_store, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    load_dir(neo4j_store, MINI, rejects_dir=tmp_path, resolve=False)
    monkeypatch.setenv("GRAPHBENCH_STORE", neo4j_store.url)
    monkeypatch.delenv("GRAPHBENCH_ALLOWED_STORES", raising=False)
    at = page("query")
    for cypher in ("UNWIND range(1, 5000) AS x RETURN x",
                   "WITH '//' AS x LOAD CSV FROM 'http://127.0.0.1:9/x' AS row RETURN row"):
        next(t for t in at.text_area if t.label == "Cypher").set_value(cypher).run()
        next(b for b in at.button if b.label == "Run read-only").click().run()
    ran, refused = [e for e in entries() if e["action"] == "console"]
    assert ran["params"]["cypher"] == "UNWIND range(1, 5000) AS x RETURN x"
    assert ran["params"]["rows"] == 1000 and ran["params"]["cut"] and ran["params"]["refused"] is False
    assert refused["params"]["refused"] is True and "LOAD CSV" in refused["params"]["reason"]
    assert refused["params"]["cypher"].startswith("WITH '//'")
