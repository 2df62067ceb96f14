"""Planted communities with known answers: 20 rings of 5 accounts, shared by the community tests
on both engines and on GDS."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

RINGS, RING_SIZE = 20, 5


def rel(rows: list[tuple[str, str]], **properties: list) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=["start", "end"])
    for name, values in properties.items():
        table[name] = values
    return table


def planted_rings(noise_links: int = 15, seed: int = 7) -> tuple[dict[str, pd.DataFrame], dict[str, int]]:
    """20 rings of 5 accounts. Inside a ring: one payment channel, one phone on two members, one rare
    hashtag, one species. Everyone: #pets and an escrow channel. Between rings: a few profile links."""
    rng = np.random.default_rng(seed)
    tables: dict[str, list] = {k: [] for k in ("POSTED", "TAGGED", "USES", "ACCEPTS", "HAS_PHONE", "MENTIONS",
                                               "LINKS_TO", "LOCATED_IN")}
    truth: dict[str, int] = {}
    for ring in range(RINGS):
        members = [f"Account:{'instagram' if i % 2 else 'facebook'}:r{ring}m{i}" for i in range(RING_SIZE)]
        for i, account in enumerate(members):
            truth[account] = ring
            listing = f"Listing:marketplace:L{ring:02d}{i}"
            tables["POSTED"].append((account, listing))
            tables["TAGGED"] += [(listing, f"Hashtag:ring{ring}"), (listing, "Hashtag:pets")]
            tables["MENTIONS"].append((listing, f"Species:Species {ring}"))
            tables["USES"] += [(account, f"PaymentChannel:paypal:ring{ring}@pay.example"),
                               (account, "PaymentChannel:escrow:market")]
            tables["LOCATED_IN"].append((account, f"Location:C{ring % 4}"))
        tables["HAS_PHONE"] += [(members[0], f"Phone:+8490000{ring:03d}"), (members[1], f"Phone:+8490000{ring:03d}")]
        tables["ACCEPTS"].append((f"Listing:marketplace:L{ring:02d}0", f"PaymentChannel:wechat:w{ring}"))
    accounts = sorted(truth)
    for _ in range(noise_links):
        a, b = rng.choice(len(accounts), size=2, replace=False)
        tables["LINKS_TO"].append((accounts[a], accounts[b]))
    return {k: rel(v) for k, v in tables.items()}, truth



def nmi(result_membership: dict, truth: dict[str, int]) -> float:
    nodes = sorted(truth)
    return normalized_mutual_info_score([truth[n] for n in nodes], [result_membership[n] for n in nodes])
