"""Issue 19.7 — look-alike identifiers. Handles written with Cyrillic letters, zero-width joiners,
bidi overrides, soft hyphens or fullwidth forms are one account with the plain spelling (the
written form kept as evidence, the trick flagged as evasion); the species matcher reads through
the same tricks; plain ASCII and genuine non-Latin handles keep their ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphbench import normalize
from graphbench.matching import match_text
from graphbench.matching.lookalikes import evasion_flags, fold_identifier
from graphbench.store import open_store
from loaders.load import load_dir

CYRILLIC_A = "\u0430"  # а
ZWJ, ZWNJ, ZWSP, RLO, SHY = "\u200d", "\u200c", "\u200b", "\u202e", "\u00ad"

SPOOFS = {
    f"p{CYRILLIC_A}ypal": ["mixed_script", "lookalike_chars"],
    "\u0440\u0430\u0443\u0440\u0430l": ["mixed_script", "lookalike_chars"],  # р а у р а + Latin l
    f"pay{ZWJ}pal": ["invisible_chars"],
    f"pay{ZWNJ}pal": ["invisible_chars"],
    f"{RLO}paypal": ["invisible_chars"],
    f"pay{SHY}pal": ["invisible_chars"],
    "\uff50\uff41\uff59\uff50\uff41\uff4c": ["compatibility_chars"],  # ｐａｙｐａｌ
    f"@P{CYRILLIC_A}yP{CYRILLIC_A}l{ZWSP}": ["invisible_chars", "mixed_script", "lookalike_chars"],
}


@pytest.mark.parametrize(("written", "flags"), list(SPOOFS.items()))
def test_each_trick_folds_to_the_plain_handle_and_is_named(written: str, flags: list[str]) -> None:
    assert normalize.handle(written) == "paypal"
    assert evasion_flags(written) == flags


@pytest.mark.parametrize("written", ["paypal", "PayPal", "reptile.house", "a_b-c.9", "@Shop"])
def test_plain_ascii_handles_are_only_lower_cased(written: str) -> None:
    assert fold_identifier(written) == written.lower()
    assert evasion_flags(written) == []


@pytest.mark.parametrize("written", ["josé.ñandú", "zoë", "иван", "店长", "ร้านค้า", "shop店"])
def test_genuine_non_latin_and_accented_handles_keep_their_letters(written: str) -> None:
    assert normalize.handle(written) == written.lower()
    assert evasion_flags(written) == []


def _load(tmp_path: Path, accounts: str, listings: str = ""):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "accounts.csv").write_text(accounts, encoding="utf-8")
    if listings:
        (folder / "listings.csv").write_text(listings, encoding="utf-8")
    store = open_store("memory:")
    load_dir(store, folder, rejects_dir=tmp_path / "rej", resolve=False)
    return store


def test_spoofed_handles_are_one_account_with_the_written_form_kept(tmp_path: Path) -> None:
    rows = "".join(f"instagram,{written},Seller {i},2024-01-0{i + 1}\n" for i, written in enumerate(SPOOFS))
    store = _load(tmp_path, "platform,handle,display_name,captured_at\ninstagram,paypal,Genuine,2023-12-01\n" + rows,
                  f"platform,listing_id,handle,title\ninstagram,L1,p{CYRILLIC_A}yp{CYRILLIC_A}l,Ball python\n")
    accounts = store.nodes("Account")
    assert list(accounts["id"]) == ["Account:instagram:paypal"]  # one account, not nine
    account = store.node("Account:instagram:paypal")
    assert account["handle"] == "paypal"
    # the latest capture wins: its spelling as written, and what it did
    last = list(SPOOFS)[-1]
    assert account["handle_raw"] == last.lstrip("@") and list(account["evasion"]) == SPOOFS[last]
    assert set(store.relationships("POSTED")["start"]) == {"Account:instagram:paypal"}


def test_each_spoofing_account_carries_its_own_evasion_flags(tmp_path: Path) -> None:
    header = "platform,handle\n"
    rows = "".join(f"p{i},{written}\n" for i, written in enumerate(SPOOFS))
    store = _load(tmp_path, header + rows + "plain,paypal\n")
    for i, (written, flags) in enumerate(SPOOFS.items()):
        node = store.node(f"Account:p{i}:paypal")
        assert node["handle_raw"] == written.lstrip("@") and list(node["evasion"]) == flags
    plain = store.node("Account:plain:paypal")
    assert "evasion" not in plain and "handle_raw" not in plain  # plain ids and properties unchanged


@pytest.mark.parametrize("text", [
    f"Man{ZWJ}is javanica for sale",
    f"Ma{ZWSP}nis java{SHY}nica",
    "\uff2d\uff41\uff4e\uff49\uff53 \uff4a\uff41\uff56\uff41\uff4e\uff49\uff43\uff41",  # fullwidth
    "\u041canis javanica",  # Cyrillic М
    f"M{CYRILLIC_A}nis j{CYRILLIC_A}v{CYRILLIC_A}nic{CYRILLIC_A}",
    f"{RLO}Manis javanica",
])
def test_the_species_matcher_reads_through_lookalikes(text: str) -> None:
    assert [(m.scientific_name, m.match) for m in match_text(text)] == [("Manis javanica", "exact")]


def test_genuine_cyrillic_text_is_not_read_as_latin() -> None:
    # whole Cyrillic words are left alone in text: only words mixing scripts are folded
    assert match_text("продаю панголина") == []


def test_hashtags_emails_and_channel_ids_drop_invisible_characters() -> None:
    assert normalize.hashtag(f"#pango{ZWJ}lin") == "pangolin"
    assert normalize.hashtag(f"#p{CYRILLIC_A}ngolin") == "pangolin" and normalize.hashtag("#穿山甲") == "穿山甲"
    assert normalize.hashtag("#Straße") == "strasse"  # case folding as before
    assert normalize.email(f"sales{ZWSP}@reptile.example") == "sales@reptile.example"
    assert normalize.channel_id("wechat", f"ivory{ZWNJ}_trader") == "ivory_trader"


def test_a_lookalike_handle_is_a_risk_indicator_and_a_plain_one_is_not(tmp_path: Path) -> None:
    from graphbench.analytics.risk import score_accounts
    from graphbench.store.tables import read_tables

    store = _load(tmp_path, f"platform,handle\ninstagram,p{CYRILLIC_A}ypal\ntelegram,paypal\n")
    scores = score_accounts(read_tables(store, provenance=False))
    indicators = dict(zip(scores["id"], scores["indicators"], strict=True))
    assert indicators == {"Account:instagram:paypal": ["lookalike_identifiers"]}
    [evidence] = scores["evidence"]
    assert evidence["lookalike_identifiers"] == ["Account:instagram:paypal: lookalike_chars",
                                                 "Account:instagram:paypal: mixed_script"]


@pytest.mark.neo4j
def test_folded_handles_unverified_identifiers_and_flags_are_the_same_on_neo4j(tmp_path: Path, neo4j_store) -> None:
    from graphbench.export.jsonl import generate_jsonl

    accounts = ("platform,handle,phone,email\n"
                f"instagram,p{CYRILLIC_A}ypal,+234 803 123 456,seller (at) mail.example\n"
                f"instagram,pay{ZWJ}pal,WhatsApp: +234 803 123 456,shop@localhost\ntelegram,paypal,,\n")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "accounts.csv").write_text(accounts, encoding="utf-8")
    memory = open_store("memory:")
    for store in (memory, neo4j_store):
        load_dir(store, folder, rejects_dir=tmp_path / "rej", resolve=False)
    assert sorted(generate_jsonl(neo4j_store)) == sorted(generate_jsonl(memory))
    phone = neo4j_store.node("Phone:+234803123456")
    assert phone["verified"] is False and list(neo4j_store.node("Account:instagram:paypal")["evasion"]) == [
        "invisible_chars"]
