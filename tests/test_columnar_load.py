"""Column-wise ingest of transactions (loaders/columnar*.py) against the row-by-row reference: the same
graph, the same report, the same rejects and warnings, on a file full of the rows that make a parser
stumble; and a file pyarrow cannot parse falls back to the row reader with the same answer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphbench.export.jsonl import generate_jsonl
from graphbench.store import open_store
from loaders import columnar as columnar_module
from loaders import columnar_load, columnar_stage
from loaders.load import load_dir

HEADER = "tx_id,timestamp,from_type,from_id,to_type,to_id,amount,currency,reference\n"
ROWS = [
    'T1,2024-01-01T08:00:00Z,paypal,Buyer@Mail.example,paypal,seller@shop.example,10.50,USD,order 1\n',
    'T2,2024-01-02T08:00:00Z,PayPal, buyer@mail.example ,paypal,seller@shop.example,"1,250.00",usd,"a, quoted ""ref"""\n',
    'T3,1704182400,wechat,WX_Seller,alipay,AliBuyer,12.5,EUR,back\\slash é ü\n',  # epoch seconds
    'T4,2024-01-03 09:30,iban,de89 3704 0044 0532 0130 00,paypal,seller@shop.example,"12,50",€,\n',
    'T5,2024-01-04T08:00:00Z,paypal,buyer@mail.example,paypal,seller@shop.example,5,XYZ,unknown currency\n',
    'T6,2024-01-05T08:00:00Z,pigeon,buyer@mail.example,paypal,seller@shop.example,5,USD,bad channel type\n',
    'T7,2024-01-06T08:00:00Z,paypal,not-an-email,paypal,seller@shop.example,5,USD,bad paypal id\n',
    ',2024-01-07T08:00:00Z,paypal,buyer@mail.example,paypal,seller@shop.example,5,USD,no tx id\n',
    'T9,someday,paypal,buyer@mail.example,paypal,seller@shop.example,5,USD,bad date\n',
    'T10,2024-02-30T08:00:00Z,paypal,buyer@mail.example,paypal,seller@shop.example,5,USD,no such day\n',
    'T11,2024-01-08T08:00:00Z,paypal,buyer@mail.example,paypal,seller@shop.example,lots,USD,bad amount\n',
    'T12,2024-01-09T08:00:00Z,paypal,buyer@mail.example,paypal,buyer@mail.example,7,USD,to itself\n',
    ',,,,,,,,\n',  # blank record: not a row
    'T13,2024-01-10T08:00:00Z,paypal,buyer@mail.example,paypal,seller@shop.example,8,USD,"two\nlines"\n',
    'T14,2024-01-11T08:00:00Z,paypal,buyer@mail.example,paypal,seller@shop.example,9,USD,tab\there\n',
    'T15,2024-01-12T08:00:00Z,paypal,buyer@mail.example,paypal,seller@shop.example,9,USD,nul\x00byte\n',
    'T16,2024-01-13T08:00:00Z,paypal,buyer@mail.example,paypal,seller@shop.example,\u00a09,USD,no-break space\n',
    'T1,2023-12-31T08:00:00Z,paypal,buyer@mail.example,paypal,seller@shop.example,99,GBP,older copy of T1\n',
    'T17,1989-12-31T08:00:00Z,paypal,buyer@mail.example,paypal,seller@shop.example,1,USD,too early\n',
    'T18,2024-01-14T08:00:00Z,eth,0xABCDEFabcdef0123456789abcdef0123456789ab,btc,bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh,-3.5,ETH,\n',
]


def _load(folder: Path, tmp: Path, columnar: bool, monkeypatch: pytest.MonkeyPatch, tag: str):
    if not columnar:
        monkeypatch.setattr(columnar_load, "takes", lambda store, source: None)
    store = open_store("memory:")
    report = load_dir(store, folder, rejects_dir=tmp / f"rejects-{tag}", resolve=False)
    monkeypatch.undo()
    rejects = {p.name: p.read_text(encoding="utf-8") for p in sorted((tmp / f"rejects-{tag}").glob("*.csv"))}
    return report.to_json(), list(generate_jsonl(store)), rejects


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "transactions.csv").write_text(text, encoding="utf-8")
    return folder


