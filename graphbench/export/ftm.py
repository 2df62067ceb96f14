"""FollowTheMoney entities (JSON Lines), for Aleph / OpenAleph and other FtM tools.

Mapping to the nearest FtM schemata: Account → UserAccount (username, service, phones, e-mails;
its profile text as summary); Listing → Article (title, body, publisher = platform, author =
account); PaymentChannel → BankAccount (iban / bank_account / mobile money / e-wallets) or
CryptoWallet (btc, eth, usdt, crypto), each with a LegalEntity for its unknown holder ("holder of
paypal …": the wallet's ``holder``, the bank account's owner through an Ownership) since FtM's Payment
requires a payer and a beneficiary; TRANSFERRED → Payment (payer / beneficiary = the holders, and the
bank accounts as payerAccount / beneficiaryAccount — FtM has no wallet there —, amount, currency, date,
transaction number); Shipment → Event (courier, origin → destination, declared
content in the summary); SAME_AS / LINKS_TO → UnknownLink. Phones and e-mails have no entity of
their own in FtM: they become properties of the accounts. What has no FtM home (species mentions,
hashtags, risk) is kept in ``keywords`` / ``notes``. Only an http(s) URL is written as ``sourceUrl``
(Aleph shows it as a link); any other scheme is left out of the entity.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphbench.export.jsonl import table_records
from graphbench.store.base import GraphStore
from graphbench.store.tables import read_tables
from graphbench.viz.safe_text import web_url

CRYPTO = {"btc", "eth", "usdt", "crypto"}


def _id(node_id: str) -> str:
    return "gb-" + hashlib.sha1(node_id.encode("utf-8")).hexdigest()


def generate_ftm(store: GraphStore) -> Iterator[dict[str, Any]]:
    from followthemoney import model

    tables = read_tables(store)
    phones, emails = defaultdict(list), defaultdict(list)
    for row in table_records(tables["HAS_PHONE"]):
        phones[row["start"]].append(row["end"].split(":", 1)[1])
    for row in table_records(tables["HAS_EMAIL"]):
        emails[row["start"]].append(row["end"].split(":", 1)[1])
    tags = defaultdict(list)
    for row in table_records(tables["TAGGED"]):
        tags[row["start"]].append("#" + row["end"].split(":", 1)[1])
    for row in table_records(tables["MENTIONS"]):
        tags[row["start"]].append(row["end"].split(":", 1)[1])

    def entity(schema: str, node_id: str, **props: Any) -> dict[str, Any]:
        proxy = model.make_entity(schema)
        proxy.id = _id(node_id)
        for key, value in props.items():
            for item in value if isinstance(value, list) else [value]:
                if item not in (None, ""):
                    proxy.add(key, str(item), quiet=True)
        proxy.add("notes", f"graphbench id {node_id}", quiet=True)
        return proxy.to_dict()

    for r in table_records(tables["Account"]):
        yield entity("UserAccount", r["id"], username=r.get("handle"), service=r.get("platform"),
                     name=r.get("display_name"), phone=phones[r["id"]], email=emails[r["id"]],
                     summary=r.get("bio"), sourceUrl=web_url(r.get("url")), createdAt=(r.get("created_at") or "")[:10])
    posted = {row["end"]: row["start"] for row in table_records(tables["POSTED"])}
    for r in table_records(tables["Listing"]):
        yield entity("Article", r["id"], title=r.get("title"), bodyText=r.get("text"), publisher=r.get("platform"),
                     author=posted.get(r["id"], "").split(":")[-1], sourceUrl=web_url(r.get("url")),
                     date=(r.get("posted_at") or "")[:10], keywords=tags[r["id"]])
    banks = set()
    for r in table_records(tables["PaymentChannel"]):
        kind, identifier = r["channel_type"], r["channel_id"]
        holder = f"Holder:{r['id']}"
        yield entity("LegalEntity", holder, name=f"holder of {kind} {identifier}")
        if kind in CRYPTO:
            yield entity("CryptoWallet", r["id"], publicKey=identifier, currencySymbol=kind.upper(), name=identifier,
                         holder=_id(holder))
        else:
            banks.add(r["id"])
            yield entity("BankAccount", r["id"], accountNumber=identifier, accountType=kind,
                         iban=identifier if kind == "iban" else None, name=f"{kind} {identifier}")
            yield entity("Ownership", f"Ownership:{r['id']}", owner=_id(holder), asset=_id(r["id"]), role="holder")
    for r in table_records(tables["TRANSFERRED"]):
        start, end = r["start"], r["end"]
        yield entity("Payment", f"Payment:{r.get('tx_id')}", payer=_id(f"Holder:{start}"),
                     beneficiary=_id(f"Holder:{end}"), payerAccount=_id(start) if start in banks else None,
                     beneficiaryAccount=_id(end) if end in banks else None, amount=r.get("amount"), currency=r.get("currency"),
                     date=(r.get("ts") or "")[:10], transactionNumber=r.get("tx_id"), purpose=r.get("reference"))
    places: dict[str, dict[str, str]] = {}
    for rel in ("FROM", "TO"):
        for row in table_records(tables[rel]):
            places.setdefault(row["start"], {})[rel] = row["end"].split(":", 1)[1]
    for r in table_records(tables["Shipment"]):
        route = places.get(r["id"], {})
        yield entity("Event", r["id"], name=f"{r.get('shipper')} {r.get('tracking_no')}",
                     date=(r.get("shipped_at") or "")[:10],
                     summary=f"{route.get('FROM', '?')} → {route.get('TO', '?')}: {r.get('declared_content') or ''}",
                     country=[c.split(":")[0].lower() for c in route.values()])
    for rel in ("SAME_AS", "LINKS_TO"):
        for r in table_records(tables[rel]):
            yield entity("UnknownLink", f"{rel}:{r['start']}:{r['end']}", subject=_id(r["start"]),
                         object=_id(r["end"]), role=rel.lower(), description=r.get("evidence"),
                         status=r.get("status"))


def write_ftm(store: GraphStore, path: str | Path | None) -> dict[str, int]:
    import sys

    count = 0
    handle = Path(path).open("w", encoding="utf-8") if path else sys.stdout
    try:
        for item in generate_ftm(store):
            handle.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    finally:
        if path:
            handle.close()
    return {"entities": count}
