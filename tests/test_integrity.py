"""Evidence integrity and audit: `verify` finds an edited source row; every load, query and export
leaves an audit line with the output's hash and no credentials."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from graphbench.cli import main

MINI = Path(__file__).parent / "fixtures" / "mini"


def test_verify_detects_an_edited_source_row(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    store = f"file:{tmp_path / 'ws'}"
    assert main(["--store", store, "load", str(data), "--rejects", str(tmp_path / "rej"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["--store", store, "verify", "--json"]) == 0
    clean = json.loads(capsys.readouterr().out)
    assert clean["ok"] and clean["checked"] > 10 and clean["matched"] == clean["checked"]

    lines = (data / "transactions.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace("150.00", "15.00")  # row 1: someone edits the evidence
    (data / "transactions.csv").write_text("".join(lines), encoding="utf-8")
    assert main(["--store", store, "verify", "--json"]) == 1
    tampered = json.loads(capsys.readouterr().out)
    assert {(Path(m["file"]).name, m["row"]) for m in tampered["mismatches"]} == {("transactions.csv", 1)}


def test_audit_log_records_actions_with_output_hash(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-value")
    store = f"file:{tmp_path / 'ws'}"
    main(["--store", store, "load", str(MINI), "--rejects", str(tmp_path / "rej"), "--quiet"])
    capsys.readouterr()
    main(["--store", store, "query", "transfers_out", "--param", "channel=PaymentChannel:paypal:sales@reptile.example",
          "--json"])
    query_out = capsys.readouterr().out
    main(["--store", store, "export", "--format", "jsonl", "--output", str(tmp_path / "g.jsonl")])
    log = Path(os.environ["GRAPHBENCH_AUDIT_LOG"])
    entries = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [e["action"] for e in entries] == ["load", "query", "export"]
    assert all(e["user"] and e["ts"].endswith("Z") and e["output_sha256"] for e in entries)
    rows = json.loads(query_out)["rows"]
    assert entries[1]["output_sha256"] == hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
    assert "s3cret-value" not in log.read_text(encoding="utf-8")
