"""A job's filing plan: each page typed, the pages grouped into documents, each document matched; pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from classify.doctype import BLANK, Classification, Rules, classify_page
from classify.matching import Match, Register, match_document, page_customer_keys
from classify.segment import PageFacts, page_number, segment_pages
from dangan.records import OcrLine


@dataclass(frozen=True, slots=True)
class PageInput:
    """What planning needs of a read page."""

    page_no: int
    text: str
    lines: tuple[OcrLine, ...] = ()
    height: int = 0
    blank_hint: bool | None = None  # the image stage found the page blank (True) or saw ink (False)


@dataclass(frozen=True, slots=True)
class DocumentPlan:
    """One document of the job: its pages (page numbers of the intake file), type and customer decision."""

    page_nos: tuple[int, ...]
    doc_type: str
    type_confidence: float
    segment_reason: str
    match: Match

    @property
    def needs_review(self) -> bool:
        return not (self.match.certain and self.match.dossier_key)


@dataclass(frozen=True, slots=True)
class JobPlan:
    pages: dict[int, Classification]  # page_no → its type
    documents: tuple[DocumentPlan, ...]


def plan_job(pages: Sequence[PageInput], rules: Rules, register: Register, *, today: date | None = None) -> JobPlan:
    """Type every page, group consecutive pages into documents, and match each document to a customer.

    A document's type is its segment's; blank pages that ride along (duplex backs) keep `blank` as their
    own page type. Blank-only documents are matched like any other and go to review when nothing names
    a customer, which keeps "never misfile" simple: only evidence files a page.

    Args:
        pages: the job's pages in page order.
        rules: document-type rules.
        register: the customer register to match against.
        today: reference date for ID birth dates.

    Returns:
        The page types and the documents.
    """
    ordered = sorted(pages, key=lambda p: p.page_no)
    types = {
        p.page_no: classify_page(p.text, p.lines, rules, page_height=p.height, blank_hint=p.blank_hint)
        for p in ordered
    }
    facts = [
        PageFacts.from_classification(
            types[p.page_no], keys=page_customer_keys(p.text, register, today=today), page_of=page_number(p.text)
        )
        for p in ordered
    ]
    documents = []
    for segment in segment_pages(facts):
        members = [ordered[i] for i in segment.pages]
        content = [types[p.page_no] for p in members if types[p.page_no].doc_type != BLANK]
        confidence = min((c.confidence for c in content), default=types[members[0].page_no].confidence)
        match = match_document([p.text for p in members], register, today=today)
        documents.append(
            DocumentPlan(tuple(p.page_no for p in members), segment.doc_type, round(confidence, 4),
                         segment.reason, match)
        )
    return JobPlan(types, tuple(documents))
