"""Which canonical column each column of a foreign export probably is, by its name and by its values.

Pure: takes a header and sample rows, returns suggestions with the reason for each, so the Data page
can pre-fill a dropdown per column and a person corrects what it got wrong. Nothing here reads a
file or the store.

How a column is scored against a canonical column of the chosen kind:

- **by name**: the header folded (lower case, letters and digits only) equals the canonical name
  (1.0) or one of its usual aliases (0.9: ``Username`` → handle, ``Mobile`` → phone, ``Site`` →
  platform); a shared word counts 0.4 (``Seller handle`` → handle);
- **by content**: the share of non-empty sample values that read as a phone number, an e-mail
  address, a URL, a date, an amount, a currency, a country, a platform name or an ``@handle``,
  times 0.8, for the canonical columns that hold such values. A content type counts only when at
  least ``MIN_SHARE`` of the values have it.

Each canonical column is given to at most one source column, best score first; a score under
``MIN_SCORE`` suggests nothing (the column is left out). Assumptions: headers are in English (or
are the canonical names), and a column's first rows are like the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from graphbench import normalize

# Columns of each canonical file, required first (docs/formats.md; each loader's REQUIRED are these first ones).
COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": ("platform", "handle", "display_name", "profile_url", "followers", "bio", "phone", "email", "links",
                 "location", "created_at", "captured_at"),
    "listings": ("platform", "listing_id", "handle", "posted_at", "title", "text", "price", "currency", "hashtags",
                 "image_phash", "location", "url", "captured_at", "image_files"),
    "transactions": ("tx_id", "timestamp", "from_type", "from_id", "to_type", "to_id", "amount", "currency",
                     "reference"),
    "payment_links": ("platform", "handle", "channel_type", "channel_id", "seen_in"),
    "shipments": ("shipper", "tracking_no", "sender_platform", "sender_handle", "origin_country", "origin_city",
                  "destination_country", "destination_city", "declared_content", "weight_kg", "shipped_at"),
    "species": ("scientific_name", "cites_appendix", "common_names", "synonyms", "taxon_group"),
    "keywords": ("term", "scientific_name", "kind", "language"),
    "fx_rates": ("currency", "per_usd", "date"),
}

# Usual names exports give a canonical column (folded: lower case, letters and digits only).
ALIASES: dict[str, tuple[str, ...]] = {
    "platform": ("site", "website", "network", "socialnetwork", "service", "app", "marketplace", "source",
                 "platformname", "sitename"),
    "handle": ("username", "user", "screenname", "account", "accountname", "login", "nick", "nickname", "seller",
               "sellername", "author", "poster", "userid", "profile", "alias"),
    "display_name": ("name", "fullname", "displayname", "realname", "profilename"),
    "profile_url": ("url", "link", "profilelink", "profileurl", "homepage", "page"),
    "followers": ("followerscount", "fans", "subscribers", "followercount", "nfollowers"),
    "bio": ("description", "about", "biography", "profiletext"),
    "phone": ("mobile", "cell", "cellphone", "telephone", "tel", "whatsapp", "phonenumber", "contactnumber",
              "msisdn", "mobilenumber", "contact"),
    "email": ("mail", "emailaddress", "email", "contactemail"),
    "links": ("otheraccounts", "linkedaccounts", "crossposts"),
    "location": ("country", "city", "place", "region", "address", "geo", "origin"),
    "created_at": ("joined", "created", "registered", "registrationdate", "signup", "accountcreated", "since"),
    "captured_at": ("scrapedat", "collectedat", "crawledat", "retrieved", "capturedate", "seenat", "scraped"),
    "listing_id": ("postid", "adid", "itemid", "advertid", "offerid", "id", "listing", "adnumber", "adno",
                   "itemnumber", "postnumber", "listingnumber"),
    "posted_at": ("date", "posted", "published", "postdate", "publishedat", "time"),
    "title": ("subject", "headline", "heading", "name"),
    "text": ("description", "body", "content", "caption", "message", "details"),
    "price": ("cost", "amount", "askingprice", "value"),
    "currency": ("curr", "ccy", "currencycode"),
    "hashtags": ("tags", "tag", "hashtag"),
    "url": ("link", "permalink", "posturl", "adurl", "listingurl"),
    "image_phash": ("phash", "imagehash", "hash"),
    "tx_id": ("transactionid", "txid", "txnid", "id", "transaction", "paymentid"),
    "timestamp": ("date", "time", "datetime", "ts", "when", "paidat"),
    "from_id": ("sender", "payer", "from", "source", "fromaccount", "senderaccount", "origin"),
    "to_id": ("receiver", "recipient", "payee", "beneficiary", "to", "target", "toaccount"),
    "from_type": ("sendertype", "payertype", "fromchannel", "sourcetype"),
    "to_type": ("receivertype", "payeetype", "tochannel", "targettype"),
    "amount": ("value", "sum", "total", "paid"),
    "reference": ("memo", "note", "description", "comment", "ref"),
    "channel_type": ("method", "paymentmethod", "type", "wallettype", "channel"),
    "channel_id": ("wallet", "accountnumber", "iban", "address", "paymentid", "walletaddress", "paypal"),
    "seen_in": ("seen", "foundin", "evidence"),
    "shipper": ("courier", "carrier", "company", "logistics"),
    "tracking_no": ("tracking", "trackingnumber", "awb", "waybill", "consignment", "trackingid"),
    "sender_handle": ("sender", "senderaccount", "seller"),
    "sender_platform": ("senderplatform", "sellerplatform"),
    "origin_country": ("from", "origin", "fromcountry", "countryoforigin"),
    "destination_country": ("to", "destination", "tocountry", "countryofdestination"),
    "origin_city": ("fromcity",),
    "destination_city": ("tocity",),
    "declared_content": ("content", "contents", "declared", "description"),
    "weight_kg": ("weight", "kg", "weightkg"),
    "shipped_at": ("date", "shipped", "shipdate", "sent"),
    "scientific_name": ("species", "latinname", "taxon", "binomial"),
    "common_names": ("commonname", "vernacular", "englishname"),
    "cites_appendix": ("appendix", "cites"),
    "term": ("keyword", "word", "searchterm"),
    "per_usd": ("rate", "perusd", "usdrate"),
}

# Which canonical columns hold values of each content type, per kind.
CONTENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "phone": ("phone",),
    "email": ("email", "channel_id", "from_id", "to_id"),
    "url": ("profile_url", "url", "links"),
    "date": ("created_at", "captured_at", "posted_at", "timestamp", "shipped_at", "date"),
    "amount": ("price", "amount", "followers", "weight_kg", "per_usd"),
    "currency": ("currency",),
    "country": ("location", "origin_country", "destination_country"),
    "platform": ("platform", "sender_platform"),
    "handle": ("handle", "sender_handle"),
}
CONTENT_WORDS = {"phone": "phone numbers", "email": "e-mail addresses", "url": "URLs", "date": "dates",
                 "amount": "amounts", "currency": "currencies", "country": "countries",
                 "platform": "platform names", "handle": "@handles"}
# A few platforms every monitoring team meets; content evidence only (any platform name loads).
KNOWN_PLATFORMS = frozenset({
    "facebook", "instagram", "tiktok", "twitter", "x", "ebay", "telegram", "whatsapp", "wechat", "weibo",
    "youtube", "reddit", "craigslist", "olx", "taobao", "shopee", "lazada", "vk", "line", "zalo", "kakao",
    "douyin", "xianyu", "alibaba", "amazon", "etsy", "gumtree", "jiji", "mercadolibre", "tokopedia", "carousell"})

NAME_EXACT, NAME_ALIAS, NAME_WORD = 1.0, 0.9, 0.4
CONTENT_WEIGHT = 0.8
MIN_SHARE = 0.6  # of the non-empty sample values, for a content type to count
MIN_SCORE = 0.45  # below this a column is left out rather than guessed
SAMPLE_ROWS = 200

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_URL = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[\d\s().\-/]{7,20}$")
_HANDLE = re.compile(r"^@[\w.\-]{2,}$")


@dataclass(frozen=True)
class Guess:
    """The suggestion for one source column: a canonical column (or None) and why."""

    column: str
    canonical: str | None
    score: float
    reason: str


def fold(name: str) -> str:
    """A header as compared: lower case, letters and digits only (``E-mail Address`` → ``emailaddress``)."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def name_score(column: str, canonical: str) -> float:
    folded = fold(column)
    if folded == fold(canonical):
        return NAME_EXACT
    if folded in ALIASES.get(canonical, ()):
        return NAME_ALIAS
    words = set(re.findall(r"[a-z0-9]+", column.lower()))
    if words & set(canonical.split("_")) - {"at", "id", "no"}:
        return NAME_WORD
    return 0.0


