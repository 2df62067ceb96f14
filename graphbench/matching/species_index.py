"""The lookup structures the matcher uses, built once from the species and keyword tables.

- ``token_terms``: folded token n-gram -> the species terms it spells (scientific names,
  synonyms, ``G. epithet`` abbreviations, common names, watchlist terms);
- ``unspaced_terms`` and one regex over them: Chinese, Thai, ... terms found as substrings;
- ``genera_by_initial`` / ``binomials_by_genus``: the candidates for a misspelt binomial,
  so a token is compared only with genera of the same initial and a close length.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz

from graphbench.matching.context_rules import EVERYDAY_TERMS, is_weak
from graphbench.matching.species_tables import (
    TableSource,
    merge_keyword_tables,
    merge_species_tables,
    read_keywords_table,
    read_species_table,
    split_names,
)
from graphbench.matching.text_folding import has_unspaced_script, term_key

SCORE_EXACT = 1.0
SCORE_SYNONYM = 0.95
SCORE_ABBREVIATED = 0.9
SCORE_COMMON_PHRASE = 0.9
SCORE_COMMON_WORD = 0.85
SCORE_PRODUCT = 0.85
SCORE_CODE_WORD = 0.7
SCORE_MISSPELLING_MAX = 0.9

GENUS_SIMILARITY_MIN = 75.0
BINOMIAL_SIMILARITY_MIN = 88.0
EPITHET_SIMILARITY_MIN = 80.0
# A correctly spelt genus that is no everyday word ("Loxodonta afzciana") allows a looser epithet.
EPITHET_SIMILARITY_MIN_AFTER_GENUS = 75.0
UNINOMIAL_SIMILARITY_MIN = 85.0
MIN_FUZZY_TOKEN_LENGTH = 4
MIN_GENUS_TOKEN_LENGTH = 3  # "Ara"
MIN_UNINOMIAL_LENGTH = 7
_GENUS_MEMO_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class IndexedTerm:
    """One way of naming a species. An empty ``scientific_name`` marks a context term
    (e.g. "CB", "wild caught") that names no species but tells that something is traded."""

    scientific_name: str
    canonical: str
    match: str  # exact | synonym | common_name | code_word
    score: float
    weak: bool


@dataclass(frozen=True, slots=True)
class Binomial:
    epithet: str
    scientific_name: str
    written: str  # the binomial as listed (accepted name or synonym)


class SpeciesIndex:
    """Immutable after construction; safe to share between threads and processes."""

    def __init__(self, species: pd.DataFrame, keywords: pd.DataFrame) -> None:
        self.species = species
        self.keywords = keywords
        by_key: dict[str, dict[str, IndexedTerm]] = defaultdict(dict)
        abbreviations: dict[str, dict[str, IndexedTerm]] = defaultdict(dict)
        binomials: dict[str, list[Binomial]] = defaultdict(list)

        def add(term: str, scientific_name: str, match: str, score: float, kind: str,
                overrides: bool = False) -> None:
            key = term_key(term)
            if not key or (has_unspaced_script(key) and len(key) < 2):
                return
            entry = IndexedTerm(scientific_name, term, match, score, is_weak(key, kind))
            current = by_key[key].get(scientific_name)
            if current is None or overrides or entry.score > current.score:
                by_key[key][scientific_name] = entry

        for row in species.itertuples(index=False):
            name = row.scientific_name
            add(name, name, "exact", SCORE_EXACT, "scientific")
            self._add_binomial(name, name, "exact", abbreviations, binomials)
            for synonym in split_names(row.synonyms):
                add(synonym, name, "synonym", SCORE_SYNONYM, "scientific")
                self._add_binomial(synonym, name, "synonym", abbreviations, binomials)
            for common in split_names(row.common_names):
                score = SCORE_COMMON_PHRASE if _is_phrase(common) else SCORE_COMMON_WORD
                add(common, name, "common_name", score, "common_name")

        for row in keywords.itertuples(index=False):
            kind = row.kind.strip() or "code_word"
            if kind == "common_name":
                score, match = (SCORE_COMMON_PHRASE if _is_phrase(row.term) else SCORE_COMMON_WORD), kind
            elif kind == "product":
                score, match = SCORE_PRODUCT, "code_word"
            else:
                score, match = SCORE_CODE_WORD, "code_word"
            # The watchlist says what kind of term it is, even where a common name agrees.
            add(row.term, row.scientific_name.strip(), match, score, kind, overrides=True)

        # An abbreviation shared by two species ("A. radiata"?) names neither.
        for key, entries in abbreviations.items():
            if len(entries) == 1 and key not in by_key:
                by_key[key] = entries

        self.token_terms: dict[str, tuple[IndexedTerm, ...]] = {}
        self.unspaced_terms: dict[str, tuple[IndexedTerm, ...]] = {}
        lengths: dict[str, set[int]] = defaultdict(set)
        for key, entries in by_key.items():
            if has_unspaced_script(key):
                self.unspaced_terms[key] = tuple(entries.values())
            else:
                self.token_terms[key] = tuple(entries.values())
                words = key.split(" ")
                lengths[words[0]].add(len(words))
        self.ngram_lengths = {first: tuple(sorted(ns, reverse=True)) for first, ns in lengths.items()}
        self.unspaced_pattern = (
            re.compile("|".join(re.escape(k) for k in sorted(self.unspaced_terms, key=len, reverse=True)))
            if self.unspaced_terms
            else None
        )
        self.binomials_by_genus = {genus: tuple(items) for genus, items in binomials.items()}
        # Group rows (a genus, family or order) can be misspelt on their own: "Scleractna".
        uninomials: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for name in species["scientific_name"]:
            key = term_key(name)
            if " " not in key and len(key) >= MIN_UNINOMIAL_LENGTH and key.isalpha():
                uninomials[key[0]].append((key, name))
        self.uninomials_by_initial = {initial: tuple(items) for initial, items in uninomials.items()}
        self._uninomial_memo: dict[str, tuple[str, str, float] | None] = {}
        initials: dict[str, list[str]] = defaultdict(list)
        for genus in self.binomials_by_genus:
            initials[genus[0]].append(genus)
        self.genera_by_initial = {initial: tuple(g) for initial, g in initials.items()}
        self._genus_memo: dict[str, tuple[str, ...]] = {}

    @staticmethod
    def _add_binomial(
        written: str,
        scientific_name: str,
        match: str,
        abbreviations: dict[str, dict[str, IndexedTerm]],
        binomials: dict[str, list[Binomial]],
    ) -> None:
        words = term_key(written).split(" ")
        if len(words) < 2 or not written[:1].isupper() or not all(w.isalpha() for w in words[:2]):
            return
        genus, epithet = words[0], words[1]
        binomials[genus].append(Binomial(epithet, scientific_name, f"{genus} {epithet}"))
        if len(epithet) >= MIN_FUZZY_TOKEN_LENGTH:
            abbreviated = f"{written[0]}. {' '.join(written.split()[1:])}"
            abbreviations[f"{genus[0]} {' '.join(words[1:])}"][scientific_name] = IndexedTerm(
                scientific_name, abbreviated, match, SCORE_ABBREVIATED, False
            )

    def genus_candidates(self, token: str) -> tuple[str, ...]:
        """Genera a folded token could be a spelling of (same initial, close length)."""
        found = self._genus_memo.get(token)
        if found is not None:
            return found
        found = tuple(
            genus
            for genus in self.genera_by_initial.get(token[:1], ())
            if abs(len(genus) - len(token)) <= 2
            and fuzz.ratio(token, genus, score_cutoff=GENUS_SIMILARITY_MIN)
        )
        if len(self._genus_memo) >= _GENUS_MEMO_LIMIT:
            self._genus_memo.clear()
        self._genus_memo[token] = found
        return found

    def misspelt_uninomial(self, token: str) -> tuple[str, str, float] | None:
        """(folded name, scientific name, similarity) of the group row (genus, family,
        order) a long folded token misspells, or None."""
        if token in self._uninomial_memo:
            return self._uninomial_memo[token]
        found = _misspelt_uninomial_uncached(self.uninomials_by_initial.get(token[:1], ()), token)
        if len(self._uninomial_memo) >= _GENUS_MEMO_LIMIT:
            self._uninomial_memo.clear()
        self._uninomial_memo[token] = found
        return found

    def misspelt_binomial(self, genus_token: str, epithet_token: str) -> tuple[Binomial, float] | None:
        """The closest listed binomial to two folded tokens, with its similarity in
        0..100, or None when none is close enough (or the tokens are spelt right)."""
        best: tuple[Binomial, float] | None = None
        written = f"{genus_token} {epithet_token}"
        for genus in self.genus_candidates(genus_token):
            epithet_min = (
                EPITHET_SIMILARITY_MIN_AFTER_GENUS
                if genus == genus_token and genus not in EVERYDAY_TERMS
                else EPITHET_SIMILARITY_MIN
            )
            for binomial in self.binomials_by_genus[genus]:
                if abs(len(binomial.epithet) - len(epithet_token)) > 3:
                    continue
                if binomial.written == written:
                    return None
                if fuzz.ratio(epithet_token, binomial.epithet) < epithet_min:
                    continue
                similarity = fuzz.ratio(written, binomial.written, score_cutoff=BINOMIAL_SIMILARITY_MIN)
                if similarity and (best is None or similarity > best[1]):
                    best = (binomial, similarity)
        return best


def _misspelt_uninomial_uncached(
    candidates: tuple[tuple[str, str], ...], token: str
) -> tuple[str, str, float] | None:
    best: tuple[str, str, float] | None = None
    for key, name in candidates:
        if key == token or abs(len(key) - len(token)) > 2:
            continue
        similarity = fuzz.ratio(token, key, score_cutoff=UNINOMIAL_SIMILARITY_MIN)
        if similarity and (best is None or similarity > best[2]):
            best = (key, name, similarity)
    return best


def _is_phrase(term: str) -> bool:
    key = term_key(term)
    return " " in key or has_unspaced_script(key)


def _as_list(sources: TableSource | Sequence[TableSource] | None) -> list[TableSource]:
    if sources is None:
        return []
    if isinstance(sources, (pd.DataFrame, str)) or not isinstance(sources, Sequence):
        return [sources]
    return list(sources)


def build_species_index(
    species: TableSource | Sequence[TableSource] | None = None,
    keywords: TableSource | Sequence[TableSource] | None = None,
    *,
    include_defaults: bool = True,
) -> SpeciesIndex:
    """An index over the packaged tables (unless ``include_defaults`` is False) merged
    with the given user tables (paths or DataFrames with the canonical columns)."""
    species_tables = [read_species_table()] if include_defaults else []
    species_tables += [read_species_table(source) for source in _as_list(species)]
    keyword_tables = [read_keywords_table()] if include_defaults else []
    keyword_tables += [read_keywords_table(source) for source in _as_list(keywords)]
    return SpeciesIndex(merge_species_tables(species_tables), merge_keyword_tables(keyword_tables))
