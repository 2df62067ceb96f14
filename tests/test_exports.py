"""Exchange formats open in the tools investigators use: GraphML / GEXF round trips, FtM entities
valid against the FtM model, a STIX bundle that parses, i2 CSVs with their documented columns, and
no spreadsheet formula survives in a CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest

from graphbench.export import write_export
from graphbench.export.csv_safety import neutralise
from graphbench.export.i2 import ENTITY_COLUMNS, LINK_COLUMNS
from graphbench.store import open_store
from loaders.load import load_dir

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def mini_store(tmp_path_factory):
    store = open_store("memory:")
    load_dir(store, MINI, rejects_dir=tmp_path_factory.mktemp("rej"))
    return store


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_graph_files_round_trip(mini_store, tmp_path: Path, fmt: str, reader) -> None:
    stats = mini_store.stats()
    written = write_export(mini_store, fmt, str(tmp_path / f"g.{fmt}"))
    graph = reader(tmp_path / f"g.{fmt}")
    assert graph.number_of_nodes() == written["nodes"] == sum(stats["nodes"].values())
    assert graph.number_of_edges() == written["edges"] == sum(stats["relationships"].values())
    account = graph.nodes["Account:instagram:reptile.house"]
    assert account["label"] == "Account" and account["followers"] == 1500  # typed: a number
    transfer = next(d for _, _, d in graph.edges(data=True) if d.get("tx_id") == "T1")
    assert transfer["amount"] == pytest.approx(150.0) and transfer["relationship"] == "TRANSFERRED"


def test_ftm_entities_validate(mini_store, tmp_path: Path) -> None:
    from followthemoney import model

    write_export(mini_store, "ftm", str(tmp_path / "e.jsonl"))
    entities = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text(encoding="utf-8").splitlines()]
    schemata = {e["schema"] for e in entities}
    assert {"UserAccount", "Article", "BankAccount", "CryptoWallet", "Payment", "Event"} <= schemata
    for data in entities:
        proxy = model.get_proxy(data)  # raises on an unknown schema or property
        assert proxy.schema.name == data["schema"]
        for prop, values in data["properties"].items():
            assert proxy.schema.get(prop) is not None, (data["schema"], prop)
            assert values
    payment = next(e for e in entities if e["schema"] == "Payment" and "T1" in e["properties"]["transactionNumber"])
    ids = {e["id"] for e in entities}
    assert set(payment["properties"]["payerAccount"]) <= ids


def test_stix_bundle_parses_and_names_the_risky_seller(mini_store, tmp_path: Path) -> None:
    import stix2

    from graphbench.analytics.risk import score_accounts
    from graphbench.export.stix import build_bundle
    from graphbench.store.tables import read_tables

    tables = read_tables(mini_store)
    scores = score_accounts(tables)
    bundle = build_bundle(tables, scores, min_score=1)
    parsed = stix2.parse(bundle.serialize(), allow_custom=True)
    types = {o["type"] for o in parsed.objects}
    assert {"identity", "user-account", "indicator", "relationship", "report", "url"} <= types
    logins = {o["account_login"] for o in parsed.objects if o["type"] == "user-account"}
    assert set(scores["id"].str.split(":").str[2]) <= logins
    for indicator in (o for o in parsed.objects if o["type"] == "indicator"):
        assert indicator["pattern"].startswith("[")


def test_i2_files_have_the_documented_columns(mini_store, tmp_path: Path) -> None:
    write_export(mini_store, "i2", str(tmp_path / "i2"))
    with (tmp_path / "i2" / "entities.csv").open(encoding="utf-8") as handle:
        entities = list(csv.DictReader(handle))
    with (tmp_path / "i2" / "links.csv").open(encoding="utf-8") as handle:
        links = list(csv.DictReader(handle))
    assert list(entities[0]) == ENTITY_COLUMNS and list(links[0]) == LINK_COLUMNS
    assert any(e["entity_id"] == "PaymentChannel:iban:DE89370400440532013000" for e in entities)
    assert any(link["link_type"] == "TRANSFERRED" and link["amount"] == "150.0" for link in links)


def test_formula_injection_is_neutralised(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "accounts.csv").write_text(
        'platform,handle,display_name,bio\ninstagram,evil,"=HYPERLINK(""http://x.example"",""click"")","+1 call @me"\n',
        encoding="utf-8")
    (data / "listings.csv").write_text(
        "platform,listing_id,handle,title,url\ninstagram,L1,evil,=cmd|' /C calc'!A0 white plastic bangle,@SUM(1)\n",
        encoding="utf-8")
    store = open_store("memory:")
    load_dir(store, data, rejects_dir=tmp_path / "rej")
    write_export(store, "i2", str(tmp_path / "i2"))
    write_export(store, "takedown", str(tmp_path / "takedown.csv"))
    for path in (tmp_path / "i2" / "entities.csv", tmp_path / "takedown.csv"):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for value in row.values():
                    assert not value.startswith(("=", "+", "-", "@")), (path.name, value)
    assert neutralise("=1+1") == "'=1+1" and neutralise("plain") == "plain" and neutralise(5) == 5


def test_takedown_list_names_the_ivory_listing(mini_store, tmp_path: Path) -> None:
    write_export(mini_store, "takedown", str(tmp_path / "t.csv"))
    with (tmp_path / "t.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["platform", "url", "listing_id", "account", "reason", "risk_score"]
    ivory = next(r for r in rows if r["listing_id"] == "TG002")
    assert "code word 'white plastic'" in ivory["reason"] and "Appendix I" in ivory["reason"]


def test_stix_file_parses(mini_store, tmp_path: Path) -> None:
    import stix2

    written = write_export(mini_store, "stix", str(tmp_path / "b.json"))
    parsed = stix2.parse((tmp_path / "b.json").read_text(encoding="utf-8"), allow_custom=True)
    assert len(parsed.objects) == written["objects"] and parsed.type == "bundle"