@lru_cache(maxsize=4096)
def _is_country(value: str) -> bool:
    if len(value) == 2:
        if not value.isupper():
            return False  # "al" is a handle more often than Albania
    elif len(value) < 4 or not value.replace(" ", "").isalpha():
        return False
    try:  # exact names and codes only: a fuzzy search finds a country in most words
        pycountry.countries.lookup(value)
    except LookupError:
        return False
    return True


def content_types(value: str) -> set[str]:
    """What one value looks like: a subset of CONTENT_WORDS' keys (one value may be two things)."""
    text = value.strip()
    found: set[str] = set()
    if not text:
        return found
    if _EMAIL.match(text):
        found.add("email")
    if _URL.match(text):
        found.add("url")
    if _HANDLE.match(text):
        found.add("handle")
    digits = sum(c.isdigit() for c in text)
    if _PHONE.match(text) and digits >= 7 and (text.startswith("+") or " " in text or digits >= 9):
        found.add("phone")
    if not text.isdigit() and any(c.isdigit() for c in text):
        try:
            normalize.timestamp(text)
            found.add("date")
            found.discard("phone")  # 05/03/2024 has 8 digits
        except ValueError:
            pass
    if "date" not in found and "phone" not in found and len(text) <= 20:
        try:
            normalize.amount(text.lstrip("$€£¥").rstrip("kg").strip())
            found.add("amount")
        except ValueError:
            pass
    if len(text) <= 4 and not text.isdigit():
        try:
            if text.isupper() or not text.isalpha():  # "USD", "€"; not "usd" in a handle column
                normalize.currency(text)
                found.add("currency")
        except ValueError:
            pass
    if _is_country(text):
        found.add("country")
    if text.lower() in KNOWN_PLATFORMS:
        found.add("platform")
    return found


