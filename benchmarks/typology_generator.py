"""Laundering attempts of the published typologies hidden in bank-like background traffic.

Independent of ``sample_data/generate.py`` (which the detectors were fitted to): the shapes below
come from the published definitions, not from the detectors.

    .venv/bin/python benchmarks/typology_generator.py OUT_DIR [--size tiny|small|medium|large]
        [--transfers N] [--seed 0] [--currencies 1|15]

writes ``OUT_DIR/transactions.csv`` (canonical columns: tx_id, timestamp, from_type, from_id, to_type,
to_id, amount, currency, reference), ``OUT_DIR/fx_rates.csv`` (currency, per_usd, date) and
``OUT_DIR/ground_truth.json`` (each attempt: typology, member channel node ids
``PaymentChannel:<type>:<id>`` as the loaders build them, tx_ids; plus the busy honest channels).

Sources of the definitions
--------------------------
- IBM AMLworld: E. Altman, J. Blanuša, L. von Niederhäusern, B. Egressy, A. Anghel, K. Atasu,
  "Realistic Synthetic Financial Transactions for Anti-Money Laundering Models", NeurIPS 2023
  Datasets & Benchmarks (arXiv:2306.16424). Its eight laundering patterns (fig. 2): fan-out,
  fan-in, gather-scatter, scatter-gather, simple cycle, random, bipartite, stack. Its pattern
  files annotate each attempt as e.g. "FAN-OUT: Max 16-degree Fan-Out", "CYCLE: Max 2 hops" …
  "Max 12 hops" (seen in the HI-Small_Patterns.txt headers that public parsers of the Kaggle
  release quote), laundering happens in days, payments cross currencies (Payment vs Receiving
  Currency) and banks, and launderers also make ordinary purchases.
- IBM AMLSim (github.com/IBM/AMLSim): wiki "Transaction Model: Alert Model" and
  src/amlsim/model/aml/*Typology.java. Fan-out: a main account m sends to several accounts;
  fan-in: several send to m; cycle: m pays a, each member passes the money on, less a margin
  (``amount -= amount * margin_ratio``, margin_ratio 0.1 in paramFiles/*/conf.json), and the last
  pays m; scatter-gather: orig -> intermediaries (steps in the first half of the period) ->
  one beneficiary (second half), gather amount = scatter amount less the margin; gather-scatter:
  the mirror (fan-in to m, then fan-out after the middle step); bipartite: every originator pays
  every beneficiary; stack: "stacked bipartite" - sets of accounts, each paying every account of
  the next. paramFiles/*/alertPatterns.csv: 5 accounts for fans/cycles, 7 for scatter-gather,
  11 for gather-scatter.
- Structuring: cash/transfer reports are due at USD 10,000 (US CTR, 31 CFR 1010.311); smurfs stay
  just under it.

What is generated (each bound is a published one or the reason is given)
-----------------------------------------------------------------------
- fan_out / fan_in: 5..16 counterparties (AMLSim's 5 accounts; AMLworld's "max 16-degree").
- cycle: 2..12 hops (AMLworld's 2..12 hops), time-respecting, any member first (the start is a
  random member: no id order gives it away), each hop passes on 90..99 % (AMLSim margin <= 10 %).
- scatter_gather: 3..10 intermediaries; gather_scatter: 4..10 in and 4..10 out (AMLSim's 7 and
  11 accounts are inside these ranges); both AMLSim-timed (scatter/gather halves of the span).
- bipartite: 2..5 payers x 2..6 payees, every pair paid, within 3 days.
- stack: 3..5 sets (2..4 layers of transfers) of 2..5 accounts, complete between consecutive sets,
  each account passing on 90..99 % of what it got (AMLSim StackTypology).
- structuring: 3..8 transfers of 85..99.5 % of USD 10,000 (in base currency), 1..7 days; one
  payer to one payee, one payer to several, or several payers to one.
- Spans: 0.2..7 days ("up to a week"); attempts start anywhere in the period.
- Members: half are people with ordinary history (launderers who also shop and pay friends),
  half fresh mule channels with no history at all.
- Background: merchants with Zipf popularity (the largest receive from thousands), payroll
  payers paying 100..600 employees on a fixed day of the month (funded the day before by a
  treasury channel), escrows taking payments and paying sellers 1..5 days later (97 %), suppliers
  paid weekly by merchants, friends paying each other (some paid back within days).
- Currencies: 1 (USD) or 15; a transfer is in its sender's currency, and in laundering chains
  consecutive senders use different currencies, so the amount changes currency at every hop.
  The rates are rounded mid-2024 levels for synthetic data only (not a reference table).
Seeded and deterministic: the same (size, seed, currencies) gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from typology_background import CHANNEL_TYPES, DAY, PER_USD, START, World, background

__all__ = ["PER_USD", "THRESHOLD_USD", "TYPOLOGIES", "Dataset", "generate"]

NO_DECIMALS = {"JPY", "IDR", "NGN"}
TYPOLOGIES = ("fan_out", "fan_in", "cycle", "scatter_gather", "gather_scatter", "bipartite", "stack",
              "structuring")
CHAINS = {"cycle", "scatter_gather", "gather_scatter", "stack"}
THRESHOLD_USD = 10_000.0


@dataclass(frozen=True)
class Size:
    transfers: int  # background transfers, roughly
    attempts: int  # per typology
    days: int


SIZES = {"tiny": Size(2_500, 2, 40), "small": Size(20_000, 4, 60), "medium": Size(200_000, 25, 120),
         "large": Size(1_000_000, 50, 180)}


@dataclass
class Dataset:
    transactions: pd.DataFrame  # canonical columns
    fx_rates: pd.DataFrame
    truth: dict[str, Any]

    def write(self, directory: Path | str) -> Path:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self.transactions.to_csv(out / "transactions.csv", index=False)
        self.fx_rates.to_csv(out / "fx_rates.csv", index=False)
        (out / "ground_truth.json").write_text(json.dumps(self.truth, indent=1), encoding="utf-8")
        return out


class _Attempts:
    """Plants attempts; ``members`` draws people with history or fresh mules, half and half."""

    def __init__(self, w: World, people: np.ndarray):
        self.w, self.people, self.rng = w, people, w.rng
        self.used: set[int] = set()
        self.truth: list[dict[str, Any]] = []

    def members(self, n: int, chain: bool) -> list[int]:
        out: list[int] = []
        for _ in range(n):
            if self.rng.random() < 0.5:
                out.append(int(self.w.channels(1)[0]))
            else:
                while True:
                    c = int(self.rng.choice(self.people))
                    if c not in self.used and c not in out:
                        break
                out.append(c)
            self.used.add(out[-1])
        if self.w.multi and chain:  # consecutive senders in different currencies
            for i in range(1, n):
                while self.w.currency[out[i]] == self.w.currency[out[i - 1]]:
                    self.w.currency[out[i]] = int(self.rng.integers(0, len(PER_USD)))
        return out

    def plant(self, typology: str) -> None:
        rng, w = self.rng, self.w
        span = rng.uniform(0.2, 3.0 if typology == "bipartite" else 7.0) * DAY
        t0 = START + int(rng.uniform(2, w.days - 8) * DAY)
        src: list[int] = []
        dst: list[int] = []
        ts: list[float] = []
        usd: list[float] = []

        def pay(a: int, b: int, t: float, amount: float) -> None:
            src.append(a), dst.append(b), ts.append(t), usd.append(amount)

        info: dict[str, Any] = {}
        if typology in ("fan_out", "fan_in"):
            k = int(rng.integers(5, 17))
            center, *others = self.members(k + 1, chain=False)
            pieces = rng.uniform(5e3, 3e5) * rng.dirichlet(np.full(k, 4.0))
            for o, t, a in zip(others, np.sort(rng.uniform(t0, t0 + span, k)), pieces, strict=True):
                pay(center, o, t, a) if typology == "fan_out" else pay(o, center, t, a)
            members, info = [center, *others], {"degree": k}
        elif typology == "cycle":
            hops = int(rng.integers(2, 13))
            members = self.members(hops, chain=True)
            times = t0 + np.cumsum(rng.dirichlet(np.ones(hops + 1))[:hops]) * span
            amount = float(np.exp(rng.uniform(np.log(5e3), np.log(5e5))))
            for i in range(hops):
                pay(members[i], members[(i + 1) % hops], times[i], amount)
                amount *= rng.uniform(0.90, 0.99)
            info = {"hops": hops}
        elif typology == "scatter_gather":
            m = int(rng.integers(3, 11))
            members = self.members(m + 2, chain=True)
            source, mids, target = members[0], members[1:-1], members[-1]
            mid_t = t0 + span / 2
            for mid in mids:
                piece = rng.uniform(2e3, 5e4)
                got = rng.uniform(t0, mid_t)
                pay(source, mid, got, piece)
                pay(mid, target, rng.uniform(max(got, mid_t), t0 + span), piece * rng.uniform(0.90, 0.99))
            info = {"intermediaries": m}
        elif typology == "gather_scatter":
            k_in, k_out = int(rng.integers(4, 11)), int(rng.integers(4, 11))
            ins = self.members(k_in, chain=False)
            center, *outs = self.members(k_out + 1, chain=True)
            total = 0.0
            for o in ins:
                piece = rng.uniform(2e3, 5e4)
                total += piece
                pay(o, center, rng.uniform(t0, t0 + span / 2), piece)
            for o, a in zip(outs, total * rng.uniform(0.90, 0.99) * rng.dirichlet(np.full(k_out, 4.0)),
                            strict=True):
                pay(center, o, rng.uniform(t0 + span / 2, t0 + span), a)
            members, info = [center, *ins, *outs], {"in": k_in, "out": k_out}
        elif typology == "bipartite":
            a_n, b_n = int(rng.integers(2, 6)), int(rng.integers(2, 7))
            members = self.members(a_n + b_n, chain=False)
            for a in members[:a_n]:
                for b in members[a_n:]:
                    pay(a, b, rng.uniform(t0, t0 + span), rng.uniform(1e3, 3e4))
            info = {"payers": a_n, "payees": b_n}
        elif typology == "stack":
            sizes = rng.integers(2, 6, int(rng.integers(3, 6))).tolist()
            members = self.members(sum(sizes), chain=True)
            sets = np.split(np.array(members), np.cumsum(sizes)[:-1])
            layer = span / (len(sets) - 1)
            received = {int(a): rng.uniform(2e3, 5e4) * len(sets[1]) for a in sets[0]}
            for j in range(len(sets) - 1):
                nxt = {int(b): 0.0 for b in sets[j + 1]}
                for a in sets[j]:
                    share = received[int(a)] * (1.0 if j == 0 else rng.uniform(0.90, 0.99)) / len(nxt)
                    for b in nxt:
                        pay(int(a), b, rng.uniform(t0 + j * layer, t0 + (j + 1) * layer), share)
                        nxt[b] += share
                received = nxt
            info = {"sets": sizes}
        elif typology == "structuring":
            m = int(rng.integers(3, 9))
            shape = rng.choice(["one_to_one", "one_to_many", "many_to_one"], p=(0.5, 0.25, 0.25))
            if shape == "one_to_one":
                a, b = self.members(2, chain=False)
                pairs = [(a, b)] * m
            elif shape == "one_to_many":
                a, *bs = self.members(m + 1, chain=False)
                pairs = [(a, b) for b in bs]
            else:
                b, *as_ = self.members(m + 1, chain=False)
                pairs = [(a, b) for a in as_]
            members = list(dict.fromkeys(x for p in pairs for x in p))
            for (a, b), t in zip(pairs, np.sort(rng.uniform(t0, t0 + rng.uniform(1, 7) * DAY, m)), strict=True):
                pay(a, b, t, THRESHOLD_USD * rng.uniform(0.85, 0.995))
            info = {"transfers": m, "shape": str(shape)}
        else:
            raise ValueError(f"unknown typology {typology!r}")
        w.add(src, dst, np.array(ts).astype(np.int64), usd, attempt=len(self.truth))
        self.truth.append({"typology": typology, "members": members, **info})


def _names(kind: list[int], serial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(channel type, normalised channel id) per channel; serials are shuffled, so an id says
    nothing about the channel's role or when it was made."""
    types = np.array([CHANNEL_TYPES[k] for k in kind], dtype=object)
    ids = np.empty(len(kind), dtype=object)
    for i, (t, s) in enumerate(zip(types.tolist(), serial.tolist(), strict=True)):
        if t == "bank_account":
            ids[i] = f"AC{s:010d}"
        elif t == "paypal":
            ids[i] = f"u{s}@pay.example"
        elif t == "mobile_money":
            ids[i] = f"+2547{(0, 1, 2, 4, 5, 9)[s % 6]}{s // 6:07d}"
        elif t == "wechat":
            ids[i] = f"wxid_{s:09x}"
        else:
            ids[i] = f"card{s:012d}"
    return types, ids


