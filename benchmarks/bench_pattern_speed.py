"""Pattern search before and after a change: the same results, and the time each takes.

    .venv/bin/python benchmarks/bench_pattern_speed.py [--before COMMIT] [--rows 1000000] [--repeat 2]
        [--size medium] [--seed 0] [--set NAME=VALUE ...] [--no-stages] [--hops-in-cycles] [--reference COMMIT]

"Before" is the detector package (``graphbench/analytics/typologies/*.py`` and ``patterns.py``) as
it was at ``--before`` (default: the commit before the speed work of issue 13), taken with
``git show`` into a temporary package and imported beside today's. Both search the same
``TransferIndex`` (built once per dataset; each run gets a fresh copy, so nothing memoised in one
run helps the next), runs alternate before/after, and the ratio after/before is of runs in this
one process. Every run's ``to_dict()`` of every pattern, and ``complete``, ``notes`` and ``work``,
must be identical to the before run's, or the script stops and says where they differ. Also
checked, piece by piece: ``relay_episodes`` (public), the payer→payee blocks,
``base.channel_life``, and the successor hops of ``typologies/hops.py`` against
``cycles.successor_pairs_cut`` as of ``--before`` (time-ordered and not, with and without the cut).

Datasets: (a) ``bench_patterns_amlsim.synthetic_transfers(--rows)``, the random 1M-transfer table
with hubs of the speed goal, with a per-stage breakdown (one kind at a time, in ``KINDS`` order,
on one index, so later kinds reuse what earlier ones memoised, as in one search); (b)
``benchmarks/typology_generator.py`` at ``--size`` in 1 and 15 currencies; (c) ``sample_data/``
through the loaders. ``--hops-in-cycles`` previews today's ``cycles.py`` calling
``hops.successor_pairs_cut`` (checked above to give the same pairs). ``--set`` changes a
``PatternParams`` field on both sides (a field the before side lacks is set on the after side
only). ``--reference`` (default ebafc16, the detectors of the issue's 2.0 s) also times that
commit's ``patterns.py`` on the random table, alternately with today's (timing only: it finds other
patterns). Times are wall and CPU seconds of this process: on a shared machine the CPU time is the
steadier one. Prints Markdown; writes ``benchmarks/out/bench_pattern_speed.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from graphbench.analytics import patterns as after  # noqa: E402
from graphbench.analytics.trace import TransferIndex  # noqa: E402
from graphbench.analytics.typologies import bipartite, cycles, hops  # noqa: E402
from graphbench.analytics.typologies.base import channel_life  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
BEFORE = "928a3d6"
REFERENCE = "ebafc16"  # the detectors the 2.0 s was measured on  # the detectors before the speed work (issue 13: "within 2x of 2.0 s")
PACKAGE = "graphbench/analytics/typologies"


def before_package(commit: str, into: Path) -> ModuleType:
    """The detectors as of ``commit``, importable as ``typologies_before`` (its ``patterns`` module is
    ``typologies_before.patterns``); they share today's ``TransferIndex``."""
    listing = subprocess.run(["git", "ls-tree", "--name-only", f"{commit}:{PACKAGE}"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split()
    package = into / "typologies_before"
    package.mkdir()
    for name in [f"{PACKAGE}/{n}" for n in listing if n.endswith(".py")] + ["graphbench/analytics/patterns.py"]:
        text = subprocess.run(["git", "show", f"{commit}:{name}"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout
        (package / Path(name).name).write_text(text.replace("graphbench.analytics.typologies.", "typologies_before."),
                                               encoding="utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module("typologies_before.patterns")


def reference_module(commit: str, into: Path) -> ModuleType:
    """``graphbench/analytics/patterns.py`` as of ``commit`` (one module then), importable as
    ``patterns_reference``: timed only, its results are not today's."""
    text = subprocess.run(["git", "show", f"{commit}:graphbench/analytics/patterns.py"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    (into / "patterns_reference.py").write_text(text, encoding="utf-8")
    return importlib.import_module("patterns_reference")


def reference_times(index: TransferIndex, reference: ModuleType, p_after: Any, repeat: int) -> dict[str, Any]:
    """The reference search and today's, alternately (wall and CPU s), and how many patterns each found."""
    runs: dict[str, list[tuple[float, float]]] = {"reference": [], "after": []}
    found = {}
    for r in range(repeat):
        for side in (("reference", "after") if r % 2 == 0 else ("after", "reference")):
            fresh = dataclasses.replace(index)
            begin, cpu = time.perf_counter(), time.process_time()
            result = (reference.find_patterns(fresh) if side == "reference"
                      else after.find_patterns(fresh, params=p_after))
            runs[side].append((round(time.perf_counter() - begin, 2), round(time.process_time() - cpu, 2)))
            found[side] = len(result)
    return {"runs": runs, "patterns": found,
            "cpu_ratio": round(float(np.median([c for _, c in runs["after"]])
                                     / np.median([c for _, c in runs["reference"]])), 3),
            "ratio": round(float(np.median([w for w, _ in runs["after"]])
                                 / np.median([w for w, _ in runs["reference"]])), 3)}


def params_for(module: ModuleType, settings: dict[str, Any]) -> Any:
    fields = {f.name for f in dataclasses.fields(module.PatternParams)}
    return dataclasses.replace(module.PatternParams(), **{k: v for k, v in settings.items() if k in fields})


def fingerprint(found: Any) -> str:
    """Everything a caller sees of a search, as text (NaN-safe)."""
    return json.dumps({"patterns": [p.to_dict() for p in found], "complete": getattr(found, "complete", True),
                       "notes": getattr(found, "notes", []), "work": getattr(found, "work", {})}, default=str)


def first_difference(a: str, b: str) -> str:
    left, right = json.loads(a), json.loads(b)
    for key in ("complete", "notes", "work"):
        if left[key] != right[key]:
            return f"{key}: before {left[key]!r}, after {right[key]!r}"
    if len(left["patterns"]) != len(right["patterns"]):
        return f"{len(left['patterns'])} patterns before, {len(right['patterns'])} after"
    for i, (p, q) in enumerate(zip(left["patterns"], right["patterns"], strict=True)):
        if p != q:
            keys = [k for k in p if p[k] != q.get(k)]
            return f"pattern {i} ({p['kind']}) differs in {keys}: before {[p[k] for k in keys]}, after {[q[k] for k in keys]}"
    return "no difference"


def timed_search(module: ModuleType, index: TransferIndex, params: Any,
                 kinds: list[str] | None = None) -> tuple[float, float, str]:
    """(wall s, CPU s of this process, fingerprint). On a shared machine the CPU time is the steadier
    figure: the wall time also counts the other sessions' turns on the cores."""
    fresh = dataclasses.replace(index)  # a new object: nothing memoised for it yet
    begin, cpu = time.perf_counter(), time.process_time()
    found = module.find_patterns(fresh, kinds=kinds, params=params)
    return time.perf_counter() - begin, time.process_time() - cpu, fingerprint(found)


def compare(label: str, index: TransferIndex, before: ModuleType, settings: dict[str, Any], repeat: int,
            stages: bool) -> dict[str, Any]:
    p_before, p_after = params_for(before, settings), params_for(after, settings)
    times: dict[str, list[float]] = {"before": [], "after": []}
    cpu: dict[str, list[float]] = {"before": [], "after": []}
    reference = None
    for r in range(repeat):
        for side in (("before", "after") if r % 2 == 0 else ("after", "before")):
            module, params = (before, p_before) if side == "before" else (after, p_after)
            seconds, cpu_s, result = timed_search(module, index, params)
            times[side].append(seconds)
            cpu[side].append(cpu_s)
            if reference is None:
                reference = result
            elif result != reference:
                raise SystemExit(f"{label}: {side} run {r} differs from the first run: "
                                 f"{first_difference(reference, result)}")
    report = {"transfers": len(index), "patterns": len(json.loads(reference)["patterns"]), "identical": True,
              "before_s": [round(t, 2) for t in times["before"]], "after_s": [round(t, 2) for t in times["after"]],
              "before_cpu_s": [round(t, 2) for t in cpu["before"]], "after_cpu_s": [round(t, 2) for t in cpu["after"]],
              "ratio": round(float(np.median(times["after"]) / np.median(times["before"])), 3),
              "cpu_ratio": round(float(np.median(cpu["after"]) / np.median(cpu["before"])), 3)}
    report["stages"] = stage_times(index, before, p_before, p_after) if stages else None
    check_parts(label, index, before, p_before, p_after)
    return report


def stage_times(index: TransferIndex, before: ModuleType, p_before: Any, p_after: Any) -> dict[str, dict[str, float]]:
    """CPU seconds per kind, one kind at a time on one index per side (so a kind reuses what an
    earlier one memoised, as inside one search), before then after."""
    out: dict[str, dict[str, float]] = {}
    for side, module, params in (("before", before, p_before), ("after", after, p_after)):
        fresh = dataclasses.replace(index)
        for kind in after.KINDS:
            begin = time.process_time()
            module.find_patterns(fresh, kinds=[kind], params=params)
            out.setdefault(kind, {})[side] = round(time.process_time() - begin, 3)
    return out


def check_parts(label: str, index: TransferIndex, before: ModuleType, p_before: Any, p_after: Any) -> None:
    """The public pieces the search is made of give the same arrays before and after."""
    old_cycles = importlib.import_module("typologies_before.cycles")
    fresh = dataclasses.replace(index)
    for gap, decay, growth, candidates, ordered, max_pairs in (
            (p_after.cycle_max_hop_days, p_after.hop_amount_decay, p_after.hop_amount_growth, p_after.max_candidates,
             True, p_after.max_pairs),
            (p_after.relay_hop_days, 1 - p_after.relay_keep_min, p_after.relay_keep_max - 1, p_after.max_candidates,
             True, p_after.max_pairs),
            (150.0, 0.05, 0.05, p_after.max_candidates, False, p_after.max_pairs),  # AMLSim-shaped cycles
            (p_after.cycle_max_hop_days, 0.2, 0.02, 2, True, 10),  # the cut splits ties by position
            (150.0, 0.05, 0.05, 2, False, 10)):
        old = old_cycles.successor_pairs_cut(index, gap, decay, growth, candidates, ordered, max_pairs)
        new = hops.successor_pairs_cut(fresh, gap, decay, growth, candidates, ordered, max_pairs)
        if not (np.array_equal(old[0], new[0]) and np.array_equal(old[1], new[1]) and old[2] == new[2]):
            raise SystemExit(f"{label}: successor hops differ for gap {gap}, amounts -{decay}/+{growth}, "
                             f"{candidates} candidates, time-ordered {ordered}, max_pairs {max_pairs}")
    first_seen = np.full(len(index.nodes), np.iinfo(np.int64).max)
    last_seen = np.full(len(index.nodes), np.iinfo(np.int64).min)
    for ends in (index.src, index.dst):  # as cycles.py finds fresh channels
        np.minimum.at(first_seen, ends, index.ts)
        np.maximum.at(last_seen, ends, index.ts)
    life = channel_life(dataclasses.replace(index))
    if not (np.array_equal(life[0], first_seen) and np.array_equal(life[1], last_seen)):
        raise SystemExit(f"{label}: channel_life differs")
    old_blocks = importlib.import_module("typologies_before.bipartite").blocks(dataclasses.replace(index), p_before, 4)
    new_blocks = bipartite.blocks(dataclasses.replace(index), p_after, 4)
    if [(p, q, x.tolist(), d) for p, q, x, d in old_blocks] != [(p, q, x.tolist(), d) for p, q, x, d in new_blocks]:
        raise SystemExit(f"{label}: payer→payee blocks differ")
    old = before.relay_episodes(dataclasses.replace(index), p_before)
    new = after.relay_episodes(dataclasses.replace(index), p_after)
    if not (old.table.equals(new.table) and np.array_equal(old.out_episode, new.out_episode)
            and np.array_equal(old.in_episode, new.in_episode)):
        raise SystemExit(f"{label}: relay_episodes differ")


def generated_index(size: str, seed: int, currencies: int) -> TransferIndex:
    from typology_generator import generate

    from graphbench.fx_source import rates_in_effect

    data = generate(size, seed, currencies)
    with tempfile.TemporaryDirectory() as tmp:
        data.fx_rates.to_csv(Path(tmp) / "fx_rates.csv", index=False)
        rates = rates_in_effect(fx_file=Path(tmp) / "fx_rates.csv")
    t = data.transactions
    frame = pd.DataFrame({"start": "PaymentChannel:" + t["from_type"] + ":" + t["from_id"],
                          "end": "PaymentChannel:" + t["to_type"] + ":" + t["to_id"], "tx_id": t["tx_id"],
                          "amount": t["amount"], "currency": t["currency"], "ts": t["timestamp"]})
    return TransferIndex.from_frame(frame, "USD", rates)


def sample_index() -> TransferIndex:
    from graphbench.store import open_store
    from loaders.load import load_dir

    store = open_store("memory:")
    with tempfile.TemporaryDirectory() as rejects:
        load_dir(store, ROOT / "sample_data", rejects_dir=rejects)
    return TransferIndex.from_frame(store.relationships("TRANSFERRED"))


def setting(text: str) -> tuple[str, Any]:
    name, _, value = text.partition("=")
    return name, json.loads(value.replace("True", "true").replace("False", "false"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE)
    parser.add_argument("--rows", type=int, default=1_000_000, help="random table size (0 = skip)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per side (alternating)")
    parser.add_argument("--size", default="medium", choices=("tiny", "small", "medium", "large"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", type=setting, action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--no-stages", action="store_true", help="skip the per-kind breakdown")
    parser.add_argument("--reference", default=REFERENCE,
                        help="also time this commit's patterns.py on the random table (timing only; '' = skip)")
    parser.add_argument("--hops-in-cycles", action="store_true",
                        help="preview: today's cycles.py calls hops.successor_pairs_cut (same pairs, checked)")
    args = parser.parse_args()
    if args.hops_in_cycles and cycles.successor_pairs_cut is not hops.successor_pairs_cut:
        cycles.successor_pairs_cut = hops.successor_pairs_cut
    settings = dict(args.set)
    report: dict[str, Any] = {"before": args.before, "settings": settings, "hops_in_cycles": args.hops_in_cycles}
    with tempfile.TemporaryDirectory(prefix="bench_pattern_speed_") as tmp:
        before = before_package(args.before, Path(tmp))
        datasets: list[tuple[str, Any]] = []
        if args.rows:
            from bench_patterns_amlsim import synthetic_transfers

            datasets.append((f"random {args.rows:,} (synthetic_transfers)",
                             lambda: TransferIndex.from_frame(synthetic_transfers(args.rows))))
        for currencies in (1, 15):
            datasets.append((f"typology_generator {args.size}, seed {args.seed}, {currencies} currenc"
                             f"{'y' if currencies == 1 else 'ies'}",
                             lambda c=currencies: generated_index(args.size, args.seed, c)))
        datasets.append(("sample_data/", sample_index))
        print(f"before = {args.before} ({PACKAGE} as of then), after = the working tree"
              f"{' with cycles.py on hops.successor_pairs_cut' if args.hops_in_cycles else ''}; "
              f"settings {settings or 'default'}\n")
        print("| dataset | transfers | patterns | identical | before: wall s (CPU s) | after: wall s (CPU s) "
              "| after/before, wall | after/before, CPU |")
        print("|---|---:|---:|---|---|---|---:|---:|")
        for i, (label, build) in enumerate(datasets):
            index = build()
            result = compare(label, index, before, settings, args.repeat, stages=i == 0 and bool(args.rows)
                             and not args.no_stages)
            if i == 0 and args.rows and args.reference:
                result["reference"] = reference_times(index, reference_module(args.reference, Path(tmp)),
                                                      params_for(after, settings), args.repeat)
            report[label] = result
            runs = {side: ", ".join(f"{w} ({c})" for w, c in zip(result[f"{side}_s"], result[f"{side}_cpu_s"],
                                                                  strict=True)) for side in ("before", "after")}
            print(f"| {label} | {result['transfers']:,} | {result['patterns']} | yes | {runs['before']} | "
                  f"{runs['after']} | {result['ratio']} | {result['cpu_ratio']} |", flush=True)
        for label, result in report.items():
            if isinstance(result, dict) and result.get("reference"):
                ref = result["reference"]
                print(f"\nOn {label}, the patterns.py of {args.reference} (timing only) beside today's, alternately: "
                      f"{ref['runs']['reference']} vs {ref['runs']['after']} (wall s, CPU s); today/then "
                      f"{ref['ratio']} wall, {ref['cpu_ratio']} CPU; {ref['patterns']['reference']} patterns then, "
                      f"{ref['patterns']['after']} today")
            if isinstance(result, dict) and result.get("stages"):
                print(f"\nPer kind on {label} (CPU s; one kind at a time, in order, on one index):\n")
                print("| kind | before | after |\n|---|---:|---:|")
                for kind, row in result["stages"].items():
                    print(f"| {kind} | {row['before']} | {row['after']} |")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_pattern_speed.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
