"""Character error rate of OCR text against the corpus truth, for tests and benches: never compare OCR output
for equality."""

from __future__ import annotations

import unicodedata


def squash(text: str) -> str:
    """The text as CER compares it: NFKC, whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    if len(a) < len(b):  # the shorter one as the row: less memory, same distance
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(hypothesis: str, truth: str) -> float:
    """Edit distance over truth length, whitespace removed and NFKC applied on both sides."""
    h, t = squash(hypothesis), squash(truth)
    return edit_distance(h, t) / max(1, len(t))
