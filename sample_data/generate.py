"""Seeded generator of the graphbench sample dataset and its ground truth.

``python sample_data/generate.py --seed 7 --scale 1 --out sample_data`` writes the canonical
input files (accounts.csv, listings.jsonl, transactions.csv, payment_links.csv, shipments.csv)
and ``ground_truth.json`` describing every planted structure: seller rings, same-operator
account sets, influencers, cross-posts, species mentions, laundering patterns, popular
identifiers and malformed rows. Same seed and scale give byte-identical files.

Species names, synonyms, common names and code words come only from the packaged reference
lists (graphbench/data/species.csv, keywords.csv) so the matcher can find what is planted.
Node ids in the ground truth are built with :func:`graphbench.schema.node_id` over the
:mod:`graphbench.normalize` form of what is written into the files.

Large scales stream rows to disk: transactions month by month, listings seller by seller,
and the long ground-truth lists (mentions, negative listings) through temporary files.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any, TextIO

try:
    from graphbench import normalize
except ModuleNotFoundError:  # run as a script from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from graphbench import normalize
import phonenumbers

from graphbench.schema import node_id

REFERENCE_DIR = Path(normalize.__file__).resolve().parent / "data"

# ---------------------------------------------------------------------------------------------
# Fixed world: time window, platforms, places, couriers, vocabulary
# ---------------------------------------------------------------------------------------------

WINDOW_START = datetime(2023, 1, 1, tzinfo=UTC)
WINDOW_END = datetime(2024, 6, 30, 23, 59, 59, tzinfo=UTC)
WINDOW_SECONDS = int((WINDOW_END - WINDOW_START).total_seconds())
BURST_DAYS = 60  # bursting species/hashtags concentrate in the last two months
CAPTURE_START = datetime(2024, 7, 1, tzinfo=UTC)

PLATFORMS = ("facebook", "instagram", "telegram", "wechat", "marketplace", "tiktok")
ESCROW_CHANNEL = ("bank_account", "MARKETPLACE-ESCROW-0001")
GENERIC_TAGS = ("pets", "reptiles", "exoticpets", "forsale", "animals", "petsofinstagram",
                "reptilesofinstagram", "birds", "cute", "collector")
POPULAR_TAGS = ("pets", "reptiles", "exoticpets", "forsale")  # used by hundreds of unrelated accounts
LEGIT_TAGS = ("pets", "forsale", "dogs", "cats", "vintage", "antiques", "preloved", "aquarium")

COUNTRY_NAMES = {
    "VN": "Vietnam", "ID": "Indonesia", "TH": "Thailand", "MY": "Malaysia", "NG": "Nigeria",
    "CM": "Cameroon", "ZA": "South Africa", "MG": "Madagascar", "BR": "Brazil", "MX": "Mexico",
    "CN": "China", "HK": "Hong Kong", "US": "United States", "AE": "United Arab Emirates",
    "JP": "Japan", "DE": "Germany", "GB": "United Kingdom", "FR": "France", "ES": "Spain",
    "LA": "Laos", "PH": "Philippines", "KE": "Kenya",
}
CITIES = {
    "VN": ("Hanoi", "Ho Chi Minh City", "Hai Phong", "Da Nang"), "ID": ("Jakarta", "Surabaya", "Medan"),
    "TH": ("Bangkok", "Chiang Mai", "Hat Yai"), "MY": ("Kuala Lumpur", "Johor Bahru", "Penang"),
    "NG": ("Lagos", "Abuja", "Kano"), "CM": ("Douala", "Yaounde"), "ZA": ("Johannesburg", "Cape Town"),
    "MG": ("Antananarivo", "Toamasina"), "BR": ("Sao Paulo", "Manaus", "Belem"),
    "MX": ("Mexico City", "Guadalajara"), "CN": ("Guangzhou", "Shenzhen", "Kunming", "Beijing"),
    "HK": ("Hong Kong",), "US": ("Los Angeles", "Miami", "New York", "Houston"), "AE": ("Dubai",),
    "JP": ("Tokyo", "Osaka"), "DE": ("Berlin", "Hamm", "Munich"), "GB": ("London", "Manchester"),
    "FR": ("Paris", "Lyon"), "ES": ("Madrid", "Barcelona"), "LA": ("Vientiane",),
    "PH": ("Manila",), "KE": ("Nairobi", "Mombasa"),
}
SOURCE_COUNTRIES = ("VN", "ID", "TH", "MY", "NG", "CM", "ZA", "MG", "BR", "MX")
HUB_COUNTRIES = ("CN", "HK", "VN", "US", "AE", "JP", "DE", "GB", "TH", "LA")
LEGIT_COUNTRIES = ("US", "GB", "DE", "FR", "ES", "JP", "MY", "TH", "ID", "VN", "BR", "ZA")
COUNTRY_LANGUAGE = {"VN": "vi", "ID": "id", "MY": "id", "TH": "th", "CN": "zh", "HK": "zh",
                    "FR": "fr", "CM": "fr", "MG": "fr", "MX": "es", "ES": "es", "BR": "es"}
COURIERS_BY_REGION = {
    "asia": ("J&T Express", "Ninja Van", "Kerry Express", "VNPost", "EMS", "SF Express", "DHL"),
    "africa": ("DHL", "FedEx", "EMS", "UPS"),
    "america": ("DHL", "FedEx", "UPS", "EMS"),
}
REGION_OF = {c: "asia" for c in ("VN", "ID", "TH", "MY", "CN", "HK", "LA", "PH", "JP")}
REGION_OF.update({c: "africa" for c in ("NG", "CM", "ZA", "MG", "KE")})
FALSE_CONTENTS = ("handicraft", "toys", "dried fish", "cosmetics", "clothes", "tea", "spare parts",
                  "documents", "shoes", "souvenirs", "dried mushrooms", "snacks")
LEGIT_CONTENTS = ("books", "clothing", "pet supplies", "aquarium equipment", "antique lamp",
                  "plush toys", "cat toys", "dog food", "porcelain vase", "board games")
CURRENCY_OF = {"VN": "VND", "ID": "IDR", "TH": "THB", "MY": "MYR", "NG": "NGN", "CM": "XAF",
               "ZA": "ZAR", "MG": "MGA", "BR": "BRL", "MX": "MXN", "CN": "CNY", "HK": "HKD",
               "US": "USD", "AE": "AED", "JP": "JPY", "DE": "EUR", "GB": "GBP", "FR": "EUR",
               "ES": "EUR", "LA": "LAK", "PH": "PHP", "KE": "KES"}
USD_RATE = {"VND": 24500, "IDR": 15500, "THB": 35, "MYR": 4.6, "NGN": 900, "XAF": 600, "ZAR": 18.5,
            "MGA": 4500, "BRL": 5, "MXN": 17, "CNY": 7.2, "HKD": 7.8, "USD": 1, "AED": 3.67,
            "JPY": 150, "EUR": 0.92, "GBP": 0.79, "LAK": 20500, "PHP": 56, "KES": 150}

# Listing text per language: titles carry {term}; sentences are filler around it.
TITLES = {
    "en": ("{term} for sale", "{term} available now", "Rare {term} - ready to ship", "Fresh stock: {term}",
           "{term} \u2705 ship worldwide", "Selling {term}, serious buyers"),
    "zh": ("出售{term}", "{term}现货", "{term} 私聊", "低价出{term}"),
    "vi": ("Bán {term}", "{term} giá tốt", "Cần bán {term}", "{term} hàng có sẵn"),
    "id": ("Jual {term}", "{term} ready stok", "Dijual {term} murah"),
    "th": ("ขาย {term}", "{term} พร้อมส่ง", "มี {term} ขาย"),
    "fr": ("Vends {term}", "{term} disponible", "A vendre : {term}"),
    "es": ("Vendo {term}", "{term} disponible", "Se vende {term}"),
}
SENTENCES = {
    "en": ("Healthy and ready to ship.", "Serious buyers only.", "DM for price.", "Fast and discreet delivery.",
           "Safe packing, ship worldwide.", "Limited stock, first come first served.", "Contact on WhatsApp.",
           "Wholesale price for bulk orders.", "Payment first, then shipping.", "Real photos, no fakes.",
           "Message me for more pictures.", "Trusted seller, many repeat customers."),
    "zh": ("质量保证。", "私聊价格。", "全国包邮。", "诚心要的联系。", "可以批发。", "实拍图片。"),
    "vi": ("Ship toàn quốc.", "Inbox để biết giá.", "Giao hàng nhanh.", "Bao đóng gói.", "Giá sỉ cho đơn lớn."),
    "id": ("Siap kirim.", "Harga nego.", "DM aja.", "Pengiriman aman.", "Bisa COD."),
    "th": ("ราคาดี", "ส่งฟรี", "ทักแชท", "ของแท้", "ส่งไว"),
    "fr": ("Envoi possible.", "Prix en MP.", "Livraison rapide.", "Photos réelles."),
    "es": ("Envío a todo el país.", "Precio por privado.", "Entrega rápida.", "Fotos reales."),
}
EMOJI = ("\U0001f525", "\u2728", "\U0001f4e6", "\U0001f4af", "\u2b50", "\U0001f40d", "\U0001f422", "\U0001f99c")
LEGIT_PRODUCTS = ("Golden retriever puppies, vaccinated", "Cat toy bundle with feathers", "Antique brass lamp",
                  "Aquarium filter 200 L", "Large bird cage", "Hamster wheel, silent", "Vintage wooden chess set",
                  "Dog leash and collar set", "Cat scratching post", "Fish tank LED light",
                  "Reptile heat lamp 100 W", "Glass terrarium 60x45x45", "Antique porcelain vase",
                  "Vintage pocket watch", "Kitten food 2 kg", "Puppy training pads", "Bird seed mix 5 kg",
                  "Old coin collection", "Handmade dog bed", "Rabbit hutch, wooden")
# Ordinary goods whose names contain animal words: negatives the matcher must not flag.
TRAP_PRODUCTS = ("Python book: Learning Python, 5th edition", "Tiger print shirt, size M",
                 "Ivory colour dress, worn once", "Turtle neck sweater, wool", "Bear plush toy, 30 cm",
                 "Elephant ear plant in pot", "Shark tank DVD box set", "Jaguar car scale model",
                 "Crocodile clips, set of 20", "Tiger balm, 3 jars")
LOOKALIKE_PRODUCTS = ("vintage camera", "designer sneakers", "gaming laptop", "mechanical watch",
                      "leather jacket", "limited edition vinyl")
LEGIT_SENTENCES = ("Pickup or post.", "Smoke-free home.", "Price firm.", "Message me for details.",
                   "Brand new in box.", "Barely used.", "Collection only.", "Can post worldwide.")
HANDLE_WORDS = ("exotic", "wild", "jungle", "rare", "tropic", "forest", "island", "golden", "lucky", "royal",
                "scale", "shell", "feather", "pet", "zoo", "nature", "green", "river", "hill", "safari")
HANDLE_SUFFIXES = ("shop", "house", "store", "collection", "official", "world", "club", "market", "corner")
PERSON_NAMES = ("minh", "tuan", "linh", "hoa", "budi", "sari", "agus", "somchai", "nok", "anan", "wei", "li",
                "chen", "kofi", "emeka", "ade", "tendai", "rivo", "ana", "jose", "lucas", "maria", "john",
                "kate", "tom", "lena", "yuki", "omar", "farah", "hans", "pierre", "sofia")
EMAIL_DOMAINS = ("mail.example", "inbox.example", "qq.example", "163.example", "proton.example", "post.example")
SHOP_WORDS = ("pets", "vintage", "antiques", "aquatics", "petsupply", "goods", "finds", "deals")
REFERENCES = ("", "", "", "order", "payment", "invoice", "gift", "thanks", "deposit", "balance")
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
CHANNEL_ALIASES_WRITTEN = {"mobile_money": "momo", "wechat": "weixin", "paypal": "PayPal", "btc": "bitcoin"}
PATTERN_KINDS = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter", "stack", "structuring")

ACCOUNT_COLUMNS = ("platform", "handle", "display_name", "profile_url", "followers", "bio", "phone", "email",
                   "links", "location", "created_at", "captured_at")
LISTING_KEYS = ("platform", "listing_id", "handle", "posted_at", "title", "text", "price", "currency",
                "hashtags", "image_phash", "location", "url", "captured_at")
TRANSACTION_COLUMNS = ("tx_id", "timestamp", "from_type", "from_id", "to_type", "to_id", "amount", "currency",
                       "reference")
PAYMENT_LINK_COLUMNS = ("platform", "handle", "channel_type", "channel_id", "seen_in")
SHIPMENT_COLUMNS = ("shipper", "tracking_no", "sender_platform", "sender_handle", "origin_country", "origin_city",
                    "destination_country", "destination_city", "declared_content", "weight_kg", "shipped_at")
MALFORMED_RATE = 0.01
RING_KIND_WEIGHTS = {"exact": 3, "synonym": 1, "common_name": 4, "code_word": 3, "misspelling": 2}
SELLER_KIND_WEIGHTS = {"exact": 3, "synonym": 0.5, "common_name": 5, "code_word": 0.5}


# ---------------------------------------------------------------------------------------------
# Reference lexicon: which terms name which species, and which words to keep out of filler text
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    text: str
    match: str  # exact | synonym | common_name | code_word | misspelling
    language: str
    names: tuple[str, ...] = ()  # every species the term names (a watchlist word can name two)


@dataclass
class SpeciesTerms:
    scientific_name: str
    terms: list[Term]

    def of_kind(self, match: str) -> list[Term]:
        return [t for t in self.terms if t.match == match]


@dataclass
class Lexicon:
    species: list[SpeciesTerms]
    all_terms: list[str]  # every term of both lists (any kind), lower-case, for collision checks
    _latin: re.Pattern[str] | None = None
    _other: re.Pattern[str] | None = None

    def __post_init__(self) -> None:
        latin = [t for t in self.all_terms if t.isascii()]
        other = [t for t in self.all_terms if not t.isascii()]
        if latin:
            alternation = "|".join(re.escape(t) for t in sorted(latin, key=len, reverse=True))
            self._latin = re.compile(rf"(?<![\w])(?:{alternation})(?![\w])", re.IGNORECASE)
        if other:
            self._other = re.compile("|".join(re.escape(t) for t in sorted(other, key=len, reverse=True)))

    def names_a_species(self, text: str) -> bool:
        """Does ``text`` contain any listed term (so it cannot serve as neutral filler)?"""
        spaced = re.sub(r"[._]", " ", text)
        return bool((self._latin and self._latin.search(spaced)) or (self._other and self._other.search(text)))


def read_lexicon(reference_dir: Path) -> Lexicon:
    """Species and terms from ``species.csv`` / ``keywords.csv``; only CITES-listed species, unambiguous terms."""
    with open(reference_dir / "species.csv", encoding="utf-8", newline="") as f:
        species_rows = list(csv.DictReader(f))
    with open(reference_dir / "keywords.csv", encoding="utf-8", newline="") as f:
        keyword_rows = list(csv.DictReader(f))
    candidates: dict[str, list[Term]] = {}
    listed: set[str] = set()
    owners: dict[str, set[str]] = {}  # lower-case term -> species it names
    for row in species_rows:
        name = normalize.scientific_name(row["scientific_name"])
        appendix = (row.get("cites_appendix") or "").strip().upper()
        if appendix in ("I", "II", "III") or appendix.startswith(("I/", "II/")):
            listed.add(name)
        terms = [Term(name, "exact", "la")]
        terms += [Term(s, "synonym", "la") for s in normalize.split_multi(row.get("synonyms"))]
        terms += [Term(c, "common_name", script_language(c)) for c in normalize.split_multi(row.get("common_names"))]
        candidates.setdefault(name, []).extend(terms)
    for row in keyword_rows:
        term = (row.get("term") or "").strip()
        if not term or not row.get("scientific_name"):
            owners.setdefault(term.lower(), set()).add("")
            continue
        name = normalize.scientific_name(row["scientific_name"])
        kind = (row.get("kind") or "").strip().lower()
        match = {"common_name": "common_name", "code_word": "code_word", "slang": "code_word"}.get(kind)
        language = (row.get("language") or "en").strip().lower().split("-")[0] or "en"
        if match and name in candidates:
            candidates[name].append(Term(term, match, language))
        else:  # product words and terms of unknown species only guard filler text
            owners.setdefault(term.lower(), set()).add(name)
    for name, terms in candidates.items():
        for term in terms:
            owners.setdefault(term.text.lower(), set()).add(name)
    species: list[SpeciesTerms] = []
    for name, terms in candidates.items():
        if name not in listed:
            continue
        unique: dict[str, Term] = {}
        for term in terms:
            named = owners[term.text.lower()]
            # a term shared with an unlisted species or a species-less slang word has no clear answer;
            # one shared by listed species (ivory: both elephants) names all of them
            if named <= listed and term.text.lower() not in unique:
                unique[term.text.lower()] = Term(term.text, term.match, term.language, tuple(sorted(named)))
        if any(t.match == "exact" for t in unique.values()):
            species.append(SpeciesTerms(name, list(unique.values())))
    if len(species) < 4:
        raise SystemExit(f"{reference_dir}: need at least 4 CITES-listed species, found {len(species)}")
    all_terms = sorted({t for t in owners if t})
    return Lexicon(species, all_terms)


def script_language(text: str) -> str:
    """Best guess of a common name's language from its script (species.csv does not say)."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    if re.search(r"[\u0e00-\u0e7f]", text):
        return "th"
    if re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", text.lower()):
        return "vi"
    return "en"


