"""The species matcher on texts with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from graphbench.matching import build_matcher, build_species_index, match_text
from graphbench.matching.context_rules import is_weak
from graphbench.matching.text_folding import fold, term_key


def names(text: str, **kwargs) -> set[str]:
    return {m.scientific_name for m in match_text(text, **kwargs)}


def only(text: str) -> tuple[str, str, str]:
    mentions = match_text(text)
    assert len(mentions) == 1, mentions
    return mentions[0].scientific_name, mentions[0].match, mentions[0].term


# --- folding -------------------------------------------------------------------------

def test_folding_keeps_length_and_strips_latin_accents_only() -> None:
    assert fold("Pangolín Tê Tê ĐỒI MỒI") == "pangolin te te doi moi"
    assert fold("穿山甲 ลิ่น") == "穿山甲 ลิ่น"
    assert term_key("Boelen's  Python!") == "boelen s python"
    assert term_key("穿山甲 片") == "穿山甲片"


# --- each kind of match --------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Python regius female 2023, het pied", ("Python regius", "exact", "Python regius")),
    ("P. regius het pied", ("Python regius", "exact", "P. regius")),
    ("Testudo elegans juvenile", ("Geochelone elegans", "synonym", "Testudo elegans")),
    ("Psittacus timneh hand-fed", ("Psittacus erithacus", "synonym", "Psittacus timneh")),
    ("Ball python for sale", ("Python regius", "common_name", "Ball python")),
    ("Indian star tortoise, 3 inch", ("Geochelone elegans", "common_name", "Indian star tortoise")),
    ("Asian small-clawed otter baby", ("Aonyx cinereus", "common_name", "Asian small-clawed otter")),
    ("pig nosed turtle hatchling", ("Carettochelys insculpta", "common_name", "pig nosed turtle")),
    ("tiger bone wine, aged 10 years", ("Panthera tigris", "code_word", "tiger bone wine")),
    ("authentic rhino horn powder", ("Rhinocerotidae", "code_word", "rhino horn powder")),
    ("bear bile capsules", ("Ursidae", "code_word", "bear bile")),
    ("hornbill ivory pendant, DM for price", ("Rhinoplax vigil", "code_word", "hornbill ivory")),
    ("dragon fish 30cm harga nego", ("Scleropages formosus", "code_word", "dragon fish")),
])
def test_each_match_kind(text: str, expected: tuple[str, str, str]) -> None:
    assert only(text) == expected


@pytest.mark.parametrize(("text", "species"), [
    ("Manis javanca", "Manis javanica"),
    ("Psittacus erithacuss baby", "Psittacus erithacus"),
    ("Geochelone elegants 5cm", "Geochelone elegans"),
    ("Pyhton regius female", "Python regius"),
    ("Brachypelma hamori sling", "Brachypelma hamorii"),
    ("Aquilaria malacensis chips", "Aquilaria malaccensis"),
    ("Morelia boelini adult", "Simalia boeleni"),  # a misspelt synonym names the accepted species
    ("Vendo Loxodonta afzciana", "Loxodonta africana"),  # a rare genus spelt right allows more
    ("Selling Ara chloroptreus", "Ara chloropterus"),  # three-letter genus
    ("Scleractna for sale", "Scleractinia"),  # a group name misspelt on its own
    ("Vendo Elsamorbanchii", "Elasmobranchii"),
])
def test_misspelt_scientific_names(text: str, species: str) -> None:
    mentions = match_text(text)
    assert [(m.scientific_name, m.match) for m in mentions] == [(species, "misspelling")]
    assert 0.0 < mentions[0].score < 0.9


def test_misspelling_scores_below_exact() -> None:
    exact = match_text("Python regius")[0].score
    misspelt = match_text("Pyhton regius")[0].score
    assert exact == 1.0 and misspelt < exact


@pytest.mark.parametrize("text", ["Python regions of the world", "Manis java trip", "Panthera tiger"])
def test_near_binomials_that_are_not_misspellings(text: str) -> None:
    assert names(text) == set()


def test_misspelling_candidates_come_from_the_genus_index() -> None:
    from graphbench.matching import default_index

    index = default_index()
    assert index.genus_candidates("pyhton") == ("python",)
    assert index.genus_candidates("sweater") == ()  # no genus starts with s and is that close
    assert index.misspelt_binomial("python", "regius") is None  # spelt right: not a misspelling


# --- other scripts and languages -----------------------------------------------------

@pytest.mark.parametrize(("text", "species"), [
    ("出售穿山甲片，价格优惠", {"Manidae"}),
    ("马来穿山甲 活体", {"Manis javanica"}),
    ("正宗鹤顶红手串", {"Rhinoplax vigil"}),
    ("bán vảy tê tê giá tốt", {"Manidae"}),
    ("Cần bán sừng tê giác", {"Rhinocerotidae"}),
    ("ขายงาช้างแท้", {"Loxodonta africana", "Elephas maximus"}),
    ("jual kukang murah", {"Nycticebus"}),
    ("dijual trenggiling hidup", {"Manidae"}),
    ("pangolín malayo en venta", {"Manis javanica"}),
    ("perroquet gris du Gabon à vendre", {"Psittacus erithacus"}),
    ("ขาย ลิ่น ราคาดี", {"Manidae"}),
    ("出售Turbinicarpus alonsoi", {"Turbinicarpus alonsoi"}),  # Latin name glued to Chinese
])
def test_other_scripts_and_languages(text: str, species: set[str]) -> None:
    assert names(text) == species


# --- everyday words need context -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "python book",
    "Learning Python, 5th edition, python programming book",
    "tiger print shirt",
    "Tiger print shirt, size M, $15",
    "ivory colour dress",
    "Ivory colour dress, price 40 USD",
    "turtle neck sweater",
    "bear plush toy",
    "Teddy bear for sale $10",
    "coral pink lipstick $8",
    "saw a tiger at the zoo today",
    "Bengal tiger plush toy",
    "white gold ring 18k",  # code word with no sale context... 18k is not a price
    "Ivory Coast football jersey $25",
    "Tiger Balm ointment, price 5 USD",
    "mammoth ivory",
    "Ivory satin wedding dress for sale",
    "Jaguar car scale model, 46 USD",
    "Shark tank DVD box set 12 USD",
    "象牙白连衣裙 价格99元",  # ivory-white dress
    "海马体记忆训练 出售",  # hippocampus (brain) training
])
def test_ordinary_listings_are_not_mentions(text: str) -> None:
    assert match_text(text) == []


@pytest.mark.parametrize(("text", "species"), [
    ("Tiger, price $5000", {"Panthera tigris"}),
    ("ivory bangle, DM for price", {"Loxodonta africana", "Elephas maximus"}),
    ("white gold bangle, wts, harga nego", {"Loxodonta africana", "Elephas maximus"}),
    ("RH 5kg ready, wechat", {"Rhinocerotidae"}),
    ("Ball python and tiger cubs", {"Python regius", "Panthera tigris"}),  # second species term
    ("python skin handbag $300", {"Pythonidae"}),
    ("coral frags CB", {"Scleractinia"}),  # a watchlist context term
])
def test_everyday_words_count_in_context(text: str, species: set[str]) -> None:
    assert names(text) == species


def test_weak_mentions_score_lower() -> None:
    [weak] = match_text("Tiger, price $5000")
    [strong] = match_text("Bengal tiger")
    assert weak.score < strong.score


def test_weakness_rule() -> None:
    assert is_weak("tiger", "common_name")
    assert is_weak("rh", "code_word")
    assert is_weak("white gold", "code_word")
    assert is_weak("lin", "common_name")  # short romanised names need context
    assert not is_weak("pangolin", "common_name")
    assert not is_weak("bengal tiger", "common_name")


# --- one mention per species, the best one -------------------------------------------

def test_one_mention_per_species_keeps_the_best() -> None:
    mentions = match_text("Ball python, royal python, Python regius, pyhton regius")
    assert [(m.scientific_name, m.match, m.score) for m in mentions] == [("Python regius", "exact", 1.0)]


def test_longer_match_hides_the_words_inside_it() -> None:
    # "tiger" inside "tiger bone wine" and "python" inside "ball python" make no mention of their own
    assert names("tiger bone wine and ball python for sale") == {"Panthera tigris", "Python regius"}
    assert names("Ball python $50") == {"Python regius"}


def test_mentions_carry_text_as_written() -> None:
    [mention] = match_text("Selling TÊ TÊ scales!")
    assert mention.term == "TÊ TÊ"
    assert mention.matched == "tê tê"
    assert mention.match == "common_name"


# --- user tables ---------------------------------------------------------------------

def test_user_tables_merge_with_defaults() -> None:
    species = pd.DataFrame([
        {"scientific_name": "Heosemys annandalii", "cites_appendix": "II",
         "common_names": "yellow-headed temple turtle", "synonyms": "Hieremys annandalii", "taxon_group": "reptile"},
        {"scientific_name": "Python regius", "cites_appendix": "II", "common_names": "ular bola",
         "synonyms": "", "taxon_group": "reptile"},
    ])
    keywords = pd.DataFrame([{"term": "temple baby", "scientific_name": "Heosemys annandalii",
                              "kind": "slang", "language": "en"}])
    index = build_species_index(species, keywords)
    assert names("yellow-headed temple turtle", index=index) == {"Heosemys annandalii"}
    assert names("Hieremys annandalii", index=index) == {"Heosemys annandalii"}
    assert names("temple baby for sale $40", index=index) == {"Heosemys annandalii"}
    assert names("ular bola", index=index) == {"Python regius"}  # added to a default row
    assert names("ball python", index=index) == {"Python regius"}  # defaults still there
    assert names("ball python", index=build_species_index(species, include_defaults=False)) == set()


def test_build_matcher_gives_species_props_for_loaders() -> None:
    extra = pd.DataFrame([{"scientific_name": "Heosemys annandalii", "cites_appendix": "II",
                           "common_names": ["yellow-headed temple turtle"], "synonyms": None,
                           "taxon_group": "reptile"}])
    matcher, props = build_matcher(extra, None)
    assert [m.scientific_name for m in matcher.match_text("yellow-headed temple turtle")] == [
        "Heosemys annandalii"]
    assert props["Heosemys annandalii"]["common_names"] == ["yellow-headed temple turtle"]
    assert props["Manis javanica"]["cites_appendix"] == "I"


def test_species_plus_style_cells_are_cleaned() -> None:
    species = pd.DataFrame([{
        "scientific_name": "Geochelone elegans", "cites_appendix": "I",
        "common_names": "Indian Star Tortoise, Star Tortoise",
        "synonyms": "Testudo actinoides Bell, 1828, Testudo elegans Schoepff, 1795", "taxon_group": "Reptilia",
    }])
    index = build_species_index(species, include_defaults=False)
    assert names("Testudo actinoides", index=index) == {"Geochelone elegans"}
    assert names("star tortoise", index=index) == {"Geochelone elegans"}


@pytest.mark.parametrize("text", [
    "น้ำหอมกลิ่นดอกไม้",  # "smell" contains the letters of ลิ่น (pangolin): no longer a name
    "画眉笔 自然色",  # eyebrow pencil, not the hwamei
    "Đổi Mới 1986",  # folds to the Vietnamese name of the hawksbill
])
def test_other_scripts_everyday_words(text: str) -> None:
    assert match_text(text) == []


# --- work bounds (issue 19.4): counted, not timed ------------------------------------

class _CountingSpan:
    """A candidate whose every read of start/end is counted, to measure _outermost's work."""

    reads = 0

    def __init__(self, start: int, end: int) -> None:
        self._start, self._end = start, end

    @property
    def start(self) -> int:
        _CountingSpan.reads += 1
        return self._start

    @property
    def end(self) -> int:
        _CountingSpan.reads += 1
        return self._end


