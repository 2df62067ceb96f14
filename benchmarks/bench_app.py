"""The workbench app on the 1M-transfer store: open the Explore page, expand a busy node, open Money, trace.

    .venv/bin/python benchmarks/bench_app.py [--store file:benchmarks/out/cache/transfers-1m-embedded]

With ``streamlit.testing.v1.AppTest`` (no browser): the first run of ``app.py`` with
GRAPHBENCH_STORE pointing at the store, switching to the Explore page (the file under ``app_pages/`` whose
name contains "explore"), entering the busiest payment channel's id as the focus node (the text input
keyed ``explore_focus_input``, else the first one) and pressing the page's first button whose label says
expand / show / search (when it has one); then the Money page (its overview) and a 3-hop backward trace
from that channel. With ``--store bolt://…`` the same on a Neo4j server holding the 1M transfers
(loaded when missing). Each step is timed; a second open of the page shows what caching saves. Skipped (exit 0, with a note) while
app.py or app_pages/ are missing. Prints one Markdown table, writes benchmarks/out/bench_app.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

OUT = ROOT / "benchmarks" / "out"
APP = ROOT / "app.py"
PAGES = ROOT / "app_pages"
ACTION_WORDS = ("expand", "show", "search", "explore", "open")
FOCUS_KEY = "explore_focus_input"  # the Explore page's "Focus node id" box


def write(result: dict[str, Any]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_app.json").write_text(json.dumps(result, indent=2), encoding="utf-8")


def timed_run(app: Any, timeout: float) -> float:
    started = time.perf_counter()
    app.run(timeout=timeout)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=None, help="store URL (default: the 1M-transfer embedded store)")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    print("### App on 1M transfers (AppTest)\n")
    explore = sorted(PAGES.glob("*xplore*.py")) if PAGES.is_dir() else []
    if not APP.exists() or not explore:
        print("| step | seconds | note |\n|---|---:|---|\n| (skipped) | | app.py / app_pages/*explore*.py not there yet |\n")
        write({"skipped": "app.py or the Explore page is missing"})
        return 0

    import pandas as pd
    from bench_graph_build import million_embedded_store

    from graphbench.store import open_store

    url = args.store or million_embedded_store()
    if url.startswith(("bolt", "neo4j")):
        from bench_graph_build import million_neo4j_store

        million_neo4j_store(url)
    store = open_store(url)
    ends = store.relationships("TRANSFERRED", columns=[])
    degrees = pd.concat([ends["start"], ends["end"]]).value_counts()  # in + out: the hubs collect
    busiest, transfers_of_busiest = degrees.index[0], int(degrees.iloc[0])
    store.close()
    os.environ["GRAPHBENCH_STORE"] = url
    os.environ.setdefault("GRAPHBENCH_AUDIT_LOG", os.devnull)

    from streamlit.testing.v1 import AppTest

    steps: list[dict[str, Any]] = []
    app = AppTest.from_file(str(APP), default_timeout=args.timeout)
    steps.append({"step": "first run of app.py", "seconds": timed_run(app, args.timeout), "note": ""})
    page = str(explore[0].relative_to(ROOT))
    app.switch_page(page)
    steps.append({"step": f"open {page}", "seconds": timed_run(app, args.timeout), "note": ""})
    app.switch_page(page)
    steps.append({"step": f"open {page} again (cached)", "seconds": timed_run(app, args.timeout), "note": ""})
    focus = [t for t in app.text_input if t.key == FOCUS_KEY] or list(app.text_input)[:1]
    if focus:
        focus[0].set_value(busiest)
        degree = f"{busiest} ({transfers_of_busiest:,} transfers)"
        steps.append({"step": "focus on the busiest channel (neighbourhood drawn)",
                      "seconds": timed_run(app, args.timeout), "note": degree})
        buttons = [b for b in app.button if any(w in str(b.label).lower() for w in ACTION_WORDS)]
        if buttons:
            buttons[0].click()
            steps.append({"step": f"press '{buttons[0].label}'", "seconds": timed_run(app, args.timeout),
                          "note": ""})
    money = PAGES / "money.py"
    if money.exists():  # the Money page: its overview, then a backward trace from the busiest channel
        app.switch_page(str(money.relative_to(ROOT)))
        steps.append({"step": "open app_pages/money.py (overview: busiest payer, flows, timeline)",
                      "seconds": timed_run(app, args.timeout), "note": ""})
        app.text_input[0].set_value(busiest)
        app.selectbox[0].set_value("in")
        next(b for b in app.button if b.label == "Trace").click()
        steps.append({"step": "trace 3 hops in from the busiest channel", "seconds": timed_run(app, args.timeout),
                      "note": next((c.value for c in app.caption if "transfers," in c.value), "")})
    errors = [str(e.value)[:200] for e in app.exception] + [str(e.value)[:200] for e in app.error]
    print("| step | seconds | note |\n|---|---:|---|")
    for s in steps:
        print(f"| {s['step']} | {s['seconds']:.2f} | {s['note']} |")
    print(f"\nerrors shown by the app: {len(errors)}\n" + "".join(f"- {e}\n" for e in errors[:5]))
    write({"store": url, "steps": steps, "errors": errors})
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