def misspell(name: str, rng: random.Random, lexicon: Lexicon) -> str | None:
    """A 1–2 character edit (drop / double / swap / substitute) inside the genus or the epithet."""
    words = name.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 5]
    if not candidates:
        return None
    for _ in range(20):
        i = rng.choice(candidates)
        word = list(words[i])
        for _edit in range(1 if len(word) < 8 or rng.random() < 0.7 else 2):
            pos = rng.randrange(1, len(word) - 1)  # keep the first and last letters: real typos do
            kind = rng.choice(("drop", "double", "swap", "substitute"))
            if kind == "drop":
                del word[pos]
            elif kind == "double":
                word.insert(pos, word[pos])
            elif kind == "swap":
                word[pos], word[pos + 1] = word[pos + 1], word[pos]
            else:
                vowels = "aeiouy"
                pool = vowels if word[pos] in vowels else "bcdfghklmnprstvz"
                word[pos] = rng.choice([c for c in pool if c != word[pos]])
        spelt = " ".join([*words[:i], "".join(word), *words[i + 1:]])
        if spelt != name and not lexicon.names_a_species(spelt):
            return spelt
    return None


# ---------------------------------------------------------------------------------------------
# Identifier factories
# ---------------------------------------------------------------------------------------------

def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def moment_at(fraction: float) -> datetime:
    return WINDOW_START + timedelta(seconds=int(fraction * WINDOW_SECONDS))


def trending_moment(rng: random.Random, burst: bool = False) -> datetime:
    """A time in the window with activity growing over time; bursts land in the last two months."""
    if burst and rng.random() < 0.65:
        return WINDOW_END - timedelta(seconds=rng.randrange(BURST_DAYS * 86400))
    return moment_at(math.sqrt(rng.random()) * 0.999)


_MOBILE_TEMPLATE: dict[str, phonenumbers.PhoneNumber] = {}


def mobile_number(country: str, rng: random.Random) -> str:
    """A valid mobile number of ``country`` written internationally (E.164 or spaced)."""
    template = _MOBILE_TEMPLATE.setdefault(
        country, phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE))
    national = str(template.national_number)
    keep = max(2, len(national) - 7)
    number = phonenumbers.PhoneNumber(country_code=template.country_code, national_number=int(national))
    for _ in range(30):
        digits = national[:keep] + "".join(rng.choice("0123456789") for _ in range(len(national) - keep))
        candidate = phonenumbers.PhoneNumber(country_code=template.country_code, national_number=int(digits))
        if phonenumbers.is_valid_number(candidate):
            number = candidate
            break
    style = phonenumbers.PhoneNumberFormat.E164 if rng.random() < 0.6 else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def respell_phone(raw: str, rng: random.Random) -> str:
    """The same number written the other way (E.164 <-> spaced), as different captures do."""
    parsed = phonenumbers.parse(raw)
    style = phonenumbers.PhoneNumberFormat.INTERNATIONAL if raw.startswith("+") and " " not in raw else \
        phonenumbers.PhoneNumberFormat.E164
    return phonenumbers.format_number(parsed, style) if rng.random() < 0.5 else raw


