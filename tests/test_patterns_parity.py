"""`graphbench patterns --json` gives the same document on the embedded store and on Neo4j.

Over the sample data and over a generated set (benchmarks/typology_generator.py, fifteen
currencies with its fx_rates file), each loaded the way a user loads it into both stores. Run with
the team's lock: ``flock /tmp/team/neo4j.lock .venv/bin/python -m pytest tests/test_patterns_parity.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from graphbench.cli import main

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from typology_generator import generate  # noqa: E402

pytestmark = pytest.mark.neo4j


def _patterns_document(url: str, folder: Path, rejects: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["--store", url, "load", str(folder), "--rejects", str(rejects), "--quiet", "--no-resolve"]) == 0
    capsys.readouterr()
    assert main(["--store", url, "patterns", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("data", ["sample", "generated"])
def test_patterns_json_is_the_same_on_both_stores(data: str, neo4j_store, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    if data == "sample":
        folder = ROOT / "sample_data"
        if not (folder / "transactions.csv").exists():
            pytest.skip("sample_data is not generated yet")
    else:
        folder = generate("tiny", seed=3, currencies=15).write(tmp_path / "generated")
    embedded = _patterns_document(f"file:{tmp_path / 'ws'}", folder, tmp_path / "rejects-embedded", capsys)
    on_neo4j = _patterns_document(neo4j_store.url, folder, tmp_path / "rejects-neo4j", capsys)
    assert embedded["patterns"], "no pattern at all: the comparison would prove nothing"
    kinds = {p["kind"] for p in embedded["patterns"]}
    assert {"fan_in", "fan_out", "cycle"} <= kinds
    assert on_neo4j == embedded
