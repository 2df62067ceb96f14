"""Entity resolution of accounts: which accounts are run by the same operator (SAME_AS).

Nothing is merged: each pair above the threshold becomes one SAME_AS link carrying its score and
the evidence behind it, so an analyst can read, accept or reject it.

How a pair is scored — every weight lives in :class:`SameAsWeights`:

=====================  =====================================================  ======
evidence               meaning                                                weight
=====================  =====================================================  ======
``shared_phone``       both accounts list the phone number                    0.90
``shared_email``       both accounts list the e-mail address                  0.90
``shared_payment``     both accounts use the payment channel / wallet         0.80
``cross_post:N``       N listings of one cross-posted as listings of other    0.30 each,
                                                                              0.45 at most
``link:mutual``        each profile links to the other                        0.40
``link:one_way``       one profile links to the other                         0.25
``handle_sim:S``       handles alike once decorations are stripped            0.65 × S
                       (S ≥ 0.80, see :func:`handle_stem`)
=====================  =====================================================  ======

Pieces of evidence combine as a noisy-OR, ``score = 1 - Π(1 - weight × damping)``, and a pair is
kept when ``score ≥ threshold`` (0.70). The weights encode three tiers: a shared phone, e-mail or
wallet is enough on its own; cross-posts and profile links show that accounts *work together*
(ring partners do both), so even all of them together stay below the threshold (0.67); a
look-alike handle alone (≤ 0.65) is not enough either. A reused name plus a sign of working
together is: ``reptile.house`` and ``reptilehouse_vn`` (same stem, S = 1) with one cross-post
(0.76) or one one-way link (0.74); a misspelt name (S = 0.92) needs a little more (a mutual link).

Damping (IDF-like): an identifier held by ``d`` accounts counts in full up to ``free_degree``
(4, a typical operator's account count), then falls as ``log(max_degree / d) / log(max_degree /
free_degree)`` to zero at ``max_degree`` (40); identifiers held by more accounts make no pairs at
all. So an escrow channel or a shop's switchboard number cannot chain unrelated sellers. The same
damping applies to the number of accounts a profile links to (an influencer advertising many
sellers) and the number of accounts an account cross-posts with (a reseller of stock photos).

Handle similarity is computed only for pairs that already have other evidence (it can never
reach the threshold alone, so looking for it everywhere would cost without changing the result).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz

SAME_AS_COLUMNS = ["start", "end", "score", "evidence"]
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_OFFICIAL = re.compile(r"[._-]?official$")
_COUNTRY_SUFFIX = re.compile(r"[._-][a-z]{2}$")
_NUMBER_SUFFIX = re.compile(r"[._-]?\d+$")
# Order in which evidence kinds are listed in the ``evidence`` text.
_EVIDENCE_ORDER = ("shared_phone", "shared_email", "shared_payment", "cross_post", "link", "handle_sim")


@dataclass(frozen=True)
class SameAsWeights:
    phone: float = 0.90
    email: float = 0.90
    payment: float = 0.80
    cross_post: float = 0.30  # per cross-posted listing pair
    cross_post_cap: float = 0.45  # all cross-posts of a pair together
    link_mutual: float = 0.40
    link_one_way: float = 0.25
    handle: float = 0.65  # times the similarity
    min_handle_sim: float = 0.80
    free_degree: int = 4
    max_degree: int = 40
    threshold: float = 0.70

    def damping(self, degree: np.ndarray) -> np.ndarray:
        """1 up to ``free_degree`` accounts, falling (log scale) to 0 at ``max_degree``."""
        degree = np.asarray(degree, dtype=np.float64)
        span = math.log(self.max_degree / self.free_degree)
        falling = np.log(self.max_degree / np.maximum(degree, 1.0)) / span
        return np.clip(np.where(degree <= self.free_degree, 1.0, falling), 0.0, 1.0)


def resolve_accounts(accounts: pd.DataFrame, *, has_phone: pd.DataFrame | None = None,
                     has_email: pd.DataFrame | None = None, uses: pd.DataFrame | None = None,
                     links_to: pd.DataFrame | None = None, posted: pd.DataFrame | None = None,
                     cross_posts: pd.DataFrame | None = None,
                     weights: SameAsWeights | None = None) -> pd.DataFrame:
    """SAME_AS pairs of accounts: columns ``start, end, score, evidence`` with ``start < end``.

    ``accounts``: Account nodes (``id``, ``handle``); the relationship tables are what
    ``store.relationships`` returns (``start``, ``end``); ``cross_posts`` are listing pairs
    (:func:`graphbench.resolve.crossposts.find_cross_posts`) and need ``posted`` to find owners.
    """
    w = weights or SameAsWeights()
    known = set(accounts["id"].astype(str))
    pieces = [
        _shared_identifier(has_phone, "shared_phone", w.phone, w, known, strip_label=True),
        _shared_identifier(has_email, "shared_email", w.email, w, known, strip_label=True),
        _shared_identifier(uses, "shared_payment", w.payment, w, known, strip_label=False),
        _cross_post_evidence(cross_posts, posted, w, known),
        _link_evidence(links_to, w, known),
    ]
    evidence = pd.concat([p for p in pieces if not p.empty], ignore_index=True) if any(
        not p.empty for p in pieces) else _empty_evidence()
    if evidence.empty:
        return _empty_result()
    evidence = pd.concat([evidence, _handle_evidence(evidence, accounts, w)], ignore_index=True)
    scored = _combine(evidence)
    return scored[scored["score"] >= w.threshold].reset_index(drop=True)


# -- evidence, one long table: start, end, kind, detail, weight ----------------------------------

def _shared_identifier(table: pd.DataFrame | None, kind: str, weight: float, w: SameAsWeights,
                       known: set[str], strip_label: bool) -> pd.DataFrame:
    if table is None or table.empty:
        return _empty_evidence()
    links = table.loc[table["start"].isin(known), ["start", "end"]].drop_duplicates()
    degree = links.groupby("end")["start"].transform("size")
    links = links[(degree >= 2) & (degree < w.max_degree)].assign(degree=degree)
    pairs = links.merge(links[["start", "end"]], on="end", suffixes=("", "_other"))
    pairs = pairs[pairs["start"] < pairs["start_other"]]
    detail = pairs["end"].str.split(":", n=1).str[1] if strip_label else pairs["end"]
    return pd.DataFrame({
        "start": pairs["start"].to_numpy(), "end": pairs["start_other"].to_numpy(), "kind": kind,
        "detail": detail.to_numpy(dtype=object),
        "weight": weight * w.damping(pairs["degree"].to_numpy()),
    })


def _cross_post_evidence(cross_posts: pd.DataFrame | None, posted: pd.DataFrame | None,
                         w: SameAsWeights, known: set[str]) -> pd.DataFrame:
    if cross_posts is None or cross_posts.empty or posted is None or posted.empty:
        return _empty_evidence()
    owner = posted.drop_duplicates("end").set_index("end")["start"]
    a = cross_posts["start"].map(owner)
    b = cross_posts["end"].map(owner)
    ok = a.notna() & b.notna() & (a != b) & a.isin(known) & b.isin(known)
    pairs = pd.DataFrame({"start": np.minimum(a[ok], b[ok]), "end": np.maximum(a[ok], b[ok])})
    if pairs.empty:
        return _empty_evidence()
    counts = pairs.value_counts().rename("count").reset_index()
    # an account cross-posting with many accounts is a photo reseller, not an operator's twin
    partners = pd.concat([counts["start"], counts["end"]]).value_counts()
    degree = np.maximum(counts["start"].map(partners), counts["end"].map(partners)) + 1
    each = w.cross_post * w.damping(degree.to_numpy())
    return pd.DataFrame({
        "start": counts["start"], "end": counts["end"], "kind": "cross_post",
        "detail": counts["count"].astype(str),
        "weight": np.minimum(1.0 - (1.0 - each) ** counts["count"].to_numpy(), w.cross_post_cap),
    })


def _link_evidence(links_to: pd.DataFrame | None, w: SameAsWeights, known: set[str]) -> pd.DataFrame:
    if links_to is None or links_to.empty:
        return _empty_evidence()
    links = links_to.loc[links_to["start"].isin(known) & links_to["end"].isin(known)
                         & (links_to["start"] != links_to["end"]), ["start", "end"]].drop_duplicates()
    if links.empty:
        return _empty_evidence()
    out_degree = links.groupby("start")["end"].transform("size") + 1  # the linker and whom it links
    links = links.assign(damping=w.damping(out_degree.to_numpy()),
                         a=np.minimum(links["start"], links["end"]), b=np.maximum(links["start"], links["end"]))
    grouped = links.groupby(["a", "b"]).agg(directions=("start", "size"), damping=("damping", "max")).reset_index()
    mutual = grouped["directions"] >= 2
    return pd.DataFrame({
        "start": grouped["a"], "end": grouped["b"], "kind": "link",
        "detail": np.where(mutual, "mutual", "one_way"),
        "weight": np.where(mutual, w.link_mutual, w.link_one_way) * grouped["damping"].to_numpy(),
    })


def _handle_evidence(evidence: pd.DataFrame, accounts: pd.DataFrame, w: SameAsWeights) -> pd.DataFrame:
    pairs = evidence[["start", "end"]].drop_duplicates()
    handles = _handles(accounts)
    sims = np.array([handle_similarity(handles.get(a, ""), handles.get(b, ""))
                     for a, b in zip(pairs["start"], pairs["end"], strict=True)], dtype=np.float64)
    alike = sims >= w.min_handle_sim
    return pd.DataFrame({
        "start": pairs["start"].to_numpy()[alike], "end": pairs["end"].to_numpy()[alike], "kind": "handle_sim",
        "detail": [f"{s:.2f}" for s in sims[alike]], "weight": w.handle * sims[alike],
    })


def handle_similarity(a: str, b: str) -> float:
    """0..1 likeness of two handles once the usual decorations are stripped (see :func:`handle_stem`).

    ``reptile.house`` ~ ``reptilehouse_vn`` ~ ``thereptilehouse`` ~ ``reptile_house27`` score 1.0;
    a misspelling (``reptlie.house``) scores by edit ratio (0.92); ``foresthouse`` vs
    ``shellhouse`` stays low (0.67), as partial matching would not.
    """
    a, b = handle_stem(a), handle_stem(b)
    if not a or not b:
        return 0.0
    return round(fuzz.ratio(a, b) / 100.0, 2)


def handle_stem(handle: str) -> str:
    """A handle without what operators add to reuse a name: ``the`` prefix, ``official``, a
    trailing number or two-letter country code, punctuation: ``thereptile.house_vn`` → ``reptilehouse``."""
    stem = handle.lower().lstrip("@")
    stem = _OFFICIAL.sub("", stem)
    stem = _COUNTRY_SUFFIX.sub("", stem)
    stem = _NUMBER_SUFFIX.sub("", stem)
    stem = _NOT_ALNUM.sub("", stem)
    if stem.startswith("the") and len(stem) > 6:
        stem = stem[3:]
    return stem


def _handles(accounts: pd.DataFrame) -> dict[str, str]:
    if "handle" in accounts.columns:
        values = accounts["handle"].fillna("").astype(str)
    else:  # Account:platform:handle
        values = accounts["id"].astype(str).str.split(":", n=2).str[2].fillna("")
    return dict(zip(accounts["id"].astype(str), values, strict=True))


def _combine(evidence: pd.DataFrame) -> pd.DataFrame:
    """One row per pair: the noisy-OR score of its evidence and the evidence text."""
    evidence = evidence.assign(
        rank=evidence["kind"].map({k: i for i, k in enumerate(_EVIDENCE_ORDER)}),
        keep=np.log1p(-np.minimum(evidence["weight"].to_numpy(dtype=np.float64), 0.999999)),
        text=evidence["kind"] + ":" + evidence["detail"].astype(str),
    ).sort_values(["start", "end", "rank", "text"])
    grouped = evidence.groupby(["start", "end"], sort=True)
    result = pd.DataFrame({
        "score": 1.0 - np.exp(grouped["keep"].sum()),
        "evidence": grouped["text"].agg(";".join),
    }).reset_index()
    result["score"] = result["score"].round(4)
    return result[SAME_AS_COLUMNS]


def _empty_evidence() -> pd.DataFrame:
    return pd.DataFrame({"start": pd.Series(dtype=object), "end": pd.Series(dtype=object),
                         "kind": pd.Series(dtype=object), "detail": pd.Series(dtype=object),
                         "weight": pd.Series(dtype="float64")})


def _empty_result() -> pd.DataFrame:
    return pd.DataFrame({"start": pd.Series(dtype=object), "end": pd.Series(dtype=object),
                         "score": pd.Series(dtype="float64"), "evidence": pd.Series(dtype=object)})
