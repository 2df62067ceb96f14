"""Laundering typologies over the TRANSFERRED table, one module per family (fans, cycles, relays,
bipartite, structuring), their thresholds (params) and the ranking that joins them. The public
entry point is ``graphbench.analytics.patterns`` (``find_patterns``)."""
