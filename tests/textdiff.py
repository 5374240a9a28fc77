"""Character error rate for comparing OCR text with the truth: never compare OCR output for equality."""

from __future__ import annotations

import unicodedata


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(hypothesis: str, truth: str) -> float:
    """Edit distance over truth length, whitespace removed and NFKC applied on both sides."""
    h, t = _squash(hypothesis), _squash(truth)
    return edit_distance(h, t) / max(1, len(t))
