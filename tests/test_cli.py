"""The command line as a contract: --json documents, one-sentence errors, exit codes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graphbench.cli import main

MINI = Path(__file__).parent / "fixtures" / "mini"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_load_json_counts_per_file(capsys, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--store", f"file:{tmp_path / 'ws'}", "load", str(MINI),
                       "--rejects", str(tmp_path / "rej"), "--json")
    assert code == 0
    document = json.loads(out)
    # issue 15.5: the account whose optional phone is bad loads, and the phone is a warning
    assert document["files"]["accounts.csv"] == {
        "file": "accounts.csv", "kind": "accounts", "rows": 6, "loaded": 5, "rejected": 1, "warnings": 1,
        "rejects_file": str(tmp_path / "rej" / "accounts.csv.rejects.csv"),
        "warnings_file": str(tmp_path / "rej" / "accounts.csv.warnings.csv"), "refused": None}
    assert document["rejected"] == 5 and document["warnings"] == 3
    assert document["rows"] == document["loaded"] + document["rejected"]
    code, out, _ = run(capsys, "--store", f"file:{tmp_path / 'ws'}", "stats", "--json")
    stats = json.loads(out)
    assert stats["nodes"]["Account"] == 4 and stats["relationships"]["TRANSFERRED"] == 2


def test_query_and_export(capsys, tmp_path: Path) -> None:
    store = f"file:{tmp_path / 'ws'}"
    run(capsys, "--store", store, "load", str(MINI), "--rejects", str(tmp_path / "rej"), "--quiet")
    code, out, _ = run(capsys, "--store", store, "query", "transfers_out",
                       "--param", "channel=PaymentChannel:paypal:sales@reptile.example", "--json")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert [r["tx_id"] for r in rows] == ["T2"]
    code, out, _ = run(capsys, "--store", store, "export", "--format", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    nodes = [r for r in records if "labels" in r]
    rels = [r for r in records if "type" in r]
    assert {"id", "labels", "properties"} == set(nodes[0]) and {"type", "start", "end", "properties"} == set(rels[0])
    assert any(r["type"] == "TRANSFERRED" and r["properties"]["tx_id"] == "T2" for r in rels)


@pytest.mark.parametrize("argv, message", [
    (["--store", "ftp://x", "stats"], "unknown store URL"),
    (["--store", "bolt://127.0.0.1:1", "stats"], "unreachable"),
    (["--store", "memory:", "load", "/no/such/folder"], "is not a folder"),
    (["--store", "memory:", "query", "drop_everything"], "unknown query"),
    (["--store", "memory:", "query", "transfers_out", "--param", "channel=x;MATCH (n) DETACH DELETE n"],
     "must be a node id"),
])
def test_bad_settings_fail_with_one_sentence(capsys, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.neo4j
def test_wrong_password_is_one_sentence(neo4j_session_store, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "not-the-password")
    code, _, err = run(capsys, "--store", neo4j_session_store.url, "stats")
    assert code == 2 and "refused user" in err and "not-the-password" not in err


def test_help_is_quick_to_import() -> None:
    # --help must not import pandas/networkx/neo4j (slow start); checked in a fresh interpreter
    code = ("import sys; from graphbench import cli; cli.build_parser(); "
            "print(','.join(m for m in ('pandas','networkx','neo4j','streamlit') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


# Every command the CLI has, written out: a command that the registry loses fails here.
ALL_COMMANDS = ("load", "stats", "export", "query", "verify", "app", "communities", "centrality", "links", "resolve",
                "same-as", "trace", "patterns", "risk", "trends", "report", "users", "alerts", "watchlist", "seizures")


def test_build_parser_alone_knows_every_command() -> None:
    from graphbench.cli import build_parser
    from graphbench.cli.registry import COMMANDS

    parser = build_parser()
    choices = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert set(choices) == set(ALL_COMMANDS) == set(COMMANDS)


def _entry_points() -> list[list[str]]:
    console = Path(sys.executable).parent / "graphbench"  # the console script pyproject.toml installs
    return [[str(console)], [sys.executable, "-m", "graphbench"]]


@pytest.mark.parametrize("entry", _entry_points(), ids=["console-script", "python-m-graphbench"])
def test_every_subcommand_answers_help_through_every_entry_point(entry: list[str]) -> None:
    top = subprocess.run([*entry, "--help"], capture_output=True, text=True)
    assert top.returncode == 0, top.stderr
    for name in ALL_COMMANDS:
        assert name in top.stdout
        result = subprocess.run([*entry, name, "--help"], capture_output=True, text=True)
        assert result.returncode == 0, (name, result.stderr)
        assert result.stdout.startswith(f"usage: graphbench {name}") and "--json" in result.stdout, name


def test_python_m_graphbench_cli_knows_the_analysis_commands() -> None:
    # it once answered "invalid choice" for them: they registered only as a side effect of main()
    result = subprocess.run([sys.executable, "-m", "graphbench.cli", "patterns", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--kind" in result.stdout, result.stderr


def test_same_as_rejection_survives_a_reload(capsys, tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_data"
    store = f"file:{tmp_path / 'ws'}"
    assert main(["--store", store, "load", str(sample), "--rejects", str(tmp_path / "rej"), "--quiet"]) == 0
    from graphbench.store import open_store

    link = open_store(store).relationships("SAME_AS").iloc[0]
    assert main(["--store", store, "same-as", "reject", link["end"], link["start"]]) == 0
    assert main(["--store", store, "load", str(sample), "--rejects", str(tmp_path / "rej"), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["--store", store, "resolve", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == 1
    table = open_store(store).relationships("SAME_AS")
    row = table[(table["start"] == link["start"]) & (table["end"] == link["end"])]
    assert list(row["status"]) == ["rejected"]


def test_pattern_kinds_of_the_cli_are_the_detectors_kinds() -> None:
    from graphbench.analytics.patterns import KINDS
    from graphbench.cli.money_commands import PATTERN_KINDS

    assert PATTERN_KINDS == KINDS


def test_trace_and_patterns_json(capsys, tmp_path: Path) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_data"
    truth = json.loads((sample / "ground_truth.json").read_text(encoding="utf-8"))
    store = f"file:{tmp_path / 'ws'}"
    main(["--store", store, "load", str(sample), "--rejects", str(tmp_path / "rej"), "--quiet", "--no-resolve"])
    capsys.readouterr()
    cycle = next(p for p in truth["patterns"] if p["kind"] == "cycle")
    assert main(["--store", store, "trace", "--from", cycle["members"][0], "--hops", "6", "--json"]) == 0
    transfers = json.loads(capsys.readouterr().out)["transfers"]
    assert set(cycle["tx_ids"]) <= {t["tx_id"] for t in transfers}
    assert [t["ts"] for t in transfers] == sorted(t["ts"] for t in transfers)
    assert main(["--store", store, "patterns", "--kind", "cycle", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["patterns"]
    assert found and {p["kind"] for p in found} == {"cycle"}
    assert any(set(cycle["members"]) == set(p["members"]) for p in found)
    assert {"kind", "members", "amount", "first_ts", "last_ts"} <= set(found[0])


@pytest.mark.neo4j
def test_whole_graph_algorithms_push_down_to_gds_on_neo4j(neo4j_store, capsys, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_data"
    truth = json.loads((sample / "ground_truth.json").read_text(encoding="utf-8"))
    load_dir_args = ["--store", neo4j_store.url, "load", str(sample), "--rejects", str(tmp_path / "r"), "--quiet"]
    assert main(load_dir_args) == 0
    capsys.readouterr()
    assert main(["--store", neo4j_store.url, "communities", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["engine"].startswith("gds") and document["modularity"] > 0.5
    community_of = {m: c["id"] for c in document["communities"] for m in c["members"]}
    for ring in truth["rings"]:
        homes = [community_of.get(a) for a in ring["accounts"]]
        assert max(homes.count(h) for h in set(homes)) >= 0.8 * len(homes), ring["id"]
    assert main(["--store", neo4j_store.url, "centrality", "--top", "5", "--json"]) == 0
    nodes = json.loads(capsys.readouterr().out)["nodes"]
    assert len(nodes) == 5 and nodes[0]["betweenness"] >= nodes[-1]["betweenness"]
    assert {"id", "degree", "betweenness", "pagerank"} <= set(nodes[0])
    # the money trail on Neo4j is read hop by hop (never the whole table) and finds the planted cycle
    import graphbench.store.tables as tables_module

    def refuse(*args, **kwargs):
        raise AssertionError("trace pulled whole tables out of Neo4j")
    monkeypatch.setattr(tables_module, "read_tables", refuse)
    cycle = next(p for p in truth["patterns"] if p["kind"] == "cycle")
    assert main(["--store", neo4j_store.url, "trace", "--from", cycle["members"][0], "--hops", "6", "--json"]) == 0
    trail = json.loads(capsys.readouterr().out)
    assert set(cycle["tx_ids"]) <= {t["tx_id"] for t in trail["transfers"]} and not trail["truncated"]
