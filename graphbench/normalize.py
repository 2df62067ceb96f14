"""Normalisation of natural keys and values, so the same thing written two ways is one node.

Each function takes a raw string and returns the normalised value, or raises ``ValueError``
with a short reason (the loader turns it into a reject naming the file, row and field).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache

import phonenumbers
import pycountry
from dateutil import parser as date_parser

from graphbench.matching.lookalikes import evasion_flags, fold_identifier, prepare, strip_invisible

CHANNEL_TYPES = (
    "paypal", "wechat", "alipay", "iban", "bank_account", "mobile_money",
    "btc", "eth", "usdt", "crypto", "card", "other",
)
# Loose spellings seen in exports, folded to one channel type.
CHANNEL_ALIASES = {
    "pp": "paypal", "paypal_email": "paypal", "weixin": "wechat", "wechat_pay": "wechat",
    "wechatpay": "wechat", "bank": "bank_account", "account": "bank_account",
    "momo": "mobile_money", "mpesa": "mobile_money", "m-pesa": "mobile_money",
    "gcash": "mobile_money", "mobile": "mobile_money", "bitcoin": "btc", "ethereum": "eth",
    "tether": "usdt", "usdt_trc20": "usdt", "wallet": "crypto",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")
_BTC = re.compile(r"^(bc1[0-9a-z]{20,80}|[13][1-9A-HJ-NP-Za-km-z]{25,34})$")
_ETH = re.compile(r"^0x[0-9a-f]{40}$")
_HANDLE_BAD = re.compile(r"\s")
_HASHTAG_IN_TEXT = re.compile(r"#(\w[\w.]*\w|\w)", re.UNICODE)


def clean(value: object) -> str | None:
    """Strip a raw cell; empty, NaN and None become None."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    text = str(value).strip()
    return text or None


def platform(raw: str) -> str:
    value = raw.strip().lower()
    if not value or ":" in value:
        raise ValueError("platform must be a non-empty name without ':'")
    return value


def handle(raw: str) -> str:
    """Lower-case handle without a leading '@'; look-alike spellings folded (see
    ``graphbench.matching.lookalikes``: a plain ASCII handle is only lower-cased)."""
    value = fold_identifier(raw).strip().lstrip("@").strip()
    if not value:
        raise ValueError("handle is empty")
    if _HANDLE_BAD.search(value):
        raise ValueError(f"handle {raw!r} contains white space")
    return value


def handle_evasion(raw: str) -> list[str]:
    """Evasion indicators of a handle as written (mixed scripts, invisible characters, …)."""
    return evasion_flags(raw)


def email(raw: str) -> str:
    value = prepare(raw).strip().lower()
    if value.startswith("mailto:"):
        value = value[7:]
    if not _EMAIL.match(value):
        raise ValueError(f"{raw!r} is not an e-mail address")
    return value


