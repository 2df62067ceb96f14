"""Every threshold of the typology detectors, with the reason for its default.

Sources for the shapes: IBM AMLSim's typology models and its published ``alertPatterns.csv``
parameter files (fan_in, fan_out, cycle, bipartite, stack, scatter_gather, gather_scatter; the
smallest published patterns have 5 accounts, i.e. a centre and 4 counterparties) and IBM AMLworld
(Altman et al., NeurIPS 2023 D&B: fans of up to 16 counterparties, cycles of up to 12 hops,
attempts spread over hours to days, a currency change at any hop). No default was fitted to a
dataset; each says why it is what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

DAY = 86_400


@dataclass(frozen=True)
class PatternParams:
    """Thresholds of the detectors (amounts in the index's base currency)."""

    # --- fan_in / fan_out ---------------------------------------------------------------------
    # >= k distinct counterparties into (out of) one channel within the window. 4 is AMLSim's
    # smallest published fan (5 accounts: the centre and 4); a week is the longest span an attempt
    # must be found in.
    fan_min_counterparties: int = 4
    fan_window_days: float = 7.0
    # A burst must be this many times the count that the channel's own rate in the
    # `burst_baseline_days` either side of the window predicts (an escrow taking 40 payments a day
    # is busy, not bursting). A channel with no traffic outside the window (a fresh mule) predicts 0
    # and so always passes. The baseline is over a month so a monthly payday meets the previous or
    # next one.
    burst_factor: float = 5.0
    burst_baseline_days: float = 35.0
    # ... and that many must be unlikely under that rate (Poisson tail): a quiet channel that gets
    # 4 payments in a week where it averages 0.4 is chance (p ~ 1e-3) across the thousands of
    # channel-weeks of a table; p <= 1e-5 is about one such coincidence per 100,000 channel-weeks.
    burst_p_value: float = 1e-5
    # A burst whose counterparties mostly (this share or more) also dealt with the centre, in the
    # same direction, in the baseline outside the window is the channel's routine (a payroll run,
    # regular suppliers), not smurfing: smurfs and mules are one-off hands.
    routine_share: float = 0.5
    # Transfers from a channel that pays more than this many distinct others (an escrow, a payroll)
    # do not make a fan_in, nor those to one paid by more than this many (a merchant) a fan_out:
    # that is business. AMLworld's fans reach 16 counterparties; mules and smurfs have a few.
    fan_hub_degree: int = 50
    # If set, only transfers within ±tolerance of the window's median amount count (off by default:
    # smurfs vary amounts on purpose).
    fan_amount_tolerance: float | None = None

    # --- gather_scatter -----------------------------------------------------------------------
    # An in-burst of >= k sources, then an out-burst of >= k targets from the same channel starting
    # at most `gs_max_delay_days` after the in-burst ends, passing on relay_keep_min..max of it.
    gs_min_counterparties: int = 4
    gs_window_days: float = 7.0
    gs_max_delay_days: float = 7.0

    # --- relays (the mules of scatter_gather and stack) ----------------------------------------
    # What a mule passes on: between keep_min and keep_max of what came in (mules keep a small cut,
    # at most 15 %; 30 % already lets ordinary coincidences chain in random traffic).
    relay_keep_min: float = 0.85
    relay_keep_max: float = 1.05
    # A relay hop: money out of the mule at most this long after it came in (a week's span).
    relay_hop_days: float = 7.0
    # Pass-through episodes for stacks: activity separated from the channel's other activity by
    # `relay_quiet_days`, lasting at most `relay_max_span_days`.
    relay_quiet_days: float = 5.0
    relay_max_span_days: float = 10.0

    # --- scatter_gather -------------------------------------------------------------------------
    # One source → >= k distinct mules → one target (each mule passing keep_min..keep_max on within
    # relay_hop_days), all inside the window. 3 mules: two are a coincidence of two payments.
    sg_min_intermediaries: int = 3
    sg_window_days: float = 10.0

    # --- stack: >= this many layers of relays between sources and sinks (1 is scatter-gather) ----
    stack_min_layers: int = 2

    # --- bipartite ------------------------------------------------------------------------------
    # A set of >= 2 payers paying a set of >= 2 payees (>= 5 channels, as AMLSim's smallest), at
    # least `bipartite_density` of all payer-payee pairs paid, within the window. Channels with more
    # than `bipartite_max_degree` counterparties in the window (merchants, payroll) are left out of
    # the block: AMLworld's blocks are a handful of accounts, and a hub would glue noise into one.
    bipartite_min_side: int = 2
    bipartite_min_members: int = 5
    bipartite_density: float = 0.75
    bipartite_window_days: float = 7.0
    bipartite_max_degree: int = 20

    # --- cycle ----------------------------------------------------------------------------------
    # 2..12 hops back to the start (AMLworld's longest cycles are 12 hops), any start, each hop at
    # or after the previous one (equal time steps are simultaneous: day-resolution data put several
    # hops in one step) and at most `cycle_max_hop_days` after it, all within the window, each hop
    # passing on between (1 - decay) and (1 + growth) of the previous amount.
    cycle_min_length: int = 2
    cycle_max_length: int = 12
    cycle_max_hop_days: float = 7.0
    cycle_window_days: float = 14.0
    cycle_time_ordered: bool = True  # False: hops may come in any order within the window
    # False assumes AMLSim-style cycles: each hop passes about the same amount (within decay/growth;
    # parallel equal copies are one hop) and hops come in any order within the simulation period,
    # so set cycle_max_hop_days and cycle_window_days to that period. It finds only rings that
    # close; the rings of one sum below find AMLSim's rings, open or closed, by default.
    hop_amount_decay: float = 0.2
    hop_amount_growth: float = 0.02
    # A 2-hop cycle that gives back the amount it got, within this band, is a refund or a repaid
    # loan between two people (everyday); laundering hops keep a cut (AMLSim's margin), and longer
    # rings of equal sums between several parties are not everyday, so only 2 hops are spared. The
    # band is what exchange rates move in a few days (a refund in another currency is not exact).
    cycle_refund_band: float = 0.015
    # (2-hop cycles are also left out between two channels that trade with each other otherwise,
    # and between two channels that both have a life beyond the cycle window: see cycles.py)
    # Bounds that keep the search polynomial on hubs: candidate predecessors per transfer (the
    # nearest in time, ties kept together so no tie-break decides), DFS steps per start transfer,
    # and a TOTAL work budget (candidate hops examined) for the whole search: ~1-3 s of Python.
    # A clique of 200 channels has more time-respecting cycles than can ever be listed; the search
    # stops there, says so (``complete=False``) and returns what it found.
    max_candidates: int = 32
    search_budget: int = 2_000
    cycle_work_budget: int = 1_500_000
    # ... and at most this many cycles: an investigator reads tens; past this the table is a clique
    # of channels trading with each other, not a ring, and the note says so
    cycle_max_found: int = 5_000
    # successor pairs held in memory at most (~16 bytes each); past it ties are cut by position
    max_pairs: int = 8_000_000

    # --- cycle: rings of one sum (rings.py) ------------------------------------------------------
    # The very same amount (currency and cents as written) passed along >= 3 hops through distinct
    # channels, in any time order, closed or open (AMLSim's "unordered" rings, whose unpaid hops leave
    # chains of equal sums). 3 hops: 2 are one pass-through (an escrow paying out a price). Exact
    # cents are the evidence, so the window is long (half a year, one investigation period). A chain
    # is kept when chance would give less than `ring_chance_limit` chains as tight in the whole
    # table (N transfers times, per relay, its payments times the amount's share of all transfers:
    # see rings.py); 1 means "fewer than one expected": a common amount or a busy relay (a
    # merchant, a payroll) fails it.
    one_sum_rings: bool = True
    ring_min_hops: int = 3
    ring_window_days: float = 183.0
    ring_chance_limit: float = 1.0
    ring_work_budget: int = 500_000  # DFS steps over all one-sum groups (~0.5 s of Python)

    # --- structuring ----------------------------------------------------------------------------
    # >= `structuring_min_count` transfers in [threshold * (1 - band), threshold) from one source or
    # to one target, each within `structuring_window_days` of the previous one (US CTR threshold).
    reporting_threshold: float = 10_000.0
    structuring_band: float = 0.15  # 8,500-9,999: monitoring rules look 10-15 % under the line
    structuring_min_count: int = 3
    structuring_window_days: float = 7.0

    # Two detections of one kind sharing at least this share of the smaller one's transfers are
    # one; a fan sharing this share with a more specific pattern is left out.
    merge_overlap: float = 0.5
