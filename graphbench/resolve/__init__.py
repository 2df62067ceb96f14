"""Resolution over the whole store: cross-posted listings and same-operator accounts.

- :mod:`graphbench.resolve.crossposts` — listings showing the same item (image hash, text);
- :mod:`graphbench.resolve.same_as` — accounts run by the same operator, with evidence;
- :mod:`graphbench.resolve.run` — both, written to a store as CROSS_POSTED_AS / SAME_AS,
  keeping an analyst's verdicts across reruns.
"""

from graphbench.resolve.crossposts import CrossPostSettings, cross_post_groups, find_cross_posts
from graphbench.resolve.run import ResolveSummary, accept_same_as, reject_same_as, resolve_store
from graphbench.resolve.same_as import SameAsWeights, handle_similarity, resolve_accounts

__all__ = [
    "CrossPostSettings", "ResolveSummary", "SameAsWeights", "accept_same_as", "cross_post_groups",
    "find_cross_posts", "handle_similarity", "reject_same_as", "resolve_accounts", "resolve_store",
]
