"""The same transfers give the same patterns, whatever the row order, the channel names, the tx ids,
the time zone the times are written in, the currency the amounts are written in, and unrelated
transfers far away in time; and the planted attempts are still found after all that.

Data: ``benchmarks/typology_generator.py`` at its tiny size (attempts of every published typology
in bank-like background traffic), seeds chosen by hypothesis. A pattern is compared as
(kind, member set, tx set) mapped back through the transformation, with its amount, first/last
time and score.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from typology_baselines import score  # noqa: E402
from typology_generator import Dataset, generate  # noqa: E402

from graphbench.analytics.fx import FxRates, packaged_rates  # noqa: E402
from graphbench.analytics.patterns import find_patterns  # noqa: E402
from graphbench.analytics.trace import TransferIndex  # noqa: E402

SEEDS = st.integers(min_value=0, max_value=3)
SHUFFLE = st.integers(min_value=0, max_value=2**32 - 1)
# the inputs are seeds: nothing to shrink, and no example database written into the work tree
PROPERTY = settings(max_examples=6, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow],
                    phases=[Phase.explicit, Phase.generate])


@lru_cache(maxsize=8)
def dataset(seed: int, currencies: int = 1) -> Dataset:
    return generate("tiny", seed, currencies)


def frame_of(data: Dataset) -> pd.DataFrame:
    t = data.transactions
    return pd.DataFrame({"start": "PaymentChannel:" + t["from_type"] + ":" + t["from_id"],
                         "end": "PaymentChannel:" + t["to_type"] + ":" + t["to_id"], "tx_id": t["tx_id"],
                         "amount": t["amount"].astype(float), "currency": t["currency"], "ts": t["timestamp"]})


def rates_of(data: Dataset) -> FxRates:
    return packaged_rates().override(data.fx_rates, "generated fx_rates.csv")


Signature = dict[tuple[str, frozenset, frozenset], tuple[float, str, str, float]]


def signature(frame: pd.DataFrame, rates: FxRates | None = None, node_back: dict[str, str] | None = None,
              tx_back: dict[str, str] | None = None, amount_digits: int = 2) -> Signature:
    """Every pattern as (kind, members, tx_ids) mapped back -> (amount, first_ts, last_ts, score)."""
    index = TransferIndex.from_frame(frame, "USD", rates or packaged_rates())
    out: Signature = {}
    for p in find_patterns(index):
        members = frozenset(node_back.get(m, m) for m in p.members) if node_back else frozenset(p.members)
        txs = frozenset(tx_back.get(x, x) for x in p.tx_ids) if tx_back else frozenset(p.tx_ids)
        key = (p.kind, members, txs)
        assert key not in out, f"the same {p.kind} reported twice"
        out[key] = (round(float(p.amount), amount_digits), p.first_ts, p.last_ts, round(float(p.score), 6))
    return out


@lru_cache(maxsize=8)
def original(seed: int, currencies: int = 1) -> Signature:
    data = dataset(seed, currencies)
    return signature(frame_of(data), rates_of(data))


def _relabelled(frame: pd.DataFrame, shuffle: int) -> tuple[pd.DataFrame, dict[str, str]]:
    nodes = sorted(set(frame["start"]) | set(frame["end"]))
    new_names = np.random.default_rng(shuffle).permutation(len(nodes))
    # a bijection that scrambles the sorted order of ids (and so every code an index gives them);
    # the channel type stays, only the identifier changes
    forward = {n: f"{n.rsplit(':', 1)[0] if n.count(':') == 2 else n.split(':')[0] + ':' + n.split(':')[1]}:R{k:07d}"
               for n, k in zip(nodes, new_names, strict=True)}
    out = frame.assign(start=frame["start"].map(forward), end=frame["end"].map(forward))
    return out, {v: k for k, v in forward.items()}


def _renamed(frame: pd.DataFrame, shuffle: int) -> tuple[pd.DataFrame, dict[str, str]]:
    new = np.random.default_rng(shuffle).permutation(len(frame))
    forward = {old: f"Z{k:07d}" for old, k in zip(frame["tx_id"], new, strict=True)}
    return frame.assign(tx_id=frame["tx_id"].map(forward)), {v: k for k, v in forward.items()}


@PROPERTY
@given(seed=SEEDS, shuffle=SHUFFLE)
def test_row_order_does_not_change_patterns(seed: int, shuffle: int) -> None:
    data = dataset(seed)
    permuted = frame_of(data).sample(frac=1.0, random_state=shuffle % 2**32).reset_index(drop=True)
    assert signature(permuted, rates_of(data)) == original(seed)


@PROPERTY
@given(seed=SEEDS, shuffle=SHUFFLE)
def test_channel_names_do_not_change_patterns(seed: int, shuffle: int) -> None:
    data = dataset(seed)
    relabelled, back = _relabelled(frame_of(data), shuffle)
    assert signature(relabelled, rates_of(data), node_back=back) == original(seed)


@PROPERTY
@given(seed=SEEDS, shuffle=SHUFFLE)
def test_tx_ids_do_not_change_patterns(seed: int, shuffle: int) -> None:
    data = dataset(seed)
    renamed, back = _renamed(frame_of(data), shuffle)
    assert signature(renamed, rates_of(data), tx_back=back) == original(seed)


@PROPERTY
@given(seed=SEEDS, shuffle=SHUFFLE)
def test_currency_names_do_not_change_patterns(seed: int, shuffle: int) -> None:
    """Fifteen currencies: rename every currency but the rates' reference (USD) through a bijection,
    its rates with it."""
    data = dataset(seed, 15)
    codes = sorted(set(data.fx_rates["currency"]) - {"USD"})
    sigma = dict(zip(codes, np.random.default_rng(shuffle).permutation(codes).tolist(), strict=True))
    sigma["USD"] = "USD"
    frame = frame_of(data).assign(currency=lambda f: f["currency"].map(sigma))
    fx = data.fx_rates.assign(currency=data.fx_rates["currency"].map(sigma))
    assert signature(frame, packaged_rates().override(fx, "renamed")) == original(seed, 15)


@PROPERTY
@given(seed=SEEDS, factor=st.sampled_from([0.25, 4.0, 1024.0]))
def test_writing_amounts_in_another_currency_does_not_change_patterns(seed: int, factor: float) -> None:
    """Every USD amount written in EUR at a rate of ``factor`` per USD (a power of two: the conversion
    back is exact, so no amount moves across a threshold by rounding)."""
    data = dataset(seed)
    frame = frame_of(data).assign(amount=lambda f: f["amount"] * factor, currency="EUR")
    fx = pd.DataFrame({"currency": ["EUR"], "per_usd": [factor], "date": ["2020-01-01"]})
    assert signature(frame, packaged_rates().override(fx, "test")) == original(seed)


@PROPERTY
@given(seed=SEEDS, shuffle=SHUFFLE, before=st.booleans())
def test_unrelated_transfers_far_away_in_time_change_nothing(seed: int, shuffle: int, before: bool) -> None:
    """400 transfers among 60 other channels, a year before or after: the original patterns are all
    still there, unchanged, and no pattern mixes the two."""
    data = dataset(seed)
    frame = frame_of(data)
    rng = np.random.default_rng(shuffle)
    times = pd.to_datetime(frame["ts"], utc=True)
    anchor = times.min() - pd.Timedelta(days=400) if before else times.max() + pd.Timedelta(days=400)
    stamps = anchor + pd.to_timedelta(rng.integers(0, 30 * 86_400, 400), unit="s")
    noise = pd.DataFrame({
        "start": [f"PaymentChannel:card:noise{k:03d}" for k in rng.integers(0, 60, 400)],
        "end": [f"PaymentChannel:card:noise{k:03d}" for k in rng.integers(0, 60, 400)],
        "tx_id": [f"NOISE{i:05d}" for i in range(400)], "amount": np.round(rng.lognormal(5, 1.5, 400), 2),
        "currency": "USD", "ts": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"),
    })
    noise = noise[noise["start"] != noise["end"]]
    found = signature(pd.concat([frame, noise], ignore_index=True), rates_of(data))
    noisy = set(noise["tx_id"])
    mixed = [k for k in found if k[2] & noisy and k[2] - noisy]
    assert not mixed, f"{len(mixed)} pattern(s) join the noise a year away to the original transfers"
    assert {k: v for k, v in found.items() if not k[2] & noisy} == original(seed)


@pytest.mark.parametrize("seed", [0, 1])
def test_time_zone_of_the_file_does_not_change_patterns(tmp_path: Path, seed: int) -> None:
    """The same instants written with +05:30 offsets load to the same transfers and patterns."""
    from graphbench.store import open_store
    from graphbench.store_reads.money_overview import transfer_table
    from loaders.load import load_dir

    data = dataset(seed)
    shifted = data.transactions.copy()
    shifted["timestamp"] = (pd.to_datetime(shifted["timestamp"], utc=True).dt.tz_convert("Asia/Kolkata")
                            .map(lambda t: t.isoformat()))
    assert shifted["timestamp"].str.endswith("+05:30").all()
    found = []
    for name, table in (("utc", data.transactions), ("ist", shifted)):
        folder = tmp_path / name
        Dataset(table, data.fx_rates, data.truth).write(folder)
        store = open_store("memory:")
        load_dir(store, folder, rejects_dir=tmp_path / f"rejects-{name}", resolve=False)
        found.append(signature(transfer_table(store), rates_of(data)))
    assert found[0] == found[1] == original(seed)


def _attempts_back(data: Dataset) -> list[dict]:
    return [{"typology": a["typology"], "tx_ids": a["tx_ids"]} for a in data.truth["attempts"]]


@pytest.fixture(scope="module")
def transformed_run() -> tuple[Dataset, list[dict]]:
    """A 40k-transfer generated set (5 attempts of each typology, 15 currencies), rows shuffled,
    channels relabelled, tx ids renamed; the patterns found, mapped back."""
    data = generate("small", seed=11, currencies=15, transfers=40_000)
    frame = frame_of(data).sample(frac=1.0, random_state=5).reset_index(drop=True)
    frame, node_back = _relabelled(frame, 6)
    frame, tx_back = _renamed(frame, 7)
    index = TransferIndex.from_frame(frame, "USD", rates_of(data))
    reported = [{"kind": p.kind, "tx_ids": [tx_back[x] for x in p.tx_ids],
                 "members": [node_back[m] for m in p.members]} for p in find_patterns(index)]
    return data, reported


def test_planted_attempts_are_found_after_the_transformations(transformed_run) -> None:
    """Recall >= 0.8 for every typology (the issue's goal), under the matching rule of
    benchmarks/typology_baselines.py (half of the attempt's and half of the pattern's transfers)."""
    data, reported = transformed_run
    rows = score(reported, _attempts_back(data))
    low = {k: r["recall"] for k, r in rows.items() if k != "all" and r["recall"] < 0.8}
    assert not low, f"typologies found too rarely: {low}"


def test_reported_patterns_are_mostly_planted_attempts(transformed_run) -> None:
    """Precision >= 0.8 overall: busy merchants, payroll, escrows and friends are not patterns."""
    data, reported = transformed_run
    overall = score(reported, _attempts_back(data))["all"]
    assert overall["precision"] >= 0.8, f"{overall['matched']} of {overall['reported']} reported patterns are attempts"
