"""Segmentation of a scanned batch into documents (runs of consecutive pages) without separator sheets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from classify._text import rule_text
from classify.doctype import BLANK, OTHER, Classification

__all__ = ["PageFacts", "Segment", "document_refs", "page_number", "segment_pages"]

# 第2页 / 第2页 共3页 / 共3页 第2页 / page 2 of 3 / p. 2/3. A bare "2/3" is too common in text to trust.
_PAGE_NUMBER = (
    re.compile(r"第\s*(\d{1,2})\s*页"),
    re.compile(r"(?<![a-z])(?:page|p\.)\s*(\d{1,2})\s*(?:of|/)\s*\d{1,2}(?!\d)"),
)


# A footer or header line that is only a number between dashes: "- 2 -", "— 2 —".
_DASHED_PAGE_LINE = re.compile(r"^[-—–－]\s*(\d{1,2})\s*[-—–－]$")


def page_number(text: str) -> int | None:
    """The page's own number within its document, when it prints one (第2页 / 共3页, Page 2 of 3).

    Only the last 400 and first 200 characters are searched: page numbers sit in the header or footer, and a
    contract clause mentioning 第2页 of an annex in the body should not count.

    Args:
        text: the page text.

    Returns:
        The number (1 for a first page), or None.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[-3:] + lines[:2]:
        if dashed := _DASHED_PAGE_LINE.match(line):
            return int(dashed.group(1)) or None
    flat = rule_text(text)
    for part in (flat[-400:], flat[:200]):
        for pattern in _PAGE_NUMBER:
            match = pattern.search(part)
            if match:
                return int(match.group(1)) or None
    return None


# A document's own reference number after its label: 合同编号：JD2024040418, 协议编号, 订单号, Contract No. A-12.
# Running headers repeat it on every page of a contract; the dealer prints a new one on every contract.
_DOCUMENT_REF = re.compile(
    r"(?:合同|协议|订单|工单|委托书|单据)\s*(?:编号|号码|号)|contract\s*no\.?|agreement\s*no\.?",
    re.IGNORECASE,
)
_REF_VALUE = re.compile(r"\s*[:：]?\s*([A-Z0-9][A-Z0-9\-/]{5,29})", re.IGNORECASE)


