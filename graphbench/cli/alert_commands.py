"""Commands about the team's queue: ``alerts`` (list, scan, set, takedown) and ``watchlist`` (add, list, remove)."""

from __future__ import annotations

import argparse

from graphbench.cli.command import Command, audit, emit, open_from


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document")


def _alerts_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--status", help="only alerts of this status (new, in_progress, referred, dismissed, closed)")
    sub = p.add_subparsers(dest="alerts_action", metavar="scan|set|takedown")
    scan = sub.add_parser("scan", help="look for new watchlist matches and reappearances now (a load does this)")
    change = sub.add_parser("set", help="change an alert's status or assignee")
    change.add_argument("alert_id")
    change.add_argument("--status")
    change.add_argument("--assignee", help="a user name ('' to unassign)")
    takedown = sub.add_parser("takedown", help="record that listings were reported for takedown")
    takedown.add_argument("listings", nargs="+", metavar="LISTING_ID", help="node ids, e.g. Listing:ebay:L0001234")
    takedown.add_argument("--note", default="")
    for each in (scan, change, takedown):
        _json_flag(each)


def cmd_alerts(args: argparse.Namespace) -> int:
    from graphbench import settings
    from graphbench.alerts import AlertQueue, record_takedown, scan
    from graphbench.records import records_for

    store = open_from(args)
    try:
        queue = AlertQueue(records_for(store))
        action = getattr(args, "alerts_action", None)
        if action == "scan":
            result = scan(store)
            audit(args, "alert_scan", {"raised": len(result.raised)}, None)
            emit(args, result.to_json(), lambda: print(f"{len(result.raised)} new alerts"
                                                       + "".join(f"\n  {f}" for f in result.webhook_failures)))
            return 0
        if action == "set":
            alert = queue.update(args.alert_id, settings.user_name(), args.status, args.assignee)
            audit(args, "alert_triage", {"alert_id": args.alert_id, "status": args.status,
                                         "assignee": args.assignee}, None)
            emit(args, alert, lambda: print(f"{alert['alert_id']}: {alert['status']}, {alert['assignee'] or '-'}"))
            return 0
        if action == "takedown":
            done = [record_takedown(store, listing, settings.user_name(), args.note) for listing in args.listings]
            audit(args, "takedown", {"listings": args.listings, "note": args.note}, None)
            emit(args, {"takedowns": done}, lambda: print("\n".join(
                f"recorded takedown of {d['listing']} ({len(d['known'])} listings already sharing its evidence)"
                for d in done)))
            return 0
        alerts = queue.alerts(args.status)
    finally:
        store.close()

    def human() -> None:
        for a in alerts:
            print(f"{a['alert_id']}  {a['status']:<11} {a['assignee'] or '-':<12} {a['raised_at']}  {a['title']}")
        if not alerts:
            print("(no alerts)")
    emit(args, {"alerts": alerts}, human)
    return 0


def _watchlist_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="watchlist_action", required=True, metavar="add|list|remove")
    add = sub.add_parser("add", help="create or replace a watchlist")
    add.add_argument("name")
    add.add_argument("--kind", required=True,
                     choices=["term", "species", "hashtag", "phone", "email", "wallet", "handle"])
    add.add_argument("terms", nargs="+")
    remove = sub.add_parser("remove", help="delete a watchlist (its alerts stay)")
    remove.add_argument("name")
    listing = sub.add_parser("list", help="the watchlists")
    for each in (add, remove, listing):
        _json_flag(each)


def cmd_watchlist(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from graphbench import settings
    from graphbench.alerts import WatchlistRepository, scan
    from graphbench.errors import GraphbenchError
    from graphbench.records import records_for

    store = open_from(args)
    try:
        lists = WatchlistRepository(records_for(store))
        if args.watchlist_action == "add":
            saved = lists.save(args.name, args.kind, args.terms, settings.user_name())
            audit(args, "watchlist", {"change": "save", "name": saved.name, "kind": saved.kind,
                                      "terms": saved.terms}, None)
            raised = scan(store).raised  # what the store holds already matches now, not at the next load
            emit(args, {**asdict(saved), "raised": [a["alert_id"] for a in raised]},
                 lambda: print(f"watchlist {saved.name}: {len(saved.terms)} {saved.kind} terms, {len(raised)} new alerts"))
            return 0
        if args.watchlist_action == "remove":
            if not lists.delete(args.name):
                raise GraphbenchError(f"there is no watchlist {args.name!r}")
            audit(args, "watchlist", {"change": "remove", "name": args.name}, None)
            emit(args, {"removed": args.name}, lambda: print(f"removed {args.name}"))
            return 0
        rows = [asdict(w) for w in lists.all()]
    finally:
        store.close()
    emit(args, {"watchlists": rows}, lambda: print("\n".join(
        f"{w['name']:<24} {w['kind']:<8} {', '.join(w['terms'])}" for w in rows) or "(no watchlists)"))
    return 0


COMMANDS = (
    Command("alerts", "the alert queue: list (--status), scan, set ID --status/--assignee, takedown LISTING…",
            cmd_alerts, _alerts_arguments),
    Command("watchlist", "watchlists of terms, species, hashtags, phones, e-mails, wallets, handles",
            cmd_watchlist, _watchlist_arguments),
)
