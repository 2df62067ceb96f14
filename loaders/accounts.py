"""accounts: platform, handle, display_name, profile_url, followers, bio, phone, email, links,
location, created_at, captured_at.

Only platform and handle are required. An optional field that does not parse is set aside as a
warning and the account loads without it; a phone or e-mail that does not validate still joins
the accounts that write it the same way, as a Phone/Email node marked ``verified: false``.
"""

from __future__ import annotations

from typing import Any

from graphbench import normalize
from graphbench.batch import GraphBatch
from graphbench.schema import node_id
from loaders.context import RowContext
from loaders.fields import multi, optional, required, whole_number
from loaders.places import add_location, place_or_none

KIND = "accounts"
REQUIRED = ("platform", "handle")


def account_id(platform: str, handle: str) -> str:
    return node_id("Account", platform, handle)


def handle_props(raw: str | None, handle: str) -> dict[str, Any]:
    """``handle_raw`` and ``evasion`` for a handle written with look-alike or invisible characters
    (empty for a plain one), so the evidence keeps what was written."""
    if not raw:
        return {}
    flags = normalize.handle_evasion(raw)
    written = raw.strip().lstrip("@").strip()
    if not flags and written.lower() == handle:
        return {}
    return {"handle_raw": written, "evasion": flags or None}


def parse_link(raw: str) -> tuple[str, str]:
    """'platform:handle' (or a profile URL 'https://platform.example/handle') to (platform, handle)."""
    text = raw.strip()
    if "://" in text:
        host, _, path = text.split("://", 1)[1].partition("/")
        name = host.lower().removeprefix("www.").removeprefix("m.").split(".")[0]
        handle = path.strip("/").split("/")[0].split("?")[0]
        return normalize.platform(name), normalize.handle(handle)
    platform, sep, handle = text.partition(":")
    if not sep:
        raise ValueError(f"link {raw!r} is not platform:handle or a URL")
    return normalize.platform(platform), normalize.handle(handle)


def _phones(row: dict[str, str], region: str | None, ctx: RowContext) -> list[tuple[str, bool]]:
    """(key, verified) per phone: E.164 when it parses, else its raw digits (unverified)."""
    found: dict[str, bool] = {}
    for part in normalize.split_multi(normalize.clean(row.get("phone"))):
        try:
            found.setdefault(normalize.phone(part, region), True)
            continue
        except ValueError as exc:
            reason = str(exc)
        loose = normalize.unverified_phone(part)
        if loose is None:
            ctx.warn("phone", f"{reason}; nothing kept (too few digits to identify anyone)", part)
        else:
            ctx.warn("phone", f"{reason}; kept unverified as {loose}", part)
            found.setdefault(loose, False)
    return list(found.items())


def _emails(row: dict[str, str], ctx: RowContext) -> list[tuple[str, bool]]:
    found: dict[str, bool] = {}
    for part in normalize.split_multi(normalize.clean(row.get("email"))):
        try:
            found.setdefault(normalize.email(part), True)
            continue
        except ValueError as exc:
            reason = str(exc)
        plain = normalize.deobfuscated_email(part)
        loose = None if plain else normalize.unverified_email(part)
        if plain:
            ctx.warn("email", f"{reason} as written; read as {plain}", part)
            found.setdefault(plain, True)
        elif loose:
            ctx.warn("email", f"{reason}; kept unverified as {loose}", part)
            found.setdefault(loose, False)
        else:
            ctx.warn("email", f"{reason}; nothing kept", part)
    return list(found.items())


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    platform = required(row, "platform", normalize.platform)
    handle = required(row, "handle", normalize.handle)
    seen = optional(row, "captured_at", normalize.timestamp, ctx)
    place = place_or_none(optional(row, "location"))
    region = place[0] if place else None
    phones = _phones(row, region, ctx)
    emails = _emails(row, ctx)
    links = multi(row, "links", parse_link, ctx)
    props = {
        "platform": platform,
        "handle": handle,
        "display_name": optional(row, "display_name"),
        "url": optional(row, "profile_url"),
        "followers": optional(row, "followers", whole_number, ctx),
        "bio": optional(row, "bio"),
        "created_at": optional(row, "created_at", normalize.timestamp, ctx),
        "location": optional(row, "location"),
        **handle_props(row.get("handle"), handle),
    }
    prov = ctx.provenance(seen)
    batch = GraphBatch()
    account = batch.add_node(account_id(platform, handle), props, prov)
    for number, verified in phones:
        phone_props = {"e164": number, "verified": None if verified else False}
        batch.add_rel("HAS_PHONE", account, batch.add_node(node_id("Phone", number), phone_props, prov), {}, prov)
    for address, verified in emails:
        email_props = {"address": address, "verified": None if verified else False}
        batch.add_rel("HAS_EMAIL", account, batch.add_node(node_id("Email", address), email_props, prov),
                      {}, prov)
    for other_platform, other_handle in links:
        # a stub for the linked account: seen=None so it never outranks that account's own row
        other = batch.add_node(account_id(other_platform, other_handle),
                               {"platform": other_platform, "handle": other_handle}, ctx.provenance(None))
        if other != account:
            batch.add_rel("LINKS_TO", account, other, {}, prov)
    if place:
        batch.add_rel("LOCATED_IN", account, add_location(batch, place[0], place[1], prov), {}, prov)
    return batch
