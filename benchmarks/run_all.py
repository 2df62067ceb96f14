"""Run every benchmark one after another and print their tables side by side, one section per topic.

    .venv/bin/python benchmarks/run_all.py [--only ingest soak …] [--neo4j URL] [--skip-neo4j]

``make bench`` starts the local Neo4j and calls this. Each script runs in its own process (one at a
time: the machine is small and timings must not compete) and writes benchmarks/out/<script>.json;
this prints each script's Markdown tables under its topic, says which scripts failed, and writes the
whole page to benchmarks/out/run_all.md. Exit status 1 when any script failed.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"

# (name, topic, script, takes --neo4j): the order matters — soak leaves 1M transfers in Neo4j for the
# graph build, the 1M embedded store made by the graph build serves trails and the app.
BENCHMARKS: tuple[tuple[str, str, str, bool], ...] = (
    ("ingest", "Ingest: rows per second, embedded and Neo4j", "bench_ingest.py", True),
    ("ingest_scale", "Embedded ingest at 1M / 5M transfers beside pyarrow's read", "bench_ingest_scale.py", False),
    ("soak", "Soak: readers during a 1M-row Neo4j load", "bench_soak.py", True),
    ("graph_build", "Analysis graph build from each store", "bench_graph_build.py", True),
    ("trace", "Money trails on 1M transfers", "bench_trace.py", True),
    ("app", "App on 1M transfers", "bench_app.py", False),
    ("communities", "Community engines", "bench_communities.py", True),
    ("patterns_amlsim", "Laundering patterns on AMLSim", "bench_patterns_amlsim.py", False),
    ("typologies", "Laundering typologies beside naive baselines", "bench_typologies.py", False),
    ("analysis", "One Analysis shared by four reports", "bench_analysis.py", False),
    ("images", "Advert photos: hashes, EXIF places, OCR; near-duplicates", "bench_images.py", False),
)
NEO4J_ONLY = {"soak"}


def tables_of(output: str) -> str:
    """The Markdown a script printed: its tables and the lines that explain them, without headings."""
    kept = [line for line in output.splitlines() if not line.startswith("### ")]
    return "\n".join(kept).strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[b[0] for b in BENCHMARKS])
    parser.add_argument("--neo4j", default=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"))
    parser.add_argument("--skip-neo4j", action="store_true")
    args = parser.parse_args()
    page = [f"# graphbench benchmarks — {time.strftime('%Y-%m-%d %H:%M')} UTC, "
            f"{os.cpu_count()} cores, Python {platform.python_version()}\n"]
    failed: list[str] = []
    for name, topic, script, takes_neo4j in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        if args.skip_neo4j and name in NEO4J_ONLY:
            continue
        command = [sys.executable, str(ROOT / "benchmarks" / script)]
        if takes_neo4j:
            command += ["--skip-neo4j"] if args.skip_neo4j else ["--neo4j", args.neo4j]
        print(f"running {script} …", file=sys.stderr, flush=True)
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        section = [f"## {topic}\n", f"`benchmarks/{script}`, {seconds:.0f} s"
                   + ("" if done.returncode == 0 else f", **exit {done.returncode}**") + "\n"]
        section.append(tables_of(done.stdout) or "(no table printed)")
        if done.returncode != 0:
            failed.append(script)
            section.append("\n```\n" + "\n".join(done.stderr.strip().splitlines()[-8:]) + "\n```")
        text = "\n".join(section) + "\n"
        print(text, flush=True)
        page.append(text)
    if failed:
        page.append(f"failed: {', '.join(failed)}\n")
        print(f"failed: {', '.join(failed)}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "run_all.md").write_text("\n".join(page), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
