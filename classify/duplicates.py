"""The same paper scanned twice: near-identical text on documents of one customer; pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from classify._text import compact, nfkc

#: Character-trigram Jaccard similarity from which two pages are taken for scans of one paper. Two OCR
#: readings of one scan differ by a few per cent of characters; two papers of one type (two invoices of one
#: customer) share their form but not their numbers, names and amounts.
SAME_PAPER = 0.9
MIN_CHARS = 60  # shorter pages (a photo caption, an ID card) say too little to tell papers apart


def _grams(text: str) -> frozenset[str]:
    flat = compact(nfkc(text)).lower()
    return frozenset(flat[i : i + 3] for i in range(len(flat) - 2))


def similarity(a: str, b: str) -> float:
    ga, gb = _grams(a), _grams(b)
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


@dataclass(frozen=True, slots=True)
class Earlier:
    """A document already in the archive that a new one is compared with."""

    document_id: int
    label: str  # its archive number, or "document <id>" while in review
    pages: tuple[str, ...]
    dossiers: tuple[str, ...] = ()  # archive numbers of the dossier it is filed in, or those it is pending in


def find_duplicate(pages: Sequence[str], earlier: Sequence[Earlier]) -> tuple[Earlier, float] | None:
    """The earlier document this one repeats, when every substantial page of it has a near-identical page there."""
    substantial = [p for p in pages if len(compact(p)) >= MIN_CHARS]
    if not substantial:
        return None
    best: tuple[Earlier, float] | None = None
    for doc in earlier:
        scores = [max((similarity(p, q) for q in doc.pages), default=0.0) for p in substantial]
        score = min(scores)
        if score >= SAME_PAPER and (best is None or score > best[1]):
            best = (doc, score)
    return best
