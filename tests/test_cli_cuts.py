"""The command line says what it left out, and a mistyped ``file:`` store is an error, not an empty graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphbench.cli import main

PAIRS = 45  # 45 two-account rings: more than the 40 communities the table prints
FAN = 70  # one payer to 70 channels: more than the 60 transfers the trace prints


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    """Accounts in pairs that share a phone (one community each), and one channel paying 70 others."""
    folder = tmp_path_factory.mktemp("cuts")
    rows = ["platform,handle,phone"]
    for pair in range(PAIRS):
        phone = f"+4420795{pair:05d}"
        rows += [f"instagram,ring{pair}a,{phone}", f"facebook,ring{pair}b,{phone}"]
    (folder / "accounts.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    tx = ["tx_id,timestamp,from_type,from_id,to_type,to_id,amount,currency"]
    tx += [f"T{i},2024-05-{1 + i % 28:02d}T10:00:00Z,paypal,payer@x.example,paypal,shop{i}@x.example,{100 + i},USD"
           for i in range(FAN)]
    (folder / "transactions.csv").write_text("\n".join(tx) + "\n", encoding="utf-8")
    url = f"file:{folder / 'ws'}"
    assert main(["--store", url, "load", str(folder), "--rejects", str(folder / "rej"), "--quiet"]) == 0
    return url


def test_communities_say_how_many_were_left_out(capsys, store: str) -> None:
    code, out, _ = run(capsys, "--store", store, "communities", "--engine", "louvain")
    assert code == 0
    assert out.strip().splitlines()[-1] == f"40 of {PAIRS} communities; --all or --json for the rest"
    code, out, _ = run(capsys, "--store", store, "communities", "--engine", "louvain", "--all")
    assert sum(line.lstrip().startswith("#") for line in out.splitlines()) == PAIRS
    assert " of " not in out.strip().splitlines()[-1]
    code, out, _ = run(capsys, "--store", store, "communities", "--engine", "louvain", "--json")
    assert len(json.loads(out)["communities"]) == PAIRS  # --json always has them all


def test_trace_says_how_many_transfers_were_left_out(capsys, store: str) -> None:
    code, out, _ = run(capsys, "--store", store, "trace", "--from", "PaymentChannel:paypal:payer@x.example",
                       "--hops", "1")
    assert code == 0
    lines = out.strip().splitlines()
    assert sum(line.lstrip().startswith("hop ") for line in lines) == 60
    assert lines[-1] == f"60 of {FAN} transfers; --all or --json for the rest"
    code, out, _ = run(capsys, "--store", store, "trace", "--from", "PaymentChannel:paypal:payer@x.example",
                       "--hops", "1", "--all")
    assert sum(line.lstrip().startswith("hop ") for line in out.splitlines()) == FAN
    assert "--all" not in out


def test_risk_says_how_many_accounts_were_left_out(capsys, store: str) -> None:
    code, out, _ = run(capsys, "--store", store, "risk", "--top", "5")
    assert code == 0
    assert out.strip().splitlines()[-1] == f"5 of {2 * PAIRS} accounts; --top N or --all for more"
    code, out, _ = run(capsys, "--store", store, "risk", "--all", "--json")
    assert len(json.loads(out)["accounts"]) == 2 * PAIRS


@pytest.mark.parametrize("argv", [
    ["stats"], ["communities"], ["trace", "--from", "Account:x:y"], ["risk"], ["report"], ["patterns"],
    ["export", "--format", "jsonl"], ["query", "transfers_out", "--param", "channel=PaymentChannel:a:b"],
    ["verify"], ["resolve"], ["app"],
])
def test_a_file_store_that_does_not_exist_is_an_error(capsys, tmp_path: Path, argv: list[str]) -> None:
    missing = tmp_path / "typo"
    code, out, err = run(capsys, "--store", f"file:{missing}", *argv)
    assert code == 2 and out == ""
    assert f"there is no store at file:{missing}" in err and len(err.strip().splitlines()) == 1
    assert not missing.exists()  # and nothing was created under the typo


def test_the_app_on_a_missing_store_says_how_to_start_a_new_one(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "--store", f"file:{tmp_path / 'new'}", "app")
    assert code == 2 and f"graphbench --store file:{tmp_path / 'new'} app --create" in err


def test_load_creates_a_file_store(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "accounts.csv").write_text("platform,handle\ninstagram,a\n", encoding="utf-8")
    code, _, err = run(capsys, "--store", f"file:{tmp_path / 'new'}", "load", str(folder),
                       "--rejects", str(tmp_path / "rej"), "--quiet")
    assert code == 0, err
    assert (tmp_path / "new").is_dir()