def phone(raw: str, default_region: str | None = None) -> str:
    """E.164 number; a national number needs the country (``default_region``)."""
    try:
        parsed = phonenumbers.parse(prepare(raw), default_region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{raw!r} is not a phone number ({exc})") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"{raw!r} is not a possible phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# An unverified phone keeps this many digits at least: fewer identify nothing ("12", "ext 4").
MIN_UNVERIFIED_PHONE_DIGITS = 6
MAX_PHONE_DIGITS = 20
_OBFUSCATED_AT = re.compile(r"\s*(?:[\[({<]\s*at\s*[\])}>]|\s+at\s+)\s*", re.IGNORECASE)
_OBFUSCATED_DOT = re.compile(r"\s*(?:[\[({<]\s*dot\s*[\])}>]|\s+dot\s+)\s*", re.IGNORECASE)


def unverified_phone(raw: str) -> str | None:
    """The raw form of a phone number that does not parse, for joining the accounts that write it
    the same way: its digits, with a leading '+' when one stands before them; None when too few
    digits remain to identify anything. Never an E.164 number (those parse), so the two kinds of
    Phone key cannot collide unless the digits are the same."""
    raw = prepare(raw)  # fullwidth digits to ASCII, invisible characters out
    digits = re.sub(r"\D", "", raw, flags=re.ASCII)
    # "000000" or "1111111" is a placeholder that many accounts write, not a shared number
    if not MIN_UNVERIFIED_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS or len(set(digits)) < 3:
        return None
    first = re.search(r"[0-9]", raw)
    plus = first is not None and "+" in raw[: first.start()]
    return ("+" if plus else "") + digits


def deobfuscated_email(raw: str) -> str | None:
    """``seller [at] mail [dot] com`` → ``seller@mail.com`` when that is a valid address, else None."""
    text = _OBFUSCATED_DOT.sub(".", _OBFUSCATED_AT.sub("@", raw.strip()))
    try:
        return email(text)
    except ValueError:
        return None


def unverified_email(raw: str) -> str | None:
    """The raw form of an address that does not validate (lower-case, no white space), when it
    still has a local part and a domain around one '@'; None otherwise."""
    text = "".join(raw.split()).lower().removeprefix("mailto:")
    local, at, domain = text.partition("@")
    if not at or not local or not domain or "@" in domain or ":" in text:
        return None
    return text


def hashtag(raw: str) -> str:
    """Tag without '#', case-folded; invisibles, compatibility forms and look-alikes folded as for
    handles (``#pаngolin`` with a Cyrillic а is ``pangolin``)."""
    value = unicodedata.normalize("NFKC", fold_identifier(strip_invisible(raw).strip().lstrip("#").strip())).casefold()
    if not value or _HANDLE_BAD.search(value):
        raise ValueError(f"hashtag {raw!r} is empty or contains white space")
    return value


def hashtags_in_text(text: str) -> list[str]:
    """Hashtags written inline in a post, normalised, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in _HASHTAG_IN_TEXT.finditer(text or ""):
        seen.setdefault(hashtag(match.group(1)), None)
    return list(seen)


def channel_type(raw: str) -> str:
    value = raw.strip().lower().replace(" ", "_")
    value = CHANNEL_ALIASES.get(value, value)
    if value not in CHANNEL_TYPES:
        raise ValueError(f"unknown channel type {raw!r}; known: {', '.join(CHANNEL_TYPES)}")
    return value


def channel_id(kind: str, raw: str, default_region: str | None = None) -> str:
    """Normalise a payment identifier according to its (normalised) channel type."""
    value = prepare(raw).strip()
    if not value:
        raise ValueError("channel id is empty")
    if kind == "paypal":
        return email(value)
    if kind == "iban":
        iban = re.sub(r"[\s-]", "", value).upper()
        if not _IBAN.match(iban):
            raise ValueError(f"{raw!r} is not an IBAN")
        return iban
    if kind == "mobile_money":
        return phone(value, default_region)
    if kind == "btc":
        btc = value.lower() if value.lower().startswith("bc1") else value
        if not _BTC.match(btc):
            raise ValueError(f"{raw!r} is not a bitcoin address")
        return btc
    if kind == "eth":
        eth = value.lower()
        if not _ETH.match(eth):
            raise ValueError(f"{raw!r} is not an Ethereum address")
        return eth
    if kind in ("wechat", "alipay"):
        return value.lower()
    if ":" in value and kind != "other":
        # ':' separates id parts; other kinds keep it out of keys
        raise ValueError(f"channel id {raw!r} must not contain ':'")
    return value


def currency(raw: str) -> str:
    value = raw.strip().upper()
    symbols = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "CNY", "RMB": "CNY", "₫": "VND",
               "RP": "IDR", "฿": "THB", "BITCOIN": "BTC", "USDT": "USDT", "ETH": "ETH", "BTC": "BTC"}
    if value in symbols:
        return symbols[value]
    try:
        return pycountry.currencies.lookup(value).alpha_3
    except LookupError:
        raise ValueError(f"unknown currency {raw!r}") from None


def amount(raw: str) -> float:
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text and re.fullmatch(r"-?\d+,\d{1,2}", text):
        text = text.replace(",", ".")  # decimal comma: "12,50"
    else:
        text = text.replace(",", "")  # thousands separator: "1,250.00"
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{raw!r} is not a finite number")
    return value


def timestamp(raw: str) -> str:
    """ISO 8601 UTC text ``YYYY-MM-DDTHH:MM:SSZ``; naive times are taken as UTC; epoch seconds accepted."""
    text = raw.strip()
    try:
        moment = _iso(text)
        if moment is not None:
            pass
        elif re.fullmatch(r"\d{9,11}(\.\d+)?", text):
            moment = datetime.fromtimestamp(float(text), tz=UTC)
        else:
            moment = _complete_date(text)
    except _Incomplete:
        raise ValueError(f"{raw!r} is not a date: a date names its year, month and day") from None
    except (ValueError, OverflowError):
        raise ValueError(f"{raw!r} is not a date/time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if not 1990 <= moment.year <= 2100:
        raise ValueError(f"{raw!r} is outside 1990–2100")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_ISO_START = re.compile(r"^\d{4}-\d{2}-\d{2}")
# Two defaults that differ in year, month and day: a part dateutil filled in from a default
# comes out different, so "2024", "March", "5" or "-1" are refused instead of invented.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


class _Incomplete(ValueError):
    pass


def _complete_date(text: str) -> datetime:
    """A date that names its year, month and day (dateutil otherwise fills the gaps from today)."""
    dayfirst = _looks_dayfirst(text)
    first, second = (date_parser.parse(text, dayfirst=dayfirst, default=d) for d in _DEFAULTS)
    if first.date() != second.date():
        raise _Incomplete(text)
    return first


def _iso(text: str) -> datetime | None:
    """The fast path: ISO 8601 text, which most exports use (dateutil is 50× slower)."""
    if not _ISO_START.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _looks_dayfirst(text: str) -> bool:
    # "13/02/2024" can only be day-first; ambiguous "02/03/2024" is read day-first too (most
    # monitoring exports come from outside the US); ISO dates are unaffected.
    match = re.match(r"^(\d{1,2})[/.](\d{1,2})[/.]\d{2,4}", text)
    return bool(match)


@lru_cache(maxsize=4096)
def country(raw: str) -> str:
    """ISO 3166 alpha-2 code from a code or an English name."""
    value = raw.strip()
    if not value:
        raise ValueError("country is empty")
    extra = {"UK": "GB", "USA": "US", "UAE": "AE", "VIETNAM": "VN", "LAOS": "LA",
             "HONG KONG": "HK", "SOUTH KOREA": "KR", "RUSSIA": "RU", "TAIWAN": "TW"}
    if value.upper() in extra:
        return extra[value.upper()]
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        try:
            return pycountry.countries.search_fuzzy(value)[0].alpha_2
        except LookupError:
            raise ValueError(f"unknown country {raw!r}") from None


def city(raw: str) -> str:
    value = " ".join(raw.strip().split()).lower()
    if ":" in value:
        raise ValueError(f"city {raw!r} must not contain ':'")
    return value


def shipper(raw: str) -> str:
    value = " ".join(raw.strip().split()).lower()
    if not value or ":" in value:
        raise ValueError(f"shipper {raw!r} is empty or contains ':'")
    return value


def tracking_no(raw: str) -> str:
    value = re.sub(r"\s", "", raw).upper()
    if not value or ":" in value:
        raise ValueError(f"tracking number {raw!r} is empty or contains ':'")
    return value


def listing_id(raw: str) -> str:
    value = raw.strip()
    if not value or ":" in value:
        raise ValueError(f"listing id {raw!r} is empty or contains ':'")
    return value


def scientific_name(raw: str) -> str:
    """'Manis javanica' form: genus capitalised, the rest lower-case, single spaces."""
    words = raw.strip().split()
    if not words:
        raise ValueError("scientific name is empty")
    return " ".join([words[0].capitalize(), *(w.lower() for w in words[1:])])


def split_multi(raw: str | None) -> list[str]:
    """Split a ';'-separated multi-valued cell, dropping empty parts."""
    if not raw:
        return []
    return [part.strip() for part in str(raw).split(";") if part.strip()]
