"""Laundering patterns in the TRANSFERRED table: the public face of ``graphbench.analytics.typologies``.

Kinds (IBM AMLSim / AMLworld typologies): fan_in, fan_out, cycle, scatter_gather, gather_scatter,
stack, bipartite, structuring. What keeps ordinary busy channels out of the results:
- fans are bursts against the channel's own rate around the window, and not its routine (the same
  counterparties before or after: payroll, regular suppliers); a fresh channel is never exempt;
- relay hops (scatter-gather) pass on most of what came in within days; stacks are pass-through
  episodes between quiet gaps;
- cycles and hop-by-hop chains are time-respecting (equal time steps are simultaneous) with amounts
  that shrink a little per hop, and every search has a total work budget (``PatternList.complete``).

Results do not depend on row order, channel names or the store: the ``TransferIndex`` is canonical
and no detector breaks a tie between simultaneous transfers.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from graphbench.analytics.typologies.base import DAY, Pattern, PatternList
from graphbench.analytics.typologies.hops import successor_pairs
from graphbench.analytics.typologies.params import PatternParams
from graphbench.analytics.typologies.ranking import KINDS, find_patterns, rank_key
from graphbench.analytics.typologies.relays import RelayEpisodes, relay_episodes

__all__ = ["DAY", "KINDS", "Pattern", "PatternList", "PatternParams", "RelayEpisodes", "find_patterns",
           "patterns_frame", "rank_key", "relay_episodes", "successor_pairs"]

COLUMNS = ["kind", "members", "tx_ids", "amount", "first_ts", "last_ts", "score", "center", "reason",
           "accounts", "amount_by_currency", "transfers"]


def patterns_frame(patterns: Iterable[Pattern]) -> pd.DataFrame:
    """One row per pattern (members and tx_ids as lists) — for tables and JSON."""
    return pd.DataFrame([p.to_dict() for p in patterns], columns=COLUMNS)
