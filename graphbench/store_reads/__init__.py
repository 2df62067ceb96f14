"""Reads that walk a store (hop by hop, or by named query) and hand pure analytics what they need.

``graphbench.analytics`` takes tables and graphs and does no I/O; the code that decides what to read
from a store, and reads it, lives here: ``trace_walk`` (traces hop by hop), ``money_overview`` (the
Money page's aggregates), ``community_neighbourhoods`` (a community's picture).
"""