def generate(size: str = "small", seed: int = 0, currencies: int = 1, transfers: int | None = None) -> Dataset:
    """The dataset for ``size`` (or ``transfers`` background rows), ``currencies`` 1 (USD) or 15."""
    if currencies not in (1, 15):
        raise ValueError("currencies must be 1 or 15")
    preset = SIZES[size]
    n = transfers or preset.transfers
    attempts_each = preset.attempts if transfers is None else max(2, n // 8_000)
    w = World(np.random.default_rng(seed), preset.days, currencies == 15)
    roles = background(w, n)
    planter = _Attempts(w, np.array(roles["people"]))
    for _ in range(attempts_each):
        for typology in TYPOLOGIES:
            planter.plant(typology)
    src, dst, ts, usd, attempt = (np.concatenate(c) for c in zip(*w.rows, strict=True))
    order = np.lexsort((w.rng.random(len(ts)), ts))
    src, dst, ts, usd, attempt = src[order], dst[order], ts[order], usd[order], attempt[order]
    types, ids = _names(w.kind, w.rng.permutation(len(w.kind) * 7)[:len(w.kind)] + 1_000)
    codes = list(PER_USD)
    cur = np.array([codes[c] for c in w.currency], dtype=object)[src]
    rate = np.array([PER_USD[c] for c in cur])
    local = np.where(np.isin(cur, list(NO_DECIMALS)), np.round(usd * rate), np.round(usd * rate, 2))
    tx_ids = np.array([f"TX{i:08d}" for i in range(1, len(ts) + 1)], dtype=object)
    stamps = pd.to_datetime(ts, unit="s", utc=True).strftime("%Y-%m-%dT%H:%M:%SZ")
    frame = pd.DataFrame({
        "tx_id": tx_ids, "timestamp": stamps,
        "from_type": types[src], "from_id": ids[src], "to_type": types[dst], "to_id": ids[dst],
        "amount": local, "currency": cur, "reference": "",
    })

    def node(c: int) -> str:
        return f"PaymentChannel:{types[c]}:{ids[c]}"

    attempts = []
    for i, a in enumerate(planter.truth):
        rows = np.flatnonzero(attempt == i)
        attempts.append({"id": f"{a['typology']}-{i:04d}", **a, "members": [node(m) for m in a["members"]],
                         "tx_ids": tx_ids[rows].tolist(), "first_ts": stamps[rows[0]], "last_ts": stamps[rows[-1]],
                         "amount_usd": round(float(usd[rows].sum()), 2),
                         "currencies": sorted(set(cur[rows].tolist()))})
    busiest = pd.Series(dst).value_counts()
    truth = {
        "generator": "benchmarks/typology_generator.py", "size": size, "seed": seed, "currencies": currencies,
        "threshold_usd": THRESHOLD_USD, "transfers": len(frame), "attempts": attempts,
        "honest": {"merchants": [node(m) for m in roles["merchants"] if busiest.get(m, 0) >= 100],
                   "payroll": [node(m) for m in roles["payroll"]], "treasury": [node(m) for m in roles["treasury"]],
                   "escrow": [node(m) for m in roles["escrow"]], "suppliers": [node(m) for m in roles["suppliers"]]},
    }
    used = sorted(set(cur.tolist())) if currencies == 15 else ["USD"]
    fx = pd.DataFrame({"currency": used, "per_usd": [PER_USD[c] for c in used],
                       "date": pd.Timestamp(START, unit="s").strftime("%Y-%m-%d")})
    return Dataset(frame, fx, truth)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--transfers", type=int, help="background transfers (overrides the size's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--currencies", type=int, choices=(1, 15), default=1)
    args = parser.parse_args(argv)
    data = generate(args.size, args.seed, args.currencies, args.transfers)
    data.write(args.out)
    print(f"{len(data.transactions):,} transfers, {len(data.truth['attempts'])} attempts -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
