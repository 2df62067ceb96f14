"""Bad input never crashes a load: encodings, ragged rows, stray quotes, binary junk, enormous
fields, wrong types, dates in several formats. Each bad row is rejected with a reason and the
rest of the file loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphbench.store import open_store
from loaders.load import load_dir, read_rejects, read_warnings
from loaders.reader import MAX_FIELD

HEADER = "platform,handle,display_name,followers,captured_at\n"


def load(tmp_path: Path, name: str, data: bytes):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)
    store = open_store("memory:")
    report = load_dir(store, folder, rejects_dir=tmp_path / "rej", resolve=False)
    return store, report.files[0], read_rejects(tmp_path / "rej")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    text = HEADER + "instagram,josé.ñandú,José Ñandú,12,2024-01-02\nfacebook,zoë,Zoë,3,2024-01-03\n"
    store, report, _ = load(tmp_path, "accounts.csv", text.encode(encoding))
    assert (report.loaded, report.rejected) == (2, 0)
    assert store.node("Account:instagram:josé.ñandú")["display_name"] == "José Ñandú"


def test_ragged_rows_are_rejected_and_the_rest_loads(tmp_path: Path) -> None:
    text = HEADER + "instagram,a,A,1,2024-01-01\ninstagram,b,B\ninstagram,c,C,1,2024-01-01,extra\ninstagram,d,D,1,2024-01-01\n"
    store, report, rejects = load(tmp_path, "accounts.csv", text.encode())
    assert (report.rows, report.loaded, report.rejected) == (4, 2, 2)
    assert list(rejects["row"]) == ["2", "3"] and all("fields" in r for r in rejects["reason"])
    assert store.node("Account:instagram:d") is not None


def test_an_unterminated_quote_costs_one_row_only(tmp_path: Path) -> None:
    text = HEADER + 'instagram,a,"A,1,2024-01-01\ninstagram,b,B,1,2024-01-01\ninstagram,c,"C, the ""best""",2,2024-01-01\n'
    store, report, rejects = load(tmp_path, "accounts.csv", text.encode())
    assert (report.rows, report.loaded, report.rejected) == (3, 2, 1)
    assert "quote" in rejects["reason"][0]
    assert store.node("Account:instagram:c")["display_name"] == 'C, the "best"'


def test_a_quoted_field_may_hold_line_breaks(tmp_path: Path) -> None:
    text = HEADER + 'instagram,a,"line one\nline two",1,2024-01-01\ninstagram,b,B,1,2024-01-01\n'
    store, report, _ = load(tmp_path, "accounts.csv", text.encode())
    assert (report.loaded, report.rejected) == (2, 0)
    assert store.node("Account:instagram:a")["display_name"] == "line one\nline two"


def test_binary_junk_and_nul_bytes(tmp_path: Path) -> None:
    data = HEADER.encode() + b"instagram,a,A,1,2024-01-01\n\x00\x01\x02\xff\xfe\x00garbage\x00\ninstagram,b,B\x00,1,2024-01-01\n"
    store, report, rejects = load(tmp_path, "accounts.csv", data)
    assert report.rows == report.loaded + report.rejected
    assert store.node("Account:instagram:a") is not None and store.node("Account:instagram:b") is not None
    assert report.rejected == 1


def test_enormous_field(tmp_path: Path) -> None:
    text = HEADER + f"instagram,a,{'x' * (MAX_FIELD + 10)},1,2024-01-01\ninstagram,b,B,1,2024-01-01\n"
    store, report, rejects = load(tmp_path, "accounts.csv", text.encode())
    assert (report.loaded, report.rejected) == (1, 1)
    assert "longer than" in rejects["reason"][0]


def test_wrong_types_name_the_field(tmp_path: Path) -> None:
    text = HEADER + ("instagram,a,A,many,2024-01-01\ninstagram,b,B,-3,2024-01-01\ninstagram,c,C,1.5k,2024-01-01\n"
                     "instagram,d,D,2.5x,2024-01-01\n")
    store, report, _ = load(tmp_path, "accounts.csv", text.encode())
    # followers is optional: a count that does not parse is set aside, the account loads (issue 15.5)
    assert (report.loaded, report.rejected, report.warnings) == (4, 0, 3)
    warnings = read_warnings(tmp_path / "rej")
    assert set(warnings["field"]) == {"followers"} and set(warnings["value"]) == {"many", "-3", "2.5x"}
    assert store.node("Account:instagram:c")["followers"] == 1500  # exports write counts as 1.5k
    assert "followers" not in store.node("Account:instagram:a")


def test_an_unreadable_free_text_place_is_kept_as_text(tmp_path: Path) -> None:
    text = "platform,handle,location\ninstagram,a,somewhere in Asia\ninstagram,b,\"Hanoi, Vietnam\"\n"
    store, report, _ = load(tmp_path, "accounts.csv", text.encode())
    assert report.rejected == 0
    assert store.node("Account:instagram:a")["location"] == "somewhere in Asia"
    assert set(store.relationships("LOCATED_IN")["end"]) == {"Location:VN:hanoi"}


@pytest.mark.parametrize("written, expected", [
    ("2024-03-05T10:00:00Z", "2024-03-05T10:00:00Z"),
    ("2024-03-05 10:00", "2024-03-05T10:00:00Z"),
    ("2024-03-05T17:00:00+07:00", "2024-03-05T10:00:00Z"),
    ("05/03/2024", "2024-03-05T00:00:00Z"),
    ("5 March 2024", "2024-03-05T00:00:00Z"),
    ("Mar 5, 2024 10:00 AM", "2024-03-05T10:00:00Z"),
    ("1709632800", "2024-03-05T10:00:00Z"),
])
def test_dates_in_several_formats(tmp_path: Path, written: str, expected: str) -> None:
    text = HEADER + f'instagram,a,A,1,"{written}"\n'
    store, report, _ = load(tmp_path, "accounts.csv", text.encode())
    assert report.loaded == 1
    assert store.node("Account:instagram:a")["last_seen"] == expected


def test_jsonl_junk_lines(tmp_path: Path) -> None:
    data = (b'{"platform": "instagram", "handle": "a"}\n[1, 2]\n{"platform": "instagram", "handle": \n'
            b'\xff\xfe junk\n{"platform": "instagram", "handle": "b", "followers": 7}\n')
    store, report, rejects = load(tmp_path, "accounts.jsonl", data)
    assert (report.rows, report.loaded, report.rejected) == (5, 2, 3)
    assert store.node("Account:instagram:b")["followers"] == 7
