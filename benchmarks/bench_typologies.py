"""Laundering-typology accuracy on data the detectors were not written for, beside naive baselines.

    .venv/bin/python benchmarks/bench_typologies.py [--size medium] [--seed 0] [--amlsim DIR]
        [--timing-rows 1000000] [--write-readme]

Datasets (each through the user's path: ``graphbench --store file:TMP load DIR --json`` then
``graphbench --store file:TMP patterns --json`` in a subprocess, reading the JSON; the baselines
read the same store's transfers):

- ``benchmarks/typology_generator.py`` at ``--size`` in one currency (USD) and in fifteen
  (laundering chains change currency at every hop; ``fx_rates.csv`` beside the data);
- ``sample_data/`` (its ``ground_truth.json`` patterns);
- IBM AMLSim in ``--amlsim`` (default ``../shared/data/amlsim``; kept outside the repository,
  skipped with a message when absent): the fan-in + cycle sample and ``fanin200/``, loaded with
  ``mappings/amlsim.yaml``. Its labels are per account, so it is scored over accounts: the
  accounts named by the reported patterns against ``isFraud``. The sample does not say which
  fraud accounts are in cycles, so "cycle accounts" are the accounts of cycle patterns against
  all fraud accounts (recall is capped near the cycles' share of fraud accounts).

The matching rule and the baselines are in ``benchmarks/typology_baselines.py``. With
``--timing-rows`` the pattern search alone is also timed on that many generated transfers (library
call, the table already in memory, as ``bench_trace.py`` times it). Prints Markdown; writes
``benchmarks/out/bench_typologies.json``; ``--write-readme`` puts the tables into
``benchmarks/README.md`` between the typology markers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from typology_baselines import KINDS, account_scores, baseline_patterns, score  # noqa: E402
from typology_generator import generate  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
README = ROOT / "benchmarks" / "README.md"
BEGIN, END = "<!-- typologies:begin -->", "<!-- typologies:end -->"
CLI = [sys.executable, "-m", "graphbench"]
TIMEOUT_S = 1800  # one CLI call; a benchmark that hangs says so instead


def _cli(store: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "GRAPHBENCH_AUDIT_LOG": str(store.parent / "audit.jsonl")}
    try:
        done = subprocess.run([*CLI, "--store", f"file:{store}", *args], capture_output=True, text=True,
                              cwd=store.parent, env=env, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise SystemExit(f"graphbench {args[0]} did not finish within {TIMEOUT_S} s") from None
    if done.returncode != 0:
        raise SystemExit(f"graphbench {' '.join(args[:1])} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def detect(directory: Path, work: Path, mapping: Path | None = None) -> dict[str, Any]:
    """Load ``directory`` into a fresh embedded store and run ``patterns --json``, as a user would."""
    store = work / f"store-{directory.name}"
    extra = ["--mapping", str(mapping)] if mapping else []
    begin = time.perf_counter()
    _cli(store, "load", str(directory), "--json", "--quiet", "--no-resolve", "--rejects", str(work / "rejects"), *extra)
    load_s = time.perf_counter() - begin
    help_text = subprocess.run([*CLI, "patterns", "--help"], capture_output=True, text=True).stdout
    every = ["--top", "1000000"] if "--top" in help_text else []  # score everything, not a first page
    begin = time.perf_counter()
    document = _cli(store, "patterns", "--json", *every)
    patterns_s = time.perf_counter() - begin
    from graphbench.store import open_store

    opened = open_store(f"file:{store}")
    try:
        transfers = opened.relationships("TRANSFERRED")[["start", "end", "tx_id", "amount", "currency", "ts"]]
    finally:
        opened.close()
    return {"patterns": document["patterns"], "transfers": transfers, "load_s": round(load_s, 1),
            "patterns_s": round(patterns_s, 1)}


def typology_rows(run: dict[str, Any], attempts: list[dict[str, Any]], kinds: tuple[str, ...]) -> dict[str, Any]:
    begin = time.perf_counter()
    base = baseline_patterns(run["transfers"], kinds)
    base_s = time.perf_counter() - begin
    return {"detector": score(run["patterns"], attempts, kinds), "baseline": score(base, attempts, kinds),
            "transfers": len(run["transfers"]), "load_s": run["load_s"], "patterns_cli_s": run["patterns_s"],
            "baseline_s": round(base_s, 1)}


def _cell(row: dict[str, Any], field: str) -> str:
    value = row[field]
    return "–" if value is None else f"{value:.2f}"


def typology_table(name: str, result: dict[str, Any]) -> str:
    det, base = result["detector"], result["baseline"]
    lines = [f"**{name}**: {result['transfers']:,} transfers; load {result['load_s']} s, `patterns` "
             f"{result['patterns_cli_s']} s (CLI, process included), baselines {result['baseline_s']} s\n",
             "| typology | attempts | detector recall | baseline recall | detector reported | detector precision "
             "| baseline reported | baseline precision |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for kind in [*(k for k in det if k != "all"), "all"]:
        d, b = det[kind], base[kind]
        label = "**all**" if kind == "all" else kind
        lines.append(f"| {label} | {d['attempts']} | {_cell(d, 'recall')} | {_cell(b, 'recall')} | {d['reported']} | "
                     f"{_cell(d, 'precision')} | {b['reported']} | {_cell(b, 'precision')} |")
    return "\n".join(lines) + "\n"


def amlsim(directory: Path, work: Path) -> dict[str, Any]:
    run = detect(directory, work, ROOT / "mappings" / "amlsim.yaml")
    nodes = pd.read_csv(directory / "nodes.csv")
    fraud = {f"PaymentChannel:bank_account:{n}" for n in nodes.loc[nodes["isFraud"] == 1, "nodeid"]}
    begin = time.perf_counter()
    base = baseline_patterns(run["transfers"], ("fan_in", "cycle"))
    base_s = time.perf_counter() - begin

    def accounts(patterns: list[dict[str, Any]], kinds: set[str] | None = None) -> set[str]:
        return {m for p in patterns if kinds is None or p["kind"] in kinds for m in p["members"]}

    return {"transfers": len(run["transfers"]), "fraud_accounts": len(fraud), "load_s": run["load_s"],
            "patterns_cli_s": run["patterns_s"], "baseline_s": round(base_s, 1),
            "rows": {"detector, all kinds": account_scores(accounts(run["patterns"]), fraud),
                     "detector, fan_in": account_scores(accounts(run["patterns"], {"fan_in"}), fraud),
                     "detector, cycle": account_scores(accounts(run["patterns"], {"cycle"}), fraud),
                     "baseline, fan_in + cycle": account_scores(accounts(base), fraud),
                     "baseline, fan_in (degree >= 5 in a week)": account_scores(accounts(base, {"fan_in"}), fraud),
                     "baseline, cycle (every time-respecting cycle)": account_scores(accounts(base, {"cycle"}), fraud)}}


def amlsim_table(name: str, result: dict[str, Any]) -> str:
    lines = [f"**{name}**: {result['transfers']:,} transfers, {result['fraud_accounts']:,} fraud accounts; "
             f"load {result['load_s']} s, `patterns` {result['patterns_cli_s']} s, baselines {result['baseline_s']} s\n",
             "| accounts flagged by | flagged | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
    for label, row in result["rows"].items():
        lines.append(f"| {label} | {row['flagged']} | {row['precision']:.3f} | {row['recall']:.3f} | {row['f1']:.3f} |")
    return "\n".join(lines) + "\n"


def time_search(rows: int, seed: int) -> dict[str, Any]:
    """find_patterns alone on ~``rows`` generated transfers in fifteen currencies (index built first)."""
    from graphbench.analytics.patterns import find_patterns
    from graphbench.analytics.trace import TransferIndex
    from graphbench.fx_source import rates_in_effect

    data = generate("large", seed, 15, transfers=rows)
    with tempfile.TemporaryDirectory() as tmp:
        data.fx_rates.to_csv(Path(tmp) / "fx_rates.csv", index=False)
        rates = rates_in_effect(fx_file=Path(tmp) / "fx_rates.csv")
    t = data.transactions
    frame = pd.DataFrame({"start": "PaymentChannel:" + t["from_type"] + ":" + t["from_id"],
                          "end": "PaymentChannel:" + t["to_type"] + ":" + t["to_id"], "tx_id": t["tx_id"],
                          "amount": t["amount"], "currency": t["currency"], "ts": t["timestamp"]})
    begin = time.perf_counter()
    index = TransferIndex.from_frame(frame, "USD", rates)
    index_s = time.perf_counter() - begin
    begin = time.perf_counter()
    found = find_patterns(index)
    search_s = time.perf_counter() - begin
    # the table today's 2.0 s was measured on (bench_patterns_amlsim.synthetic_transfers: random, hubs)
    from bench_patterns_amlsim import synthetic_transfers

    random_index = TransferIndex.from_frame(synthetic_transfers(rows))
    begin = time.perf_counter()
    random_found = find_patterns(random_index)
    return {"transfers": len(frame), "index_s": round(index_s, 2), "find_patterns_s": round(search_s, 2),
            "patterns": len(found), "random_rows": rows, "random_find_patterns_s": round(time.perf_counter() - begin, 2),
            "random_patterns": len(random_found), "before_s": 2.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium", choices=("tiny", "small", "medium", "large"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--amlsim", type=Path, default=ROOT.parent / "shared" / "data" / "amlsim")
    parser.add_argument("--timing-rows", type=int, default=1_000_000, help="0 = skip the search timing")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {"size": args.size, "seed": args.seed}
    tables: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_typologies_") as tmp:
        work = Path(tmp)
        for currencies in (1, 15):
            data = generate(args.size, args.seed, currencies)
            directory = data.write(work / f"generated-{currencies}")
            result = typology_rows(detect(directory, work), data.truth["attempts"], KINDS)
            report[f"generated_{currencies}"] = result
            tables.append(typology_table(f"Generated ({args.size}, seed {args.seed}), {currencies} "
                                         f"currenc{'y' if currencies == 1 else 'ies'}", result))
            print(tables[-1], flush=True)
        truth = json.loads((ROOT / "sample_data" / "ground_truth.json").read_text(encoding="utf-8"))
        sample_attempts = [{"typology": p["kind"], "tx_ids": p["tx_ids"]} for p in truth["patterns"]]
        sample_kinds = tuple(k for k in KINDS if any(a["typology"] == k for a in sample_attempts))
        result = typology_rows(detect(ROOT / "sample_data", work), sample_attempts, sample_kinds)
        report["sample_data"] = result
        tables.append(typology_table("sample_data/", result))
        print(tables[-1], flush=True)
        if not (args.amlsim / "transactions.csv").exists():
            print(f"AMLSim data not found in {args.amlsim}: skipping the AMLSim rows.")
        else:
            for label, directory in (("AMLSim 20K, 200 fan-ins + 200 cycles", args.amlsim),
                                     ("AMLSim 20K, 200 fan-ins (fanin200/)", args.amlsim / "fanin200")):
                if (directory / "transactions.csv").exists():
                    result = amlsim(directory, work)
                    report[label] = result
                    tables.append(amlsim_table(label, result))
                    print(tables[-1], flush=True)
    if args.timing_rows:
        timing = time_search(args.timing_rows, args.seed)
        report["timing"] = timing
        tables.append(f"Pattern search alone on {timing['transfers']:,} generated transfers (15 currencies): "
                      f"`find_patterns` {timing['find_patterns_s']} s (index {timing['index_s']} s), "
                      f"{timing['patterns']} patterns. On {timing['random_rows']:,} random transfers with hubs "
                      f"(`bench_patterns_amlsim.synthetic_transfers`, the table of the earlier figure): "
                      f"{timing['random_find_patterns_s']} s, {timing['random_patterns']} patterns; before this work: "
                      f"{timing['before_s']} s there.\n")
        print(tables[-1])
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_typologies.json").write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    if args.write_readme:
        text = README.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            text = head + BEGIN + "\n" + "\n".join(tables) + END + rest.split(END, 1)[1]
            README.write_text(text, encoding="utf-8")
        else:
            print(f"{README} has no {BEGIN} … {END} markers: not written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
