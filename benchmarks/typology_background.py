"""Bank-like background traffic for ``typology_generator.py``: channels, their currencies, and the
honest transfers (merchants, friends, payroll, escrows, suppliers) the attempts are hidden in.
The reasons for each shape are in ``typology_generator``'s docstring."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

PER_USD = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 157.0, "CNY": 7.25, "INR": 83.4, "BRL": 5.45,
           "MXN": 18.2, "CHF": 0.89, "CAD": 1.37, "AUD": 1.50, "ZAR": 18.3, "KES": 129.0, "NGN": 1480.0,
           "IDR": 16350.0}
DAY = 86_400
START = int(pd.Timestamp("2024-01-01", tz="UTC").timestamp())
CHANNEL_TYPES = ("bank_account", "paypal", "mobile_money", "wechat", "card")
TYPE_WEIGHTS = (0.45, 0.2, 0.15, 0.1, 0.1)


@dataclass
class World:
    rng: np.random.Generator
    days: int
    multi: bool
    kind: list[int] = field(default_factory=list)  # channel type index per channel
    currency: list[int] = field(default_factory=list)  # currency index per channel
    rows: list[tuple[np.ndarray, ...]] = field(default_factory=list)  # (src, dst, ts, usd, attempt)

    def channels(self, n: int) -> np.ndarray:
        first = len(self.kind)
        self.kind.extend(self.rng.choice(len(CHANNEL_TYPES), n, p=TYPE_WEIGHTS).tolist())
        cur = self.rng.integers(0, len(PER_USD), n) if self.multi else np.zeros(n, dtype=int)
        self.currency.extend(cur.tolist())
        return np.arange(first, first + n)

    def add(self, src, dst, ts, usd, attempt: int = -1) -> None:
        src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
        ts = np.asarray(ts, dtype=np.int64)
        # outside the period is dropped, not clipped: clipping would pile transfers on one instant
        keep = (src != dst) & (ts >= START) & (ts < START + self.days * DAY)
        if attempt >= 0 and not keep.all():
            raise AssertionError("an attempt must lie inside the period")
        self.rows.append((src[keep], dst[keep], ts[keep], np.asarray(usd, dtype=float)[keep],
                          np.full(int(keep.sum()), attempt, dtype=np.int64)))


def lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(sigma * rng.standard_normal(n))


def daytime(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    hours = rng.normal(14, 4, len(days)) % 24  # wrapped, not clipped: no pile at midnight
    return START + days * DAY + (hours * 3600).astype(np.int64)


def background(w: World, n: int) -> dict[str, list[int]]:
    rng, days = w.rng, w.days
    people = w.channels(max(400, n // 12))
    merchants = w.channels(max(15, n // 2_000))
    suppliers = w.channels(len(merchants) // 2 + 2)
    escrows = w.channels(int(rng.integers(2, 6)))
    activity = rng.lognormal(0, 0.8, len(people))
    activity /= activity.sum()
    pop = 1.0 / np.arange(1, len(merchants) + 1) ** 1.1
    pop /= pop.sum()
    # shopping: people -> merchants, daytime
    k = int(0.52 * n)
    w.add(rng.choice(people, k, p=activity), rng.choice(merchants, k, p=pop),
          daytime(rng, rng.integers(0, days, k)), lognormal(rng, 30, 0.9, k))
    # friends: 6 contacts each (fixed permutations), a tenth paid back within 0..5 days
    contacts = np.stack([rng.permutation(people) for _ in range(6)])
    k = int(0.22 * n)
    payer = rng.choice(len(people), k, p=activity)
    payee = contacts[rng.choice(6, k, p=(0.35, 0.25, 0.15, 0.1, 0.1, 0.05)), payer]
    ts = daytime(rng, rng.integers(0, days, k))
    usd = lognormal(rng, 45, 1.0, k)
    w.add(people[payer], payee, ts, usd)
    back = rng.random(k) < 0.1
    w.add(payee[back], people[payer][back], ts[back] + rng.integers(3600, 5 * DAY, int(back.sum())),
          usd[back] * rng.uniform(0.5, 1.0, int(back.sum())))
    # payroll: fixed day of the month, funded by a treasury the day before
    months = pd.date_range(pd.Timestamp(START, unit="s"), periods=days // 28 + 2, freq="MS")
    payroll_rows = int(0.10 * n)
    employers, treasuries = [], []
    while payroll_rows > 0:
        size = int(min(rng.integers(100, 601), len(people) // 3))
        employer, treasury = w.channels(2)
        employers.append(int(employer))
        treasuries.append(int(treasury))
        staff = rng.choice(people, size, replace=False)
        salary = lognormal(rng, 3_000, 0.35, size)
        payday = int(rng.integers(1, 29))
        for month in months:
            at = int(month.timestamp()) + (payday - 1) * DAY + 9 * 3600
            if not START + DAY <= at < START + days * DAY:
                continue
            pay = salary * rng.uniform(0.98, 1.02, size)
            w.add(np.full(size, employer), staff, at + rng.integers(0, 600, size), pay)
            w.add([treasury], [employer], [at - DAY], [pay.sum()])
            payroll_rows -= size
        if payroll_rows > 0 and len(employers) > 200:
            break
    # escrows: buyer -> escrow, escrow -> seller 1..5 days later, 97 %
    k = int(0.045 * n)
    escrow = rng.choice(escrows, k)
    ts = daytime(rng, rng.integers(0, days, k))
    usd = lognormal(rng, 120, 0.9, k)
    sellers = np.where(rng.random(k) < 0.5, rng.choice(merchants, k, p=pop), rng.choice(people, k))
    w.add(rng.choice(people, k, p=activity), escrow, ts, usd)
    w.add(escrow, sellers, ts + rng.integers(DAY, 5 * DAY, k), usd * 0.97)
    # suppliers: each merchant pays 1..3 suppliers weekly on a fixed weekday
    for m in merchants:
        for s in rng.choice(suppliers, int(rng.integers(1, 4)), replace=False):
            weeks = np.arange(int(rng.integers(0, 7)), days, 7)
            w.add(np.full(len(weeks), m), np.full(len(weeks), s), START + weeks * DAY + 11 * 3600,
                  lognormal(rng, 4_000 * pop[merchants == m][0] * len(merchants), 0.4, len(weeks)))
    return {"people": people.tolist(), "merchants": merchants.tolist(), "payroll": employers,
            "treasury": treasuries, "escrow": escrows.tolist(), "suppliers": suppliers.tolist()}