def iban(country: str, rng: random.Random) -> str:
    layout = {"DE": "n18", "GB": "a4n14", "FR": "n23", "ES": "n20", "AE": "n19", "BR": "n23a2",
              "MG": "n23", "CM": "n23"}.get(country, "n20")
    bban = ""
    for kind, count in re.findall(r"([an])(\d+)", layout):
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if kind == "a" else "0123456789"
        bban += "".join(rng.choice(alphabet) for _ in range(int(count)))
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    return f"{country}{check:02d}{bban}"


def channel_raw(ctype: str, country: str, label: str, rng: random.Random) -> str:
    """A raw channel identifier of type ``ctype`` as a seller would write it."""
    if ctype == "paypal":
        return f"{label}{rng.randrange(10, 9999)}@{rng.choice(EMAIL_DOMAINS)}"
    if ctype == "wechat":
        return f"wxid_{''.join(rng.choice('abcdefghijkmnpqrstuvwxyz23456789') for _ in range(12))}" \
            if rng.random() < 0.6 else f"{label}_{rng.randrange(100, 999)}"
    if ctype == "alipay":
        return f"{label}.{rng.randrange(100, 99999)}@{rng.choice(EMAIL_DOMAINS)}"
    if ctype == "mobile_money":
        return mobile_number(country, rng)
    if ctype == "iban":
        return iban(country if country in ("DE", "GB", "FR", "ES", "AE", "BR", "MG", "CM") else "DE", rng)
    if ctype == "btc":
        return "bc1q" + "".join(rng.choice(BECH32) for _ in range(38))
    if ctype == "eth":
        return "0x" + "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(40))
    if ctype == "usdt":
        return "T" + "".join(rng.choice(BASE58) for _ in range(33))
    raise ValueError(ctype)


def channel_types_for(country: str) -> tuple[str, ...]:
    if country in ("CN", "HK"):
        return ("wechat", "alipay", "wechat", "usdt")
    if country in ("VN", "ID", "TH", "MY", "LA", "PH"):
        return ("mobile_money", "wechat", "paypal", "usdt", "mobile_money")
    if country in ("NG", "CM", "ZA", "MG", "KE"):
        return ("mobile_money", "mobile_money", "btc", "paypal")
    if country in ("DE", "GB", "FR", "ES", "AE"):
        return ("iban", "paypal", "iban", "eth")
    return ("paypal", "paypal", "btc", "eth", "iban")


def phash(rng: random.Random) -> int:
    return rng.getrandbits(64)


def near_phash(value: int, rng: random.Random) -> int:
    """The same photo re-encoded or cropped: 0–4 bits flipped."""
    for bit in rng.sample(range(64), rng.randint(0, 4)):
        value ^= 1 << bit
    return value


# ---------------------------------------------------------------------------------------------
# The world: operators, accounts, channels, rings
# ---------------------------------------------------------------------------------------------

@dataclass
class Channel:
    ctype: str
    raw: str

    @property
    def id(self) -> str:
        return node_id("PaymentChannel", self.ctype, normalize.channel_id(self.ctype, self.raw))


@dataclass
class Account:
    platform: str
    handle: str  # as written in accounts.csv
    role: str  # ring | influencer | seller | legit | buyer
    operator: str
    country: str
    city: str
    followers: int
    display_name: str
    created_at: datetime
    phone: str = ""
    email: str = ""
    bio: str = ""
    links: list[Account] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    ring: str | None = None
    language: str = "en"
    first_listing: str | None = None

    @property
    def id(self) -> str:
        return node_id("Account", normalize.platform(self.platform), normalize.handle(self.handle))


@dataclass
class Operator:
    id: str
    ring: str | None
    country: str
    accounts: list[Account] = field(default_factory=list)


@dataclass
class Ring:
    id: str
    country: str
    species: list[SpeciesTerms]
    tags: list[str]
    couriers: list[str]
    routes: list[tuple[str, str]]
    code_words: list[Term]
    misspellings: list[Term]
    terms: dict[str, list[Term]]  # scientific name -> terms this ring writes
    operators: list[Operator] = field(default_factory=list)

    @property
    def accounts(self) -> list[Account]:
        return [a for op in self.operators for a in op.accounts]


