"""accounts: platform, handle, display_name, profile_url, followers, bio, phone, email, links,
location, created_at, captured_at."""

from __future__ import annotations

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


def parse_link(raw: str) -> tuple[str, str]:
    """'platform:handle' (or a profile URL 'https://platform.example/handle') to (platform, handle)."""
    text = raw.strip()
    if "://" in text:
        host, _, path = text.split("://", 1)[1].partition("/")
        name = host.lower().removeprefix("www.").removeprefix("m.").split(".")[0]
        handle = path.strip("/").split("/")[0]
        return normalize.platform(name), normalize.handle(handle)
    platform, sep, handle = text.partition(":")
    if not sep:
        raise ValueError(f"link {raw!r} is not platform:handle or a URL")
    return normalize.platform(platform), normalize.handle(handle)


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    platform = required(row, "platform", normalize.platform)
    handle = required(row, "handle", normalize.handle)
    seen = optional(row, "captured_at", normalize.timestamp)
    place = place_or_none(optional(row, "location"))
    region = place[0] if place else None
    phones = multi(row, "phone", lambda v: normalize.phone(v, region))
    emails = multi(row, "email", normalize.email)
    links = multi(row, "links", parse_link)
    props = {
        "platform": platform,
        "handle": handle,
        "display_name": optional(row, "display_name"),
        "url": optional(row, "profile_url"),
        "followers": optional(row, "followers", whole_number),
        "bio": optional(row, "bio"),
        "created_at": optional(row, "created_at", normalize.timestamp),
        "location": optional(row, "location"),
    }
    prov = ctx.provenance(seen)
    batch = GraphBatch()
    account = batch.add_node(account_id(platform, handle), props, prov)
    for number in phones:
        batch.add_rel("HAS_PHONE", account, batch.add_node(node_id("Phone", number), {"e164": number}, prov), {}, prov)
    for address in emails:
        batch.add_rel("HAS_EMAIL", account, batch.add_node(node_id("Email", address), {"address": address}, prov),
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