def content_profile(values: Iterable[str]) -> dict[str, float]:
    """The share of non-empty values of each content type (only types held by ``MIN_SHARE`` or more)."""
    present = [v for v in values if v and v.strip()]
    if not present:
        return {}
    counts: dict[str, int] = {}
    for value in present:
        for kind in content_types(value):
            counts[kind] = counts.get(kind, 0) + 1
    return {k: n / len(present) for k, n in counts.items() if n / len(present) >= MIN_SHARE}


def score(column: str, profile: Mapping[str, float], canonical: str) -> tuple[float, str]:
    """How well ``column`` (with its content profile) fits ``canonical``, and the reason in words."""
    by_name = name_score(column, canonical)
    by_content, what = 0.0, ""
    for kind, share in profile.items():
        if canonical in CONTENT_COLUMNS.get(kind, ()) and share * CONTENT_WEIGHT > by_content:
            by_content, what = share * CONTENT_WEIGHT, f"{share:.0%} of its values are {CONTENT_WORDS[kind]}"
    if by_name and by_content:
        return min(1.0, by_name + by_content / 2), f"its name and {what}"
    if by_name:
        return by_name, "its name" if by_name >= NAME_ALIAS else "a word of its name"
    return by_content, what


def guess_columns(header: Sequence[str], rows: Sequence[Mapping[str, str]], kind: str) -> list[Guess]:
    """One :class:`Guess` per column of ``header``, in header order, for a file of ``kind``."""
    if kind not in COLUMNS:
        raise ValueError(f"unknown file kind {kind!r}; known: {', '.join(COLUMNS)}")
    sample = rows[:SAMPLE_ROWS]
    profiles = {c: content_profile(str(r.get(c) or "") for r in sample) for c in header}
    candidates = []
    for column in header:
        for canonical in COLUMNS[kind]:
            value, reason = score(column, profiles[column], canonical)
            if value >= MIN_SCORE:
                # ties: the required (earlier) canonical column first, then header order
                candidates.append((-value, COLUMNS[kind].index(canonical), list(header).index(column),
                                   column, canonical, reason))
    chosen: dict[str, tuple[str, float, str]] = {}
    taken: set[str] = set()
    for negative, _, _, column, canonical, reason in sorted(candidates):
        if column in chosen or canonical in taken:
            continue
        chosen[column] = (canonical, -negative, reason)
        taken.add(canonical)
    return [Guess(c, *chosen[c]) if c in chosen else Guess(c, None, 0.0, "nothing in its name or values")
            for c in header]


