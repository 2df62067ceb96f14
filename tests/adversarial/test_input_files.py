"""Issue 19.6 — files that are not what they claim. One test per probe: each reproduces the attack
(or the careless export) and asserts one sentence naming file, row and field, with nothing else
lost: the other rows and the other files of the folder still load."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from graphbench.errors import MappingError
from graphbench.store import open_store
from loaders.load import load_dir, read_rejects, read_warnings
from loaders.mapping import MAX_TEMPLATE_OUTPUT

GOOD_ACCOUNTS = "platform,handle,display_name\ninstagram,keeper,Keeper\n"


def load(folder: Path, tmp_path: Path, **kwargs):
    store = open_store("memory:")
    report = load_dir(store, folder, rejects_dir=tmp_path / "rej", resolve=False, **kwargs)
    return store, report, read_rejects(tmp_path / "rej"), read_warnings(tmp_path / "rej")


def folder_with(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)
    return folder


def by_file(report) -> dict:
    return {f.file: f for f in report.files}


# --- symbolic links ------------------------------------------------------------------

def test_a_symlink_to_etc_passwd_is_refused_and_nothing_of_it_is_read(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {"accounts.csv": GOOD_ACCOUNTS})
    target = tmp_path / "secret.txt"  # stands in for /etc/passwd, which may differ per machine
    target.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n")
    os.symlink(target, folder / "accounts_extra.csv")
    os.symlink("/etc/passwd", folder / "listings.csv")
    store, report, rejects, _ = load(folder, tmp_path)
    files = by_file(report)
    for name in ("accounts_extra.csv", "listings.csv"):
        assert files[name].rows == 0 and "symbolic link" in files[name].refused and name in files[name].refused
    assert files["accounts.csv"].loaded == 1 and store.node("Account:instagram:keeper") is not None
    assert not any("root:" in text for text in rejects["raw"]) and not any("root" in r for r in rejects["reason"])
    assert set(report.to_json()["refused"]) == {"accounts_extra.csv", "listings.csv"}
    assert store.node("Account:root:x") is None


def test_a_symlink_to_a_file_inside_the_folder_is_refused_too(tmp_path: Path) -> None:
    folder = folder_with(tmp_path, {"accounts.csv": GOOD_ACCOUNTS})
    os.symlink(folder / "accounts.csv", folder / "accounts_again.csv")
    _, report, rejects, _ = load(folder, tmp_path)
    refused = by_file(report)["accounts_again.csv"].refused
    assert refused == ("accounts_again.csv is a symbolic link; only regular files in the load folder are read, "
                       "so it was not read")
    assert list(rejects["reason"]) == [refused]  # on the Data page, as one sentence


# --- JSON nested 100k deep -------------------------------------------------------------

def test_json_nested_100k_deep_rejects_its_line_and_the_load_completes(tmp_path: Path) -> None:
    bomb = '{"platform": "instagram", "handle": "bomb", "bio": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
    lines = '{"platform": "instagram", "handle": "before"}\n' + bomb + '{"platform": "instagram", "handle": "after"}\n'
    folder = folder_with(tmp_path, {"accounts.jsonl": lines,
                                    "transactions.csv": "tx_id,timestamp,from_type,from_id,to_type,to_id,amount\n"
                                                        "T1,2024-01-01,wechat,a,wechat,b,10\n"})
    store, report, rejects, _ = load(folder, tmp_path)
    accounts = by_file(report)["accounts.jsonl"]
    assert (accounts.rows, accounts.loaded, accounts.rejected) == (3, 2, 1)
    [reason] = rejects.loc[rejects["file"] == "accounts.jsonl", "reason"]
    assert "deeper than" in reason and rejects.loc[rejects["file"] == "accounts.jsonl", "row"].tolist() == ["2"]
    assert store.node("Account:instagram:after") is not None and store.node("Account:instagram:bomb") is None
    assert len(store.relationships("TRANSFERRED")) == 1  # files after it still load


# --- one Windows-1252 line in a UTF-8 file -----------------------------------------------

def test_one_windows_1252_line_does_not_turn_utf8_handles_into_mojibake(tmp_path: Path) -> None:
    utf8 = "platform,handle,display_name\ninstagram,josé.ñandú,José\ninstagram,zoë,Zoë\n".encode()
    windows = "instagram,andré,André\n".encode("cp1252")
    folder = folder_with(tmp_path, {"accounts.csv": utf8 + windows + "instagram,müller,Müller\n".encode()})
    store, report, _, warnings = load(folder, tmp_path)
    assert (report.files[0].loaded, report.files[0].rejected) == (4, 0)
    for handle in ("josé.ñandú", "zoë", "müller", "andré"):
        assert store.node(f"Account:instagram:{handle}") is not None, handle
    assert store.node("Account:instagram:josÃ©.Ã±andÃº") is None
    [warning] = warnings.itertuples()
    assert int(warning.row) == 3 and "Windows-1252" in warning.reason and "andré" in warning.value


# --- dates invented from today -------------------------------------------------------------

@pytest.mark.parametrize("written", ["-1", "5", "2024", "March", "last year", "March 2024"])
def test_a_number_or_a_month_is_not_a_date(tmp_path: Path, written: str) -> None:
    folder = folder_with(tmp_path, {
        "accounts.csv": f"platform,handle,created_at\ninstagram,a,{written}\n",
        "transactions.csv": f"tx_id,timestamp,from_type,from_id,to_type,to_id,amount\nT1,{written},wechat,a,wechat,b,1\n",
    })
    store, report, rejects, warnings = load(folder, tmp_path)
    account = store.node("Account:instagram:a")
    assert account is not None and "created_at" not in account  # optional: set aside, row kept
    assert list(warnings["field"]) == ["created_at"] and list(warnings["value"]) == [written]
    assert list(rejects["field"]) == ["timestamp"]  # required: the transfer is rejected
    assert len(store.relationships("TRANSFERRED")) == 0


# --- NUL bytes in keys --------------------------------------------------------------------

def test_nul_bytes_in_a_key_reject_the_row_and_in_a_free_field_are_warned(tmp_path: Path) -> None:
    data = (b"platform,handle,display_name\ninstagram,paypal,PayPal\ninstagram,pay\x00pal,Fake\n"
            b"instagram,other,Oth\x00er\n")
    folder = folder_with(tmp_path, {"accounts.csv": data,
                                    "listings.jsonl": '{"platform": "x", "listing_id": "L\\u00001", "handle": "a"}\n'})
    store, report, rejects, warnings = load(folder, tmp_path)
    accounts = by_file(report)["accounts.csv"]
    assert (accounts.loaded, accounts.rejected, accounts.warnings) == (2, 1, 1)
    assert store.node("Account:instagram:paypal")["display_name"] == "PayPal"  # not overwritten by "Fake"
    rejected = rejects.set_index("file")
    assert rejected.loc["accounts.csv", "field"] == "handle" and "NUL" in rejected.loc["accounts.csv", "reason"]
    assert rejected.loc["listings.jsonl", "field"] == "listing_id"
    assert list(warnings["field"]) == ["display_name"] and "display_name" not in store.node("Account:instagram:other")


# --- mapping templates ---------------------------------------------------------------------

@pytest.mark.parametrize(("template", "says"), [
    ("{handle:>300000000}", "widths and precisions go up to"),
    ("{_row:99999999999999999999999}", "widths and precisions go up to"),
    ("{handle[0]}", "names columns only"),
    ("{handle.__class__}", "names columns only"),
    ("{handle:{handle}}", "without nested fields"),
    ("{handle", "not a valid template"),
])
def test_a_mapping_template_that_could_blow_up_is_refused_with_one_sentence(tmp_path: Path, template: str,
                                                                            says: str) -> None:
    folder = folder_with(tmp_path, {"export.csv": "platform,handle\ninstagram,a\n"})
    mapping = tmp_path / "m.yaml"
    mapping.write_text(json.dumps({"files": {"accounts": {"match": "export.csv", "templates": {"bio": template}}}}))
    with pytest.raises(MappingError, match=says) as caught:
        load(folder, tmp_path, mapping=mapping)
    assert "\n" not in str(caught.value) and "bio" in str(caught.value)


def test_a_template_value_too_long_or_a_column_a_row_lacks_rejects_that_row_only(tmp_path: Path) -> None:
    long_bio = "x" * (MAX_TEMPLATE_OUTPUT // 2 + 10)
    rows = [{"platform": "instagram", "handle": "a", "bio": "short"},
            {"platform": "instagram", "handle": "b", "bio": long_bio},
            {"platform": "instagram", "handle": "c"}]  # no "bio" key: JSON rows vary
    folder = folder_with(tmp_path, {"export.jsonl": "".join(json.dumps(r) + "\n" for r in rows)})
    mapping = tmp_path / "m.yaml"
    mapping.write_text(json.dumps({"files": {"accounts": {"match": "export.jsonl",
                                                          "templates": {"display_name": "{bio}{bio}"}}}}))
    store, report, rejects, _ = load(folder, tmp_path, mapping=mapping)
    assert (report.files[0].loaded, report.files[0].rejected) == (1, 2)
    reasons = dict(zip(rejects["row"], rejects["reason"], strict=True))
    assert "characters" in reasons["2"] and "which this row does not have" in reasons["3"]
    assert store.node("Account:instagram:a")["display_name"] == "shortshort"


# --- a doubled BOM ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["accounts.csv", "accounts.jsonl"])
def test_a_doubled_bom_does_not_hide_the_first_column(tmp_path: Path, name: str) -> None:
    body = ("platform,handle\ninstagram,a\ninstagram,b\n" if name.endswith(".csv")
            else '{"platform": "instagram", "handle": "a"}\n{"platform": "instagram", "handle": "b"}\n')
    folder = folder_with(tmp_path, {name: b"\xef\xbb\xbf\xef\xbb\xbf" + body.encode()})
    store, report, rejects, _ = load(folder, tmp_path)
    assert (report.files[0].loaded, report.files[0].rejected) == (2, 0), list(rejects["reason"])
    assert store.node("Account:instagram:a") is not None


# --- binary junk renamed .csv ------------------------------------------------------------------

@pytest.mark.parametrize(("data", "looks_like"), [
    (random.Random(7).randbytes(50_000), "binary data"),
    (b"PK\x03\x04" + random.Random(8).randbytes(5_000), "ZIP archive"),
    (b"\x89PNG\r\n\x1a\n" + bytes(1000), "PNG image"),
])
def test_binary_junk_renamed_csv_is_not_a_text_file(tmp_path: Path, data: bytes, looks_like: str) -> None:
    folder = folder_with(tmp_path, {"accounts.csv": GOOD_ACCOUNTS, "listings.csv": data})
    store, report, rejects, _ = load(folder, tmp_path)
    refused = by_file(report)["listings.csv"].refused
    assert refused.startswith("listings.csv is not a text file") and looks_like in refused
    assert list(rejects["reason"]) == [refused] and by_file(report)["listings.csv"].rows == 0
    assert store.node("Account:instagram:keeper") is not None
