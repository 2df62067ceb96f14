"""Computations per report build: one Analysis shared by several reports against a fresh one for each.

    .venv/bin/python benchmarks/bench_analysis.py [--data sample_data]

Loads ``--data`` into a throw-away embedded store, then builds the whole-store report and the reports
of the three largest communities twice: each with an Analysis of its own (as every report did before
the Analysis existed: everything recomputed), and all from one Analysis (as the CLI within one command
and the app within one data version do). Counts the calls of the expensive analytics
(``shipment_routes``, ``find_patterns``, ``score_accounts``, ``build_account_graph``,
``detect_communities``) and the seconds, and checks that every account's score in its community's
report equals its ``graphbench risk`` score. Prints one Markdown table; writes
benchmarks/out/bench_analysis.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COUNTED = (("routes", "shipment_routes"), ("patterns", "find_patterns"), ("risk", "score_accounts"),
           ("projection", "build_account_graph"), ("communities", "detect_communities"))


def _instrument(calls: Counter) -> None:
    import importlib

    for module_name, name in COUNTED:
        module = importlib.import_module(f"graphbench.analytics.{module_name}")
        real = getattr(module, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            calls[_name] += 1
            return _real(*args, **kwargs)
        setattr(module, name, counted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "sample_data"))
    args = parser.parse_args()

    from graphbench.analysis import Analysis
    from graphbench.report import ReportScope, build_report
    from graphbench.report.view import ReportView
    from graphbench.store import open_store
    from loaders.load import load_dir

    calls: Counter = Counter()
    _instrument(calls)
    store = open_store("memory:")
    with tempfile.TemporaryDirectory() as rejects:
        load_dir(store, args.data, rejects_dir=rejects)
    probe = Analysis.of_store(store)
    largest = Counter(probe.membership.values()).most_common(3)
    scopes = [ReportScope()] + [ReportScope(community=c) for c, _ in largest]

    rows = []
    for mode in ("an Analysis per report", "one Analysis for all"):
        calls.clear()
        shared = Analysis.of_store(store)
        start = time.perf_counter()
        for scope in scopes:
            build_report(shared if mode.startswith("one") else Analysis.of_store(store), scope)
        rows.append({"mode": mode, "reports": len(scopes), "seconds": round(time.perf_counter() - start, 2),
                     **{name: calls[name] for _, name in COUNTED}})

    scores = dict(zip(probe.risk["id"], probe.risk["score"], strict=True))
    differ = checked = 0
    for community in sorted(set(probe.membership.values())):
        view = ReportView.of(probe, ReportScope(community=community))
        shown = dict(zip(view.scores["id"], view.scores["score"], strict=True))
        for account in view.scoped.accounts:
            checked += 1
            differ += shown.get(account, 0.0) != scores.get(account, 0.0)

    columns = ["mode", "reports", "seconds", *(name for _, name in COUNTED)]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")
    print(f"\naccounts whose community report score differs from `graphbench risk`: {differ} of {checked}")
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "bench_analysis.json").write_text(json.dumps({"rows": rows, "scores_differ": differ,
                                                         "accounts_checked": checked}, indent=1))


if __name__ == "__main__":
    main()
