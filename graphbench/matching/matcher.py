"""Find the CITES species a listing's text mentions, one mention per species.

Matching runs in three passes over the folded text: token n-grams (scientific names,
synonyms, ``P. regius`` abbreviations, common names, watchlist terms), substrings for
unspaced scripts (Chinese, Thai), and misspelt binomials through the genus candidates
of the index. Everyday words then go through the context rule in ``context_rules``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphbench.matching.context_rules import has_sale_context, inside_false_friend, is_blocked
from graphbench.matching.lookalikes import fold_mixed_tokens, prepare
from graphbench.matching.species_index import (
    MIN_FUZZY_TOKEN_LENGTH,
    MIN_GENUS_TOKEN_LENGTH,
    MIN_UNINOMIAL_LENGTH,
    SCORE_MISSPELLING_MAX,
    IndexedTerm,
    SpeciesIndex,
    build_species_index,
)
from graphbench.matching.species_tables import TableSource, split_names
from graphbench.matching.text_folding import fold, tokens

WEAK_SCORE_FACTOR = 0.8
# Text matched per listing: an advert names its species early, and a 1 MB "listing" is a dump
# or an attack; the loader warns when it cuts (a field set aside, the listing kept whole).
MAX_TEXT_CHARS = 100_000
_SCIENTIFIC = ("exact", "synonym", "misspelling")


@dataclass(frozen=True, slots=True)
class SpeciesMention:
    scientific_name: str
    term: str  # the words as written in the text
    matched: str  # the canonical term they matched
    match: str  # exact | synonym | common_name | code_word | misspelling
    score: float  # 0..1


@dataclass(slots=True)
class _Candidate:
    term: IndexedTerm
    start: int  # character span in the text
    end: int
    first_token: int  # token span, -1 for substring matches
    last_token: int


@lru_cache(maxsize=1)
def default_index() -> SpeciesIndex:
    """The index over the packaged species and keyword tables, built once."""
    return build_species_index()


def match_text(text: str, index: SpeciesIndex | None = None) -> list[SpeciesMention]:
    """Species mentioned in ``text``, best mention per species, in order of appearance."""
    if not text:
        return []
    index = index or default_index()
    # invisible characters out and compatibility forms folded ("Man\u200dis", fullwidth letters)
    written = unicodedata.normalize("NFC", prepare(text[:MAX_TEXT_CHARS]))
    folded = fold(written)
    if len(folded) != len(written):  # a rare letter changed length when lower-cased
        written = folded
    token_matches = tokens(folded)
    if not folded.isascii():
        # a word mixing Latin with look-alikes of another script ("Маnis", Cyrillic М)
        relooked = fold_mixed_tokens(folded, [m.span() for m in token_matches])
        if relooked != folded:
            folded = relooked
            token_matches = tokens(folded)
    token_texts = [m.group() for m in token_matches]

    candidates, context_term_seen = _token_candidates(index, token_matches, token_texts)
    candidates += _unspaced_candidates(index, folded)
    candidates += _misspelt_candidates(index, token_matches, token_texts, candidates)
    candidates = _outermost(candidates)
    candidates = [
        c for c in candidates
        if c.first_token < 0
        or c.term.match in _SCIENTIFIC and not c.term.weak
        or not is_blocked(token_texts, c.first_token, c.last_token, c.term.weak)
    ]
    if any(c.term.weak for c in candidates) and not any(not c.term.weak for c in candidates):
        if not (context_term_seen or has_sale_context(folded, token_texts)):
            candidates = [c for c in candidates if not c.term.weak]

    best: dict[str, tuple[float, _Candidate]] = {}
    for candidate in candidates:
        score = candidate.term.score * (WEAK_SCORE_FACTOR if candidate.term.weak else 1.0)
        kept = best.get(candidate.term.scientific_name)
        if kept is None or score > kept[0]:
            best[candidate.term.scientific_name] = (score, candidate)
    ordered = sorted(best.values(), key=lambda item: item[1].start)
    return [
        SpeciesMention(
            scientific_name=c.term.scientific_name,
            term=written[c.start:c.end],
            matched=c.term.canonical,
            match=c.term.match,
            score=round(score, 3),
        )
        for score, c in ordered
    ]


def match_texts(texts: Iterable[str], index: SpeciesIndex | None = None) -> list[list[SpeciesMention]]:
    """``match_text`` over many texts with one index."""
    index = index or default_index()
    return [match_text(text, index) for text in texts]


class SpeciesMatcher:
    """An index bound to ``match_text``, for callers that pass one object around."""

    def __init__(self, index: SpeciesIndex) -> None:
        self.index = index

    def match_text(self, text: str) -> list[SpeciesMention]:
        return match_text(text, self.index)

    def species_props(self) -> dict[str, dict[str, Any]]:
        """Species node properties by scientific name, for the species the index knows."""
        return {
            row.scientific_name: {
                "scientific_name": row.scientific_name,
                "cites_appendix": row.cites_appendix or None,
                "common_names": split_names(row.common_names) or None,
                "synonyms": split_names(row.synonyms) or None,
                "taxon_group": row.taxon_group or None,
            }
            for row in self.index.species.itertuples(index=False)
        }


def build_matcher(
    species: TableSource | Sequence[TableSource] | None = None,
    keywords: TableSource | Sequence[TableSource] | None = None,
    *,
    include_defaults: bool = True,
) -> tuple[SpeciesMatcher, dict[str, dict[str, Any]]]:
    """A matcher over the packaged tables plus the given ones, and the Species node
    properties the loader needs for the species it can name."""
    matcher = SpeciesMatcher(build_species_index(species, keywords, include_defaults=include_defaults))
    return matcher, matcher.species_props()


def _token_candidates(
    index: SpeciesIndex, token_matches: list[re.Match[str]], token_texts: list[str]
) -> tuple[list[_Candidate], bool]:
    candidates: list[_Candidate] = []
    context_term_seen = False
    count = len(token_texts)
    for i, token in enumerate(token_texts):
        lengths = index.ngram_lengths.get(token)
        if lengths is None:
            continue
        for n in lengths:
            if i + n > count:
                continue
            key = token if n == 1 else " ".join(token_texts[i:i + n])
            for term in index.token_terms.get(key, ()):
                if not term.scientific_name:
                    context_term_seen = True
                    continue
                candidates.append(_Candidate(
                    term, token_matches[i].start(), token_matches[i + n - 1].end(), i, i + n - 1
                ))
    return candidates, context_term_seen


def _unspaced_candidates(index: SpeciesIndex, folded: str) -> list[_Candidate]:
    if index.unspaced_pattern is None or folded.isascii():
        return []
    return [
        _Candidate(term, found.start(), found.end(), -1, -1)
        for found in index.unspaced_pattern.finditer(folded)
        if not inside_false_friend(folded, found.group(), found.start())
        for term in index.unspaced_terms[found.group()]
        if term.scientific_name
    ]


def _misspelt_candidates(
    index: SpeciesIndex, token_matches: list[re.Match[str]], token_texts: list[str], found: list[_Candidate]
) -> list[_Candidate]:
    # Words of a correctly spelt binomial are no misspelling of another; a genus alone
    # ("Brachypelma") may still be the start of a misspelt binomial ("Brachypelma hamori").
    covered = {
        t for c in found
        if c.term.match in ("exact", "synonym") and 0 <= c.first_token < c.last_token
        for t in range(c.first_token, c.last_token + 1)
    }
    candidates: list[_Candidate] = []
    matched_tokens = {
        t for c in found if c.first_token >= 0 for t in range(c.first_token, c.last_token + 1)
    }
    for i, token in enumerate(token_texts):
        if len(token) < MIN_UNINOMIAL_LENGTH or i in matched_tokens or not token.isalpha():
            continue
        closest_group = index.misspelt_uninomial(token)
        if closest_group is not None:
            _, name, similarity = closest_group
            term = IndexedTerm(name, name, "misspelling", SCORE_MISSPELLING_MAX * similarity / 100.0, False)
            candidates.append(_Candidate(term, token_matches[i].start(), token_matches[i].end(), i, i))
    for i in range(len(token_texts) - 1):
        genus, epithet = token_texts[i], token_texts[i + 1]
        if (
            len(genus) < MIN_GENUS_TOKEN_LENGTH
            or len(epithet) < MIN_FUZZY_TOKEN_LENGTH
            or i in covered
            or i + 1 in covered
            or not index.genus_candidates(genus)
            or not epithet.isalpha()
        ):
            continue
        closest = index.misspelt_binomial(genus, epithet)
        if closest is None:
            continue
        binomial, similarity = closest
        term = IndexedTerm(
            binomial.scientific_name, binomial.written.capitalize(), "misspelling",
            SCORE_MISSPELLING_MAX * similarity / 100.0, False,
        )
        candidates.append(_Candidate(term, token_matches[i].start(), token_matches[i + 1].end(), i, i + 1))
    return candidates


def _outermost(candidates: list[_Candidate]) -> list[_Candidate]:
    """Drop matches lying strictly inside a longer match ("tiger" in "tiger bone wine").

    One sort and one sweep, O(n log n): in (start, -end) order every span that can contain a
    span comes before it, so a span is inside another exactly when some earlier span with a
    different extent reaches at least as far. Equal spans never hide each other.
    """
    order = sorted(range(len(candidates)), key=lambda i: (candidates[i].start, -candidates[i].end))
    hidden = [False] * len(candidates)
    reach = -1  # the furthest end among spans of earlier (start, end) groups
    k = 0
    while k < len(order):
        first = candidates[order[k]]
        span = (first.start, first.end)
        group_end = k
        while group_end < len(order) and (candidates[order[group_end]].start,
                                          candidates[order[group_end]].end) == span:
            group_end += 1
        inside = reach >= span[1]
        for j in range(k, group_end):
            hidden[order[j]] = inside
        reach = max(reach, span[1])
        k = group_end
    return [c for c, drop in zip(candidates, hidden, strict=True) if not drop]