def guess_kind(file_name: str, header: Sequence[str], rows: Sequence[Mapping[str, str]]) -> str:
    """The file kind: the one its name starts with, else the one whose columns the guesses fit best
    (the sum of the guesses' scores, plus half a point per required column found, less 0.3 per one missing)."""
    stem = file_name.lower().rsplit("/", 1)[-1]
    for kind in COLUMNS:
        if stem.startswith(kind):
            return kind
    from loaders.load import PARSERS

    def fit(kind: str) -> float:
        guessed = {g.canonical: g.score for g in guess_columns(header, rows, kind) if g.canonical}
        required = getattr(PARSERS[kind], "REQUIRED", ())
        found = sum(1 for r in required if r in guessed)
        return sum(guessed.values()) + 0.5 * found - 0.3 * (len(required) - found)

    return max(COLUMNS, key=lambda k: (fit(k), -list(COLUMNS).index(k)))


def mapping_document(kind: str, file_name: str, chosen: Mapping[str, str | None],
                     header: Sequence[str]) -> dict[str, object]:
    """The YAML mapping (as a dict) that reads ``file_name`` as ``kind`` with ``chosen`` (source → canonical).

    A source column left out whose own name is canonical (and not given by another column) is blanked
    with a constant, so leaving it out means it is not read.
    """
    columns = {canonical: source for source, canonical in chosen.items() if canonical}
    entry: dict[str, object] = {"match": file_name, "columns": columns}
    blanked = {c: "" for c in header if not chosen.get(c) and c in COLUMNS[kind] and c not in columns}
    if blanked:
        entry["constants"] = blanked
    return {"files": [{"kind": kind, **entry}]}


def duplicate_targets(chosen: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Canonical columns that more than one source column was given: canonical → those sources."""
    by_target: dict[str, list[str]] = {}
    for source, canonical in chosen.items():
        if canonical:
            by_target.setdefault(canonical, []).append(source)
    return {k: v for k, v in by_target.items() if len(v) > 1}


def missing_required(kind: str, chosen: Mapping[str, str | None]) -> list[str]:
    """Required canonical columns of ``kind`` that no source column was given."""
    from loaders.load import PARSERS

    given = {c for c in chosen.values() if c}
    return [r for r in getattr(PARSERS[kind], "REQUIRED", ()) if r not in given]
