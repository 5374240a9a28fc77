"""Text normalisation shared by OCR, text layer, classification and search: NFKC plus CJK-aware spacing."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["is_han", "join_tokens", "normalize_text"]

# CJK Unified Ideographs, Extension A, Compatibility Ideographs and the supplementary-plane extensions.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RE = re.compile(f"[{_HAN}]")
# Characters after which, or before which, no space belongs in Chinese text: Han, CJK symbols and
# punctuation (、。《》「」【】…), full-width forms that survive NFKC (，：；！？（）), Chinese quotes.
_CJK = (
    _HAN
    + r"\u3000-\u303f\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f\u2018\u2019\u201c\u201d\u2026\u2014\u00b7"
)
_CJK_SPACE_RE = re.compile(f"(?<=[{_CJK}])[ ]+(?=[{_CJK}])")
# Full-width punctuation carries its own spacing: a space beside it is an engine's or a generator's artefact.
_FW_PUNCT = "\uff0c\uff1a\uff1b\uff01\uff1f\uff08\uff09\u3001\u3002\u300a\u300b\u201c\u201d"
_FW_SPACE_RE = re.compile(f"(?<=[{_FW_PUNCT}])[ ]+|[ ]+(?=[{_FW_PUNCT}])")
_SPACES_RE = re.compile(r"[ \t\f\v]+")
# Zero-width and bidi formatting characters carry nothing a clerk or a search can use.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# ASCII punctuation that Chinese typesetting writes full-width. NFKC folds the full-width forms to ASCII,
# and engines emit either form at random, so both are brought to one spelling by context.
_FULL_WIDTH = {
    ",": "\uff0c",
    ":": "\uff1a",
    ";": "\uff1b",
    "!": "\uff01",
    "?": "\uff1f",
    "(": "\uff08",
    ")": "\uff09",
}
_CJK_CLOSERS = set("\uff09\u300b\u300d\u300f\u3011\u201d")


def is_han(ch: str) -> bool:
    """True for a Chinese character (any CJK ideograph block)."""
    return bool(_HAN_RE.match(ch))


def _is_latin_or_digit(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_tokens(tokens: Iterable[str]) -> str:
    """Join pieces of one line in left-to-right order, with a space only between Latin/digit neighbours.

    Engines cut a line into pieces (Tesseract words, PP-OCR boxes, table cells). Chinese takes no spaces,
    but two numbers side by side must not fuse into one (a phone number next to an amount would then
    look like a single long identifier), so a space goes exactly where both neighbours are ASCII letters
    or digits.

    Args:
        tokens: The pieces, in reading order.

    Returns:
        One line of text.
    """
    out: list[str] = []
    for token in tokens:
        token = token.strip()
        if not token:
            continue
        if out and _is_latin_or_digit(out[-1][-1]) and _is_latin_or_digit(token[0]):
            out.append(" ")
        out.append(token)
    return "".join(out)


def _cjk_punctuation(line: str) -> str:
    """ASCII , : ; ! ? ( ) touching Chinese on either side become full-width; elsewhere they stay ASCII."""
    if not any(ch in _FULL_WIDTH for ch in line):
        return line
    chars = list(line)
    opened: list[bool] = []  # for each open "(", whether it was made full-width, so ")" can match it

    def neighbour(i: int, step: int) -> str:
        i += step
        while 0 <= i < len(chars) and chars[i] == " ":
            i += step
        return chars[i] if 0 <= i < len(chars) else ""

    for i, ch in enumerate(chars):
        if ch not in _FULL_WIDTH:
            continue
        prev, nxt = neighbour(i, -1), neighbour(i, 1)
        touches = (bool(prev) and (is_han(prev) or prev in _CJK_CLOSERS)) or (bool(nxt) and is_han(nxt))
        if ch == "(":
            opened.append(touches)
            full = touches
        elif ch == ")":
            full = opened.pop() if opened else touches
        else:
            full = touches
        if full:
            chars[i] = _FULL_WIDTH[ch]
    return "".join(chars)


def normalize_text(text: str) -> str:
    """Bring OCR and text-layer output to one spelling before it is stored, matched or indexed.

    - NFKC: full-width letters and digits become ASCII (ＶＩＮ１２ → VIN12), compatibility forms are
      unfolded (① → 1, ㎡ → m2, the ideographic space → a space), so identifiers match however printed.
    - Chinese punctuation stays Chinese: NFKC would turn ，：；！？（） into ASCII, and engines mix both
      forms anyway, so these are written full-width when they touch Chinese text and ASCII elsewhere
      (``电话:138`` → ``电话：138``, ``Tel：138`` → ``Tel:138``). 。、《》“” are untouched by NFKC.
    - Spaces between Chinese characters, and beside full-width punctuation, are removed (Tesseract and some
      PDF generators put one between every character, which breaks phrase search and keyword rules); runs of
      spaces become one; control and zero-width characters go; lines are stripped and empty ones dropped.

    Idempotent: normalising twice gives the same text.

    Args:
        text: Raw text, lines separated by any newline convention.

    Returns:
        The normalised text, lines joined with "\\n".
    """
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text)
    lines = []
    for raw in text.splitlines():
        line = _SPACES_RE.sub(" ", _CONTROL_RE.sub(" ", raw)).strip()
        if not line:
            continue
        line = _cjk_punctuation(line)
        line = _FW_SPACE_RE.sub("", _CJK_SPACE_RE.sub("", line))
        lines.append(line)
    return "\n".join(lines)
