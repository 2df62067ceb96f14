"""Identifiers written in the text of a photo: phones, e-mails, crypto wallets, handles.

OCR text is short and noisy, so each kind is found by its own strict shape and then normalised by
the same functions the loaders use for columns (``graphbench.normalize``), so a number read from a
photo is the same Phone node as the number typed in a profile:

- phones: ``phonenumbers``' matcher at leniency VALID (a real numbering plan, not any digit run); a
  national number needs the listing's country, an international one (``+84 …``) does not;
- e-mails: ``local@domain.tld``, also ``local [at] domain [dot] tld``;
- wallets: bech32 / base58 bitcoin addresses and 0x… Ethereum addresses;
- handles: ``@name`` (on the listing's own platform) and ``platform: name`` / ``platform @name`` /
  ``t.me/name``-style links for the platforms in ``PLATFORM_WORDS``; WeChat IDs (``wechat: id``)
  are payment channels, as in the payment_links file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers

from graphbench import normalize

PLATFORM_WORDS = {
    "ig": "instagram", "insta": "instagram", "instagram": "instagram", "instagram.com": "instagram",
    "fb": "facebook", "facebook": "facebook", "facebook.com": "facebook",
    "tg": "telegram", "telegram": "telegram", "t.me": "telegram",
    "tiktok": "tiktok", "tiktok.com": "tiktok", "line": "line", "x.com": "x", "twitter": "x",
}
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+(?:@|\s*\[at\]\s*|\s*\(at\)\s*)[A-Za-z0-9-]+"
                    r"(?:(?:\.|\s*\[dot\]\s*|\s*\(dot\)\s*)[A-Za-z0-9-]+)+")
_BTC = re.compile(r"\b(bc1[02-9ac-hj-np-z]{20,80}|[13][1-9A-HJ-NP-Za-km-z]{25,34})\b")
_ETH = re.compile(r"\b0x[0-9a-fA-F]{40}\b")
_PLATFORM_HANDLE = re.compile(
    r"(?<![\w.])(" + "|".join(sorted((re.escape(w) for w in PLATFORM_WORDS), key=len, reverse=True))
    + r")\s*(?:[:/]\s*@?|@)\s*([A-Za-z0-9_][A-Za-z0-9_.]{1,29})", re.IGNORECASE)
_WECHAT = re.compile(r"(?<![\w.])(?:wechat|weixin|wx)\s*(?:id)?\s*[:：]\s*([A-Za-z][A-Za-z0-9_-]{5,19})", re.IGNORECASE)
_AT_HANDLE = re.compile(r"(?<![\w.@])@([A-Za-z0-9_][A-Za-z0-9_.]{1,29})(?![\w@])")


@dataclass
class Identifiers:
    phones: list[str] = field(default_factory=list)  # E.164
    emails: list[str] = field(default_factory=list)
    wallets: list[tuple[str, str]] = field(default_factory=list)  # (channel_type, channel_id)
    handles: list[tuple[str, str]] = field(default_factory=list)  # (platform, handle)

    def __bool__(self) -> bool:
        return bool(self.phones or self.emails or self.wallets or self.handles)


def _add(found: list, value: object) -> None:
    if value not in found:
        found.append(value)


def identifiers_in_text(text: str, region: str | None = None, platform: str | None = None) -> Identifiers:
    """Every identifier of the kinds above in ``text``; ``region`` reads national phone numbers,
    ``platform`` is where a bare ``@handle`` lives (None: bare handles are skipped)."""
    found = Identifiers()
    if not text.strip():
        return found
    for number in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        _add(found.phones, phonenumbers.format_number(number.number, phonenumbers.PhoneNumberFormat.E164))
    taken: list[tuple[int, int]] = []  # spans of e-mails and platform handles: no bare @handle inside
    for match in _EMAIL.finditer(text):
        raw = match.group(0)
        address = normalize.deobfuscated_email(raw) if "[" in raw or "(" in raw else None
        try:
            address = address or normalize.email(re.sub(r"\s", "", raw))
        except ValueError:
            continue
        _add(found.emails, address)
        taken.append(match.span())
    for pattern, kind in ((_BTC, "btc"), (_ETH, "eth")):
        for match in pattern.finditer(text):
            try:
                _add(found.wallets, (kind, normalize.channel_id(kind, match.group(0))))
            except ValueError:
                continue
    for match in _WECHAT.finditer(text):
        _add(found.wallets, ("wechat", normalize.channel_id("wechat", match.group(1))))
    for match in _PLATFORM_HANDLE.finditer(text):
        _add(found.handles, (PLATFORM_WORDS[match.group(1).lower()], normalize.handle(match.group(2).rstrip("."))))
        taken.append(match.span())
    if platform:
        for match in _AT_HANDLE.finditer(text):
            if any(start <= match.start() < end for start, end in taken):
                continue  # the domain of an e-mail, or a handle already read with its platform
            _add(found.handles, (platform, normalize.handle(match.group(1).rstrip("."))))
    return found
