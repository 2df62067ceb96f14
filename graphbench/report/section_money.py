"""Sections about the money: Payment channels and money flows, Laundering patterns (facts, then
their rendering)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from graphbench.analytics.flows import aggregate_flows, channel_type_of, in_base
from graphbench.analytics.fx import to_base
from graphbench.analytics.patterns import patterns_frame
from graphbench.report import charts
from graphbench.report.document import Section
from graphbench.report.view import ReportView

Cited = list[tuple[Any, str]]


# -- Payment channels and money flows ---------------------------------------------------------------

@dataclass
class PaymentFacts:
    by_type: pd.DataFrame  # type, channels, accounts, used_by_flagged
    between: pd.DataFrame  # money between channel types: source, target, currency, amount, …, count
    collectors: pd.DataFrame  # channel, received (≈ base), currencies, transfers, senders: the ten collecting most
    channels: int
    transfers: int
    currencies: list[str]
    base_currency: str = "USD"
    fx_label: str = ""

    def citations(self) -> Cited:
        return [(c, "payment channel") for c in self.collectors["channel"].head(5)]

    def summary(self) -> dict[str, Any]:
        return {"channel_types": self.by_type["type"].tolist()}


def compute_payments(view: ReportView) -> PaymentFacts:
    uses, transfers = view.tables["USES"], view.tables["TRANSFERRED"]
    flagged = set(view.flagged["id"])
    typed = uses.assign(type=uses["end"].map(channel_type_of), flagged=uses["start"].isin(flagged))
    by_type = typed.groupby("type").agg(channels=("end", "nunique"), accounts=("start", "nunique"),
                                        used_by_flagged=("flagged", "sum")).reset_index()
    by_type = by_type.sort_values(["channels", "type"], ascending=[False, True])
    # over the whole store the Analysis has the flows already; a narrower scope sums its own transfers
    flows = None
    if len(transfers):
        flows = view.analysis.flows if not view.scope.narrowed else aggregate_flows(
            transfers, channel_type_of, base_currency=view.analysis.base_currency, rates=view.analysis.fx_rates)
    between = flows.between if flows is not None else pd.DataFrame(
        columns=["source", "target", "currency", "amount", "amount_base", "count"])
    # who collects most is compared in the base currency (a currency with no rate adds nothing to it)
    base = view.analysis.base_currency
    converted = to_base(transfers.get("amount", []), transfers.get("currency", [None] * len(transfers)),
                        transfers.get("ts", [None] * len(transfers)), base, view.analysis.fx_rates)
    inflow = transfers.assign(received=converted.amount, currency=transfers.get("currency")).groupby("end").agg(
        received=("received", "sum"), currencies=("currency", lambda c: ", ".join(sorted(set(c.dropna().astype(str))))),
        transfers=("amount", "size"), senders=("start", "nunique")).reset_index() if len(transfers) else \
        pd.DataFrame(columns=["end", "received", "currencies", "transfers", "senders"])
    collectors = (inflow.sort_values(["received", "end"], ascending=[False, True]).head(10)
                  .rename(columns={"end": "channel", "received": f"received (≈ {base})"}))
    return PaymentFacts(by_type, between, collectors, uses["end"].nunique(), len(transfers),
                        list(flows.currencies) if flows is not None else [], base, converted.label)


def render_payments(f: PaymentFacts) -> Section:
    currencies = ", ".join(f.currencies)
    text = (f"{f.channels:,} payment channels of {len(f.by_type):,} types are used by the accounts in "
            f"scope; {int(f.by_type['used_by_flagged'].sum()):,} uses are by flagged accounts. "
            f"{f.transfers:,} transfers between channels" + (f" in {currencies}" if currencies else "") + ". "
            f"Amounts of different currencies are never added together: tables give each currency as recorded "
            f"and its amount {f.fx_label}.")
    between = f.between.rename(columns={"amount_base": f"≈ {f.base_currency}"})
    return Section("Payment channels and money flows", text,
                   tables=[("Channels by type", f.by_type), ("Money between channel types", between.head(15)),
                           ("Channels collecting the most", f.collectors)],
                   images=[(f"Money between channel types, ≈ {f.base_currency} (bar label: number of transfers)",
                            charts.flows_png(in_base(f.between).rename(columns={"amount_base": "amount"}),
                                             xlabel=f"{f.fx_label}"))] if len(f.between) else [])


# -- Laundering patterns ----------------------------------------------------------------------------

@dataclass
class LaunderingFacts:
    frame: pd.DataFrame  # every pattern in scope (graphbench.analytics.patterns.COLUMNS)
    shown: pd.DataFrame  # the 25 largest by amount
    base_currency: str = "USD"  # pattern amounts are in it (the transfer index converts every transfer)

    @property
    def counts(self) -> dict[str, int]:
        return self.frame["kind"].value_counts().to_dict() if len(self.frame) else {}

    def citations(self) -> Cited:
        return [(f"tx:{t}", "transfer") for tx_ids in self.shown["tx_ids"].head(10) for t in list(tx_ids)[:3]
                if t is not None and t == t]

    def summary(self) -> dict[str, Any]:
        return {"patterns": self.counts}


def compute_laundering(view: ReportView) -> LaunderingFacts:
    frame = patterns_frame(view.patterns)
    shown = frame.sort_values("amount", ascending=False).head(25) if len(frame) else frame
    return LaunderingFacts(frame, shown, view.analysis.base_currency)


def render_laundering(f: LaunderingFacts) -> Section:
    frame, shown, counts = f.frame, f.shown, f.counts
    table = pd.DataFrame({
        "kind": shown["kind"].str.replace("_", "-"), "channels": shown["members"].map(len),
        "centre / first members": [(center or "; ".join(m[:2])) for center, m in zip(shown["center"], shown["members"],
                                                                                   strict=True)],
        "transfers": shown["tx_ids"].map(len), f"amount (≈ {f.base_currency})": shown["amount"],
        "first": shown["first_ts"], "last": shown["last_ts"]})
    # pattern amounts are all in the base currency already, so a sum over patterns adds one currency
    by_kind = pd.DataFrame([{"pattern": k.replace("_", "-"), "found": v,
                             f"amount (≈ {f.base_currency})": float(frame.loc[frame["kind"] == k, "amount"].sum())}
                            for k, v in counts.items()], columns=["pattern", "found", f"amount (≈ {f.base_currency})"])
    text = (f"{len(frame):,} laundering patterns among the transfers in scope: "
            + ", ".join(f"{k.replace('_', '-')} {v}" for k, v in counts.items()) + "."
            if counts else "No laundering pattern was found among the transfers in scope.")
    return Section("Laundering patterns", text, bullets=[
        "fan-in / fan-out: many payers into one collector, or one channel paying many, in a short window",
        "scatter-gather / gather-scatter: money split across relays and re-joined (or the reverse)",
        "cycle: money returning to where it started; stack: layered relays; structuring: repeated amounts just "
        "under a reporting threshold"] if counts else [],
        tables=[("Patterns by kind", by_kind), ("Largest patterns", table)])
