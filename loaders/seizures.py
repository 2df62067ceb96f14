"""seizures: seizure_id, date, country, city, lat, lon, species, quantity, unit, transport_mode,
concealment, origin_country, via_countries, destination_country, shipper, tracking_no, phones,
handles, payment_ids, source.

A seizure is an enforcement record: what was seized (species, quantity in kg or a count), where
(country, city, position), the route the goods took (origin → via → destination), and who or what
the file names (a shipment by shipper + tracking number, phones, accounts, payment channels).
Only seizure_id, date and country are required; an optional field that does not parse is a
warning and the seizure loads without it.

Countries are ISO 3166 alpha-2, read from codes or names as seizure databases write them:
``Viet Nam``, ``Lao PDR``, ``China - Hong Kong`` (the part after `` - `` names a territory with its
own code when it has one), ``Côte d'Ivoire``. ``species`` holds scientific or common names (each
matched like listing text, so "pangolin scales" is *Manidae*); a name the matcher does not know is
kept as written in scientific-name form. ``handles`` are ``platform:handle`` (or profile URLs) and
``payment_ids`` are ``channel_type:channel_id``, as in the payment_links file. A tracking number
without a shipper is kept on the Seizure (``tracking_no``) and matched to shipments by number
(``graphbench.analytics.seizures``), since a Shipment's key needs its shipper.
"""

from __future__ import annotations

import re
from typing import Any

import pycountry

from graphbench import normalize
from graphbench.batch import GraphBatch
from graphbench.schema import node_id
from loaders.accounts import account_id, parse_link
from loaders.context import RowContext
from loaders.fields import multi, optional, required
from loaders.places import add_location

KIND = "seizures"
REQUIRED = ("seizure_id", "date", "country")
UNITS = {"kg": ("kg", 1.0), "kgs": ("kg", 1.0), "kilogram": ("kg", 1.0), "kilograms": ("kg", 1.0),
         "g": ("kg", 0.001), "gram": ("kg", 0.001), "grams": ("kg", 0.001),
         "t": ("kg", 1000.0), "tonne": ("kg", 1000.0), "tonnes": ("kg", 1000.0), "ton": ("kg", 1000.0),
         "count": ("count", 1.0), "pcs": ("count", 1.0), "pieces": ("count", 1.0), "piece": ("count", 1.0),
         "items": ("count", 1.0), "individuals": ("count", 1.0), "specimens": ("count", 1.0),
         "head": ("count", 1.0), "live": ("count", 1.0), "number": ("count", 1.0)}
TRANSPORT = {"air": "air", "plane": "air", "flight": "air", "air cargo": "air", "sea": "sea", "ship": "sea",
             "vessel": "sea", "maritime": "sea", "container": "sea", "road": "road", "truck": "road",
             "car": "road", "vehicle": "road", "rail": "rail", "train": "rail", "mail": "mail",
             "post": "mail", "postal": "mail", "parcel": "mail", "courier": "mail", "express": "mail"}
_COUNTRY_NAMES = {"LAO PDR": "LA", "LAO P.D.R.": "LA", "LAO PEOPLE'S DEMOCRATIC REPUBLIC": "LA",
                  "DR CONGO": "CD", "DEMOCRATIC REPUBLIC OF THE CONGO": "CD", "REPUBLIC OF THE CONGO": "CG", "DRC": "CD", "CONGO, DEM. REP.": "CD", "CONGO DR": "CD",
                  "IVORY COAST": "CI", "COTE D'IVOIRE": "CI", "KOREA, REP.": "KR", "REPUBLIC OF KOREA": "KR",
                  "TURKEY": "TR", "MACAU": "MO", "BURMA": "MM", "SWAZILAND": "SZ", "CZECH REPUBLIC": "CZ"}
# how seizure databases write "not known": CITES uses XX; EIA and TRAFFIC tables write words
_UNKNOWN = {"XX", "ZZ", "UNKNOWN", "UNSPECIFIED", "VARIOUS", "N/A", "-", "?"}


def seizure_country(raw: str) -> str:
    """ISO 3166 alpha-2 from a code or a name as seizure records write it ("Viet Nam", "Lao PDR",
    "China - Hong Kong", "China, Hong Kong SAR")."""
    text = " ".join(raw.replace("\u2013", "-").split())
    if text.upper() in _UNKNOWN:
        raise ValueError(f"{raw!r} marks an unknown country")
    if len(text) == 2 and text.isalpha():  # a code: never fuzzy-matched ("XX" is not Malta)
        found = pycountry.countries.get(alpha_2="GB" if text.upper() == "UK" else text.upper())
        if found is None:
            raise ValueError(f"{raw!r} is not an ISO 3166 alpha-2 code")
        return found.alpha_2
    if text.upper() in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[text.upper()]
    try:  # an exact code or name first: "Taiwan, Province of China" is one name
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        pass
    for separator in (" - ", ", "):
        if separator in text:  # "China - Hong Kong": the territory has its own code
            territory = re.sub(r"\b(SAR|S\.A\.R\.)\b", "", text.split(separator)[-1]).strip()
            try:
                return seizure_country(territory)
            except ValueError:
                pass
    return normalize.country(text)


def unit(raw: str) -> str:
    value = raw.strip().lower().rstrip(".")
    if value not in UNITS:
        raise ValueError(f"{raw!r} is not a unit (kg or count, or g, t, pieces, individuals)")
    return value


def quantity(raw: str) -> float:
    value = normalize.amount(raw)
    if value < 0:
        raise ValueError(f"{raw!r} is a negative quantity")
    return value


def transport_mode(raw: str) -> str:
    value = " ".join(raw.strip().lower().split())
    return TRANSPORT.get(value, value)


