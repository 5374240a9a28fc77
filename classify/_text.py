"""Text normalisation shared by the classifier and the matcher: NFKC, case folding, OCR-split spaces."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_han", "nfkc", "rule_text", "compact", "meaningful_chars", "mask"]

# CJK ideographs (basic block and extension A) plus the CJK symbols and punctuation block (。，、：「」 ...):
# OCR engines put spaces between these characters that are not in the paper.
_HAN_OR_CJK_PUNCT = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_NEXT_TO_HAN = re.compile(rf"(?<=[{_HAN_OR_CJK_PUNCT}])[ \t]+|[ \t]+(?=[{_HAN_OR_CJK_PUNCT}])")
_SPACES = re.compile(r"[ \t\u00a0]+")
_ALL_WHITESPACE = re.compile(r"\s+")
_MEANINGFUL = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def is_han(ch: str) -> bool:
    """True for a CJK unified ideograph (basic block, extension A or compatibility ideographs)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def nfkc(text: str) -> str:
    """NFKC-normalise: full-width letters and digits become ASCII, compatibility forms are unfolded."""
    return unicodedata.normalize("NFKC", text)


def rule_text(text: str) -> str:
    """The form rules are matched against: NFKC, case-folded, runs of spaces collapsed to one, and spaces
    next to Chinese characters removed (OCR splits Chinese words; English words keep their single spaces).
    Line breaks are kept so that line-anchored regexes still work."""
    text = _SPACES.sub(" ", nfkc(text).casefold())
    return _SPACE_NEXT_TO_HAN.sub("", text)


def compact(text: str) -> str:
    """NFKC, case-folded, all whitespace removed: the most forgiving form, used for Chinese phrases."""
    return _ALL_WHITESPACE.sub("", nfkc(text).casefold())


def meaningful_chars(text: str) -> int:
    """Count letters, digits and Chinese characters: what is left of a page when noise and punctuation go."""
    return len(_MEANINGFUL.findall(nfkc(text)))


def mask(value: str) -> str:
    """Hide an identifier for a repr, keeping only its length.

    Records that carry identifiers use it in `__repr__` so that a stray log line cannot leak them.
    """
    return f"<{len(value)} chars>"