def test_columnar_load_equals_the_row_by_row_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _write(tmp_path / "data", HEADER + "".join(ROWS))
    taken: list[bool] = []
    real = columnar_load.load

    def spy(*args, **kwargs):
        taken.append(real(*args, **kwargs))
        return taken[-1]

    monkeypatch.setattr(columnar_load, "load", spy)
    fast = _load(folder, tmp_path, True, monkeypatch, "fast")
    assert taken == [True]  # the file really went column-wise
    slow = _load(folder, tmp_path, False, monkeypatch, "slow")
    assert fast[0]["files"] == {k: {**v, "rejects_file": v["rejects_file"] and v["rejects_file"].replace("-slow", "-fast"),
                                    "warnings_file": v["warnings_file"] and v["warnings_file"].replace("-slow", "-fast")}
                                for k, v in slow[0]["files"].items()}
    assert fast[1] == slow[1]
    assert fast[2] == slow[2]
    counts = fast[0]
    assert counts["rows"] == 19 == counts["loaded"] + counts["rejected"]  # the blank record is no row
    assert counts["rejected"] == 7 and counts["warnings"] == 2  # an unknown currency, a NUL byte
    rejected = fast[2]["transactions.csv.rejects.csv"]
    for field in ("from_type", "from_id", "tx_id", "timestamp", "amount"):
        assert f",{field}," in rejected
    transfers = [line for line in fast[1] if '"TRANSFERRED"' in line]
    assert any('"tx_id": "T1"' in line and '"amount": 10.5' in line for line in transfers)  # the later capture won


def test_a_file_pyarrow_cannot_parse_is_read_row_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ragged = ROWS[:2] + ["T90,2024-01-01T08:00:00Z,paypal,a@b.example\n"] + ROWS[11:12]
    folder = _write(tmp_path / "data", HEADER + "".join(ragged))
    fast = _load(folder, tmp_path, True, monkeypatch, "fast")
    slow = _load(folder, tmp_path, False, monkeypatch, "slow")
    assert fast[1] == slow[1] and fast[2] == slow[2]
    assert fast[0]["rows"] == 4 and fast[0]["rejected"] == 1


def _many_rows(count: int, channels: int, first: int = 0) -> str:
    """Rows naming few channels (so a channel gathers more than MAX_SOURCES sources), capture times that tie,
    transfers from a channel to itself, and now and then a row the row parser must take."""
    lines = []
    for i in range(first, first + count):
        src, dst = f"c{i % channels}@pay.example", f"c{(i * 7) % channels}@pay.example"
        stamp = f"2024-01-{1 + (i * 13) % 28:02d}T{(i * 5) % 24:02d}:00:00Z"  # many exact ties
        if i % 401 == 7:
            stamp = "2024-01-05 10:00"  # not canonical: normalised by the row parser
        amount = "lots" if i % 397 == 5 else f"{i % 500}.25"  # a reject now and then
        lines.append(f"T{i},{stamp},paypal,{src},paypal,{dst},{amount},USD,ref {i}\n")
    return "".join(lines)


def _load_twice(tmp: Path, files: list[str], columnar: bool, monkeypatch: pytest.MonkeyPatch, tag: str):
    """Each file loaded into one store, in turn (a store already holding the nodes), then the first again."""
    with monkeypatch.context() as patch:
        if not columnar:
            patch.setattr(columnar_load, "takes", lambda store, source: None)
        patch.setattr(columnar_module, "BLOCK_BYTES", 4096)  # many blocks
        patch.setattr(columnar_stage, "MAX_SOURCE_ITEMS", 300)  # and the stage emptied mid-file
        patch.setattr(columnar_stage, "FLUSH_ITEMS", 160)  # in slices of ~3 nodes
        patch.setattr(columnar_load, "ROW_GROUP", 37)  # transfers written in pieces that cut blocks
        store = open_store("memory:")
        reports = []
        for k, text in enumerate([*files, files[0]]):
            folder = _write(tmp / f"data-{k}", HEADER + text)  # the same paths for both loads
            reports.append(load_dir(store, folder, rejects_dir=tmp / f"rejects-{tag}-{k}", resolve=False).to_json())
    return [(r["rows"], r["loaded"], r["rejected"], r["warnings"]) for r in reports], list(generate_jsonl(store))


