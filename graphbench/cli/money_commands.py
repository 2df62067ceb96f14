"""Commands that follow the money: ``trace`` and ``patterns``."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from graphbench.cli.command import Command, all_argument, audit, emit, left_out, open_from, shown, when
from graphbench.errors import GraphbenchError
from graphbench.store.base import GraphStore

if TYPE_CHECKING:  # numpy/pandas stay out of `--help`
    from graphbench.analytics.fx import FxRates

# graphbench.analytics.patterns.KINDS, repeated so `--help` need not import numpy (a test keeps them equal)
PATTERN_KINDS = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter", "stack", "bipartite",
                 "structuring")


def fx_arguments(p: argparse.ArgumentParser) -> None:
    """``--base-currency`` and ``--fx-rates``, for every command that compares or adds amounts."""
    p.add_argument("--base-currency", default="USD", type=str.upper,
                   help="amounts are compared (and shown) in this currency, converted at each transfer's date")
    p.add_argument("--fx-rates", metavar="FILE", default=None,
                   help="an fx_rates file (currency, per_usd[, date]) overriding the loaded and packaged ECB rates")


def _fx_rates(args: argparse.Namespace, store: GraphStore) -> FxRates:
    from graphbench.fx_source import rates_in_effect

    return rates_in_effect(store, args.fx_rates)


def _trace_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="source", required=True, help="an Account or PaymentChannel id")
    p.add_argument("--direction", choices=["out", "in"], default="out")
    p.add_argument("--hops", type=int, default=3)
    p.add_argument("--since", help="ISO date/time: ignore transfers before")
    p.add_argument("--until", help="ISO date/time: ignore transfers after")
    p.add_argument("--tolerance", type=float, default=None,
                   help="amount tolerance per hop, e.g. 0.2 = within ±20%% of the incoming amount (in the base currency)")
    p.add_argument("--max-transfers", type=int, default=10_000)
    all_argument(p)
    fx_arguments(p)


def cmd_trace(args: argparse.Namespace) -> int:
    from graphbench.analytics.trace import trace
    from graphbench.store.base import pushes_down
    from graphbench.store.tables import read_tables
    from graphbench.store_reads.money_overview import transfer_index
    from graphbench.store_reads.trace_walk import trace_store

    options = {"direction": args.direction, "hops": args.hops, "since": when(args.since),
               "until": when(args.until), "amount_tolerance": args.tolerance, "max_transfers": args.max_transfers}
    store = open_from(args)
    try:
        if store.node(args.source) is None:
            raise GraphbenchError(f"no node {args.source!r} in the store (ids look like Account:platform:handle "
                                  "or PaymentChannel:type:id)")
        options.update(base_currency=args.base_currency, rates=_fx_rates(args, store))
        if pushes_down(store):  # hop by hop: on a server with 100M transfers, read only what the trail reaches
            result = trace_store(store, [args.source], **options)
        else:  # the embedded table is on this machine already: one read and the integer index are faster
            index = transfer_index(store, args.base_currency, options["rates"])
            uses = read_tables(store, ["USES"], provenance=False)["USES"]
            result = trace(index, [args.source], uses=uses, **options)
    finally:
        store.close()
    document = json.loads(json.dumps(result.to_dict(), default=str))
    audit(args, "trace", {"from": args.source, "direction": args.direction, "hops": args.hops},
          json.dumps(document))

    def human() -> None:
        ends = f"money ends at {len(document['sinks'])} channels"
        if document["open_ends"]:  # the hop limit stopped these, the money goes on
            ends += f" and goes on past {args.hops} hops from {len(document['open_ends'])} more (--hops for further)"
        print(f"{len(document['transfers'])} transfers from {document['first_ts']} to {document['last_ts']}; {ends}")
        if document["truncated"]:
            print(f"stopped at --max-transfers {args.max_transfers:,}; raise it to follow the rest")
        transfers = shown(document["transfers"], 60, args)
        for t in transfers:
            base = "no rate" if t["amount"] != t["amount"] else f"≈ {t['amount']:,.2f} {args.base_currency}"  # NaN
            print(f"  hop {t['hop']}  {t['ts']}  {t['from']} → {t['to']}  {t['amount_orig']:,.2f} "
                  f"{t.get('currency') or ''}  ({base})")
        for note in _notes(document.get("fx")):
            print(f"  note: {note}")
        left_out(len(transfers), len(document["transfers"]), "transfers")
    emit(args, document, human)
    return 0


def _patterns_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", action="append", choices=PATTERN_KINDS, help="only this kind (repeatable)")
    p.add_argument("--top", type=int, default=None, help="only the N strongest patterns, ranked across kinds")
    all_argument(p)
    fx_arguments(p)


def _notes(fx: dict[str, Any] | None) -> list[str]:
    """The conversion caveats of an ``fx`` block (see ``graphbench.analytics.fx.Converted``)."""
    if not fx:
        return []
    base = fx["base_currency"]
    out = [f"{n:,} transfer(s) in {c} have no exchange rate: not converted, in no {base} amount"
           for c, n in fx["unconverted"].items()]
    if fx["missing_currency"]:
        out.append(f"{fx['missing_currency']:,} transfer(s) without a currency taken as {base}")
    return [*out, f"amounts {fx['label']}"]


def cmd_patterns(args: argparse.Namespace) -> int:
    from graphbench.analytics.patterns import find_patterns
    from graphbench.store_reads.money_overview import transfer_index

    store = open_from(args)
    try:
        rates = _fx_rates(args, store)
        # every amount the detectors compare is in the base currency
        index = transfer_index(store, args.base_currency, rates)  # only the columns the search uses
    finally:
        store.close()
    found = find_patterns(index, kinds=args.kind, top=args.top)
    # complete/notes: whether a work budget stopped a search early (issue 19.4)
    document = json.loads(json.dumps({"patterns": [p.to_dict() for p in found],
                                      "complete": found.complete, "notes": found.notes,
                                      "fx": index.fx.to_dict() if index.fx else None}, default=str))
    audit(args, "patterns", {"kind": args.kind}, json.dumps(document))

    def human() -> None:
        from collections import Counter

        counts = Counter(p["kind"] for p in document["patterns"])
        print(", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "no patterns")
        patterns = shown(document["patterns"], 60, args)
        for p in patterns:
            print(f"  {p['kind']:<15} {len(p['members']):>3} members  {p['amount']:>12,.2f} {args.base_currency}  "
                  f"{p['first_ts']} → {p['last_ts']}")
            print(f"    {p['reason']}")
        for note in document["notes"]:
            print(f"  stopped early: {note}")
        for note in _notes(document.get("fx")):
            print(f"  note: {note}")
        left_out(len(patterns), len(document["patterns"]), "patterns")
    emit(args, document, human)
    return 0


COMMANDS = (
    Command("trace", "follow the money from an account or payment channel, hop by hop in time order",
            cmd_trace, _trace_arguments),
    Command("patterns", "laundering patterns among transfers", cmd_patterns, _patterns_arguments),
)
