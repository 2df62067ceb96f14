"""Every export checked by its own ecosystem's validator, on the mini fixture plus a planted folder of
hostile values (tests/planted_payloads.py): GraphML by the GraphML 1.0 XML Schema, GEXF by the GEXF 1.3
RELAX NG schema (copies in tests/fixtures/schemas/), STIX by the OASIS ``stix2-validator``, FtM by the
followthemoney model (every value valid for its property's type, every required property present,
every entity reference inside the export and of the property's range). The i2 CSVs and JSON Lines
have no published validator: they must parse, with the columns / shape the docs promise, and every
reference must land on an entity of the file. No export writes a non-http(s) URL as a link."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree  # the test extra has it: a missing validator fails, never skips
from planted_payloads import BAD_URLS, GOOD_URL, write_planted

from graphbench.export import write_export
from graphbench.schema import NODE_TYPES, REL_TYPES
from graphbench.store import open_store
from graphbench.viz.safe_text import web_url
from loaders.load import load_dir

ROOT = Path(__file__).resolve().parent
SCHEMAS = ROOT / "fixtures" / "schemas"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("validators")
    store = open_store("memory:")
    load_dir(store, ROOT / "fixtures" / "mini", rejects_dir=folder / "rej-mini")
    load_dir(store, write_planted(folder / "planted"), rejects_dir=folder / "rej-planted")
    return store


def _ids(store) -> set[str]:
    return {i for label in NODE_TYPES for i in store.nodes(label)["id"]}


def _valid(schema, path: Path) -> None:
    document = etree.parse(str(path))
    assert schema.validate(document), "\n".join(str(e) for e in list(schema.error_log)[:10])


def test_graphml_is_valid_graphml_and_keeps_every_id(store, tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    write_export(store, "graphml", str(path))
    _valid(etree.XMLSchema(etree.parse(str(SCHEMAS / "graphml" / "graphml.xsd"))), path)
    graph = nx.read_graphml(path)
    assert {d["graphbench_id"] for _, d in graph.nodes(data=True)} == _ids(store)
    phone = next(n for n, d in graph.nodes(data=True) if d["graphbench_id"] == "Phone:+84912345678")
    assert phone == "Phone:_x002B_84912345678"  # "+" is not a name character: XmlConvert's escape


def test_gexf_is_valid_gexf_1_3(store, tmp_path: Path) -> None:
    path = tmp_path / "g.gexf"
    write_export(store, "gexf", str(path))
    _valid(etree.RelaxNG(etree.parse(str(SCHEMAS / "gexf-1.3" / "gexf.rng"))), path)
    graph = nx.read_gexf(path, version="1.3")
    assert set(graph.nodes) == _ids(store)


def test_an_escape_sequence_in_a_bio_still_gives_xml(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "accounts.csv").write_text("platform,handle,bio\ninstagram,ctl,red \x1b[31m bell \x07 end\n",
                                       encoding="utf-8")
    store = open_store("memory:")
    load_dir(store, data, rejects_dir=tmp_path / "rej")
    for fmt in ("graphml", "gexf"):
        write_export(store, fmt, str(tmp_path / f"g.{fmt}"))
        etree.parse(str(tmp_path / f"g.{fmt}"))  # raises on a character XML 1.0 cannot hold
    assert "red \ufffd[31m bell \ufffd end" in (tmp_path / "g.graphml").read_text(encoding="utf-8")


def _stix_results(text: str):
    """Strict: best-practice warnings fail too, except two the bundle keeps on purpose — 244, the
    platform ("instagram") as account_type although the open vocabulary lacks it, and 202, an
    indicator ``based-on`` the observable it detects (the suggestion is observed-data)."""
    from stix2validator import ValidationOptions, validate_string

    return validate_string(text, ValidationOptions(version="2.1", strict=True, disabled=["202", "244"]))


def test_stix_bundle_passes_the_oasis_validator_and_links_only_web_urls(store, tmp_path: Path) -> None:
    from graphbench.analytics.risk import score_accounts
    from graphbench.export.stix import build_bundle
    from graphbench.store.tables import read_tables

    tables = read_tables(store)
    text = build_bundle(tables, score_accounts(tables), min_score=0).serialize(indent=1)
    results = _stix_results(text)
    assert results.is_valid, [str(e) for e in results.errors][:10]
    objects = json.loads(text)["objects"]
    urls = {o["value"] for o in objects if o["type"] == "url"}
    assert GOOD_URL in urls and all(web_url(u) for u in urls)
    patterns = " ".join(o.get("pattern", "") for o in objects)
    assert not any(bad.strip().split(":")[0].lower() + ":" in patterns.lower() for bad in BAD_URLS)
    written = write_export(store, "stix", str(tmp_path / "b.json"))  # the CLI's file, whatever it holds
    assert _stix_results((tmp_path / "b.json").read_text(encoding="utf-8")).is_valid and written["objects"] >= 1


def test_ftm_entities_are_valid_for_the_followthemoney_model(store, tmp_path: Path) -> None:
    write_export(store, "ftm", str(tmp_path / "e.jsonl"))
    entities = _check_ftm(tmp_path / "e.jsonl")
    assert {"Payment", "LegalEntity", "CryptoWallet", "BankAccount", "Ownership"} <= {e["schema"] for e in entities}


def _check_ftm(path: Path) -> list[dict]:
    from followthemoney import model

    entities = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    by_id = {e["id"]: e for e in entities}
    assert len(by_id) == len(entities), "entity ids are unique"
    for data in entities:
        schema = model.get(data["schema"])
        assert schema is not None and not schema.abstract, data["schema"]
        schema.validate(data)  # raises InvalidData on a value its type rejects
        missing = [p for p in schema.required if not data["properties"].get(p)]
        assert not missing, (data["schema"], data["id"], missing)
        for name, values in data["properties"].items():
            prop = schema.get(name)
            assert prop is not None, (data["schema"], name)
            for value in values:
                assert prop.type.clean(value) is not None, (data["schema"], name, value)
                if prop.type.name == "entity":
                    target = by_id.get(value)
                    assert target is not None, (data["schema"], name, "points outside the export")
                    assert model.get(target["schema"]).is_a(prop.range), (data["schema"], name, target["schema"])
            if name == "sourceUrl":
                assert all(web_url(v) for v in values), values
    return entities


@pytest.mark.slow
def test_the_sample_exports_pass_their_validators(sample_store, tmp_path: Path) -> None:
    """The generated sample has what the fixtures lack: every place level, thousands of transfers and
    typed values of every kind. (Its STIX bundle, ~7k objects, takes stix2-validator two minutes: the
    strict check on the fixtures above stands for it.)"""
    for fmt, schema in (("graphml", etree.XMLSchema(etree.parse(str(SCHEMAS / "graphml" / "graphml.xsd")))),
                        ("gexf", etree.RelaxNG(etree.parse(str(SCHEMAS / "gexf-1.3" / "gexf.rng"))))):
        write_export(sample_store, fmt, str(tmp_path / f"g.{fmt}"))
        _valid(schema, tmp_path / f"g.{fmt}")
    write_export(sample_store, "ftm", str(tmp_path / "e.jsonl"))
    assert {"Event", "UnknownLink"} <= {e["schema"] for e in _check_ftm(tmp_path / "e.jsonl")}


def test_i2_files_parse_and_every_link_ends_on_an_entity(store, tmp_path: Path) -> None:
    from graphbench.export.i2 import ENTITY_COLUMNS, LINK_COLUMNS

    written = write_export(store, "i2", str(tmp_path / "i2"))
    with (tmp_path / "i2" / "entities.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        entities = list(reader)
        assert reader.fieldnames == ENTITY_COLUMNS
    with (tmp_path / "i2" / "links.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        links = list(reader)
        assert reader.fieldnames == LINK_COLUMNS
    assert len(entities) == written["entities"] and len(links) == written["links"]
    ids = {e["entity_id"] for e in entities}
    assert ids == _ids(store)
    assert all(link["from_id"] in ids and link["to_id"] in ids for link in links)
    assert all(e["entity_type"] in NODE_TYPES for e in entities) and all(k["link_type"] in REL_TYPES for k in links)


def test_jsonl_lines_have_the_documented_shape(store, tmp_path: Path) -> None:
    write_export(store, "jsonl", str(tmp_path / "g.jsonl"))
    lines = [json.loads(line) for line in (tmp_path / "g.jsonl").read_text(encoding="utf-8").splitlines()]
    nodes = [x for x in lines if "id" in x]
    rels = [x for x in lines if "type" in x]
    assert len(nodes) + len(rels) == len(lines)
    for node in nodes:
        assert set(node) == {"id", "labels", "properties"} and len(node["labels"]) == 1
        assert node["labels"][0] in NODE_TYPES and isinstance(node["properties"], dict)
    ids = {n["id"] for n in nodes}
    assert ids == _ids(store) and len(ids) == len(nodes)
    for rel in rels:
        assert set(rel) == {"type", "start", "end", "properties"} and rel["type"] in REL_TYPES
        assert rel["start"] in ids and rel["end"] in ids and isinstance(rel["properties"], dict)


def test_takedown_list_links_only_web_urls_and_says_why_one_is_withheld(store, tmp_path: Path) -> None:
    write_export(store, "takedown", str(tmp_path / "t.csv"))
    with (tmp_path / "t.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    planted = {r["listing_id"]: r for r in rows if r["listing_id"].startswith("EV")}
    assert set(planted) == {f"EV{n}" for n in range(len(BAD_URLS) + 1)}  # every planted listing kept its row
    for row in rows:
        assert row["url"] == "" or web_url(row["url"]), row["url"]
        assert "javascript:" not in row["url"].lower() and "data:" not in row["url"].lower()
    assert planted[f"EV{len(BAD_URLS)}"]["url"] == GOOD_URL
    assert all("url withheld: not an http(s) address" in planted[f"EV{n}"]["reason"] for n in range(len(BAD_URLS)))
