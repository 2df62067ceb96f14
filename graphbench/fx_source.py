"""Which exchange rates are in effect: the packaged ECB table, overridden by the ``FxRate`` nodes a user
loaded (``graphbench load`` of an ``fx_rates`` file), overridden in turn by a file named on the command
line (``--fx-rates FILE``). The I/O side of :mod:`graphbench.analytics.fx`, which stays pure.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from graphbench.analytics.fx import RATE_COLUMNS, FxRates, packaged_rates
from graphbench.errors import GraphbenchError, InvalidRow
from graphbench.store.base import GraphStore


def store_rates(store: GraphStore) -> pd.DataFrame:
    """The user's rates kept in the store (``currency, per_usd, date``); empty when none were loaded."""
    table = store.nodes("FxRate", columns=RATE_COLUMNS)
    return table.reindex(columns=RATE_COLUMNS)


def read_rates_file(path: str | Path) -> pd.DataFrame:
    """An ``fx_rates`` file (CSV or JSON Lines, canonical columns), validated row by row as a load does;
    a bad row ends in one sentence naming the file, row and field."""
    from loaders.context import RowContext
    from loaders.fx_rates import parse
    from loaders.reader import read_rows

    path = Path(path)
    if not path.is_file():
        raise GraphbenchError(f"exchange-rate file {path} does not exist")
    rows = []
    for row in read_rows(path):
        if row.error:
            raise GraphbenchError(f"{path.name}, row {row.number}: {row.error}")
        try:
            batch = parse({k.strip(): v for k, v in row.raw.items()}, RowContext(str(path), row.number, row.sha256))
        except InvalidRow as exc:
            raise GraphbenchError(f"{path.name}, row {row.number}, field {exc.field}: {exc.reason}") from None
        rows += [{c: node.props.get(c) for c in RATE_COLUMNS} for node in batch.nodes]
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def rates_in_effect(store: GraphStore | None = None, fx_file: str | Path | None = None) -> FxRates:
    """Packaged rates, then the store's FxRate nodes, then ``fx_file``: each replaces the currencies it names."""
    rates = packaged_rates()
    if store is not None:
        rates = rates.override(store_rates(store), "the loaded fx_rates")
    if fx_file is not None:
        rates = rates.override(read_rates_file(fx_file), Path(fx_file).name)
    return rates
