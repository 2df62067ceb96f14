"""The import wizard's core: column suggestions by name and content, the mapping it writes, and the
preview of rejects before anything is written (the real loaders' validation)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
import yaml

from graphbench.errors import GraphbenchError
from loaders.column_guess import (
    content_profile,
    duplicate_targets,
    guess_columns,
    guess_kind,
    mapping_document,
    missing_required,
)
from loaders.load import load_dir
from loaders.mapping import Mapping
from loaders.preview import preview_file

FOREIGN = [
    {"Username": "@Reptile.House", "Site": "Instagram", "Mobile": "+84 91 234 5678"},
    {"Username": "gecko_king", "Site": "facebook", "Mobile": "+44 7700 900123"},
    {"Username": "", "Site": "tiktok", "Mobile": "+1 415 555 0100"},  # no handle: rejected
]


def chosen(guesses) -> dict[str, str | None]:
    return {g.column: g.canonical for g in guesses}


def test_foreign_names_are_read_by_name_and_kind() -> None:
    header = ["Username", "Site", "Mobile"]
    assert guess_kind("contacts.csv", header, FOREIGN) == "accounts"
    assert chosen(guess_columns(header, FOREIGN, "accounts")) == {
        "Username": "handle", "Site": "platform", "Mobile": "phone"}


def test_columns_named_nothing_are_read_by_their_values() -> None:
    rows = [{"c1": f"seller{i}@mail.example", "c2": f"https://shop.example/{i}", "c3": f"2024-03-{i + 1:02d}",
             "c4": f"+84 91 234 56{i:02d}", "c5": "Vietnam" if i % 2 else "VN", "c6": f"free text {i}"}
            for i in range(10)]
    guesses = {g.column: g for g in guess_columns(list(rows[0]), rows, "accounts")}
    assert {c: g.canonical for c, g in guesses.items()} == {
        "c1": "email", "c2": "profile_url", "c3": "created_at", "c4": "phone", "c5": "location", "c6": None}
    assert "e-mail addresses" in guesses["c1"].reason and "phone numbers" in guesses["c4"].reason


def test_listings_amounts_currencies_and_dates_by_content() -> None:
    rows = [{"seller": f"s{i}", "ad": f"A{i}", "web": "ebay", "asking": f"{10 + i}.50", "cur": "USD",
             "when": f"05/03/2024 10:0{i}"} for i in range(8)]
    header = list(rows[0])
    assert guess_kind("export.csv", header, rows) == "listings"
    assert chosen(guess_columns(header, rows, "listings")) == {
        "seller": "handle", "ad": None, "web": "platform", "asking": "price", "cur": "currency", "when": "posted_at"}


def test_each_canonical_column_is_suggested_once_and_order_does_not_matter() -> None:
    rows = [{"Phone": "+84 91 234 5678", "Other phone": "+84 91 000 1111", "Name": "A", "Handle": "a"}] * 5
    header = list(rows[0])
    guesses = chosen(guess_columns(header, rows, "accounts"))
    assert guesses["Phone"] == "phone" and guesses["Other phone"] is None
    shuffled = header[:]
    random.Random(3).shuffle(shuffled)
    assert chosen(guess_columns(shuffled, rows, "accounts")) == guesses


def test_lower_case_two_letter_words_are_not_countries() -> None:
    assert "country" not in content_profile(["al", "de", "it"])
    assert content_profile(["AL", "DE", "Italy"])["country"] == 1.0


def test_the_mapping_checks_what_a_person_chose() -> None:
    assert duplicate_targets({"a": "handle", "b": "handle", "c": None}) == {"handle": ["a", "b"]}
    assert missing_required("accounts", {"a": "handle"}) == ["platform"]


def test_preview_shows_rejects_before_the_load_and_the_load_names_the_users_file(tmp_path: Path) -> None:
    from graphbench.store import open_store

    folder = tmp_path / "scratch-upload-7f3a"  # a scratch folder the user never saw
    folder.mkdir()
    source = folder / "contacts.csv"
    source.write_text("Username,Site,Mobile\n" + "".join(
        f"{r['Username']},{r['Site']},{r['Mobile']}\n" for r in FOREIGN), encoding="utf-8")
    header = ["Username", "Site", "Mobile"]
    document = mapping_document("accounts", "contacts.csv", chosen(guess_columns(header, FOREIGN, "accounts")), header)
    mapping_file = folder / "contacts.mapping.yaml"
    mapping_file.write_text(yaml.safe_dump(document), encoding="utf-8")
    mapping = Mapping.load(mapping_file)  # the real reader of mapping files accepts what the wizard writes

    preview = preview_file(source, "accounts", mapping.entries_for(source)[0])
    assert (preview.rows, preview.would_load, preview.would_reject) == (3, 2, 1)
    assert preview.rejects.iloc[0][["file", "row", "field", "reason"]].tolist() == [
        "contacts.csv", 3, "handle", "required field is missing"]

    store = open_store("memory:")
    report = load_dir(store, folder, mapping=mapping, rejects_dir=tmp_path / "rej",
                      recorded_as={"contacts.csv": "contacts.csv"})
    assert (report.files[0].loaded, report.files[0].rejected) == (preview.would_load, preview.would_reject)
    node = store.node("Account:instagram:reptile.house")
    assert node["source_file"] == "contacts.csv" and str(folder) not in str(node["sources"])
    assert store.node("Phone:+84912345678") is not None


def test_a_file_that_is_not_text_is_refused_in_one_sentence(tmp_path: Path) -> None:
    junk = tmp_path / "accounts.csv"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(GraphbenchError) as caught:
        preview_file(junk, "accounts", None, file_name="my accounts.csv")
    message = str(caught.value)
    assert message.startswith("my accounts.csv is not a text file") and message.count(".") <= 2


def test_a_leftout_column_with_a_canonical_name_is_not_read(tmp_path: Path) -> None:
    document = mapping_document("accounts", "x.csv", {"user": "handle", "handle": None, "platform": "platform"},
                                ["user", "handle", "platform"])
    entry = document["files"][0]
    assert entry["columns"] == {"handle": "user", "platform": "platform"} and "constants" not in entry
    document = mapping_document("accounts", "x.csv", {"user": "handle", "phone": None, "platform": "platform"},
                                ["user", "phone", "platform"])
    assert document["files"][0]["constants"] == {"phone": ""}
