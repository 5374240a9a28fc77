"""The review queue: a person sets types, customers and dossiers, splits, merges and moves pages; all audited.

Each operation changes rows in the caller's transaction and returns the ids of the documents whose dossier
objects must be rebuilt; the caller commits and then rebuilds them (objects are derived).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dangan.errors import DanganError
from storage import audit, outbox
from storage.archive_numbers import ArchiveNumbering
from storage.documents import Document, DocumentState, document_pages
from storage.models import Page, utcnow
from storage.register import Customer, Dossier, DossierState

DOC_TYPES = ("contract", "invoice", "id_copy", "inspection_sheet", "other", "blank")


class ReviewError(DanganError):
    """A review decision that cannot be carried out (unknown ids, a dossier of another customer...)."""

    code = "review_error"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    document_id: int
    job_id: int
    doc_type: str
    page_ids: tuple[int, ...]
    suggested_customer_no: str | None
    pending_dossiers: tuple[str, ...]
    reason: str


def review_queue(session: Session) -> list[ReviewItem]:
    docs = session.scalars(select(Document).where(Document.state == DocumentState.REVIEW).order_by(Document.id))
    return [
        ReviewItem(d.id, d.job_id, d.doc_type, tuple(p.id for p in document_pages(session, d.id)),
                   d.suggested_customer_no, tuple(d.pending_dossiers or ()), d.review_reason or "")
        for d in docs
    ]


def _document(session: Session, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise ReviewError(f"没有编号为 {document_id} 的文档", f"no document {document_id}")
    return doc


def _renumber(session: Session, doc: Document, numbering: ArchiveNumbering) -> None:
    """A filed document's number carries its type code: a new type or dossier gets a new number (never reused)."""
    dossier = session.get_one(Dossier, doc.dossier_id)
    doc.archive_no = numbering.next_document_number(session, dossier=dossier.archive_no, doc_type=doc.doc_type)


def _refresh_type(doc: Document, pages: Sequence[Page]) -> None:
    content = [p.doc_type for p in pages if p.doc_type and p.doc_type != "blank"]
    doc.doc_type = content[0] if content else "blank"


def file_document(
    session: Session, document_id: int, customer_no: str, dossier_no: str | None, *, actor: str,
    numbering: ArchiveNumbering,
) -> list[int]:
    """File a document into a customer's dossier (the one given, or the customer's only open one)."""
    doc = _document(session, document_id)
    customer = session.scalars(select(Customer).where(Customer.customer_no == customer_no)).first()
    if customer is None:
        raise ReviewError(f"客户登记中没有 {customer_no}", f"customer {customer_no} is not in the register")
    dossiers = session.scalars(select(Dossier).where(Dossier.customer_id == customer.id)).all()
    if dossier_no is None:
        open_ones = [d for d in dossiers if d.state == DossierState.OPEN]
        if len(open_ones) != 1:
            options = ", ".join(d.archive_no for d in open_ones) or "-"
            raise ReviewError(f"请指定档案（可选：{options}）", f"name the dossier (open ones: {options})")
        dossier = open_ones[0]
    else:
        matches = [d for d in dossiers if d.archive_no == dossier_no]
        if not matches:
            raise ReviewError(f"档案 {dossier_no} 不属于客户 {customer_no}",
                              f"dossier {dossier_no} does not belong to customer {customer_no}")
        dossier = matches[0]
    before = (doc.state, doc.archive_no)
    doc.customer_id, doc.dossier_id, doc.state, doc.review_reason = customer.id, dossier.id, DocumentState.FILED, None
    doc.filed_at = utcnow()
    doc.match_reason = f"decided by {actor}"
    _renumber(session, doc, numbering)
    audit.record(session, actor, "review.file", "document", doc.id, customer_no=customer_no,
                 dossier=dossier.archive_no, archive_no=doc.archive_no, before_state=before[0],
                 before_archive_no=before[1])
    outbox.enqueue_documents(session, [doc.id], outbox.OutboxReason.REVIEW)
    return [doc.id]


