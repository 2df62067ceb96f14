"""What ``search`` looks in, shared by both stores so they find the same nodes: a node matches when its id
or one of its label's text properties contains the text (case-insensitive)."""

from __future__ import annotations

SEARCH_COLUMNS: dict[str, tuple[str, ...]] = {
    "Account": ("handle", "display_name", "bio"),
    "Listing": ("title", "text", "url"),
    "Species": ("scientific_name", "common_names", "synonyms"),
    "Shipment": ("tracking_no", "declared_content"),
}
# Properties stored as lists of text: a match is any element containing the text.
LIST_COLUMNS = frozenset({"common_names", "synonyms"})