class World:
    """Everything that must stay in memory: accounts, operators, rings, channels (not listings or transfers)."""

    def __init__(self, seed: int, scale: float, lexicon: Lexicon) -> None:
        self.seed = seed
        self.scale = scale
        self.lexicon = lexicon
        self.rng = random.Random(f"{seed}-world")
        self.handles: set[tuple[str, str]] = set()
        self.operators: list[Operator] = []
        self.rings: list[Ring] = []
        self.influencers: list[tuple[Account, list[Account]]] = []
        self.escrow = Channel(*ESCROW_CHANNEL)
        self.burst_species: list[str] = []
        self.burst_tags: list[str] = []
        self.words = [w for w in HANDLE_WORDS if not lexicon.names_a_species(w)]

    def count(self, base: float, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    @property
    def accounts(self) -> list[Account]:
        return [a for op in self.operators for a in op.accounts]

    def new_operator(self, ring: str | None, country: str) -> Operator:
        width = max(3, len(str(self.count(500))))
        operator = Operator(f"op-{len(self.operators) + 1:0{width}d}", ring, country)
        self.operators.append(operator)
        return operator

    def free_handle(self, platform: str, base: str) -> str:
        """``base`` or a numbered variant not yet taken on ``platform`` and naming no species."""
        candidate = base
        while (platform, candidate.lower()) in self.handles or self.lexicon.names_a_species(candidate):
            candidate = f"{base}{self.rng.randrange(2, 9999)}"
        self.handles.add((platform, candidate.lower()))
        return candidate

    def brand(self) -> str:
        rng = self.rng
        return rng.choice((
            f"{rng.choice(self.words)}{rng.choice(HANDLE_SUFFIXES)}",
            f"{rng.choice(PERSON_NAMES)}.{rng.choice(self.words)}",
            f"{rng.choice(self.words)}.{rng.choice(HANDLE_SUFFIXES)}",
        ))

    def handle_variant(self, brand: str, country: str) -> str:
        """A look-alike of ``brand`` (``reptile.house`` -> ``reptilehouse_vn``), as operators reuse names."""
        rng = self.rng
        plain = brand.replace(".", "").replace("_", "")
        return rng.choice((brand, plain + "_" + country.lower(), brand.replace(".", "_") + str(rng.randrange(1, 99)),
                           plain + ".official", "the" + plain, brand + "_" + country.lower()))

    def make_account(self, operator: Operator, platform: str, handle_base: str, role: str,
                     followers: int, language: str = "en") -> Account:
        rng = self.rng
        country = operator.country if rng.random() < 0.9 else rng.choice(HUB_COUNTRIES)
        handle = self.free_handle(platform, handle_base)
        if rng.random() < 0.1:
            handle = handle.capitalize()  # captured with the platform's display casing
        created = WINDOW_START - timedelta(days=rng.randrange(30, 2000))
        display = " ".join(p.capitalize() for p in re.split(r"[._]", handle) if p)
        account = Account(platform, handle, role, operator.id, country, rng.choice(CITIES[country]), followers,
                          display, created, ring=operator.ring, language=language)
        operator.accounts.append(account)
        return account

    # -- rings ------------------------------------------------------------------------------

    def build_rings(self) -> None:
        rng = self.rng
        n_rings = self.count(12, minimum=3)
        width = max(2, len(str(n_rings)))
        species_pool = self.lexicon.species
        for r in range(n_rings):
            country = SOURCE_COUNTRIES[r % len(SOURCE_COUNTRIES)] if r < len(SOURCE_COUNTRIES) else \
                rng.choice(SOURCE_COUNTRIES)
            chosen = self.ring_species(species_pool, rng.randint(2, 4))
            terms: dict[str, list[Term]] = {}
            code_words: list[Term] = []
            misspellings: list[Term] = []
            language = COUNTRY_LANGUAGE.get(country, "en")
            for sp in chosen:
                own = [t for t in sp.terms if t.match in ("exact", "synonym")]
                own += [t for t in sp.of_kind("common_name") if t.language in ("en", language) or rng.random() < 0.5]
                codes = sp.of_kind("code_word")
                if codes:
                    picked = rng.sample(codes, k=min(len(codes), rng.randint(1, 2)))
                    own += picked
                    code_words += picked
                for _ in range(rng.randint(1, 2)):
                    spelt = misspell(sp.scientific_name, rng, self.lexicon)
                    if spelt and spelt not in [m.text for m in misspellings]:
                        term = Term(spelt, "misspelling", "la", (sp.scientific_name,))
                        own.append(term)
                        misspellings.append(term)
                terms[sp.scientific_name] = own
            hubs = [h for h in HUB_COUNTRIES if h != country]
            routes = [(country, h) for h in rng.sample(hubs, k=rng.randint(1, 3))]
            region = REGION_OF.get(country, "america")
            couriers = rng.sample(COURIERS_BY_REGION[region], k=rng.randint(1, 3))
            ring = Ring(f"ring-{r + 1:0{width}d}", country, chosen, self.ring_tags(), couriers, routes,
                        code_words, misspellings, terms)
            self.rings.append(ring)
            for _ in range(rng.randint(3, 10)):
                self.build_ring_operator(ring, language)
            self.link_ring(ring)
        named = [sp.scientific_name for ring in self.rings for sp in ring.species]
        self.burst_species = sorted(set(rng.sample(named, k=min(2, len(named)))))
        self.burst_tags = [rng.choice(ring.tags) for ring in self.rings
                           if any(sp.scientific_name in self.burst_species for sp in ring.species)]

    def ring_species(self, pool: list[SpeciesTerms], k: int) -> list[SpeciesTerms]:
        """Rings favour the heavily traded taxa: those with code words and many common names."""
        weights = [1 + 6 * len(sp.of_kind("code_word")) + len(sp.of_kind("common_name")) / 3 for sp in pool]
        chosen: list[SpeciesTerms] = []
        while len(chosen) < min(k, len(pool)):
            sp = self.rng.choices(pool, weights=weights)[0]
            if sp not in chosen:
                chosen.append(sp)
        return chosen

    def ring_tags(self) -> list[str]:
        rng = self.rng
        tags: list[str] = []
        while len(tags) < rng.randint(2, 4):
            tag = rng.choice((
                f"{rng.choice(self.words)}{rng.choice(HANDLE_SUFFIXES)}{rng.randrange(10, 99)}",
                f"{rng.choice(PERSON_NAMES)}_{rng.choice(self.words)}{rng.randrange(1, 9)}",
                f"{rng.choice(self.words)}{rng.choice(self.words)}{rng.choice(('vn', 'id', 'th', 'hk', 'x'))}",
            ))
            if not self.lexicon.names_a_species(tag) and tag not in tags and tag not in GENERIC_TAGS:
                tags.append(tag)
        return tags

    def build_ring_operator(self, ring: Ring, language: str) -> None:
        rng = self.rng
        operator = self.new_operator(ring.id, ring.country)
        platforms = rng.sample(PLATFORMS, k=rng.choices((1, 2, 3, 4), weights=(3, 4, 2, 1))[0])
        # what ties this operator's accounts together: at least one shared identifier, often more
        shares = {"phone": rng.random() < 0.55, "email": rng.random() < 0.4, "payment": rng.random() < 0.5,
                  "handle": rng.random() < 0.45}
        if not any(shares.values()):
            shares[rng.choice(list(shares))] = True
        brand = self.brand()
        phone = mobile_number(ring.country, rng)
        email = f"{brand.replace('.', '')}{rng.randrange(10, 99)}@{rng.choice(EMAIL_DOMAINS)}"
        ctype = rng.choice(channel_types_for(ring.country))
        shared_channel = Channel(ctype, channel_raw(ctype, ring.country, brand.replace(".", ""), rng))
        for platform in platforms:
            base = self.handle_variant(brand, ring.country) if shares["handle"] else self.brand()
            account = self.make_account(operator, platform, base, "ring", int(rng.paretovariate(1.2) * 300),
                                        language)
            account.phone = respell_phone(phone, rng) if shares["phone"] else (
                mobile_number(ring.country, rng) if rng.random() < 0.3 else "")
            account.email = email.upper() if shares["email"] and rng.random() < 0.15 else (
                email if shares["email"] else "")
            if shares["payment"]:
                account.channels.append(shared_channel)
            else:
                own = rng.choice(channel_types_for(ring.country))
                account.channels.append(Channel(own, channel_raw(own, ring.country, account.handle.lower()
                                                                 .replace(".", ""), rng)))
            if len(operator.accounts) == 1 and not shares["payment"] and rng.random() < 0.5:
                account.channels.append(shared_channel)
            ring_terms = [t.text for ts in ring.terms.values() for t in ts if t.match == "common_name"][:1]
            account.bio = rng.choice((
                "Exotic collection | ship worldwide | DM",
                "Rare pets and more " + rng.choice(EMOJI) + " trusted seller",
                "Wholesale & retail | fast delivery | " + (ring_terms[0] if ring_terms else "inbox"),
            )) + (f" | WA {account.phone}" if account.phone and rng.random() < 0.4 else "")
        ring.operators.append(operator)

    def link_ring(self, ring: Ring) -> None:
        """Ring members point at each other's profiles; an operator's accounts often point at each other."""
        rng = self.rng
        accounts = ring.accounts
        for account in accounts:
            others = [a for a in accounts if a is not account]
            for target in rng.sample(others, k=min(len(others), rng.choice((0, 1, 1, 2, 3)))):
                if target not in account.links:
                    account.links.append(target)

    # -- background: influencers, occasional sellers, legit sellers, buyers ------------------

    def build_background(self) -> None:
        rng = self.rng
        ring_accounts = [a for ring in self.rings for a in ring.accounts]
        for _ in range(self.count(4, minimum=2)):
            operator = self.new_operator(None, rng.choice(HUB_COUNTRIES + SOURCE_COUNTRIES))
            base = f"{rng.choice(PERSON_NAMES)}.{rng.choice(('pets', 'wildlife', 'exotics', 'petlife', 'vlogs'))}"
            account = self.make_account(operator, rng.choice(("instagram", "tiktok", "facebook")), base,
                                        "influencer", rng.randrange(120_000, 2_400_000))
            advertised = rng.sample(ring_accounts, k=min(len(ring_accounts), rng.randint(2, 5)))
            account.links.extend(advertised)
            account.bio = "Pets, travel, lifestyle | collabs via DM | shop my friends: " + " ".join(
                "@" + a.handle.lower() for a in advertised[:2])
            self.influencers.append((account, advertised))
        for _ in range(self.count(200)):
            country = rng.choice(SOURCE_COUNTRIES + HUB_COUNTRIES)
            operator = self.new_operator(None, country)
            platforms = rng.sample(PLATFORMS, k=2) if rng.random() < 0.12 else \
                [rng.choices(PLATFORMS, weights=(4, 3, 2, 1, 4, 2))[0]]
            brand = self.brand()
            phone = mobile_number(country, rng) if rng.random() < 0.5 else ""
            for platform in platforms:
                base = brand if len(operator.accounts) == 0 else self.handle_variant(brand, country)
                account = self.make_account(operator, platform, base, "seller", int(rng.paretovariate(1.4) * 80),
                                            COUNTRY_LANGUAGE.get(country, "en"))
                account.phone = phone
                ctype = rng.choice(channel_types_for(country))
                account.channels.append(Channel(ctype, channel_raw(ctype, country, brand.replace(".", ""), rng)))
                account.bio = rng.choice(("Pets and hobby stuff", "Reseller, DM me", "", "Breeder and keeper"))
        for _ in range(self.count(85)):
            country = rng.choice(LEGIT_COUNTRIES)
            operator = self.new_operator(None, country)
            base = f"{rng.choice(PERSON_NAMES)}{rng.choice(('', '.', '_'))}{rng.choice(SHOP_WORDS)}"
            account = self.make_account(operator, rng.choices(PLATFORMS, weights=(4, 3, 1, 1, 6, 1))[0], base,
                                        "legit", int(rng.paretovariate(1.3) * 150))
            account.email = f"{base.replace('.', '').replace('_', '')}@{rng.choice(EMAIL_DOMAINS)}" \
                if rng.random() < 0.4 else ""
            ctype = rng.choice(channel_types_for(country))
            account.channels.append(Channel(ctype, channel_raw(ctype, country, base.replace(".", ""), rng)))
            account.bio = rng.choice(("Pet supplies and preloved goods", "Antiques and collectables",
                                      "Family dog breeder, KC registered", "Clearing out the attic"))
        for _ in range(self.count(175)):
            country = rng.choice(HUB_COUNTRIES + LEGIT_COUNTRIES)
            operator = self.new_operator(None, country)
            base = f"{rng.choice(PERSON_NAMES)}{rng.choice(('', '.', '_'))}{rng.choice(PERSON_NAMES)}"
            account = self.make_account(operator, rng.choice(PLATFORMS), base, "buyer", rng.randrange(0, 900))
            ctype = rng.choice(channel_types_for(country))
            account.channels.append(Channel(ctype, channel_raw(ctype, country, base.replace(".", ""), rng)))
        # a few ordinary friendships between background accounts
        background = [a for a in self.accounts if a.role in ("seller", "legit", "buyer")]
        for account in background:
            if rng.random() < 0.06:
                target = rng.choice(background)
                if target is not account:
                    account.links.append(target)

    def channels_of_role(self, *roles: str) -> list[Channel]:
        seen: dict[str, Channel] = {}
        for account in self.accounts:
            if account.role in roles:
                for channel in account.channels:
                    seen.setdefault(channel.id, channel)
        return list(seen.values())


# ---------------------------------------------------------------------------------------------
# Writers with row accounting and malformed-row injection
# ---------------------------------------------------------------------------------------------

class TableWriter:
    """Counts data rows (1-based, header excluded) of one CSV or JSONL file."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.name = path.name
        self.columns = columns
        self.rows = 0
        self._file: TextIO = open(path, "w", encoding="utf-8", newline="")
        self.jsonl = path.suffix == ".jsonl"
        if not self.jsonl:
            self._csv = csv.writer(self._file, lineterminator="\n")
            self._csv.writerow(columns)

    def write(self, row: dict[str, Any]) -> int:
        if self.jsonl:
            record = {k: row[k] for k in self.columns if row.get(k) not in (None, "")}
            self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            self._csv.writerow(["" if row.get(k) is None else row[k] for k in self.columns])
        self.rows += 1
        return self.rows

    def close(self) -> None:
        self._file.close()


class Malformer:
    """Plants ~1% broken rows after good ones and remembers where and why."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.records: list[dict[str, Any]] = []
        self.serial = 0

    def maybe(self, writer: TableWriter, template: dict[str, Any], defects: tuple[tuple[str, Any, str], ...],
              rate: float = MALFORMED_RATE) -> None:
        if self.rng.random() >= rate:
            return
        self.serial += 1
        field_name, value, reason = self.rng.choice(defects)
        row = dict(template)
        row[field_name] = value
        row_no = writer.write(row)
        self.records.append({"file": writer.name, "row": row_no, "field": field_name, "reason": reason})

    def junk_handle(self) -> str:
        return f"junk_capture_{self.serial:05d}"


# ---------------------------------------------------------------------------------------------
# Listings
# ---------------------------------------------------------------------------------------------

class ListingFactory:
    def __init__(self, world: World, seed: int, mentions: TextIO, negatives: TextIO) -> None:
        self.world = world
        self.rng = random.Random(f"{seed}-listings")
        self.mentions = mentions
        self.negatives = negatives
        self.serial: dict[str, int] = {}
        self.cross_post_groups: list[list[str]] = []
        self.n_mentions = 0
        self.n_negatives = 0
        lex = world.lexicon
        self.sentences = {lang: [s for s in ss if not lex.names_a_species(s)] for lang, ss in SENTENCES.items()}
        self.titles = {lang: [t for t in ts if not lex.names_a_species(t.replace("{term}", ""))]
                       for lang, ts in TITLES.items()}
        self.legit = [p for p in LEGIT_PRODUCTS if not lex.names_a_species(p)]
        self.legit_sentences = [s for s in LEGIT_SENTENCES if not lex.names_a_species(s)]
        self.lookalike = [p for p in LOOKALIKE_PRODUCTS if not lex.names_a_species(p)]
        self.generic_tags = [t for t in GENERIC_TAGS if not lex.names_a_species(t)]
        self.legit_tags = [t for t in LEGIT_TAGS if not lex.names_a_species(t)]

    def listing_id(self, platform: str) -> str:
        n = self.serial[platform] = self.serial.get(platform, 0) + 1
        rng = self.rng
        if platform == "facebook":
            return f"{1000000000000000 + n * 7919 + rng.randrange(7919)}"
        if platform == "instagram":
            return "C" + "".join(rng.choice(BASE58) for _ in range(9)) + f"{n:x}"
        if platform == "telegram":
            return f"tg{n:07d}"
        if platform == "wechat":
            return f"wx{n:06d}{rng.randrange(100, 999)}"
        if platform == "tiktok":
            return f"7{n:06d}{rng.randrange(100000000000, 999999999999)}"
        return f"L{n:07d}"

    def language_of(self, term: Term, account: Account) -> str:
        if term.language in self.titles and self.titles[term.language]:
            return term.language
        if term.language in ("ms",):
            return "id"
        return account.language if account.language in self.titles and self.rng.random() < 0.4 else "en"

    def price(self, usd: float, country: str) -> tuple[float, str]:
        currency = CURRENCY_OF.get(country, "USD") if self.rng.random() < 0.7 else "USD"
        value = usd * USD_RATE[currency]
        if value >= 1000:
            value = round(value, -2 if value < 100000 else -3)
        return round(value, 2), currency

    def tags(self, ring_tags: list[str], generic: list[str], burst: bool) -> list[str]:
        rng = self.rng
        chosen: list[str] = []
        if ring_tags:
            pool = [t for t in ring_tags if t in self.world.burst_tags] if burst else []
            population = pool or ring_tags
            chosen += rng.sample(population, k=1 if rng.random() < 0.7 else min(2, len(population)))
        weights = [5 if t in POPULAR_TAGS else 1 for t in generic]
        for tag in rng.choices(generic, weights=weights, k=rng.randint(1, 3)):
            if tag not in chosen:
                chosen.append(tag)
        return chosen

    def compose(self, account: Account, terms: list[Term], usd: float, tags: list[str], when: datetime,
                photo: int, *, product: str | None = None) -> dict[str, Any]:
        """One listing row; ``terms`` name species (may be empty), ``product`` replaces them in legit ads."""
        rng = self.rng
        language = self.language_of(terms[0], account) if terms else "en"
        subject = product or (terms[0].text if terms else "item")
        title = rng.choice(self.titles[language]).format(term=subject)
        sentences = rng.sample(self.sentences[language], k=min(3, len(self.sentences[language])))
        if len(terms) > 1:
            sentences.insert(1, "Also: " + ", ".join(t.text for t in terms[1:]) + ".")
        price, currency = self.price(usd, account.country)
        sentences.append(price_text(price, currency))
        inline = rng.random() < 0.4
        text = " ".join(sentences)
        if rng.random() < 0.3:
            text = rng.choice(EMOJI) + " " + text
        if inline and tags:
            text += " " + " ".join("#" + t for t in tags)
        return self._row(account, title, text, price, currency, [] if inline else tags, when, photo)

    def _row(self, account: Account, title: str, text: str, price: float | str, currency: str,
             tags: list[str], when: datetime, photo: int) -> dict[str, Any]:
        rng = self.rng
        lid = self.listing_id(account.platform)
        written_tags = ";".join(("#" + t if rng.random() < 0.5 else t) for t in tags)
        location = rng.choice((account.country, COUNTRY_NAMES[account.country],
                               f"{account.city}, {COUNTRY_NAMES[account.country]}"))
        handle = account.handle if rng.random() < 0.85 else "@" + account.handle.lower()
        return {"platform": account.platform, "listing_id": lid, "handle": handle, "posted_at": iso(when),
                "title": title, "text": text, "price": price, "currency": currency, "hashtags": written_tags,
                "image_phash": f"{photo:016x}", "location": location,
                "url": f"https://{account.platform}.example/{account.handle.lower()}/{lid}",
                "captured_at": iso(CAPTURE_START + timedelta(seconds=rng.randrange(4 * 86400)))}

    @staticmethod
    def listing_node(row: dict[str, Any]) -> str:
        return node_id("Listing", normalize.platform(row["platform"]), normalize.listing_id(row["listing_id"]))

    def record(self, row: dict[str, Any], account: Account, terms: list[Term]) -> str:
        lid = self.listing_node(row)
        if account.first_listing is None:
            account.first_listing = row["listing_id"]
        if terms:
            named: dict[str, Term] = {}
            for term in terms:
                for name in term.names:
                    named.setdefault(name, term)  # one mention per species, as a matcher reports it
            for name, term in named.items():
                self.mentions.write(json.dumps({"listing": lid, "scientific_name": name, "term": term.text,
                                                "match": term.match}, ensure_ascii=False) + "\n")
                self.n_mentions += 1
        else:
            self.negatives.write(json.dumps(lid) + "\n")
            self.n_negatives += 1
        return lid

    def repost(self, row: dict[str, Any], account: Account, when: datetime) -> dict[str, Any]:
        """The same item again: near photo, lightly edited text, price nudged."""
        rng = self.rng
        parts = row["text"].split(". ")
        if len(parts) > 2 and rng.random() < 0.6:
            i = rng.randrange(len(parts) - 1)
            parts[i], parts[i + 1] = parts[i + 1], parts[i]
        text = ". ".join(parts)
        if rng.random() < 0.5:
            text = text + " " + rng.choice(EMOJI)
        title = row["title"] if rng.random() < 0.6 else rng.choice(EMOJI) + " " + row["title"]
        price = row["price"]
        if isinstance(price, float) and rng.random() < 0.6:
            new_price = round(price * rng.uniform(0.85, 1.15), 2)
            text = text.replace(price_text(price, row["currency"]), price_text(new_price, row["currency"]))
            price = new_price
        tags = normalize.split_multi(row["hashtags"])
        bare = [t.lstrip("#") for t in tags]
        new = self._row(account, title, text, price, row["currency"], bare, when,
                        near_phash(int(row["image_phash"], 16), rng))
        return new


def write_listings(world: World, writer: TableWriter, factory: ListingFactory, malformer: Malformer) -> None:
    rng = factory.rng
    defects = (
        ("listing_id", "", "required field listing_id is empty"),
        ("handle", "", "required field handle is empty"),
        ("posted_at", "yesterday", "posted_at is not a date"),
        ("posted_at", "2024-02-30 10:00", "posted_at is not a date (30 February)"),
        ("price", "call for price", "price is not a number"),
    )

    def emit(row: dict[str, Any], account: Account, terms: list[Term]) -> str:
        writer.write(row)
        lid = factory.record(row, account, terms)
        junk = dict(row, listing_id=f"X{malformer.serial + 1:06d}", handle=malformer.junk_handle())
        malformer.maybe(writer, junk, defects)
        return lid

    # ring items, often cross-posted on the operator's other accounts or a ring partner's
    for ring in world.rings:
        for operator in ring.operators:
            for account in operator.accounts:
                n_items = min(40, max(1, round(rng.paretovariate(1.6) * 3.3)))
                for _ in range(n_items):
                    sp = rng.choice(ring.species)
                    terms = [pick_term(rng, ring.terms[sp.scientific_name], RING_KIND_WEIGHTS)]
                    if len(ring.species) > 1 and rng.random() < 0.05:
                        other = rng.choice([s for s in ring.species if s is not sp])
                        terms.append(pick_term(rng, ring.terms[other.scientific_name], RING_KIND_WEIGHTS))
                    burst = sp.scientific_name in world.burst_species
                    when = trending_moment(rng, burst)
                    photo = phash(rng)
                    row = factory.compose(account, terms, rng.lognormvariate(math.log(350), 0.9),
                                          factory.tags(ring.tags, factory.generic_tags, burst), when, photo)
                    group = [emit(row, account, terms)]
                    if rng.random() < 0.35:
                        partners = [a for a in operator.accounts if a is not account]
                        partners += rng.sample(ring.accounts, k=min(2, len(ring.accounts)))
                        partners = [a for a in partners if a is not account]
                        for partner in rng.sample(partners, k=min(len(partners), rng.randint(1, 3))):
                            later = min(WINDOW_END, when + timedelta(hours=rng.randrange(1, 240)))
                            group.append(emit(factory.repost(row, partner, later), partner, terms))
                    if len(group) > 1:
                        factory.cross_post_groups.append(group)
    # influencers advertise ring sellers by handle
    for influencer, advertised in world.influencers:
        for _ in range(rng.randint(6, 16)):
            seller = rng.choice(advertised)
            ring = next(r for r in world.rings if r.id == seller.ring)
            sp = rng.choice(ring.species)
            term = rng.choice([t for t in ring.terms[sp.scientific_name] if t.match != "misspelling"])
            text = (f"Look what my friend @{seller.handle.lower()} has {rng.choice(EMOJI)} {term.text}! "
                    f"Tell them I sent you. Link in bio. #ad")
            row = factory._row(influencer, f"Collab with @{seller.handle.lower()}", text, "", "",
                               factory.tags([], factory.generic_tags, False), trending_moment(rng), phash(rng))
            emit(row, influencer, [term])
    # occasional sellers: heavy-tailed number of listings, some wildlife, most ordinary
    species = world.lexicon.species
    for account in (a for a in world.accounts if a.role == "seller"):
        n_listings = min(80, max(1, int(rng.paretovariate(1.25))))
        specialty = rng.sample(species, k=min(2, len(species)))
        for _ in range(n_listings):
            if rng.random() < 0.55:
                sp = rng.choice(specialty)
                term = pick_term(rng, sp.terms, SELLER_KIND_WEIGHTS)
                if rng.random() < 0.08:
                    spelt = misspell(sp.scientific_name, rng, world.lexicon)
                    term = Term(spelt, "misspelling", "la", (sp.scientific_name,)) if spelt else term
                burst = sp.scientific_name in world.burst_species
                row = factory.compose(account, [term], rng.lognormvariate(math.log(180), 1.0),
                                      factory.tags([], factory.generic_tags, False), trending_moment(rng, burst),
                                      phash(rng))
                emit(row, account, [term])
            else:
                emit(legit_row(factory, account), account, [])
    # legit pet / antique sellers: negatives, incl. trap words and look-alikes of ring ads
    for account in (a for a in world.accounts if a.role == "legit"):
        for _ in range(min(60, max(1, int(rng.paretovariate(1.5) * 2.6)))):
            if rng.random() < 0.12:
                product = rng.choice(factory.lookalike)
                row = factory.compose(account, [], rng.lognormvariate(math.log(300), 0.6),
                                      factory.tags([], factory.legit_tags, False), trending_moment(rng),
                                      phash(rng), product=product)
                emit(row, account, [])
            else:
                emit(legit_row(factory, account), account, [])


def pick_term(rng: random.Random, terms: list[Term], kind_weights: dict[str, float]) -> Term:
    """Choose the kind of naming first (so ten common names do not crowd out the rest), then a term."""
    kinds = [k for k in kind_weights if any(t.match == k for t in terms)]
    kind = rng.choices(kinds, weights=[kind_weights[k] for k in kinds])[0]
    return rng.choice([t for t in terms if t.match == kind])


def price_text(price: float, currency: str) -> str:
    return f"{price:,.0f} {currency}" if price >= 1000 else f"{price:.2f} {currency}"


def legit_row(factory: ListingFactory, account: Account) -> dict[str, Any]:
    rng = factory.rng
    product = rng.choice(TRAP_PRODUCTS) if rng.random() < 0.25 else rng.choice(factory.legit)
    price, currency = factory.price(rng.lognormvariate(math.log(35), 0.8), account.country)
    text = " ".join(rng.sample(factory.legit_sentences, k=2)) + " " + price_text(price, currency)
    tags = factory.tags([], factory.legit_tags, False) if rng.random() < 0.6 else []
    if tags and rng.random() < 0.4:
        text += " " + " ".join("#" + t for t in tags)
        tags = []
    return factory._row(account, product, text, price, currency, tags, trending_moment(rng), phash(rng))


# ---------------------------------------------------------------------------------------------
# Accounts, payment links, shipments
# ---------------------------------------------------------------------------------------------

def write_accounts(world: World, writer: TableWriter, malformer: Malformer, rng: random.Random) -> list[int]:
    """Write every account; some get a later second capture (merge, not a reject). Returns those rows."""
    recaptured: list[int] = []
    defects = (
        ("handle", "", "required field handle is empty"),
        ("phone", "call me", "phone is not a phone number"),
        ("phone", "+84 12", "phone is too short to be possible"),
        ("handle", "exotic pets vn", "handle contains white space"),
        ("created_at", "32/13/2023", "created_at is not a date"),
    )
    for account in world.accounts:
        row = account_row(account, rng)
        writer.write(row)
        junk = dict(row, handle=malformer.junk_handle(), links="", phone="", email="")
        malformer.maybe(writer, junk, defects)
        if account.role in ("seller", "legit", "buyer") and rng.random() < 0.012:
            later = dict(row, followers=str(int(row["followers"]) + rng.randrange(5, 500)),
                         bio=(row["bio"] + " | new stock weekly").strip(" |"),
                         captured_at=iso(CAPTURE_START + timedelta(days=rng.randrange(20, 60))))
            recaptured.append(writer.write(later))
    return recaptured


def account_row(account: Account, rng: random.Random) -> dict[str, Any]:
    location = rng.choice((account.country, COUNTRY_NAMES[account.country],
                           f"{account.city}, {COUNTRY_NAMES[account.country]}"))
    return {
        "platform": account.platform if rng.random() < 0.9 else account.platform.capitalize(),
        "handle": account.handle, "display_name": account.display_name,
        "profile_url": f"https://{account.platform}.example/{account.handle.lower()}",
        "followers": str(account.followers), "bio": account.bio, "phone": account.phone, "email": account.email,
        "links": ";".join(f"{t.platform}:{t.handle.lower()}" for t in account.links), "location": location,
        "created_at": account.created_at.strftime("%Y-%m-%d"),
        "captured_at": iso(CAPTURE_START + timedelta(seconds=rng.randrange(5 * 86400))),
    }


def write_payment_links(world: World, writer: TableWriter, malformer: Malformer, rng: random.Random) -> None:
    defects = (
        ("channel_type", "cashapp", "unknown channel type"),
        ("channel_id", "DE00 NOT AN IBAN", "channel_id is not an IBAN"),
        ("handle", "", "required field handle is empty"),
    )
    for account in world.accounts:
        links = list(account.channels)
        if account.platform == "marketplace" or (account.role == "buyer" and rng.random() < 0.55):
            links.append(world.escrow)
        for channel in links:
            if account.role == "buyer":
                seen = "checkout" if channel is world.escrow else "dm"
            elif account.first_listing and rng.random() < 0.5:
                seen = f"listing:{account.first_listing}"
            else:
                seen = "bio"
            raw_type = CHANNEL_ALIASES_WRITTEN.get(channel.ctype, channel.ctype) if rng.random() < 0.05 \
                else channel.ctype
            row = {"platform": account.platform, "handle": account.handle, "channel_type": raw_type,
                   "channel_id": channel.raw, "seen_in": seen}
            writer.write(row)
            junk = dict(row, handle=malformer.junk_handle(), channel_type="iban", channel_id=iban("DE", rng))
            malformer.maybe(writer, junk, defects)


def tracking_number(courier: str, origin: str, rng: random.Random) -> str:
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))  # noqa: E731
    if courier == "DHL":
        return digits(10)
    if courier == "FedEx":
        return digits(12)
    if courier == "UPS":
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(6)) + "03" + digits(8)
    if courier in ("EMS", "VNPost"):
        return f"E{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{digits(9)}{origin}"
    if courier == "J&T Express":
        return "JT" + digits(12)
    if courier == "Ninja Van":
        return "NV" + origin + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(12))
    if courier == "SF Express":
        return "SF" + digits(13)
    return "KE" + digits(11)


