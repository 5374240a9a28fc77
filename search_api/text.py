"""Text analysis shared by every index backend: normalisation, tokens, sensitive values, dates, snippets.

The same functions run at indexing and at query time, so that what a user types matches what was indexed.
Chinese characters and digits are single tokens and queries become phrases of their character bigrams, which
gives exact substring semantics (an ID's last six digits, a 1- or 2-character word) without a dictionary.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

_HAN = "\u3005\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# One Han or kana character, or a run of letters and digits; everything else separates tokens.
_TOKEN = re.compile(rf"[{_HAN}]|[^\W_{_HAN}]+")
_DIGIT = re.compile(r"\d")
#: Stands in the ordinary fields for a hidden sensitive value: no query ever produces it.
MASK_TOKEN = "#"


def normalize(text: str) -> str:
    """NFKC: full-width letters and digits, compatibility forms; on both sides of a search (DESIGN.md).

    A page's stored text is the normalised one and snippets are cut from it, so their offsets need no map.
    """
    return unicodedata.normalize("NFKC", text)


def fold(text: str) -> str:
    """Lower case with the length kept, so that offsets found in the folded text hold in the original."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c.lower()[:1] or c for c in text)


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int  # character offsets in the normalised text
    end: int


def tokens(text: str) -> list[Token]:
    """Tokens of normalised, folded text: a Han character; a word of letters; each character of a run with a digit.

    Identifiers (VINs, ID numbers, plates) mix letters and digits, so such a run is split into characters and
    any part of it can be found; a run of letters alone is an English (or pinyin) word, matched whole.
    """
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        run, start = m.group(), m.start()
        if len(run) > 1 and _DIGIT.search(run):
            out.extend(Token(ch, start + i, start + i + 1) for i, ch in enumerate(run))
        else:
            out.append(Token(run, start, m.end()))
    return out


def bigram(a: str, b: str) -> str:
    return a + b if len(a) == 1 and len(b) == 1 else f"{a}_{b}"


def bigrams(words: Sequence[str]) -> list[str]:
    return [bigram(a, b) for a, b in zip(words, words[1:], strict=False)]


# --- sensitive values ----------------------------------------------------------------------------------------

_ID_NUMBER = re.compile(r"(?<![0-9a-z])(\d{6}) ?(\d{8}) ?(\d{3}[0-9x×])(?![0-9a-z])")
_PASSPORT = re.compile(r"(?<![0-9a-z])(?:e[0-9a-z]\d{7}|[egdsp]\d{8})(?![0-9a-z])")
_ACCOUNT_LABEL = re.compile(
    r"(?:账号|帳號|帐号|账户|卡号|银行账|account(?:\s*(?:no\.?|number))?|a/c)[^0-9\n]{0,16}?(\d(?:[ -]?\d){9,29})(?!\d)"
)
_CARD = re.compile(r"(?<!\d)\d(?:[ -]?\d){15,18}(?!\d)")


class SensitiveKind:
    ID_NUMBER = "id_number"
    PASSPORT = "passport"
    BANK_ACCOUNT = "bank_account"


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    kind: str


def sensitive_spans(text: str) -> list[Span]:
    """Where ID numbers, passport numbers and bank accounts are in folded text (sorted, not overlapping).

    Shape is enough: a false alarm hides a number from those without the permission, a miss would show one.
    """
    found: list[Span] = [Span(m.start(), m.end(), SensitiveKind.ID_NUMBER) for m in _ID_NUMBER.finditer(text)]
    found += [Span(m.start(), m.end(), SensitiveKind.PASSPORT) for m in _PASSPORT.finditer(text)]
    found += [Span(m.start(1), m.end(1), SensitiveKind.BANK_ACCOUNT) for m in _ACCOUNT_LABEL.finditer(text)]
    found += [
        Span(m.start(), m.end(), SensitiveKind.BANK_ACCOUNT)
        for m in _CARD.finditer(text)
        if _luhn(re.sub(r"\D", "", m.group()))
    ]
    found.sort(key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for span in found:
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end), last.kind)
        else:
            merged.append(span)
    return merged


@dataclass(frozen=True, slots=True)
class Analyzed:
    """A page's text as the indexes take it: ordinary tokens (sensitive values masked) and sensitive ones apart."""

    text: str  # normalised, sensitive values in place (stored; shown only through a snippet that masks them)
    words: list[str]  # ordinary tokens, each sensitive value replaced by MASK_TOKEN
    secret_words: list[str]  # tokens of the sensitive values, MASK_TOKEN between two values
    spans: list[Span]
    masked_text: str  # the normalised text with each sensitive character replaced by '*'