def test_outermost_work_grows_as_n_log_n_not_n_squared() -> None:
    from graphbench.matching.matcher import _outermost

    # 4,000 spans: runs of nested words ("tiger" in "tiger bone" in "tiger bone wine") and repeats
    spans = [_CountingSpan(10 * i, 10 * i + width) for i in range(1000) for width in (3, 5, 9)]
    spans += [_CountingSpan(10 * i, 10 * i + 9) for i in range(1000)]  # equal spans hide neither
    _CountingSpan.reads = 0
    kept = _outermost(spans)
    assert {(c._start, c._end) for c in kept} == {(10 * i, 10 * i + 9) for i in range(1000)}
    assert len(kept) == 2000
    # a pairwise scan reads start/end ~4 * 4000² = 64M times; one sort and one sweep a few per span
    assert _CountingSpan.reads <= 20 * len(spans)


def test_a_huge_listing_is_matched_on_its_first_part_only() -> None:
    from graphbench.matching.matcher import MAX_TEXT_CHARS

    head = "Manis javanica for sale. "
    text = head + "lorem ipsum dolor " * (990_000 // 18) + " Python regius"
    assert len(text) > 9 * MAX_TEXT_CHARS
    assert names(text) == {"Manis javanica"}  # the tail past the bound is not scanned
