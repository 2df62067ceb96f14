"""Amounts across currencies, with hand-computed answers: conversion at each transfer's date, user rates
overriding the packaged ECB table, currencies with no rate never converted nor summed, flows per currency,
the trace tolerance in the base currency, the fx_rates load (rejects and warnings) and its round trip on
both stores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphbench.analytics.flows import aggregate_flows, in_base
from graphbench.analytics.fx import FxRates, packaged_rates, per_currency, to_base
from graphbench.analytics.trace import TransferIndex, trace
from graphbench.errors import GraphbenchError
from graphbench.fx_source import rates_in_effect, read_rates_file, store_rates
from graphbench.store import open_store
from loaders.load import load_dir

# one US dollar buys 0.8 EUR, 0.5 GBP (no date: always), 100 JPY until June 2024 and 200 JPY after
RATES = FxRates.from_frame(pd.DataFrame({
    "currency": ["EUR", "GBP", "JPY", "JPY"], "per_usd": [0.8, 0.5, 100.0, 200.0],
    "date": ["2024-01-01", None, "2024-01-01", "2024-06-01"]}), sources=("test rates",))

# a 4-hop chain that changes currency at every hop and keeps ~1,000 USD all along
CHAIN = pd.DataFrame({
    "start": ["PaymentChannel:iban:a", "PaymentChannel:iban:b", "PaymentChannel:iban:c", "PaymentChannel:iban:d"],
    "end": ["PaymentChannel:iban:b", "PaymentChannel:iban:c", "PaymentChannel:iban:d", "PaymentChannel:iban:e"],
    "tx_id": ["T1", "T2", "T3", "T4"],
    "amount": [1000.0, 800.0, 500.0, 196_000.0],
    "currency": ["USD", "EUR", "GBP", "JPY"],
    "ts": ["2024-05-01T10:00:00Z", "2024-05-02T10:00:00Z", "2024-05-03T10:00:00Z", "2024-06-03T10:00:00Z"],
})


def test_three_currency_chain_in_a_base_currency_by_hand() -> None:
    # in EUR: 1000 USD × 0.8 = 800; 800 EUR = 800; 500 GBP / 0.5 × 0.8 = 800; 196,000 JPY at the June
    # rate (200) = 980 USD × 0.8 = 784 (at May's 100 it would have been 1,568)
    converted = to_base(CHAIN["amount"], CHAIN["currency"], CHAIN["ts"], "EUR", RATES)
    assert converted.amount.tolist() == pytest.approx([800.0, 800.0, 800.0, 784.0])
    assert converted.unknown == {} and converted.missing == 0
    index = TransferIndex.from_frame(CHAIN, "GBP", RATES)
    assert index.amount.tolist() == pytest.approx([500.0, 500.0, 500.0, 490.0])
    assert index.amount_orig.tolist() == [1000.0, 800.0, 500.0, 196_000.0]
    assert index.fx.base == "GBP" and "test rates" in index.fx.label


def test_packaged_table_is_the_ecbs() -> None:
    rates = packaged_rates()
    # the ECB's first fixing, 4 January 1999: 1 EUR = 1.1789 USD, so 1 USD = 0.848248 EUR
    assert rates.per_usd("EUR", np.array([pd.Timestamp("1999-01-10", tz="UTC").value // 10**9]))[0] == pytest.approx(
        1 / 1.1789, rel=1e-5)
    assert {"EUR", "GBP", "JPY", "CNY", "CHF"} <= set(rates.currencies)
    assert not {"VND", "NGN", "KES", "GHS", "BTC", "USDT"} & set(rates.currencies)
    assert "ECB" in rates.label("USD") and "1999-01-04" in rates.label("USD")


def test_user_rates_replace_the_packaged_rates_of_a_currency(tmp_path: Path) -> None:
    (tmp_path / "fx_rates.csv").write_text("currency,per_usd,date\nEUR,0.5,\nVND,25000,2024-01-01\n", encoding="utf-8")
    rates = rates_in_effect(fx_file=tmp_path / "fx_rates.csv")
    when = np.array([pd.Timestamp("2019-03-01", tz="UTC").value // 10**9])
    assert rates.per_usd("EUR", when)[0] == 0.5  # the user's undated rate, not the ECB's 2019 one
    assert rates.per_usd("VND", when)[0] == 25_000  # before its first rate: the first one
    assert rates.per_usd("GBP", when)[0] == packaged_rates().per_usd("GBP", when)[0]  # untouched
    assert "EUR, VND" in rates.label("USD") and "fx_rates.csv" in rates.label("USD")
    converted = to_base([100.0, 50_000.0], ["EUR", "VND"], ["2019-03-01", "2024-02-01"], "USD", rates)
    assert converted.amount.tolist() == pytest.approx([200.0, 2.0])


def test_unknown_currency_is_never_converted_nor_summed() -> None:
    table = CHAIN.assign(currency=["USD", "EUR", "KES", None])
    converted = to_base(table["amount"], table["currency"], table["ts"], "USD", RATES)
    assert np.isnan(converted.amount[2])  # never 1:1
    assert converted.amount[3] == 196_000.0  # no currency: taken as the base currency, and counted
    assert converted.unknown == {"KES": 1} and converted.missing == 1
    assert any("KES" in note for note in converted.notes())
    strict = to_base(table["amount"], table["currency"], table["ts"], "USD", RATES, missing_currency=None)
    assert strict.unknown == {"KES": 1, "(none)": 1} and np.isnan(strict.amount[3])
    with pytest.raises(GraphbenchError, match="base currency KES"):
        to_base([1.0], ["USD"], ["2024-01-01"], "KES", RATES)
    # the trace totals keep KES apart, with no base amount
    result = trace(TransferIndex.from_frame(table, "USD", RATES), "PaymentChannel:iban:a", hops=4)
    kes = result.totals[result.totals["currency"] == "KES"].set_index("node")
    assert kes["sent"].to_dict() == {"PaymentChannel:iban:c": 500.0, "PaymentChannel:iban:d": 0.0}
    assert kes["received"].to_dict() == {"PaymentChannel:iban:c": 0.0, "PaymentChannel:iban:d": 500.0}
    assert kes["sent_base"].isna().all() and kes["received_base"].isna().all()
    assert result.to_dict()["fx"]["unconverted"] == {"KES": 1}
    document = json.loads(json.dumps(result.to_dict(), allow_nan=False))  # no NaN in the JSON: null
    assert [t["amount"] for t in document["transfers"] if t["currency"] == "KES"] == [None]


def test_mixed_currency_flows_never_add_currencies() -> None:
    groups = {"PaymentChannel:iban:a": "x", "PaymentChannel:iban:b": "y", "PaymentChannel:iban:c": "x",
              "PaymentChannel:iban:d": "y", "PaymentChannel:iban:e": "x"}
    table = CHAIN.assign(currency=["USD", "EUR", "KES", "EUR"], amount=[1000.0, 800.0, 500.0, 400.0])
    flows = aggregate_flows(table, groups, base_currency="USD", rates=RATES)
    rows = {(r.source, r.target, r.currency): (r.amount, r.amount_base, r.count)
            for r in flows.between.itertuples(index=False)}
    # x→y: 1000 USD and 500 KES stay two rows; y→x: 800 + 400 EUR = 1200 EUR = 1500 USD
    assert set(rows) == {("x", "y", "USD"), ("x", "y", "KES"), ("y", "x", "EUR")}
    assert rows[("x", "y", "USD")] == (1000.0, 1000.0, 1)
    assert rows[("x", "y", "KES")][0] == 500.0 and np.isnan(rows[("x", "y", "KES")][1])
    assert rows[("y", "x", "EUR")] == (1200.0, 1500.0, 2)
    pairs = in_base(flows.between).set_index(["source", "target"])
    assert pairs.loc[("y", "x"), "amount_base"] == 1500.0
    assert pairs.loc[("x", "y"), "amount_base"] == 1000.0 and pairs.loc[("x", "y"), "unconverted"] == 1
    totals = per_currency(table["amount"], table["currency"]).set_index("currency")["amount"].to_dict()
    assert totals == {"EUR": 1200.0, "USD": 1000.0, "KES": 500.0}


def test_trace_tolerance_compares_base_amounts() -> None:
    # as written 1000 → 800 → 500 is a 20 % and a 37 % drop; in USD the chain holds 1,000 to the JPY hop
    index = TransferIndex.from_frame(CHAIN, "USD", RATES)
    followed = trace(index, "PaymentChannel:iban:a", hops=4, amount_tolerance=0.05)
    assert followed.transfers["tx_id"].tolist() == ["T1", "T2", "T3", "T4"]  # 980 is within 5 % of 1,000
    assert followed.transfers["amount_orig"].tolist() == [1000.0, 800.0, 500.0, 196_000.0]
    assert followed.transfers["amount"].tolist() == pytest.approx([1000.0, 1000.0, 1000.0, 980.0])
    tight = trace(index, "PaymentChannel:iban:a", hops=4, amount_tolerance=0.01)
    assert tight.transfers["tx_id"].tolist() == ["T1", "T2", "T3"]  # 980 is 2 % off
    raw = trace(TransferIndex.from_frame(CHAIN.assign(currency="USD"), "USD", RATES), "PaymentChannel:iban:a",
                hops=4, amount_tolerance=0.05)
    assert raw.transfers["tx_id"].tolist() == ["T1"]  # the same numbers read as one currency stop at once


FX_FILE = ("currency,per_usd,date\n"
           "EUR,0.5,2024-01-01\n"        # row 1: good
           "Euro-ish,0.9,2024-01-01\n"   # row 2: unknown currency → rejected
           "GBP,-1,2024-01-01\n"         # row 3: not a positive rate → rejected
           "JPY,150,someday\n"           # row 4: bad optional date → warning, loads undated
           "USD,2,\n")                   # row 5: USD is the reference → rejected


def _fx_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "fx_rates.csv").write_text(FX_FILE, encoding="utf-8")
    return folder


def test_load_json_of_fx_rates_rejects_and_warns(capsys, tmp_path: Path) -> None:
    from graphbench.cli import main

    folder = _fx_folder(tmp_path)
    assert main(["--store", f"file:{tmp_path / 'ws'}", "load", str(folder), "--rejects", str(tmp_path / "rej"),
                 "--json", "--no-resolve"]) == 0
    report = json.loads(capsys.readouterr().out)["files"]["fx_rates.csv"]
    assert (report["rows"], report["loaded"], report["rejected"]) == (5, 2, 3)
    rejects = pd.read_csv(tmp_path / "rej" / "fx_rates.csv.rejects.csv", dtype=str)
    assert set(zip(rejects["file"], rejects["row"].astype(int), rejects["field"], strict=True)) == {
        ("fx_rates.csv", 2, "currency"), ("fx_rates.csv", 3, "per_usd"), ("fx_rates.csv", 5, "per_usd")}
    assert report["warnings"] == 1
    warnings = pd.read_csv(tmp_path / "rej" / "fx_rates.csv.warnings.csv", dtype=str)
    assert warnings[["row", "field", "value"]].values.tolist() == [["4", "date", "someday"]]


def test_fx_rates_file_named_on_the_command_line_is_checked(tmp_path: Path) -> None:
    (tmp_path / "fx.csv").write_text("currency,per_usd\nEUR,abc\n", encoding="utf-8")
    with pytest.raises(GraphbenchError, match=r"fx\.csv, row 1, field per_usd"):
        read_rates_file(tmp_path / "fx.csv")


def _round_trip(store, folder: Path, tmp_path: Path) -> None:
    load_dir(store, folder, rejects_dir=tmp_path / "rej", resolve=False)
    kept = store_rates(store).sort_values("currency").reset_index(drop=True)
    assert kept["currency"].tolist() == ["EUR", "JPY"]
    assert kept["per_usd"].tolist() == [0.5, 150.0]
    assert kept["date"].tolist()[0] == "2024-01-01" and pd.isna(kept["date"].tolist()[1])
    rates = rates_in_effect(store)
    at = np.array([pd.Timestamp("2025-01-01", tz="UTC").value // 10**9])
    assert rates.per_usd("EUR", at)[0] == 0.5 and rates.per_usd("JPY", at)[0] == 150.0
    load_dir(store, folder, rejects_dir=tmp_path / "rej", resolve=False)  # the same file again changes nothing
    assert len(store_rates(store)) == 2


def test_fx_rates_round_trip_on_the_embedded_store(tmp_path: Path) -> None:
    store = open_store(f"file:{tmp_path / 'ws'}")
    _round_trip(store, _fx_folder(tmp_path), tmp_path)
    store.close()
    reopened = open_store(f"file:{tmp_path / 'ws'}")  # persisted, not only in memory
    assert sorted(store_rates(reopened)["currency"]) == ["EUR", "JPY"]


@pytest.mark.neo4j
def test_fx_rates_round_trip_on_neo4j(neo4j_store, tmp_path: Path) -> None:
    _round_trip(neo4j_store, _fx_folder(tmp_path), tmp_path)


CHAIN_CSV = """tx_id,timestamp,from_type,from_id,to_type,to_id,amount,currency,reference
T1,2024-05-01T10:00:00Z,paypal,a@x.example,paypal,b@x.example,1000,USD,
T2,2024-05-02T10:00:00Z,paypal,b@x.example,paypal,c@x.example,800,EUR,
T3,2024-05-03T10:00:00Z,paypal,c@x.example,paypal,d@x.example,500,GBP,
T4,2024-06-03T10:00:00Z,paypal,d@x.example,paypal,e@x.example,196000,JPY,
"""
CHAIN_RATES = "currency,per_usd,date\nEUR,0.8,2024-01-01\nGBP,0.5,\nJPY,100,2024-01-01\nJPY,200,2024-06-01\n"


def test_cli_trace_and_patterns_in_a_base_currency(capsys, tmp_path: Path) -> None:
    from graphbench.cli import main

    folder = tmp_path / "chain"
    folder.mkdir()
    (folder / "transactions.csv").write_text(CHAIN_CSV, encoding="utf-8")
    (folder / "fx_rates.csv").write_text(CHAIN_RATES, encoding="utf-8")
    store = f"file:{tmp_path / 'ws'}"
    assert main(["--store", store, "load", str(folder), "--rejects", str(tmp_path / "rej"), "--quiet"]) == 0
    capsys.readouterr()

    def trace_json(*extra: str) -> dict:
        assert main(["--store", store, "trace", "--from", "PaymentChannel:paypal:a@x.example", "--hops", "4",
                     "--tolerance", "0.05", "--json", *extra]) == 0
        return json.loads(capsys.readouterr().out)

    in_usd = trace_json()  # the loaded rates: the chain keeps ~1,000 USD at every hop
    assert [t["amount"] for t in in_usd["transfers"]] == pytest.approx([1000.0, 1000.0, 1000.0, 980.0])
    assert [t["amount_orig"] for t in in_usd["transfers"]] == [1000.0, 800.0, 500.0, 196_000.0]
    assert in_usd["fx"]["base_currency"] == "USD"
    in_eur = trace_json("--base-currency", "eur")
    assert [t["amount"] for t in in_eur["transfers"]] == pytest.approx([800.0, 800.0, 800.0, 784.0])
    # a file on the command line overrides the loaded rates: at 0.4 EUR per USD, 800 EUR is 2,000 USD
    (tmp_path / "override.csv").write_text("currency,per_usd\nEUR,0.4\n", encoding="utf-8")
    overridden = trace_json("--fx-rates", str(tmp_path / "override.csv"))
    assert [t["tx_id"] for t in overridden["transfers"]] == ["T1"]
    assert main(["--store", store, "trace", "--from", "PaymentChannel:paypal:a@x.example", "--base-currency", "XYZ",
                 "--json"]) == 2  # one sentence, not a traceback
    assert "base currency XYZ" in capsys.readouterr().err
    assert main(["--store", store, "patterns", "--json", "--base-currency", "EUR"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["fx"]["base_currency"] == "EUR" and document["fx"]["unconverted"] == {}


def test_packaged_table_is_what_the_script_derives_from_the_ecb_history() -> None:
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "scripts" / "make_fx_rates.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_currency_the_loader_cannot_name_is_kept_and_never_taken_as_the_base(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "transactions.csv").write_text(
        "tx_id,timestamp,from_type,from_id,to_type,to_id,amount,currency\n"
        "T1,2024-05-01T10:00:00Z,paypal,a@x.example,paypal,b@x.example,1000,xmr\n", encoding="utf-8")
    store = open_store("memory:")
    report = load_dir(store, folder, rejects_dir=tmp_path / "rej", resolve=False)
    assert report.files[0].loaded == 1  # an optional field: the row stays
    transfers = store.relationships("TRANSFERRED")
    assert transfers["currency"].tolist() == ["XMR"]
    index = TransferIndex.from_frame(transfers)
    assert np.isnan(index.amount[0]) and index.amount_orig[0] == 1000.0 and index.fx.unknown == {"XMR": 1}


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_base_amounts_do_not_depend_on_row_order(rnd) -> None:
    rows = list(range(len(CHAIN)))
    rnd.shuffle(rows)
    rate_rows = list(range(len(RATES.table)))
    rnd.shuffle(rate_rows)
    shuffled_rates = FxRates.from_frame(RATES.table.iloc[rate_rows])
    index = TransferIndex.from_frame(CHAIN.iloc[rows], "EUR", shuffled_rates)
    by_tx = dict(zip(index.tx_id, index.amount, strict=True))
    assert [by_tx[t] for t in ["T1", "T2", "T3", "T4"]] == pytest.approx([800.0, 800.0, 800.0, 784.0])