def test_staged_channels_over_many_blocks_equal_the_row_by_row_load(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    files = [_many_rows(1200, 12), _many_rows(600, 15, first=900)]  # the second overlaps the first
    staged: list[int] = []
    real_add = columnar_stage.NodeStage.add

    def spy(self, table):
        staged.append(table.num_rows)
        return real_add(self, table)

    monkeypatch.setattr(columnar_stage.NodeStage, "add", spy)
    sliced: list[int] = []
    real_slices = columnar_stage._slices
    monkeypatch.setattr(columnar_stage, "_slices", lambda cost, budget: sliced.append(len(
        real_slices(cost, budget))) or real_slices(cost, budget))
    fast = _load_twice(tmp_path, files, True, monkeypatch, "fast")
    assert len(staged) > 20  # blocks really went through the stage
    assert max(sliced) >= 4  # flushes really went in slices
    slow = _load_twice(tmp_path, files, False, monkeypatch, "slow")
    assert fast == slow
    counts = fast[0]
    assert all(rows == loaded + rejected for rows, loaded, rejected, _ in counts)
    assert counts[0][2] == len([i for i in range(1200) if i % 397 == 5]) == 4
    channels = [line for line in fast[1] if '"PaymentChannel:paypal:c0@pay.example"' in line and '"labels"' in line]
    assert channels and channels[0].count("#") >= 2 * 50  # a full list of sources (file#row#sha each)


def test_the_stage_reduces_a_block_by_the_merge_rule() -> None:
    stage = columnar_stage.NodeStage("PaymentChannel")

    def records(rows):
        return pa.table({"id": [r[0] for r in rows], "p": [r[1] for r in rows],
                         "first_seen": [r[2] for r in rows], "last_seen": [r[2] for r in rows],
                         "sources": [[r[3]] for r in rows], "_seq": [r[4] for r in rows]})

    block = records([("a", "old", "2024-01-02T00:00:00Z", "s1", 1), ("a", "tie-later", "2024-01-03T00:00:00Z", "s2", 5),
                     ("a", "tie-earlier", "2024-01-03T00:00:00Z", "s3", 3), ("b", "only", "2024-01-01T00:00:00Z", "s4", 2),
                     ("a", "same row", "2023-12-31T00:00:00Z", "s2", 6)])
    assert stage.takes(block)
    stage.add(block)
    stage.add(records([("a", "older", "2024-01-01T00:00:00Z", "s9", 9), ("b", "equal", "2024-01-01T00:00:00Z", "s8", 8)]))
    rows = {r["id"]: r for r in stage.table().to_pylist()}
    assert rows["a"]["p"] == "tie-later" and rows["a"]["last_seen"] == "2024-01-03T00:00:00Z"
    assert rows["a"]["first_seen"] == "2023-12-31T00:00:00Z"
    assert rows["a"]["sources"] == ["s1", "s3", "s2", "s9"]  # load order, each once
    assert rows["b"]["p"] == "equal"  # a tie goes to the later block
    assert not stage.takes(records([("c", None, "2024-01-01T00:00:00Z", "s", 1)]))  # a missing property
    assert not stage.takes(records([("c", "x", "2024-01-01 00:00", "s", 1)]))  # not canonical


def test_column_wise_hashes_and_odd_rows_match_the_row_reader(tmp_path: Path) -> None:
    from loaders import columnar
    from loaders.reader import record_sha256

    path = tmp_path / "t.csv"
    header = ["tx_id", "prix %s", "clé"]
    rows = [["T1", 'a "quoted" \\ back', "é ü 100%"], ["T2", "", " spaced "], ["T3", "no\u00a0break", "x"],
            ["T4", "tab\there", "y"], ["T5", "plain", "%d %%"]]
    path.write_text(",".join(header) + "\n" + "".join(
        ",".join('"' + cell.replace('"', '""') + '"' for cell in row) + "\n" for row in rows), encoding="utf-8")
    blocks = list(columnar.blocks(path, columnar.readable(path)))
    assert len(blocks) == 1
    block = blocks[0]
    odd = block.odd.to_pylist()
    assert odd == [False, False, True, True, False]  # a no-break space, a tab: the row parser's
    for row, sha, is_odd in zip(rows, block.sha256.to_pylist(), odd, strict=True):
        if not is_odd:
            assert sha == record_sha256(dict(zip(header, row, strict=True)))


def test_transfers_reach_the_store_in_whole_row_groups_in_load_order(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Every piece but the last is a whole number of row groups, and the pieces follow load order: a
    transfer given twice in one file (T5 again, later) ends as the row-by-row load leaves it."""
    text = _many_rows(300, 9) + "T5,2024-03-01T00:00:00Z,paypal,c5@pay.example,paypal,c8@pay.example,1.00,EUR,again\n"
    pieces: list[int] = []
    with monkeypatch.context() as patch:
        patch.setattr(columnar_module, "BLOCK_BYTES", 4096)
        patch.setattr(columnar_load, "ROW_GROUP", 40)
        store = open_store("memory:")
        real = type(store).upsert_tables

        def spy(self, nodes, rels):
            if "TRANSFERRED" in rels and rels["TRANSFERRED"].num_rows:
                pieces.append(rels["TRANSFERRED"].num_rows)
            return real(self, nodes, rels)

        patch.setattr(type(store), "upsert_tables", spy)
        load_dir(store, _write(tmp_path / "fast", HEADER + text), rejects_dir=tmp_path / "r1", resolve=False)
    assert len(pieces) > 3 and all(n % 40 == 0 for n in pieces[:-1])
    with monkeypatch.context() as patch:
        patch.setattr(columnar_load, "takes", lambda store, source: None)
        slow = open_store("memory:")
        load_dir(slow, _write(tmp_path / "slow", HEADER + text), rejects_dir=tmp_path / "r2", resolve=False)
    fast_lines = [line.replace("/fast/", "/x/") for line in generate_jsonl(store)]
    assert fast_lines == [line.replace("/slow/", "/x/") for line in generate_jsonl(slow)]
    again = [line for line in fast_lines if '"T5"' in line]
    assert len(again) == 1 and '"EUR"' in again[0]  # the later capture of T5 won


@settings(max_examples=150, deadline=None)
@given(st.one_of(
    st.datetimes(min_value=datetime(1985, 1, 1), max_value=datetime(2105, 12, 31)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z"),
    st.text(max_size=24)))
def test_canonical_times_are_those_the_normaliser_keeps(value: str) -> None:
    from graphbench import normalize
    from loaders.transactions_columnar import canonical_times

    try:
        kept = normalize.timestamp(value) == value
    except ValueError:
        kept = False
    column = pa.array(["2024-01-01T00:00:00Z", value, None])  # at an offset, beside a null
    assert canonical_times(column).tolist() == [True, kept, False]


def test_a_node_given_all_its_sources_by_a_flush_stages_no_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """After a flush gave node a MAX_SOURCES sources of the file, a's later sources (later in load order, so
    never among its first MAX_SOURCES) are not staged; b, given fewer, still gets its next ones."""
    from graphbench.batch import MAX_SOURCES

    def records(rows):
        return pa.table({"id": [r[0] for r in rows], "p": ["v"] * len(rows),
                         "first_seen": ["2024-01-01T00:00:00Z"] * len(rows), "last_seen": ["2024-01-01T00:00:00Z"] * len(rows),
                         "sources": [[r[1]] for r in rows], "_seq": [r[2] for r in rows]})

    store = open_store("memory:")
    stage = columnar_stage.NodeStage("PaymentChannel")
    stage.add(records([("a", f"s{k}", k) for k in range(MAX_SOURCES + 5)] + [("b", "t0", 999)]))
    stage.flush(store)
    stage.add(records([("a", "late", 2000), ("b", "t1", 2001)]))
    assert dict(zip(stage.ids.to_pylist(), stage.counts.tolist(), strict=True)) == {"a": 0, "b": 1}
    stage.flush(store)
    rows = {r["id"]: r["sources"] for r in store.nodes("PaymentChannel").to_dict("records")}
    assert list(rows["a"]) == [f"s{k}" for k in range(MAX_SOURCES)] and list(rows["b"]) == ["t0", "t1"]