def write_shipments(world: World, writer: TableWriter, malformer: Malformer, rng: random.Random) -> None:
    defects = (
        ("tracking_no", "", "required field tracking_no is empty"),
        ("shipped_at", "sometime in May", "shipped_at is not a date"),
        ("weight_kg", "heavy", "weight_kg is not a number"),
    )
    seen_tracking: set[tuple[str, str]] = set()

    def ship(account: Account, courier: str, route: tuple[str, str], content: str, weight: float) -> None:
        while True:
            tracking = tracking_number(courier, route[0], rng)
            if (courier, tracking) not in seen_tracking:
                seen_tracking.add((courier, tracking))
                break
        origin_city = account.city if account.country == route[0] else rng.choice(CITIES[route[0]])
        row = {"shipper": courier, "tracking_no": tracking if rng.random() < 0.9 else tracking.lower(),
               "sender_platform": account.platform, "sender_handle": account.handle,
               "origin_country": route[0] if rng.random() < 0.7 else COUNTRY_NAMES[route[0]],
               "origin_city": origin_city, "destination_country": route[1],
               "destination_city": rng.choice(CITIES[route[1]]), "declared_content": content,
               "weight_kg": f"{weight:.2f}", "shipped_at": iso(trending_moment(rng))}
        writer.write(row)
        junk = dict(row, tracking_no=f"JUNK{malformer.serial + 1:08d}", sender_handle=malformer.junk_handle())
        malformer.maybe(writer, junk, defects)

    for ring in world.rings:
        senders = ring.accounts
        for _ in range(max(1, round(rng.uniform(14, 28)))):
            ship(rng.choice(senders), rng.choice(ring.couriers), rng.choice(ring.routes), rng.choice(FALSE_CONTENTS),
                 rng.uniform(0.3, 18))
    others = [a for a in world.accounts if a.role in ("seller", "legit")]
    for _ in range(world.count(140)):
        account = rng.choice(others)
        destination = rng.choice([c for c in COUNTRY_NAMES if c != account.country])
        region = REGION_OF.get(account.country, "america")
        content = rng.choice(LEGIT_CONTENTS) if account.role == "legit" or rng.random() < 0.5 else \
            rng.choice(FALSE_CONTENTS)
        ship(account, rng.choice(COURIERS_BY_REGION[region]), (account.country, destination), content,
             rng.uniform(0.2, 8))