def coordinate(limit: float) -> Any:
    def read(raw: str) -> float:
        value = normalize.amount(raw)
        if not -limit <= value <= limit:
            raise ValueError(f"{raw!r} is outside [-{limit:g}, {limit:g}]")
        return round(value, 6)
    return read


def payment_id(raw: str) -> tuple[str, str]:
    kind, sep, value = raw.partition(":")
    if not sep:
        raise ValueError(f"payment id {raw!r} is not channel_type:channel_id")
    channel_type = normalize.channel_type(kind)
    return channel_type, normalize.channel_id(channel_type, value)


def _species(row: dict[str, str], ctx: RowContext) -> list[str]:
    names: dict[str, None] = {}
    for part in normalize.split_multi(normalize.clean(row.get("species"))):
        mentions = ctx.matcher.match_text(part) if ctx.matcher is not None else []
        if mentions:
            for mention in mentions:
                names.setdefault(mention.scientific_name, None)
            continue
        try:
            names.setdefault(normalize.scientific_name(part), None)
        except ValueError as exc:
            ctx.warn("species", str(exc), part)
    return list(names)


def _phones(row: dict[str, str], region: str, ctx: RowContext) -> list[tuple[str, bool]]:
    found: dict[str, bool] = {}
    for part in normalize.split_multi(normalize.clean(row.get("phones"))):
        try:
            found.setdefault(normalize.phone(part, region), True)
            continue
        except ValueError as exc:
            reason = str(exc)
        loose = normalize.unverified_phone(part)
        ctx.warn("phones", f"{reason}; " + (f"kept unverified as {loose}" if loose else "nothing kept"), part)
        if loose:
            found.setdefault(loose, False)
    return list(found.items())


def parse(row: dict[str, str], ctx: RowContext) -> GraphBatch:
    seizure_id = required(row, "seizure_id", normalize.listing_id)
    date = required(row, "date", normalize.timestamp)
    country = required(row, "country", seizure_country)
    city = optional(row, "city", normalize.city, ctx)
    lat = optional(row, "lat", coordinate(90), ctx)
    lon = optional(row, "lon", coordinate(180), ctx)
    if (lat is None) != (lon is None):
        dropped = "lat" if lat is not None else "lon"
        ctx.warn(dropped, f"a position needs both lat and lon; {dropped} was set aside", row.get(dropped))
        lat = lon = None
    amount = optional(row, "quantity", quantity, ctx)
    unit_name = optional(row, "unit", unit, ctx)
    kind, factor = UNITS[unit_name] if unit_name else (None, 1.0)
    origin = optional(row, "origin_country", seizure_country, ctx)
    via = multi(row, "via_countries", seizure_country, ctx)
    destination = optional(row, "destination_country", seizure_country, ctx)
    shipper = optional(row, "shipper", normalize.shipper, ctx)
    tracking = optional(row, "tracking_no", normalize.tracking_no, ctx)
    props: dict[str, Any] = {
        "seizure_id": seizure_id, "date": date, "country": country, "city": city, "lat": lat, "lon": lon,
        "quantity": round(amount * factor, 6) if amount is not None else None, "unit": kind,
        "weight_kg": round(amount * factor, 6) if amount is not None and kind == "kg" else None,
        "transport_mode": optional(row, "transport_mode", transport_mode, ctx),
        "concealment": optional(row, "concealment"),
        "origin_country": origin, "via_countries": via or None, "destination_country": destination,
        "shipper": shipper, "tracking_no": tracking, "source": optional(row, "source"),
    }
    prov = ctx.provenance(date)
    batch = GraphBatch()
    seizure = batch.add_node(node_id("Seizure", seizure_id), props, prov)
    position = {"lat": lat, "lon": lon} if lat is not None else {}
    batch.add_rel("AT", seizure, add_location(batch, country, city, prov), position, prov)
    if origin:
        batch.add_rel("FROM", seizure, add_location(batch, origin, None, prov), {}, prov)
    for order, code in enumerate(via):
        batch.add_rel("VIA", seizure, add_location(batch, code, None, prov), {"order": order}, prov)
    if destination:
        batch.add_rel("TO", seizure, add_location(batch, destination, None, prov), {}, prov)
    for name in _species(row, ctx):
        species = batch.add_node(node_id("Species", name), ctx.species_props.get(name, {"scientific_name": name}),
                                 ctx.provenance(None))
        batch.add_rel("OF", seizure, species, {}, prov)
    if shipper and tracking:
        shipment = batch.add_node(node_id("Shipment", shipper, tracking), {"shipper": shipper, "tracking_no": tracking},
                                  ctx.provenance(None))
        batch.add_rel("OF_SHIPMENT", seizure, shipment, {}, prov)
    for number, verified in _phones(row, country, ctx):
        phone = batch.add_node(node_id("Phone", number), {"e164": number, "verified": None if verified else False},
                               ctx.provenance(None))
        batch.add_rel("NAMES", seizure, phone, {"field": "phones"}, prov)
    for platform, handle in multi(row, "handles", parse_link, ctx):
        account = batch.add_node(account_id(platform, handle), {"platform": platform, "handle": handle},
                                 ctx.provenance(None))
        batch.add_rel("NAMES", seizure, account, {"field": "handles"}, prov)
    for channel_type, channel in multi(row, "payment_ids", payment_id, ctx):
        node = batch.add_node(node_id("PaymentChannel", channel_type, channel),
                              {"channel_type": channel_type, "channel_id": channel}, ctx.provenance(None))
        batch.add_rel("NAMES", seizure, node, {"field": "payment_ids"}, prov)
    return batch
