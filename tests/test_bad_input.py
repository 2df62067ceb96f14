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


# --- a held-out-style messy export: no account lost (issue 15.5) ------------------------------

# (value as exported, whether it parses); every bad value is an optional field set aside
PHONES = [("+84 91 234 5678", True), ("+234 803 123 456", False), ("WhatsApp: +234 803 123 456", False),
          ("", True), ("+44 20 7946 0958", True), ("call me", False), ("+1 555", False)]
EMAILS = [("seller@mail.example", True), ("seller [at] mail [dot] example", False), ("", True),
          ("shop@localhost", False), ("none", False), ("Sales@Shop.Example", True)]
FOLLOWERS = [("1.2k", True), ("1,234", True), ("3M", True), ("", True), ("many", False), ("12 K", True),
             ("~500", False), ("-4", False), ("10k+", True)]
DATES = [("2024-03-05", True), ("last year", False), ("05/03/2024", True), ("2024", False), ("March", False),
         ("", True), ("5 March 2024", True), ("-1", False), ("1709632800", True), ("yesterday", False), ("5", False)]
LINKS = [("facebook:shop.vn", True), ("", True), ("https://instagram.example/other.shop", True),
         ("not a link", False), ("telegram:", False)]
PLACES = ["Hanoi, Vietnam", "somewhere in Asia", "", "Lagos, Nigeria", "DM for location", "Atlantis"]
MESSY_ACCOUNTS = 229


def messy_accounts() -> tuple[str, set[tuple[int, str]]]:
    """229 accounts cycling through messy values (list lengths are coprime, so they combine), and
    the (row, field) of every bad optional value."""
    import csv
    import io

    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow(["platform", "handle", "display_name", "followers", "phone", "email", "links", "location",
                  "created_at", "captured_at"])
    expected: set[tuple[int, str]] = set()
    for row in range(1, MESSY_ACCOUNTS + 1):
        values = {"phone": PHONES[row % 7], "email": EMAILS[row % 6], "followers": FOLLOWERS[row % 9],
                  "links": LINKS[row % 5], "created_at": DATES[row % 11], "captured_at": DATES[(row * 3) % 11]}
        expected |= {(row, name) for name, (_, ok) in values.items() if not ok}
        out.writerow(["Instagram", f"@Seller{row}", f"Seller {row}", values["followers"][0], values["phone"][0],
                      values["email"][0], values["links"][0], PLACES[row % 6], values["created_at"][0],
                      values["captured_at"][0]])
    return buffer.getvalue(), expected


def test_a_messy_export_loses_no_account_and_warns_every_bad_optional_field(tmp_path: Path) -> None:
    text, expected = messy_accounts()
    store, report, rejects = load(tmp_path, "accounts.csv", text.encode())
    assert (report.rows, report.loaded, report.rejected) == (MESSY_ACCOUNTS, MESSY_ACCOUNTS, 0)
    assert len(store.nodes("Account")) >= MESSY_ACCOUNTS and len(rejects) == 0
    warnings = read_warnings(tmp_path / "rej")
    assert {(int(w.row), w.field) for w in warnings.itertuples()} == expected
    assert report.warnings == len(expected) > 100
    assert all(w.reason.strip() and w.value.strip() for w in warnings.itertuples())
    # what still identifies someone is kept: the unparsable number joins the accounts that write it
    writers = {f"Account:instagram:seller{row}" for row in range(1, MESSY_ACCOUNTS + 1) if row % 7 in (1, 2)}
    phones = store.relationships("HAS_PHONE")
    assert set(phones.loc[phones["end"] == "Phone:+234803123456", "start"]) == writers
    assert store.node("Phone:+234803123456")["verified"] is False
    assert "verified" not in store.node("Phone:+84912345678")
    emails = store.relationships("HAS_EMAIL")
    assert set(emails["end"]) == {"Email:seller@mail.example", "Email:sales@shop.example", "Email:shop@localhost"}
    assert store.node("Email:shop@localhost")["verified"] is False
    assert "Phone:+1555" not in " ".join(phones["end"])  # too few digits to identify anyone
    seller = store.node("Account:instagram:seller1")  # followers "1,234", created_at "last year"
    assert seller["followers"] == 1234 and "created_at" not in seller


def test_every_loader_sets_bad_optional_fields_aside(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    files = {
        "species.csv": "scientific_name,cites_appendix,taxon_group\nManis javanica,IV,Mammalia\n",
        "keywords.csv": "term,scientific_name,kind\nscaly babies,Manis javanica,slangy\n",
        "listings.csv": ("platform,listing_id,handle,posted_at,title,text,price,currency,hashtags,image_phash\n"
                         f"instagram,L1,a,yesterday,Pangolin,\"{'x ' * 60_000}\",ask,dollars,ok;bad tag,xyz\n"),
        "transactions.csv": ("tx_id,timestamp,from_type,from_id,to_type,to_id,amount,currency\n"
                             "T1,2024-01-01,wechat,a,wechat,b,10,??\n"),
        "shipments.csv": ("shipper,tracking_no,sender_platform,sender_handle,origin_country,origin_city,"
                          "destination_country,weight_kg,shipped_at\nDHL,JD1,instagram,a,Atlantis,Hanoi,VN,heavy,March\n"),
        "payment_links.csv": "platform,handle,channel_type,channel_id,seen_in\ninstagram,a,wechat,a,L1\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = open_store("memory:")
    report = load_dir(store, folder, rejects_dir=tmp_path / "rej", resolve=False)
    assert report.rejected == 0 and all(f.loaded == f.rows == 1 for f in report.files)
    warned = {(w.file, w.field) for w in read_warnings(tmp_path / "rej").itertuples()}
    assert warned == {
        ("species.csv", "cites_appendix"), ("keywords.csv", "kind"),
        ("listings.csv", "posted_at"), ("listings.csv", "text"), ("listings.csv", "price"),
        ("listings.csv", "currency"), ("listings.csv", "hashtags"), ("listings.csv", "image_phash"),
        ("transactions.csv", "currency"), ("shipments.csv", "origin_country"), ("shipments.csv", "origin_city"),
        ("shipments.csv", "weight_kg"), ("shipments.csv", "shipped_at"),
    }
    assert store.node("Species:Manis javanica")["taxon_group"] == "mammal"
    assert set(store.relationships("TAGGED")["end"]) == {"Hashtag:ok"}
    assert set(store.relationships("FROM")["end"]) == set() and set(store.relationships("TO")["end"]) == {"Location:VN"}
    counts = report.to_json()
    assert counts["warnings"] == 13 and counts["files"]["listings.csv"]["warnings"] == 6


def test_unverified_phones_join_by_digits_and_placeholders_join_no_one(tmp_path: Path) -> None:
    text = ("platform,handle,phone\ninstagram,a,+234 803 123 456\ninstagram,b,\uff0b\uff12\uff13\uff14 803 123 456\n"
            "instagram,c,000000\ninstagram,d,000000\ninstagram,e,+234-803-123-456 (WhatsApp)\n")
    store, report, _ = load(tmp_path, "accounts.csv", text.encode())
    assert (report.loaded, report.warnings) == (5, 5)
    phones = store.relationships("HAS_PHONE")
    assert set(phones["end"]) == {"Phone:+234803123456"}  # fullwidth digits read as digits
    assert set(phones["start"]) == {"Account:instagram:a", "Account:instagram:b", "Account:instagram:e"}