def analyze(raw: str) -> Analyzed:
    text = normalize(raw)
    low = fold(text)
    spans = sensitive_spans(low)
    words: list[str] = []
    secret: list[str] = []
    toks = tokens(low)
    i = 0
    for span in spans:
        while i < len(toks) and toks[i].start < span.start:
            words.append(toks[i].text)
            i += 1
        if secret:
            secret.append(MASK_TOKEN)
        while i < len(toks) and toks[i].start < span.end:
            secret.append(toks[i].text)
            i += 1
        words.append(MASK_TOKEN)
    words.extend(t.text for t in toks[i:])
    return Analyzed(text, words, secret, spans, mask(text, spans))


def mask(text: str, spans: Iterable[Span], *, offset: int = 0) -> str:
    chars = list(text)
    for span in spans:
        for k in range(max(span.start - offset, 0), min(span.end - offset, len(chars))):
            if not chars[k].isspace():
                chars[k] = "*"
    return "".join(chars)


# --- the document's own date --------------------------------------------------------------------------------

_DATE_LABELS = ("开票日期", "签订日期", "签约日期", "签署日期", "合同日期", "交车日期", "日期")
_DATE = re.compile(
    r"(开票日期|签订日期|签约日期|签署日期|合同日期|交车日期|日期)\s*[:：]?\s*"
    r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})"
)


def document_date(text: str) -> date | None:
    """The date printed on a page under a label (开票日期, 签订日期...), the most specific label first."""
    best: tuple[int, date] | None = None
    for m in _DATE.finditer(fold(normalize(text))):
        try:
            value = date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            continue
        rank = _DATE_LABELS.index(m.group(1))
        if best is None or rank < best[0]:
            best = (rank, value)
    return best[1] if best else None


# --- snippets -------------------------------------------------------------------------------------------------


def _pattern(words: Sequence[str]) -> str:
    """A regex finding `words` in normalised text as the index does: separators between tokens ignored."""
    parts = []
    for w in words:
        esc = re.escape(w)
        # A word of letters must not be part of a longer word; a character of an identifier may be.
        parts.append(rf"(?<![^\W\d_]){esc}(?![^\W\d_])" if len(w) > 1 and not _DIGIT.search(w) else esc)
    return r"[\W_]*?".join(parts)


def _alternatives(words: Sequence[str]) -> list[Sequence[str]]:
    """A single word of letters may also be the letters of an identifier (`lsvau` in `lsvau2180...`)."""
    if len(words) == 1 and len(words[0]) > 1 and not _DIGIT.search(words[0]):
        return [words, list(words[0])]
    return [words]


@dataclass(frozen=True, slots=True)
class Snippet:
    """A window of a page's text around the first match: what the API shows and how to mask it."""

    text: str  # plain text, sensitive values replaced by '*' unless revealed
    highlights: tuple[tuple[int, int], ...]  # character offsets of matches in `text`
    sensitive: tuple[tuple[int, int, str], ...]  # character offsets and kinds of sensitive values in `text`

    def html(self) -> str:
        """The text with matches in <b>, escaped: OCR text may contain HTML."""
        out, pos = [], 0
        for start, end in self.highlights:
            out += [html.escape(self.text[pos:start]), "<b>", html.escape(self.text[start:end]), "</b>"]
            pos = end
        out.append(html.escape(self.text[pos:]))
        return "".join(out)


def make_snippet(
    text: str, phrases: Sequence[Sequence[str]], spans: Sequence[Span], *, reveal: bool, width: int = 120,
) -> Snippet:
    """Cut a snippet of `text` (normalised) around the first match of any phrase (lists of folded tokens).

    Without `reveal`, sensitive values are masked and a match inside one is not highlighted, so that a
    snippet never shows where a hidden value matched.
    """
    low = fold(text)
    found: list[tuple[int, int]] = []
    for words in phrases:
        for alt in _alternatives(words):
            if not alt:
                continue
            found += [(m.start(), m.end()) for m in re.finditer(_pattern(alt), low) if m.end() > m.start()]
    if not reveal:
        found = [f for f in found if not any(s.start < f[1] and f[0] < s.end for s in spans)]
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    first = merged[0][0] if merged else 0
    lo = max(0, min(first - width // 3, len(text) - width))
    hi = min(len(text), lo + width)
    window = text[lo:hi]
    shown = window if reveal else mask(window, spans, offset=lo)
    highlights = tuple((max(s, lo) - lo, min(e, hi) - lo) for s, e in merged if s < hi and e > lo)
    sensitive = tuple(
        (max(s.start, lo) - lo, min(s.end, hi) - lo, s.kind) for s in spans if s.start < hi and s.end > lo
    )
    prefix, suffix = ("…" if lo > 0 else ""), ("…" if hi < len(text) else "")
    shift = len(prefix)
    return Snippet(
        prefix + shown.replace("\n", " ") + suffix,
        tuple((s + shift, e + shift) for s, e in highlights),
        tuple((s + shift, e + shift, k) for s, e, k in sensitive),
    )
