"""Commands about people: ``users add|remove|list`` (local and OpenID Connect accounts, their roles)."""

from __future__ import annotations

import argparse
import getpass
import sys

from graphbench.cli.command import Command, emit
from graphbench.errors import GraphbenchError


def _users_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="users_action", required=True, metavar="add|remove|list")
    add = sub.add_parser("add", help="add or replace an account")
    add.add_argument("name", help="a local user name, or the e-mail (else subject) the identity provider gives")
    add.add_argument("--role", required=True, choices=["viewer", "analyst", "admin"])
    how = add.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input (a local account)")
    how.add_argument("--oidc", action="store_true",
                     help="an OpenID Connect identity: no password here, the provider signs it in")
    remove = sub.add_parser("remove", help="remove an account")
    remove.add_argument("name")
    listing = sub.add_parser("list", help="list the accounts (never their hashes)")
    for each in (add, remove, listing):  # `graphbench users list --json` as well as `graphbench --json users list`
        each.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print one JSON document")


def _password(args: argparse.Namespace) -> str | None:
    if args.oidc:
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise GraphbenchError("give --password-stdin (and the password on standard input) or --oidc")
    first, second = getpass.getpass("password: "), getpass.getpass("again: ")
    if first != second:
        raise GraphbenchError("the two passwords differ")
    return first


def cmd_users(args: argparse.Namespace) -> int:
    from graphbench import audit
    from graphbench.auth import accounts

    if args.users_action == "list":
        rows = [a.public() for a in accounts.load_accounts().values()]
        emit(args, {"users": rows}, lambda: print("\n".join(
            f"{r['name']:<32} {r['role']:<8} {r['sign_in']}" for r in rows) or "(no accounts)"))
        return 0
    if args.users_action == "add":
        account = accounts.add_account(args.name, args.role, _password(args))
        audit.record("users", "", {"change": "add", "name": account.name, "role": account.role,
                                   "sign_in": account.method})
        emit(args, account.public(), lambda: print(f"added {account.name} ({account.role}, {account.method})"))
        return 0
    removed = accounts.remove_account(args.name)
    audit.record("users", "", {"change": "remove", "name": args.name, "removed": removed})
    if not removed:
        raise GraphbenchError(f"there is no account {args.name!r}")
    emit(args, {"removed": args.name}, lambda: print(f"removed {args.name}"))
    return 0


COMMANDS = (
    Command("users", "manage sign-in accounts: users add NAME --role R [--password-stdin|--oidc], remove, list",
            cmd_users, _users_arguments),
)