def document_refs(text: str) -> frozenset[str]:
    """The document reference numbers a page prints after their labels (upper-cased), for segmentation."""
    refs = set()
    for label in _DOCUMENT_REF.finditer(text):
        value = _REF_VALUE.match(text, label.end())
        if value and any(c.isdigit() for c in value.group(1)):
            refs.add(value.group(1).upper())
    return frozenset(refs)


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What segmentation needs to know about one page.

    Attributes:
        doc_type: the page's classified type (`blank` pages may also just set `blank`).
        confidence: the classification confidence, 0..1.
        titled: the page carries a title naming a document (`Classification.titled`).
        keys: customer evidence found on the page. Keys of one customer MUST compare equal across pages:
            use the customer number each identifier resolves to (`matching.page_customer_keys`), or the
            identifier itself when the register does not know it. Raw values of different kinds (an ID number
            on page 1, a VIN on page 2) never overlap and would split every document.
        blank: the page is blank (a duplex back, an empty sheet).
        page_of: the page's own number within its document when it prints one (第2页, Page 2 of 3): see
            `page_number`; None when it prints none.
        chars: how much text the page has (`Classification.chars`); None when unknown.
        scores: the page's score per type (`Classification.scores`): how much it speaks each type's words.
        refs: the document reference numbers it prints (`document_refs`): a page repeating its
            document's number continues it, even under a header that looks like a title.
    """

    doc_type: str
    confidence: float = 0.0
    titled: bool = False
    keys: frozenset[str] = field(default_factory=frozenset)
    blank: bool = False
    page_of: int | None = None
    chars: int | None = None
    scores: tuple[tuple[str, float], ...] = ()
    refs: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_blank(self) -> bool:
        return self.blank or self.doc_type == BLANK

    @classmethod
    def from_classification(
        cls, result: Classification, *, keys: frozenset[str] = frozenset(), page_of: int | None = None,
        refs: frozenset[str] = frozenset(),
    ) -> PageFacts:
        """Facts of a classified page.

        Args:
            result: the page's classification.
            keys: its customer evidence keys (`matching.page_customer_keys`).
            page_of: its own page number (`page_number`).
            refs: the document numbers it prints (`document_refs`).

        Returns:
            The facts.
        """
        return cls(
            doc_type=result.doc_type,
            confidence=result.confidence,
            titled=result.titled,
            keys=keys,
            blank=result.doc_type == BLANK,
            page_of=page_of,
            chars=result.chars,
            scores=result.scores,
            refs=refs,
        )


@dataclass(frozen=True, slots=True)
class Segment:
    """One document: consecutive page indices (0-based, into the input) and why it starts where it does."""

    pages: tuple[int, ...]
    doc_type: str
    reason: str


#: A page of another type starts a new document only when its type is this sure ...
TYPE_CHANGE_CONFIDENCE = 0.6
#: ... or this sure when a blank page stands between (a blank is a weak boundary).
TYPE_CHANGE_AFTER_BLANK = 0.35
#: A page with less text than this, none of it in its document's words, does not continue that document.
SPARSE_PAGE_CHARS = 40
#: Documents of these types are one sheet: the next non-blank page starts a new document, except the other
#: side of the card scanned separately (a page of the same type whose customer evidence does not conflict).
SINGLE_SHEET_TYPES = frozenset({"id_copy"})


@dataclass(slots=True)
class _Open:
    pages: list[int]
    doc_type: str
    reason: str
    keys: set[str]
    content_pages: int  # non-blank pages
    ends_with_blank: bool = False
    refs: set[str] = field(default_factory=set)


def _boundary(doc: _Open, page: PageFacts, single_sheet_types: frozenset[str]) -> str | None:
    """Why `page` starts a new document after `doc`, or None when it continues it."""
    if page.keys and doc.keys and not doc.keys.intersection(page.keys):
        return "customer evidence changed"
    if page.refs & doc.refs and page.doc_type in (doc.doc_type, OTHER):
        # The same contract number in its running header. Not across types: an invoice may cite the contract.
        return None
    if page.page_of is not None:
        # The page numbers itself: 第2页 continues whatever title its running header repeats; 第1页 starts.
        return None if page.page_of > 1 else f"page 1 of a {page.doc_type}"
    if doc.doc_type in single_sheet_types:
        if page.doc_type == doc.doc_type and doc.content_pages == 1:
            return None  # the other side of the card, scanned as a page of its own
        return f"{doc.doc_type} is one sheet"
    if page.titled:
        return f"title of a {page.doc_type}"
    if page.doc_type == doc.doc_type:
        return None
    # An unconvincing `other` (confidence at most 0.3 by construction) is a continuation; a confident type
    # change is a new document, and a blank page before it, or an unclassified document, lowers the bar.
    weak = doc.ends_with_blank or doc.doc_type == OTHER
    if page.confidence >= (TYPE_CHANGE_AFTER_BLANK if weak else TYPE_CHANGE_CONFIDENCE):
        return f"type changed to {page.doc_type}" + (" after a blank page" if doc.ends_with_blank else "")
    if (
        page.chars is not None
        and page.chars < SPARSE_PAGE_CHARS
        and dict(page.scores).get(doc.doc_type, 0) <= 0
    ):
        # A continuation page is full of text, or at least of its document's words (甲方 / 乙方 on a
        # signature page). A caption alone (交车留念 under a photo) is a page of its own.
        return f"sparse page unlike the {doc.doc_type}"
    return None


def segment_pages(
    pages: Sequence[PageFacts],
    *,
    single_sheet_types: frozenset[str] = SINGLE_SHEET_TYPES,
) -> tuple[Segment, ...]:
    """Group a batch's pages into documents.

    A new document starts at a page that names a document in a title, at a change of customer evidence,
    at a confident change of type, at a sparse page that shares no words with the document (a photo
    caption), and after a one-sheet document (an ID copy). A page that prints its own number (第2页)
    continues. Continuation pages (page 2 of a contract: no title, often no name) join the document before
    them. Blank pages never split: a duplex scan puts a blank back after every sheet, so a blank page joins
    the document it follows and only lowers the confidence a type change needs. Blank pages at the start of
    a batch join the first document.

    Args:
        pages: per-page facts in scan order.
        single_sheet_types: types whose documents are one sheet (both sides of a card may come as two pages).

    Returns:
        The documents in order; together they hold every page index exactly once.
    """
    docs: list[_Open] = []
    leading_blanks: list[int] = []
    for index, page in enumerate(pages):
        if page.is_blank:
            if docs:
                docs[-1].pages.append(index)
                docs[-1].ends_with_blank = True
            else:
                leading_blanks.append(index)
            continue
        reason = "start of batch" if not docs else _boundary(docs[-1], page, single_sheet_types)
        if reason is None:
            doc = docs[-1]
            doc.pages.append(index)
            doc.keys.update(page.keys)
            doc.refs.update(page.refs)
            doc.content_pages += 1
            doc.ends_with_blank = False
            if doc.doc_type == OTHER and page.doc_type != OTHER:
                doc.doc_type = (
                    page.doc_type
                )  # first pages that said nothing, then the document shows its type
            continue
        docs.append(_Open([index], page.doc_type, reason, set(page.keys), 1, refs=set(page.refs)))
    if not docs:
        return (Segment(tuple(leading_blanks), BLANK, "only blank pages"),) if leading_blanks else ()
    docs[0].pages[:0] = leading_blanks
    return tuple(Segment(tuple(d.pages), d.doc_type, d.reason) for d in docs)
