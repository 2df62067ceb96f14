"""When an identifier is too popular to say who works together: the rule every analysis uses.

A phone, e-mail or payment channel that two accounts share is evidence that one operator or one
ring is behind them. One that many accounts share is infrastructure, not a tie: a marketplace
escrow, an exchange's deposit address, a shop's switchboard number, a courier's help-desk e-mail.
Counting it would glue unrelated sellers into one network and flag every customer of a flagged
seller. So every analysis that weighs shared identifiers ignores an identifier used by more
accounts than the cut-off here. The cut-off depends on how the analysis counts a share:

- ``weighted`` (the account graph behind communities and centrality, GDS's projection, link
  suggestions): a share among ``d`` accounts already adds only ``1/log2(d)``, so a large share
  adds little; the cut-off only keeps infrastructure out (:data:`MAX_ACCOUNTS`).
- unweighted evidence against *each* holder (the risk indicators "shares identifiers with a
  flagged account" and "laundering pattern"): every holder gets the indicator's full points, so
  the cut-off is lower (:data:`MAX_ACCOUNTS_UNWEIGHTED`): a phone behind 20 storefronts is one
  operator's; one behind 40 is more likely a reseller's or a switchboard.

Why these numbers: a ring in the trafficking literature runs from a handful to a few dozen
accounts (one operator's storefronts on several platforms, couriers, collectors); 50 keeps the
largest such ring whole while an escrow or exchange used by hundreds stays out. Hashtags are
cheaper to share than a phone or a wallet (anyone can write ``#reptiles``), so half of that.
The cut-offs are counts of *accounts*, not of listings or transfers.
"""

from __future__ import annotations

# identifier kind → most accounts that may share it for it to count as a tie between them
MAX_ACCOUNTS: dict[str, int] = {
    "phone": 50,
    "email": 50,
    "channel": 50,  # a payment channel: PayPal e-mail, wallet, IBAN, phone-money number …
    "hashtag": 25,
}
DEFAULT_MAX_ACCOUNTS = 50  # any other identifier kind
MAX_ACCOUNTS_UNWEIGHTED = 20  # any kind, when each holder gets full points (risk indicators)


def max_accounts(kind: str, weighted: bool = True) -> int:
    """The cut-off for ``kind`` (``phone``, ``email``, ``channel``, ``hashtag`` or another)."""
    cap = MAX_ACCOUNTS.get(kind, DEFAULT_MAX_ACCOUNTS)
    return cap if weighted else min(cap, MAX_ACCOUNTS_UNWEIGHTED)


def is_popular(kind: str, accounts: int, weighted: bool = True) -> bool:
    """True when ``accounts`` sharing one identifier of ``kind`` are too many for it to be a tie."""
    return accounts > max_accounts(kind, weighted)
