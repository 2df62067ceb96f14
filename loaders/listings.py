"""listings: platform, listing_id, handle, posted_at, title, text, price, currency, hashtags,
image_phash, location, url, captured_at, image_files (photos read by ``loaders/photos.py``).
Species mentions are matched here.

Only platform, listing_id and handle are required; an optional field that does not parse is set
aside as a warning and the listing loads without it. Title and text are kept whole, but only the
first ``MAX_TEXT_CHARS`` characters are matched for species (a warning says so).
"""

from __future__ import annotations

import re
from typing import Any

from graphbench import normalize
from graphbench.batch import GraphBatch
from graphbench.matching.matcher import MAX_TEXT_CHARS
from graphbench.schema import node_id
from loaders.accounts import account_id, handle_props
from loaders.context import RowContext
from loaders.fields import multi, optional, required
from loaders.photos import read_listing_photos
from loaders.places import add_location, place_or_none

KIND = "listings"
REQUIRED = ("platform", "listing_id", "handle")
_PHASH = re.compile(r"^[0-9a-f]{16}$")


def image_phash(raw: str) -> str:
    value = raw.strip().lower().removeprefix("0x")
    if not _PHASH.match(value):
        raise ValueError(f"{raw!r} is not a 64-bit perceptual hash (16 hex digits)")
    return value


def price(raw: str) -> float:
    value = normalize.amount(re.sub(r"^[^\d\-.,]+|[^\d.,]+$", "", raw) or raw)
    if value < 0:
        raise ValueError(f"{raw!r} is a negative price")
    return value


def listing_id(platform: str, listing: str) -> str:
    return node_id("Listing", platform, listing)


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    platform = required(row, "platform", normalize.platform)
    listing = required(row, "listing_id", normalize.listing_id)
    handle = required(row, "handle", normalize.handle)
    posted_at = optional(row, "posted_at", normalize.timestamp, ctx)
    seen = optional(row, "captured_at", normalize.timestamp, ctx) or posted_at
    title = optional(row, "title")
    text = optional(row, "text")
    matched_text = f"{title or ''}\n{text or ''}"
    if len(matched_text) > MAX_TEXT_CHARS:
        ctx.warn("text", f"{len(matched_text):,} characters of title and text: only the first "
                 f"{MAX_TEXT_CHARS:,} were searched for species and hashtags (all are kept)", "")
        matched_text = matched_text[:MAX_TEXT_CHARS]
    tags = multi(row, "hashtags", normalize.hashtag, ctx)
    for tag in normalize.hashtags_in_text(matched_text):
        if tag not in tags:
            tags.append(tag)
    place = place_or_none(optional(row, "location"))
    props: dict[str, Any] = {
        "platform": platform,
        "listing_id": listing,
        "title": title,
        "text": text,
        "price": optional(row, "price", price, ctx),
        "currency": optional(row, "currency", normalize.currency, ctx),
        "posted_at": posted_at,
        "url": optional(row, "url"),
        "image_phash": optional(row, "image_phash", image_phash, ctx),
        "location": optional(row, "location"),
    }
    photos = read_listing_photos(row, ctx) if row.get("image_files") else None  # graphbench.images
    if photos:
        props.update(photos.listing_props(props["image_phash"]))
    prov = ctx.provenance(seen)
    batch = GraphBatch()
    node = batch.add_node(listing_id(platform, listing), props, prov)
    author = batch.add_node(account_id(platform, handle),
                            {"platform": platform, "handle": handle, **handle_props(row.get("handle"), handle)},
                            ctx.provenance(None))
    batch.add_rel("POSTED", author, node, {}, prov)
    for tag in tags:
        batch.add_rel("TAGGED", node, batch.add_node(node_id("Hashtag", tag), {"tag": tag}, prov), {}, prov)
    if ctx.matcher is not None:
        for mention in ctx.matcher.match_text(matched_text):
            species = batch.add_node(node_id("Species", mention.scientific_name),
                                     ctx.species_props.get(mention.scientific_name,
                                                           {"scientific_name": mention.scientific_name}),
                                     ctx.provenance(None))
            batch.add_rel("MENTIONS", node, species,
                          {"term": mention.term, "matched": mention.matched, "match": mention.match,
                           "score": round(float(mention.score), 4)}, prov)
    if place:
        batch.add_rel("LOCATED_IN", node, add_location(batch, place[0], place[1], prov), {}, prov)
    if photos:
        named = {r.end.removeprefix("Species:") for r in batch.rels if r.type == "MENTIONS"}
        photos.add_to(batch, node, author, platform, place[0] if place else None, ctx, prov, named)
    return batch
