"""Species mentions in the loaded sample against the ground truth: precision and recall overall
and per kind of writing (the issue's bar: ≥ 0.95 overall, ≥ 0.9 recall on misspellings and code
words)."""

from __future__ import annotations

from collections import Counter


def _mentions(sample_store, ground_truth):
    table = sample_store.relationships("MENTIONS", ["match"])
    found = {(r.start, r.end.split(":", 1)[1]) for r in table.itertuples()}
    loaded = set(sample_store.nodes("Listing")["id"])
    planted = {(m["listing"], m["scientific_name"]): m["match"] for m in ground_truth["mentions"]
               if m["listing"] in loaded}
    return found, planted


def test_mentions_precision_and_recall(sample_store, ground_truth) -> None:
    found, planted = _mentions(sample_store, ground_truth)
    true_positive = len(found & set(planted))
    precision = true_positive / len(found)
    recall = true_positive / len(planted)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)


def test_recall_per_kind_of_writing(sample_store, ground_truth) -> None:
    found, planted = _mentions(sample_store, ground_truth)
    total = Counter(planted.values())
    hits = Counter(kind for key, kind in planted.items() if key in found)
    recall = {kind: hits[kind] / total[kind] for kind in total}
    assert set(total) >= {"exact", "synonym", "common_name", "code_word", "misspelling"}
    assert recall["misspelling"] >= 0.9 and recall["code_word"] >= 0.9, recall
    assert min(recall.values()) >= 0.85, recall


def test_how_a_mention_was_written_is_recorded(sample_store, ground_truth) -> None:
    table = sample_store.relationships("MENTIONS", ["term", "match"])
    by_key = {(r.start, r.end.split(":", 1)[1]): (r.term, r.match) for r in table.itertuples()}
    misspelt = [m for m in ground_truth["mentions"] if m["match"] == "misspelling"]
    agree = sum(1 for m in misspelt if by_key.get((m["listing"], m["scientific_name"]), ("", ""))[1] == "misspelling")
    assert agree / len(misspelt) >= 0.9


def test_negative_listings_mention_nothing(sample_store, ground_truth) -> None:
    table = sample_store.relationships("MENTIONS", [])
    flagged = set(table["start"]) & set(ground_truth["negative_listings"])
    assert len(flagged) <= 0.01 * len(ground_truth["negative_listings"]), sorted(flagged)[:5]