# ---------------------------------------------------------------------------------------------
# Transactions: ordinary traffic month by month, with planted laundering patterns
# ---------------------------------------------------------------------------------------------

@dataclass
class Transfer:
    ts: datetime
    source: Channel
    target: Channel
    amount: float
    currency: str = "USD"
    reference: str = ""
    pattern: dict[str, Any] | None = None
    tx_id: str = ""


class PatternPlanter:
    """Builds laundering patterns from fresh mule channels (and sometimes a ring channel at the hub)."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.mules = 0
        self.ring_channels = world.channels_of_role("ring")
        self.patterns: list[dict[str, Any]] = []
        self.transfers: list[Transfer] = []

    def mule(self) -> Channel:
        self.mules += 1
        rng = self.rng
        country = rng.choice(SOURCE_COUNTRIES + HUB_COUNTRIES)
        ctype = rng.choice(("paypal", "iban", "mobile_money", "usdt", "btc", "eth", "wechat"))
        return Channel(ctype, channel_raw(ctype, country, f"m{self.mules}x", rng))

    def hub(self) -> Channel:
        return rng_pick(self.rng, self.ring_channels) if self.ring_channels and self.rng.random() < 0.5 \
            else self.mule()

    def start(self) -> datetime:
        return moment_at(self.rng.uniform(0.02, 0.97))

    def later(self, moment: datetime, min_hours: float, max_hours: float) -> datetime:
        return moment + timedelta(seconds=int(self.rng.uniform(min_hours, max_hours) * 3600))

    def add(self, kind: str, steps: list[tuple[datetime, Channel, Channel, float]]) -> None:
        pattern: dict[str, Any] = {"kind": kind}
        members: dict[str, None] = {}
        for ts, source, target, amount in steps:
            members.setdefault(source.id, None)
            members.setdefault(target.id, None)
            self.transfers.append(Transfer(ts, source, target, round(amount, 2), "USD",
                                           self.rng.choice(REFERENCES), pattern))
        pattern["members"] = list(members)
        self.patterns.append(pattern)

    def plant(self, per_kind: int) -> None:
        for kind in PATTERN_KINDS:
            for _ in range(per_kind):
                getattr(self, kind)()

    def fan_in(self) -> None:
        rng, target, t0 = self.rng, self.hub(), self.start()
        self.add("fan_in", [(self.later(t0, 0, 72), self.mule(), target, rng.uniform(500, 5000))
                            for _ in range(rng.randint(5, 12))])

    def fan_out(self) -> None:
        rng, source, t0 = self.rng, self.hub(), self.start()
        self.add("fan_out", [(self.later(t0, 0, 72), source, self.mule(), rng.uniform(300, 3000))
                             for _ in range(rng.randint(5, 12))])

    def cycle(self) -> None:
        rng = self.rng
        nodes = [self.hub()] + [self.mule() for _ in range(rng.randint(2, 5))]
        amount, ts = rng.uniform(2000, 20000), self.start()
        steps = []
        for i, node in enumerate(nodes):
            steps.append((ts, node, nodes[(i + 1) % len(nodes)], amount))
            ts = self.later(ts, 2, 48)
            amount *= 1 - rng.uniform(0.01, 0.05)  # each hop keeps a small cut
        self.add("cycle", steps)

    def scatter_gather(self) -> None:
        rng, source, sink, t0 = self.rng, self.hub(), self.mule(), self.start()
        steps = []
        for _ in range(rng.randint(4, 8)):
            middle, amount = self.mule(), rng.uniform(800, 6000)
            first = self.later(t0, 0, 24)
            steps.append((first, source, middle, amount))
            steps.append((self.later(first, 24, 120), middle, sink, amount * (1 - rng.uniform(0.01, 0.04))))
        self.add("scatter_gather", steps)

    def gather_scatter(self) -> None:
        rng, middle, t0 = self.rng, self.hub(), self.start()
        steps = [(self.later(t0, 0, 48), self.mule(), middle, rng.uniform(600, 5000))
                 for _ in range(rng.randint(4, 8))]
        total = sum(s[3] for s in steps) * 0.97
        outs = rng.randint(4, 8)
        t1 = self.later(t0, 49, 60)
        steps += [(self.later(t1, 0, 72), middle, self.mule(), total / outs * rng.uniform(0.8, 1.2))
                  for _ in range(outs)]
        self.add("gather_scatter", steps)

    def stack(self) -> None:
        rng, source, sink, ts = self.rng, self.hub(), self.mule(), self.start()
        layers = [[self.mule() for _ in range(rng.randint(2, 3))] for _ in range(rng.randint(2, 3))]
        amount = rng.uniform(10000, 60000)
        holdings = {id(n): amount / len(layers[0]) for n in layers[0]}
        steps = [(self.later(ts, 0, 12), source, n, holdings[id(n)]) for n in layers[0]]
        ts = self.later(ts, 13, 36)
        for upper, lower in zip(layers, layers[1:], strict=False):
            for node in upper:  # each node splits what it holds over the next layer
                shares = [rng.uniform(0.5, 1.5) for _ in lower]
                for target, share in zip(lower, shares, strict=True):
                    value = holdings[id(node)] * 0.98 * share / sum(shares)
                    holdings[id(target)] = holdings.get(id(target), 0) + value
                    steps.append((self.later(ts, 0, 24), node, target, value))
            ts = self.later(ts, 25, 72)
        steps += [(self.later(ts, 0, 24), n, sink, holdings[id(n)] * 0.98) for n in layers[-1]]
        self.add("stack", steps)

    def structuring(self) -> None:
        rng, source, t0 = self.rng, self.mule(), self.start()
        targets = [self.hub() if i == 0 else self.mule() for i in range(rng.randint(1, 3))]
        self.add("structuring", [(self.later(t0, 0, rng.uniform(24, 144)), source, rng.choice(targets),
                                  rng.uniform(9000, 9990)) for _ in range(rng.randint(6, 15))])


def rng_pick(rng: random.Random, items: list[Channel]) -> Channel:
    return items[rng.randrange(len(items))]


def ordinary_transfers(world: World, rng: random.Random, month_start: datetime, month_end: datetime,
                       buyers: list[Channel], sellers: list[Channel], marketplace: list[Channel],
                       volume: int) -> Iterator[Transfer]:
    """Buyer payments, escrow traffic, peer transfers and intra-ring settlements in one month."""
    span = int((month_end - month_start).total_seconds())
    # a few sellers are busy; the busiest keep the same traffic at any scale (blocks of one scale unit)
    block = max(1, round(len(sellers) / world.scale))
    seller_weights = list(accumulate(1 / (i % block + 1) ** 0.5 for i in range(len(sellers))))
    for _ in range(volume):
        ts = month_start + timedelta(seconds=rng.randrange(span))
        roll = rng.random()
        if roll < 0.45:
            source, target = rng_pick(rng, buyers), rng.choices(sellers, cum_weights=seller_weights)[0]
            amount = rng.lognormvariate(math.log(140), 1.0)
        elif roll < 0.75:
            source, target = rng_pick(rng, buyers), world.escrow
            amount = rng.lognormvariate(math.log(60), 0.9)
        elif roll < 0.9:
            source, target = world.escrow, rng_pick(rng, marketplace)
            amount = rng.lognormvariate(math.log(250), 0.8)
        else:
            source, target = rng_pick(rng, buyers), rng_pick(rng, buyers)
            amount = rng.lognormvariate(math.log(40), 0.9)
        if source is target:
            continue
        currency = "CNY" if target.ctype in ("wechat", "alipay") else "USD"
        amount = min(amount, 8500.0) * (USD_RATE[currency])
        yield Transfer(ts, source, target, round(amount, 2), currency, rng.choice(REFERENCES))
    for ring in world.rings:  # operators settle with each other, spread over the month
        channels = [c for op in ring.operators for c in op.accounts[0].channels[:1]]
        for _ in range(rng.choice((0, 1, 1, 2))):
            source, target = rng.sample(channels, k=2) if len(channels) > 1 else (channels[0], channels[0])
            if source.id != target.id:
                yield Transfer(month_start + timedelta(seconds=rng.randrange(span)), source, target,
                               round(rng.uniform(200, 3000), 2), "USD", rng.choice(("loan", "stock", "", "share")))


def write_transactions(world: World, writer: TableWriter, malformer: Malformer, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(f"{seed}-money")
    planter = PatternPlanter(world, random.Random(f"{seed}-patterns"))
    planter.plant(max(5, round(6 * world.scale)))
    anonymous = [planter.mule() for _ in range(world.count(260))]  # buyers seen only in transfers
    buyers = world.channels_of_role("buyer") + anonymous
    sellers = world.channels_of_role("ring", "seller")
    rng.shuffle(sellers)
    marketplace = [c for a in world.accounts if a.platform == "marketplace" and a.role != "buyer"
                   for c in a.channels[:1]]
    by_month: dict[tuple[int, int], list[Transfer]] = {}
    for transfer in planter.transfers:
        by_month.setdefault((transfer.ts.year, transfer.ts.month), []).append(transfer)
    defects = (
        ("amount", "1O0.00", "amount is not a number"),
        ("amount", "n/a", "amount is not a number"),
        ("from_type", "venmo", "unknown channel type"),
        ("timestamp", "2024-02-30T10:00:00Z", "timestamp is not a date (30 February)"),
        ("tx_id", "", "required field tx_id is empty"),
    )
    month = WINDOW_START
    months = 0
    while month < WINDOW_END:
        months += 1
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        volume = round(world.scale * 270 * (0.55 + 0.9 * months / 18))  # traffic grows over the window
        chunk = by_month.pop((month.year, month.month), [])
        chunk += ordinary_transfers(world, rng, month, min(following, WINDOW_END), buyers, sellers, marketplace,
                                    volume)
        chunk.sort(key=lambda t: (t.ts, t.amount))
        for transfer in chunk:
            transfer.tx_id = f"TX{writer.rows + 1:09d}"
            row = transfer_row(transfer, rng)
            writer.write(row)
            if transfer.pattern is not None:
                transfer.pattern.setdefault("tx", []).append(transfer)
            else:
                junk = dict(row, tx_id=f"TXBAD{malformer.serial + 1:06d}")
                malformer.maybe(writer, junk, defects)
        month = following
    patterns = []
    for pattern in planter.patterns:
        txs = sorted(pattern["tx"], key=lambda t: t.ts)
        patterns.append({"kind": pattern["kind"], "members": pattern["members"], "tx_ids": [t.tx_id for t in txs],
                         "amount": round(sum(t.amount for t in txs), 2), "first_ts": iso(txs[0].ts),
                         "last_ts": iso(txs[-1].ts)})
    return patterns


def transfer_row(transfer: Transfer, rng: random.Random) -> dict[str, Any]:
    def written_type(channel: Channel) -> str:
        return CHANNEL_ALIASES_WRITTEN.get(channel.ctype, channel.ctype) if rng.random() < 0.03 else channel.ctype

    if transfer.pattern is None and rng.random() < 0.05:
        stamp = rng.choice((str(int(transfer.ts.timestamp())), transfer.ts.strftime("%Y-%m-%d %H:%M:%S")))
    else:
        stamp = iso(transfer.ts)
    return {"tx_id": transfer.tx_id, "timestamp": stamp, "from_type": written_type(transfer.source),
            "from_id": transfer.source.raw, "to_type": written_type(transfer.target), "to_id": transfer.target.raw,
            "amount": f"{transfer.amount:.2f}", "currency": transfer.currency, "reference": transfer.reference}


# ---------------------------------------------------------------------------------------------
# Ground truth and the whole run
# ---------------------------------------------------------------------------------------------

def write_ground_truth(path: Path, sections: list[tuple[str, Any]], streamed: dict[str, Path]) -> None:
    """JSON with one list item per line (diff-friendly); long lists are copied from temp files."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("{\n")
        for i, (key, value) in enumerate(sections):
            out.write(f"{json.dumps(key)}: ")
            if key in streamed:
                items: Iterable[str] = (line.rstrip("\n") for line in open(streamed[key], encoding="utf-8"))
            elif isinstance(value, list):
                items = (json.dumps(item, ensure_ascii=False) for item in value)
            else:
                out.write(json.dumps(value, ensure_ascii=False))
                out.write(",\n" if i < len(sections) - 1 else "\n")
                continue
            out.write("[")
            first = True
            for item in items:
                out.write(("\n" if first else ",\n") + item)
                first = False
            out.write("\n]" if not first else "]")
            out.write(",\n" if i < len(sections) - 1 else "\n")
        out.write("}\n")


def generate(out_dir: Path, seed: int = 7, scale: float = 1.0, reference_dir: Path | None = None) -> dict[str, Any]:
    """Write the dataset and ``ground_truth.json`` into ``out_dir``; return a summary (counts, notes)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lexicon = read_lexicon(reference_dir or REFERENCE_DIR)
    world = World(seed, scale, lexicon)
    world.build_rings()
    world.build_background()
    malformer = Malformer(random.Random(f"{seed}-malformed"))
    with tempfile.TemporaryDirectory() as scratch:
        mentions_path = Path(scratch) / "mentions.jsonl"
        negatives_path = Path(scratch) / "negatives.jsonl"
        with open(mentions_path, "w", encoding="utf-8") as mentions, \
                open(negatives_path, "w", encoding="utf-8") as negatives:
            factory = ListingFactory(world, seed, mentions, negatives)
            listings = TableWriter(out_dir / "listings.jsonl", LISTING_KEYS)
            write_listings(world, listings, factory, malformer)
            listings.close()
        accounts = TableWriter(out_dir / "accounts.csv", ACCOUNT_COLUMNS)
        recaptured = write_accounts(world, accounts, malformer, random.Random(f"{seed}-accounts"))
        accounts.close()
        links = TableWriter(out_dir / "payment_links.csv", PAYMENT_LINK_COLUMNS)
        write_payment_links(world, links, malformer, random.Random(f"{seed}-links"))
        links.close()
        shipments = TableWriter(out_dir / "shipments.csv", SHIPMENT_COLUMNS)
        write_shipments(world, shipments, malformer, random.Random(f"{seed}-shipments"))
        shipments.close()
        transactions = TableWriter(out_dir / "transactions.csv", TRANSACTION_COLUMNS)
        patterns = write_transactions(world, transactions, malformer, seed)
        transactions.close()
        counts = {w.name: w.rows for w in (accounts, listings, transactions, links, shipments)}
        sections = ground_truth_sections(world, factory, patterns, malformer, counts, seed, scale)
        write_ground_truth(out_dir / "ground_truth.json", sections,
                           {"mentions": mentions_path, "negative_listings": negatives_path})
    summary = {"counts": counts, "recaptured_account_rows": recaptured, "burst_species": world.burst_species,
               "burst_tags": world.burst_tags, "mentions": factory.n_mentions, "negatives": factory.n_negatives,
               "cross_post_groups": len(factory.cross_post_groups), "malformed": len(malformer.records),
               "patterns": len(patterns), "rings": len(world.rings), "accounts": len(world.accounts),
               "operators": len(world.operators), "influencers": len(world.influencers)}
    (out_dir / "README.md").write_text(readme_text(summary, seed, scale, out_dir), encoding="utf-8")
    return summary


def readme_text(summary: dict[str, Any], seed: int, scale: float, out_dir: Path) -> str:
    """The dataset's README: what is planted where, with this run's numbers."""
    counts = summary["counts"]
    sizes = {name: (out_dir / name).stat().st_size for name in [*counts, "ground_truth.json"]}
    table = "\n".join(f"| `{name}` | {counts.get(name, '')} | {sizes[name] / 1024:,.0f} KiB |" for name in sizes)
    scale_text = int(scale) if float(scale).is_integer() else scale
    return README_TEMPLATE.format(
        seed=seed, scale=scale_text, table=table, rings=summary["rings"], accounts=summary["accounts"],
        operators=summary["operators"], influencers=summary["influencers"], mentions=summary["mentions"],
        negatives=summary["negatives"], groups=summary["cross_post_groups"], patterns=summary["patterns"],
        malformed=summary["malformed"], burst_species=", ".join(summary["burst_species"]) or "none",
        burst_tags=", ".join("#" + t for t in summary["burst_tags"]) or "none",
        recaptured=", ".join(str(r) for r in summary["recaptured_account_rows"]) or "none",
    )


README_TEMPLATE = """# graphbench sample data

A synthetic, seeded dataset of online wildlife-trafficking activity, shaped after what monitoring
studies (TRAFFIC, IFAW, WWF) publish, with a ground truth of everything planted in it. Every name,
handle, phone number, e-mail address (`*.example` domains), wallet and IBAN is invented; URLs point
at `https://<platform>.example/...`.

This copy: seed {seed}, scale {scale}. Regenerate it byte for byte with

    python sample_data/generate.py --seed {seed} --scale {scale} --out sample_data

Larger sets go to the git-ignored `sample_data/big/`, e.g.
`python sample_data/generate.py --scale 100 --out sample_data/big` (rows are streamed to disk).

| file | data rows | size |
|---|---|---|
{table}

Files follow the canonical formats of ../docs/formats.md (UTF-8, `;` inside multi-valued cells). Listings
are JSON Lines (empty fields are left out of the object); the rest is CSV. Species, synonyms,
common names and code words come only from `graphbench/data/species.csv` and `keywords.csv`.
The time window is 2023-01-01 to 2024-06-30 (UTC); captures are from early July 2024.

## What is planted

- **Seller rings** ({rings}): 3-10 operators each, on facebook, instagram, telegram, wechat,
  marketplace and tiktok. An operator runs 1-4 accounts tied by a shared phone, e-mail or payment
  channel (sometimes only one of them, written differently: E.164 vs spaced phone, upper-case
  e-mail) or only by look-alike handles (`scale.shop` / `scaleshop_vn`). Ring accounts link to
  each other (`links` = `platform:handle`), use 2-4 rare ring hashtags among popular generic ones,
  sell 2-4 species with ring-specific code words and misspelt scientific names, settle money among
  themselves and ship through 1-3 couriers on 1-3 routes from a source country (VN, ID, TH, MY,
  NG, CM, ZA, MG, BR, MX) to consumer hubs, declaring false contents ("handicraft", "toys", ...).
- **Operators** ({operators}): every account belongs to exactly one operator (size 1 for most
  background accounts, 2 for ~12% of occasional sellers).
- **Influencers** ({influencers}): high-follower accounts whose bio, `links` and posts (`#ad`,
  "@handle") advertise ring sellers.
- **Listings**: species named by scientific name (`exact`), synonym, common name in several
  languages, code word, or misspelt scientific name (1-2 character edits); {mentions} mentions,
  {negatives} negative listings (ordinary pets and antiques, trap words such as "python book",
  "tiger print shirt", "ivory colour dress", and look-alikes of ring adverts with other goods).
  Hashtags are in the `hashtags` column for some rows and only inline in the text for others.
  Posting grows over time; {burst_species} and the ring tags {burst_tags} burst in the last two
  months.
- **Cross-posts** ({groups} groups): a ring item posted again by the same operator or a ring
  partner, often on another platform, with the same photo (`image_phash` within 0-4 bits) and
  lightly edited text (sentences swapped, emoji, price changed by up to 15%).
- **Payments**: `payment_links.csv` ties accounts to channels (seen in a bio, a listing, a DM or
  at checkout). The marketplace escrow `bank_account:MARKETPLACE-ESCROW-0001` is used by hundreds
  of unrelated accounts and receives buyers' money all through the window: it is listed in
  `popular_identifiers` with the generic hashtags and must not chain accounts or count as a pattern.
- **Laundering patterns** ({patterns}, at least 5 of each kind) hidden among ordinary transfers
  (buyer to seller, buyer to escrow, escrow payouts, peer transfers, ring settlements). All in USD:
  `fan_in` (5-12 sources to one channel within 3 days), `fan_out` (one to 5-12 within 3 days),
  `cycle` (3-6 hops back to the start, each hop 2-48 h later, 1-5% kept per hop),
  `scatter_gather` (A to 4-8 intermediates, each forwarding to B 1-5 days later),
  `gather_scatter` (4-8 into A within 2 days, then A out to 4-8), `stack` (source to 2-3 layers of
  2-3 intermediaries to a sink), `structuring` (6-15 transfers of 9,000-9,990 USD from one source
  within 1-6 days). Intermediaries are transaction-only mule channels; the hub is a ring channel
  half of the time.
- **Malformed rows** ({malformed}, ~1%): missing required field, bad phone, handle with spaces,
  unparseable date, non-numeric amount/price/weight, unknown channel type, bad IBAN. Each is listed
  in `malformed_rows` with its file, 1-based data row (header excluded; JSONL line) and field.
  They carry throw-away keys (`junk_capture_*`, `X*`, `TXBAD*`, `JUNK*`) and take part in nothing
  else.
- **Second captures** (not malformed): accounts.csv rows {recaptured} repeat an earlier account
  with a later `captured_at` and changed followers/bio; the later capture must win.

## ground_truth.json

`seed`, `scale`, `rings` (accounts, species, hashtags without `#`, couriers as written, routes as
`[origin, destination]` country codes, code words and misspellings as written, channel ids),
`operators`, `influencers`, `cross_post_groups`, `mentions` (listing, scientific name, term as
written, match kind), `negative_listings`, `patterns` (kind, members, tx_ids, amount, first_ts,
last_ts), `popular_identifiers`, `malformed_rows`, `counts` (data rows per file, malformed and
second captures included). Ids are graphbench node ids (`Account:instagram:scale.shop`,
`Listing:marketplace:L0000007`, `PaymentChannel:mobile_money:+84912345678`), built with
`graphbench.schema.node_id` over the `graphbench.normalize` form of the written values. Every
valid listing is either in `mentions` or in `negative_listings`.
"""


def ground_truth_sections(world: World, factory: ListingFactory, patterns: list[dict[str, Any]],
                          malformer: Malformer, counts: dict[str, int], seed: int,
                          scale: float) -> list[tuple[str, Any]]:
    rings = []
    for ring in world.rings:
        channels: dict[str, None] = {}
        for account in ring.accounts:
            for channel in account.channels:
                channels.setdefault(channel.id, None)
        rings.append({
            "id": ring.id, "accounts": [a.id for a in ring.accounts],
            "species": [sp.scientific_name for sp in ring.species],
            "hashtags": [normalize.hashtag(t) for t in ring.tags], "couriers": ring.couriers,
            "routes": [list(r) for r in ring.routes], "code_words": [t.text for t in ring.code_words],
            "misspellings": [t.text for t in ring.misspellings], "channels": list(channels),
        })
    operators = [{"id": op.id, "ring": op.ring, "accounts": [a.id for a in op.accounts]} for op in world.operators]
    influencers = [{"account": acc.id, "advertises": [a.id for a in adv]} for acc, adv in world.influencers]
    popular = [world.escrow.id] + [node_id("Hashtag", normalize.hashtag(t)) for t in POPULAR_TAGS]
    return [
        ("seed", seed), ("scale", int(scale) if float(scale).is_integer() else scale), ("rings", rings),
        ("operators", operators), ("influencers", influencers), ("cross_post_groups", factory.cross_post_groups),
        ("mentions", None), ("negative_listings", None), ("patterns", patterns),
        ("popular_identifiers", popular), ("malformed_rows", malformer.records), ("counts", counts),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the graphbench sample dataset and its ground truth.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = ~600 accounts, ~6,000 transactions")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--reference-dir", type=Path, default=None,
                        help="folder with species.csv and keywords.csv (default: the packaged lists)")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    started = time.perf_counter()
    summary = generate(args.out, args.seed, args.scale, args.reference_dir)
    elapsed = time.perf_counter() - started
    sizes = {name: (args.out / name).stat().st_size for name in [*summary["counts"], "ground_truth.json"]}
    print(json.dumps({**summary, "bytes": sizes, "seconds": round(elapsed, 1)}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