def set_page_type(
    session: Session, page_id: int, doc_type: str, *, actor: str, numbering: ArchiveNumbering
) -> list[int]:
    """Correct one page's type; its document's type follows its first content page."""
    if doc_type not in DOC_TYPES:
        known = ", ".join(DOC_TYPES)
        raise ReviewError(
            f"未知文档类型 {doc_type}（可用：{known}）", f"unknown document type {doc_type!r}; known: {known}"
        )
    page = session.get(Page, page_id)
    if page is None:
        raise ReviewError(f"没有编号为 {page_id} 的页面", f"no page {page_id}")
    before = page.doc_type
    page.doc_type, page.type_confidence, page.type_reason = doc_type, 1.0, f"set by {actor}"
    audit.record(session, actor, "review.set_type", "page", page.id, before=before, after=doc_type)
    if page.document_id is None:
        return []
    doc = session.get_one(Document, page.document_id)
    old_type = doc.doc_type
    _refresh_type(doc, document_pages(session, doc.id))
    if doc.state == DocumentState.FILED and doc.doc_type != old_type:
        _renumber(session, doc, numbering)
    outbox.enqueue_documents(session, [doc.id], outbox.OutboxReason.RECLASSIFY)
    return [doc.id]


def move_pages(session: Session, page_ids: Sequence[int], target_id: int, *, actor: str,
               numbering: ArchiveNumbering) -> list[int]:
    """Move pages into another document; a document left without pages is removed (its number is not reused)."""
    target = _document(session, target_id)
    pages = [session.get(Page, pid) for pid in page_ids]
    if any(p is None for p in pages):
        raise ReviewError("页面编号不存在", "unknown page id")
    if any(p.job_id != target.job_id for p in pages if p is not None):
        # A document's original is cut from one scanned file; pages of another file cannot join it.
        raise ReviewError(
            "只能在同一扫描文件的文档之间移动页面", "pages can only move between documents of one scan file"
        )
    sources = {p.document_id for p in pages if p is not None} - {target.id}
    for page in pages:
        assert page is not None
        page.document_id = target.id
    session.flush()
    touched = [target.id]
    for source_id in sources:
        if source_id is None:
            continue
        source = session.get_one(Document, source_id)
        left = document_pages(session, source_id)
        if left:
            _refresh_type(source, left)
            touched.append(source_id)
        else:
            audit.record(session, actor, "review.remove_empty", "document", source_id, archive_no=source.archive_no)
            source.state = DocumentState.REMOVED
            touched.append(source_id)
    old_type = target.doc_type
    _refresh_type(target, document_pages(session, target.id))
    if target.state == DocumentState.FILED and target.doc_type != old_type:
        _renumber(session, target, numbering)
    audit.record(session, actor, "review.move_pages", "document", target.id, pages=list(page_ids),
                 from_documents=sorted(s for s in sources if s is not None))
    outbox.enqueue_documents(session, touched, outbox.OutboxReason.REVIEW)
    return touched


def merge_documents(session: Session, target_id: int, source_id: int, *, actor: str,
                    numbering: ArchiveNumbering) -> list[int]:
    """Merge `source` into `target` (pages appended in their scan order)."""
    page_ids = [p.id for p in document_pages(session, _document(session, source_id).id)]
    return move_pages(session, page_ids, target_id, actor=actor, numbering=numbering)


def split_document(session: Session, document_id: int, at_page_id: int, *, actor: str,
                   numbering: ArchiveNumbering) -> list[int]:
    """Split a document before `at_page_id`: that page and those after it become a new document.

    The new document waits in review: a person decides whose it is (it may belong to another customer).
    """
    doc = _document(session, document_id)
    pages = document_pages(session, doc.id)
    ids = [p.id for p in pages]
    if at_page_id not in ids or ids.index(at_page_id) == 0:
        raise ReviewError("拆分位置必须是文档中第一页之后的页面", "split at a page of the document after its first")
    new = Document(job_id=doc.job_id, doc_type=doc.doc_type, type_confidence=doc.type_confidence,
                   state=DocumentState.REVIEW, suggested_customer_no=None, pending_dossiers=[],
                   segment_reason=f"split by {actor}", match_reason="", review_reason=f"split from document {doc.id}")
    session.add(new)
    session.flush()
    for page in pages[ids.index(at_page_id):]:
        page.document_id = new.id
    session.flush()
    for d in (doc, new):
        old_type = d.doc_type
        _refresh_type(d, document_pages(session, d.id))
        if d.state == DocumentState.FILED and d.doc_type != old_type:
            _renumber(session, d, numbering)
    audit.record(session, actor, "review.split", "document", doc.id, new_document=new.id, at_page=at_page_id)
    outbox.enqueue_documents(session, [doc.id, new.id], outbox.OutboxReason.REVIEW)
    return [doc.id, new.id]
