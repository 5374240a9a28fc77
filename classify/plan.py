"""A job's filing plan: each page typed, the pages grouped into documents, each document matched; pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from classify.doctype import BLANK, Classification, Rules, classify_page
from classify.duplicates import Earlier, find_duplicate
from classify.matching import EvidenceStatus, Match, Register, Strength, match_document, page_customer_keys
from classify.segment import PageFacts, Segment, document_refs, page_number, segment_pages
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
    duplicate_of: int | None = None  # an earlier document this one repeats (the same paper scanned again)

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
            types[p.page_no], keys=page_customer_keys(p.text, register, today=today), page_of=page_number(p.text),
            refs=document_refs(p.text),
        )
        for p in ordered
    ]
    documents = []
    for segment in set_blank_sheets_apart(segment_pages(facts), [f.is_blank for f in facts]):
        members = [ordered[i] for i in segment.pages]
        content = [types[p.page_no] for p in members if types[p.page_no].doc_type != BLANK]
        confidence = min((c.confidence for c in content), default=types[members[0].page_no].confidence)
        match = match_document([p.text for p in members], register, today=today)
        documents.append(
            DocumentPlan(tuple(p.page_no for p in members), segment.doc_type, round(confidence, 4),
                         segment.reason, match)
        )
    return JobPlan(types, tuple(apply_scan_context(documents)))


def is_duplex(blank: Sequence[bool]) -> bool:
    """A duplex scan of papers printed on one side: most backs (even pages) are blank."""
    backs = blank[1::2]
    return len(backs) >= 2 and sum(backs) >= 0.6 * len(backs)


def set_blank_sheets_apart(segments: Sequence[Segment], blank: Sequence[bool]) -> list[Segment]:
    """In a duplex scan, a blank sheet (blank front, page 1, 3, 5...) with its back is a document of its own.

    Segmentation attaches every blank page to the document before it, which is right for a duplex back
    but would file an empty separator sheet into the previous customer's dossier. A blank front cannot be a
    page of a document, so the sheet is set apart; it goes to review like any page without evidence.
    """
    if not is_duplex(blank):
        return list(segments)
    apart: set[int] = set()
    for front in range(0, len(blank), 2):
        if blank[front] and (front + 1 >= len(blank) or blank[front + 1]):
            apart.update(i for i in (front, front + 1) if i < len(blank))
    if not apart:
        return list(segments)
    out: list[Segment] = []
    for segment in segments:
        kept = tuple(i for i in segment.pages if i not in apart)
        if kept:
            out.append(dataclasses.replace(segment, pages=kept))
    sheets: dict[int, list[int]] = {}
    for i in sorted(apart):
        sheets.setdefault(i - i % 2, []).append(i)
    out += [Segment(tuple(pages), BLANK, "blank sheet in a duplex scan") for pages in sheets.values()]
    return sorted(out, key=lambda seg: seg.pages[0])


def _agrees_only_with(match: Match, customer_no: str) -> bool:
    """Every piece of evidence matched the register and points to this customer alone, one good one at least."""
    evidence = match.evidence
    return (
        bool(evidence)
        and all(e.status is EvidenceStatus.MATCH and e.customers == (customer_no,) for e in evidence)
        and any(e.strength is Strength.GOOD for e in evidence)
    )


def apply_scan_context(documents: Sequence[DocumentPlan]) -> list[DocumentPlan]:
    """Use what the other documents of the same scanned file say, where that cannot misfile.

    Clerks scan a customer's papers together, so a file's certain documents are evidence about their
    neighbours, but never enough alone:

    - a document whose only doubt is "one good identifier is not enough" (a survey with the customer's
      phone, a photo with the plate), all of whose evidence points to one customer, becomes certain when
      a neighbouring document of the file is certainly that customer's: two independent good indications;
    - a certain customer with several open dossiers (an ID copy) goes to the one dossier every certain
      document of the file went to, when they all went to one of those dossiers;
    - a document whose strong identifiers the register does not know (the ID card of a company's agent,
      of a co-buyer) is that customer's when the same identifier is printed on a certain document of the
      file and every such document is one customer's ("经办人：… 身份证号码：…" on the company's contract),
      nothing in it points to anyone else, and that customer's certain documents of the file all went to
      one dossier; the unknown identifier is then vouched for by a paper of the customer, not guessed;
    - a document with no evidence at all next to certain documents stays in review, suggested for their
      customer when they agree, and shows as pending in their dossiers (which report it as not yet complete).
    """
    docs = list(documents)
    for i, doc in enumerate(docs):
        vouched = _vouched_by_scan(doc.match, docs)
        if vouched is not None:
            docs[i] = dataclasses.replace(doc, match=vouched)
    for i, doc in enumerate(docs):
        match = doc.match
        if match.certain or not match.customer_no:
            continue
        neighbours = [docs[j].match for j in (i - 1, i + 1) if 0 <= j < len(docs)]
        if _agrees_only_with(match, match.customer_no) and any(
            n.certain and n.customer_no == match.customer_no for n in neighbours
        ):
            docs[i] = dataclasses.replace(doc, match=dataclasses.replace(
                match, certain=True,
                reason=f"{match.reason}; a neighbouring document of this scan is the same customer's"
            ))
    for i, doc in enumerate(docs):
        match = doc.match
        if match.certain and match.customer_no and not match.dossier_key and match.pending_dossiers:
            chosen = {d.match.dossier_key for d in docs
                      if d.match.certain and d.match.customer_no == match.customer_no and d.match.dossier_key}
            if len(chosen) == 1 and (key := chosen.pop()) in match.pending_dossiers:
                docs[i] = dataclasses.replace(doc, match=dataclasses.replace(
                    match, dossier_key=key, pending_dossiers=(),
                    reason=f"{match.reason}; dossier {key} as for the other documents of this scan",
                ))
    for i, doc in enumerate(docs):
        if doc.match.customer_no or doc.match.evidence or doc.doc_type == BLANK:
            continue
        around = [docs[j].match for j in (i - 1, i + 1) if 0 <= j < len(docs)]
        if not around or not all(m.certain for m in around):
            continue
        customers = {m.customer_no for m in around}
        dossiers = tuple(dict.fromkeys(m.dossier_key for m in around if m.dossier_key))
        suggested = customers.pop() if len(customers) == 1 else None
        note = ("the documents next to it in this scan are that customer's" if suggested
                else "it lies between documents of two customers in this scan")
        docs[i] = dataclasses.replace(doc, match=dataclasses.replace(
            doc.match, customer_no=suggested, pending_dossiers=dossiers,
            reason=f"{doc.match.reason}; suggested: {note}",
        ))
    return docs


def _vouched_by_scan(match: Match, docs: Sequence[DocumentPlan]) -> Match | None:
    """The match of a document whose unknown strong identifiers a certain document of the scan prints."""
    if match.certain:
        return None
    unknown = {(e.kind, e.value) for e in match.evidence
               if e.status is EvidenceStatus.UNKNOWN and e.strength is Strength.STRONG}
    if not unknown or any(e.status is not EvidenceStatus.UNKNOWN and e.strength is not Strength.WEAK
                          for e in match.evidence):
        return None
    vouchers = [d.match for d in docs if d.match.certain and d.match.customer_no
                and unknown & {(e.kind, e.value) for e in d.match.evidence}]
    customers = {m.customer_no for m in vouchers}
    if len(customers) != 1:
        return None
    customer = customers.pop()
    if any(e.customers and e.customers != (customer,) for e in match.evidence):
        return None  # a name that is another customer's
    dossiers = {d.match.dossier_key for d in docs if d.match.certain and d.match.customer_no == customer}
    if len(dossiers) != 1 or None in dossiers:
        return None
    kinds = ", ".join(sorted({kind for kind, _ in unknown}))
    return dataclasses.replace(
        match, customer_no=customer, dossier_key=dossiers.pop(), pending_dossiers=(), certain=True,
        reason=f"{match.reason}; the {kinds} is printed on a document of this scan that is certainly {customer}'s",
    )


def flag_duplicates(
    plan: JobPlan, texts: dict[int, str], earlier_of: Callable[[str], Sequence[Earlier]]
) -> JobPlan:
    """Send a document to review when its customer's archive already holds the same paper.

    Only in the same dossier: one vehicle, one dossier (一车一档), so a customer's second car has its own
    copy of the same ID card, which is no duplicate. A document whose dossier is not known yet is compared
    with all of the customer's documents.

    Args:
        plan: the job's plan.
        texts: page number → text of the job's pages.
        earlier_of: the customer's documents already in the archive (filed or in review), by customer number.

    Returns:
        The plan, with repeated documents uncertain, their reason saying what they repeat.
    """
    docs = []
    for doc in plan.documents:
        found = None
        if doc.match.customer_no and doc.doc_type != BLANK:
            earlier = [e for e in earlier_of(doc.match.customer_no)
                       if not (doc.match.dossier_key and e.dossiers and doc.match.dossier_key not in e.dossiers)]
            found = find_duplicate([texts[n] for n in doc.page_nos], earlier)
        if found is None:
            docs.append(doc)
            continue
        earlier, score = found
        reason = f"possible duplicate of {earlier.label} (text similarity {score:.2f}); {doc.match.reason}"
        docs.append(dataclasses.replace(
            doc, duplicate_of=earlier.document_id,
            match=dataclasses.replace(doc.match, certain=False, reason=reason),
        ))
    return JobPlan(plan.pages, tuple(docs))
