"""``graphbench seizures``: where seizures happen and the routes the seized goods took."""

from __future__ import annotations

import argparse

from graphbench.cli.command import Command, all_argument, emit, open_from, shown


def _seizures_arguments(p: argparse.ArgumentParser) -> None:
    all_argument(p)


def cmd_seizures(args: argparse.Namespace) -> int:
    from graphbench.analytics.seizures import SEIZURE_FIELDS, seizure_summary

    store = open_from(args)
    try:
        document = seizure_summary(store.nodes("Seizure", list(SEIZURE_FIELDS)))
    finally:
        store.close()

    def human() -> None:
        countries, routes = document["countries"], document["routes"]
        if not countries:
            print("no seizures in this store (load a seizures file: see docs/formats.md)")
            return
        print("country  seizures  origin  transit  destination  weight_kg")
        for c in shown(countries, 15, args):
            print(f"{c['country']:<8} {c['seizures']:>8} {c['as_origin']:>7} {c['as_transit']:>8} "
                  f"{c['as_destination']:>12}  {c['weight_kg']:g}")
        print("routes")
        for r in shown(routes, 15, args):
            path = " → ".join([r["origin"] or "?", *r["via"], r["destination"] or "?"])
            print(f"  {path}: {r['seizures']} seizures, {r['weight_kg']:g} kg")
        if not getattr(args, "all", False) and (len(countries) > 15 or len(routes) > 15):
            print("(first 15 of each; --all prints every row)")
    emit(args, document, human)
    return 0


COMMANDS = (
    Command("seizures", "seizures by country (seized in, origin, transit, destination) and their routes",
            cmd_seizures, _seizures_arguments),
)
