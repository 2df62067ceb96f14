"""The sample-data generator loaded as a module, its outputs written once per session module, and the
readers both sample-data test files use (fixtures registered as a pytest plugin in conftest)."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphbench import normalize
from graphbench.schema import node_id

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "sample_data"
DATA_FILES = ("accounts.csv", "listings.jsonl", "transactions.csv", "payment_links.csv", "shipments.csv")
OUTPUT_FILES = (*DATA_FILES, "ground_truth.json", "README.md")
GROUND_TRUTH_KEYS = ["seed", "scale", "rings", "operators", "influencers", "cross_post_groups", "mentions",
                     "negative_listings", "patterns", "popular_identifiers", "malformed_rows", "counts"]
PATTERN_KINDS = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter", "stack", "structuring")
REQUIRED = {
    "accounts.csv": ("platform", "handle"),
    "listings.jsonl": ("platform", "listing_id", "handle"),
    "transactions.csv": ("tx_id", "timestamp", "from_type", "from_id", "to_type", "to_id", "amount"),
    "payment_links.csv": ("platform", "handle", "channel_type", "channel_id"),
    "shipments.csv": ("shipper", "tracking_no"),
}
SMALL_SCALE = 0.3


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("sample_data_generate", SAMPLE_DIR / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator() -> Any:
    return load_generator()


@pytest.fixture(scope="module")
def small(generator: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_small")
    generator.generate(out, seed=11, scale=SMALL_SCALE)
    return out


@pytest.fixture(scope="module")
def full(generator: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample_full")
    generator.generate(out, seed=7, scale=1)
    return out


# --- reading the files back the way a loader would -------------------------------------------

def read_rows(directory: Path, name: str) -> list[dict[str, Any]]:
    with open(directory / name, encoding="utf-8", newline="") as f:
        if name.endswith(".jsonl"):
            return [json.loads(line) for line in f]
        return list(csv.DictReader(f))


def text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def check_channel(row: dict[str, Any], type_key: str, id_key: str) -> list[tuple[str, Callable[[], Any]]]:
    return [(type_key, lambda: normalize.channel_type(text(row, type_key))),
            (id_key, lambda: normalize.channel_id(normalize.channel_type(text(row, type_key)), text(row, id_key)))]


def checks_for(name: str, row: dict[str, Any]) -> list[tuple[str, Callable[[], Any]]]:
    """(field, validation) pairs in the order a loader checks them; optional empty fields are skipped."""
    def optional(key: str, parse: Callable[[str], Any]) -> tuple[str, Callable[[], Any]]:
        return key, lambda: parse(text(row, key)) if text(row, key) else None

    if name == "accounts.csv":
        return [("platform", lambda: normalize.platform(text(row, "platform"))),
                ("handle", lambda: normalize.handle(text(row, "handle"))),
                optional("phone", normalize.phone), optional("email", normalize.email),
                optional("followers", normalize.amount), optional("created_at", normalize.timestamp),
                optional("captured_at", normalize.timestamp)]
    if name == "listings.jsonl":
        return [("platform", lambda: normalize.platform(text(row, "platform"))),
                ("listing_id", lambda: normalize.listing_id(text(row, "listing_id"))),
                ("handle", lambda: normalize.handle(text(row, "handle"))),
                optional("posted_at", normalize.timestamp), optional("price", normalize.amount),
                optional("currency", normalize.currency), optional("captured_at", normalize.timestamp)]
    if name == "transactions.csv":
        return [("tx_id", lambda: text(row, "tx_id") or normalize.listing_id("")),
                ("timestamp", lambda: normalize.timestamp(text(row, "timestamp"))),
                *check_channel(row, "from_type", "from_id"), *check_channel(row, "to_type", "to_id"),
                ("amount", lambda: normalize.amount(text(row, "amount"))),
                optional("currency", normalize.currency)]
    if name == "payment_links.csv":
        return [("platform", lambda: normalize.platform(text(row, "platform"))),
                ("handle", lambda: normalize.handle(text(row, "handle"))),
                *check_channel(row, "channel_type", "channel_id")]
    return [("shipper", lambda: normalize.shipper(text(row, "shipper"))),
            ("tracking_no", lambda: normalize.tracking_no(text(row, "tracking_no"))),
            optional("origin_country", normalize.country), optional("destination_country", normalize.country),
            optional("weight_kg", normalize.amount), optional("shipped_at", normalize.timestamp)]


def first_error(name: str, row: dict[str, Any]) -> str | None:
    """The field of the first failed check, or None if the row is valid."""
    for field, check in checks_for(name, row):
        if field in REQUIRED[name] and not text(row, field):
            return field
        try:
            check()
        except ValueError:
            return field
    return None


def valid_rows(directory: Path, name: str) -> list[dict[str, Any]]:
    truth = json.loads((directory / "ground_truth.json").read_text(encoding="utf-8"))
    bad = {m["row"] for m in truth["malformed_rows"] if m["file"] == name}
    return [row for i, row in enumerate(read_rows(directory, name), start=1) if i not in bad]


def account_node(platform: str, handle: str) -> str:
    return node_id("Account", normalize.platform(platform), normalize.handle(handle))


def channel_node(ctype: str, raw: str) -> str:
    kind = normalize.channel_type(ctype)
    return node_id("PaymentChannel", kind, normalize.channel_id(kind, raw))


def truth_of(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "ground_truth.json").read_text(encoding="utf-8"))


def transactions_by_id(directory: Path) -> dict[str, dict[str, Any]]:
    return {row["tx_id"]: row for row in valid_rows(directory, "transactions.csv")}


# --- determinism -------------------------------------------------------------------------------


@pytest.fixture(params=["small", "full"])
def sample(request: pytest.FixtureRequest) -> Path:
    return request.getfixturevalue(request.param)
