"""Documents: consecutive pages of one paper, filed into a dossier under an archive number or waiting in review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage import audit, outbox
from storage.archive_numbers import ArchiveNumbering
from storage.models import Base, BigId, Page, UtcDateTime, utcnow
from storage.register import Customer, Dossier

if TYPE_CHECKING:
    from classify.plan import JobPlan


class DocumentState(StrEnum):
    """Where a document is; its objects are complete once its job is done."""

    FILED = "filed"  # in its dossier under its archive number
    REVIEW = "review"  # waiting for a person: type, customer or dossier uncertain
    REMOVED = "removed"  # its pages went to other documents; kept for history, its number never reused


class Document(Base):
    """One paper document of an intake job; filed, or in the review queue with the reason."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", name="fk_documents_job"), index=True)
    doc_type: Mapped[str] = mapped_column(String(32))
    type_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    state: Mapped[str] = mapped_column(String(16), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", name="fk_documents_customer"))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", name="fk_documents_dossier"))
    archive_no: Mapped[str | None] = mapped_column(String(96))
    customer_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    suggested_customer_no: Mapped[str | None] = mapped_column(String(64))
    pending_dossiers: Mapped[list[Any]] = mapped_column(JSON, default=list)  # archive numbers
    segment_reason: Mapped[str] = mapped_column(Text, default="")
    match_reason: Mapped[str] = mapped_column(Text, default="")
    review_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("documents.id", name="fk_documents_duplicate"))
    original_key: Mapped[str | None] = mapped_column(String(256))
    original_media_type: Mapped[str | None] = mapped_column(String(64))
    objects_prefix: Mapped[str | None] = mapped_column(String(256))  # where its dossier objects are now
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    filed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("uq_documents_archive_no", "archive_no", unique=True),)


def job_pages(session: Session, job_id: int) -> list[Page]:
    return list(session.scalars(select(Page).where(Page.job_id == job_id).order_by(Page.page_no)))


def job_documents(session: Session, job_id: int) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.job_id == job_id).order_by(Document.id)))


def document_pages(session: Session, document_id: int) -> list[Page]:
    return list(session.scalars(select(Page).where(Page.document_id == document_id).order_by(Page.page_no)))


def pages_of(session: Session, document_ids: Sequence[int]) -> dict[int, list[Page]]:
    out: dict[int, list[Page]] = {d: [] for d in document_ids}
    for page in session.scalars(select(Page).where(Page.document_id.in_(document_ids)).order_by(Page.page_no)):
        out[page.document_id].append(page)  # type: ignore[index]
    return out


def _taken(session: Session) -> Any:
    return lambda number: session.scalar(select(Document.id).where(Document.archive_no == number)) is not None


def record_plan(
    session: Session, job_id: int, plan: JobPlan, numbering: ArchiveNumbering, *, actor: str
) -> list[Document]:
    """Write a job's documents and page types in the caller's transaction; certain ones get archive numbers.

    Only a certain customer with a determined dossier files a document; everything else waits in review
    with the matcher's reason (never a guess).
    """
    pages = {p.page_no: p for p in job_pages(session, job_id)}
    for page_no, result in plan.pages.items():
        page = pages[page_no]
        page.doc_type, page.type_confidence, page.type_reason = result.doc_type, result.confidence, result.reason
    customers = {
        c.customer_no: c
        for c in session.scalars(
            select(Customer).where(Customer.customer_no.in_({d.match.customer_no for d in plan.documents} - {None}))
        )
    }
    documents = []
    for item in plan.documents:
        match = item.match
        customer = customers.get(match.customer_no) if match.customer_no else None
        doc = Document(
            job_id=job_id, doc_type=item.doc_type, type_confidence=item.type_confidence,
            customer_confidence=match.confidence, segment_reason=item.segment_reason, match_reason=match.reason,
            pending_dossiers=list(match.pending_dossiers), duplicate_of=item.duplicate_of,
        )
        dossier = None
        if match.certain and match.dossier_key:
            dossier = session.scalars(select(Dossier).where(Dossier.archive_no == match.dossier_key)).first()
        if dossier is not None and customer is not None:
            doc.state, doc.customer_id, doc.dossier_id = DocumentState.FILED, customer.id, dossier.id
            doc.filed_at = utcnow()
            doc.archive_no = numbering.next_document_number(
                session, dossier=dossier.archive_no, doc_type=item.doc_type, taken=_taken(session)
            )
        else:
            doc.state = DocumentState.REVIEW
            doc.customer_id = customer.id if match.certain and customer is not None else None
            doc.suggested_customer_no = match.customer_no
            doc.review_reason = match.reason if not match.certain else f"{match.reason}; dossier not determined"
        session.add(doc)
        session.flush()
        for page_no in item.page_nos:
            pages[page_no].document_id = doc.id
        audit.record(session, actor, "document.file" if doc.state == DocumentState.FILED else "document.review",
                     "document", doc.id, job_id=job_id, doc_type=doc.doc_type, archive_no=doc.archive_no,
                     pages=len(item.page_nos))
        documents.append(doc)
    outbox.enqueue_documents(session, [d.id for d in documents], outbox.OutboxReason.FILING)
    return documents


def customer_documents(
    session: Session, customer_no: str, *, exclude_job: int
) -> list[tuple[int, str, list[str], tuple[str, ...]]]:
    """A customer's documents already in the archive (filed, or in review suggested for them): id, label,
    page texts, and the dossiers (archive numbers) each is filed or pending in."""
    customer = session.scalars(select(Customer).where(Customer.customer_no == customer_no)).first()
    query = select(Document).where(Document.job_id != exclude_job, Document.state != DocumentState.REMOVED)
    if customer is not None:
        query = query.where((Document.customer_id == customer.id) | (Document.suggested_customer_no == customer_no))
    else:
        query = query.where(Document.suggested_customer_no == customer_no)
    docs = session.scalars(query).all()
    pages = pages_of(session, [d.id for d in docs])
    filed_in = dict(session.execute(
        select(Dossier.id, Dossier.archive_no).where(Dossier.id.in_({d.dossier_id for d in docs if d.dossier_id}))
    ).all())

    def dossiers(d: Document) -> tuple[str, ...]:
        if d.state == DocumentState.FILED and d.dossier_id in filed_in:
            return (filed_in[d.dossier_id],)
        return tuple(d.pending_dossiers or ())

    return [(d.id, d.archive_no or f"document {d.id}", [p.text for p in pages[d.id]], dossiers(d)) for d in docs]
