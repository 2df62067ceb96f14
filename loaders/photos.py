"""A listing's ``image_files``: the photos read (``graphbench.images``) and turned into graph records.

``image_files`` is a ``;``-separated list of paths relative to the load folder (the folder of the
listings file). For each photo that can be read:

- its pHashes go on the Listing as ``image_hashes`` (and the first photo's whole-frame hash becomes
  ``image_phash`` when the export gave none), for cross-post detection;
- an EXIF position becomes ``(Listing)-[:LOCATED_IN {method: "exif", lat, lon}]->(Location)``, the
  place being the nearest GeoNames place (``distance_km`` kept) — none when it is more than
  ``MAX_PLACE_KM`` away (open sea);
- its text (``image_text`` on the Listing) gives the author's phones (HAS_PHONE), e-mails
  (HAS_EMAIL), wallets (USES, and the listing ACCEPTS them), other accounts (LINKS_TO), each with
  ``method: "ocr"``, and species mentions (MENTIONS with ``source: "image"``) for species the
  title and text do not already name.

A photo that is missing or cannot be read is a warning on ``image_files``; the listing always loads.
``GRAPHBENCH_PHOTO_OCR=0`` skips OCR (hashes and positions are still read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphbench import normalize
from graphbench.batch import GraphBatch
from graphbench.images.identifiers import identifiers_in_text
from graphbench.schema import node_id
from loaders.context import RowContext
from loaders.places import add_location

if TYPE_CHECKING:  # imagehash, scipy and the OCR engine load only when a row names photos
    from graphbench.images.photos import PhotoReading, PhotoSteps

MAX_PLACE_KM = 150.0  # nearest GeoNames place farther than this: the photo was taken at sea, not in a town
MAX_PHOTOS = 20  # per listing; an advert shows a handful, a row naming hundreds is not an advert
MAX_TEXT = 5_000  # characters of OCR text kept on the Listing
OCR = {"method": "ocr"}


@dataclass
class ListingPhotos:
    readings: list[PhotoReading] = field(default_factory=list)

    @property
    def hashes(self) -> list[str]:
        return list(dict.fromkeys(h for r in self.readings for h in r.hashes))

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.readings if r.text)

    def listing_props(self, given_phash: str | None) -> dict[str, Any]:
        """Properties for the Listing node (nothing when no photo was read)."""
        read = [r for r in self.readings if r.read]
        if not read:
            return {}
        return {"image_hashes": self.hashes, "image_phash": given_phash or read[0].hashes[0],
                "image_text": self.text[:MAX_TEXT] or None}

    def add_to(self, batch: GraphBatch, listing: str, author: str, platform: str, region: str | None,
               ctx: RowContext, prov: dict[str, Any], text_species: set[str]) -> None:
        for reading in self.readings:
            place = reading.place
            if reading.position and place and place.distance_km <= MAX_PLACE_KM:
                location = add_location(batch, place.country, normalize.city(place.city), prov)
                lat, lon = reading.position
                batch.add_rel("LOCATED_IN", listing, location,
                              {"method": "exif", "lat": lat, "lon": lon, "distance_km": place.distance_km}, prov)
            elif reading.position:
                ctx.warn("image_files", f"{reading.name}: its EXIF position {reading.position} is "
                         f"{place.distance_km if place else '?'} km from the nearest known place; no place linked",
                         reading.name)
            region = region or (place.country if place and place.distance_km <= MAX_PLACE_KM else None)
        text = self.text
        if not text:
            return
        found = identifiers_in_text(text, region, platform)
        for number in found.phones:
            batch.add_rel("HAS_PHONE", author, batch.add_node(node_id("Phone", number), {"e164": number}, prov), OCR, prov)
        for address in found.emails:
            batch.add_rel("HAS_EMAIL", author, batch.add_node(node_id("Email", address), {"address": address}, prov),
                          OCR, prov)
        for kind, channel_id in found.wallets:
            channel = batch.add_node(node_id("PaymentChannel", kind, channel_id),
                                     {"channel_type": kind, "channel_id": channel_id}, prov)
            batch.add_rel("USES", author, channel, {**OCR, "seen_in": "image"}, prov)
            batch.add_rel("ACCEPTS", listing, channel, OCR, prov)
        for other_platform, handle in found.handles:
            other = node_id("Account", other_platform, handle)
            if other != author:  # sellers watermark their own handle
                batch.add_node(other, {"platform": other_platform, "handle": handle}, ctx.provenance(None))
                batch.add_rel("LINKS_TO", author, other, OCR, prov)
        if ctx.matcher is None:
            return
        for mention in ctx.matcher.match_text(text):
            if mention.scientific_name in text_species:
                continue  # the title or text names it already: that mention stands
            species = batch.add_node(node_id("Species", mention.scientific_name),
                                     ctx.species_props.get(mention.scientific_name,
                                                           {"scientific_name": mention.scientific_name}),
                                     ctx.provenance(None))
            batch.add_rel("MENTIONS", listing, species,
                          {"term": mention.term, "matched": mention.matched, "match": mention.match,
                           "score": round(float(mention.score), 4), "source": "image"}, prov)


def read_listing_photos(row: dict[str, str], ctx: RowContext, steps: PhotoSteps | None = None) -> ListingPhotos:
    """The photos a row names, read relative to the folder of the file being loaded."""
    from graphbench import settings
    from graphbench.images.photos import PhotoSteps, read_photo

    steps = steps or PhotoSteps(ocr=settings.photo_ocr())

    names = normalize.split_multi(normalize.clean(row.get("image_files")))
    photos = ListingPhotos()
    if not names:
        return photos
    if len(names) > MAX_PHOTOS:
        ctx.warn("image_files", f"{len(names)} photos named; only the first {MAX_PHOTOS} were read", len(names))
        names = names[:MAX_PHOTOS]
    folder = Path(ctx.source_file).parent
    for name in dict.fromkeys(names):
        reading = read_photo(folder, name, steps)
        for problem in reading.problems:
            ctx.warn("image_files", problem, name)
        photos.readings.append(reading)
    return photos
