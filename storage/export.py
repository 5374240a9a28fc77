"""Exports of the metadata: one record per page of every ingested file, streamed in bounded memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from storage.documents import Document, DocumentState
from storage.models import Job, Page
from storage.register import Customer, Dossier

PAGE_FIELDS = (
    "page_id", "job_id", "source_file", "source_sha256", "source_page", "doc_type", "type_confidence",
    "customer_no", "customer_confidence", "dossier", "document_id", "archive_no", "needs_review", "reason",
    "text_source", "ocr_confidence", "low_quality", "status",
)


def iter_pages(session: Session, *, with_text: bool = False, batch: int = 500) -> Iterator[dict[str, Any]]:
    """Every page with its type, document, customer and dossier; `customer_no` is null unless filed."""
    filed_customer = aliased(Customer)
    query = (
        select(Page, Job.source_name, Job.sha256, Document, filed_customer.customer_no, Dossier.archive_no)
        .join(Job, Job.id == Page.job_id)
        .outerjoin(Document, Document.id == Page.document_id)
        .outerjoin(
            filed_customer, (filed_customer.id == Document.customer_id) & (Document.state == DocumentState.FILED)
        )
        .outerjoin(Dossier, (Dossier.id == Document.dossier_id) & (Document.state == DocumentState.FILED))
        .order_by(Page.job_id, Page.page_no)
        .execution_options(yield_per=batch)
    )
    for page, source_file, sha256, doc, customer_no, dossier in session.execute(query):
        filed = doc is not None and doc.state == DocumentState.FILED
        reasons = [f"type: {page.type_reason}"] if page.type_reason else []
        if doc is not None:
            reasons.append(f"customer: {doc.match_reason}" if filed else f"review: {doc.review_reason}")
        record = {
            "page_id": page.id,
            "job_id": page.job_id,
            "source_file": source_file,
            "source_sha256": sha256,
            "source_page": page.page_no,
            "doc_type": page.doc_type,
            "type_confidence": page.type_confidence,
            "customer_no": customer_no,
            "customer_confidence": doc.customer_confidence if doc is not None else None,
            "dossier": dossier,
            "document_id": doc.id if doc is not None else None,
            "archive_no": doc.archive_no if filed else None,
            "needs_review": not filed,
            "reason": "; ".join(reasons),
            "text_source": page.text_source,
            "ocr_confidence": page.ocr_confidence,
            "low_quality": page.low_quality,
            "status": page.status,
        }
        if with_text:
            record["text"] = page.text
        yield record
        session.expunge(page)  # bounded memory: the identity map must not grow with the archive
        if doc is not None and doc in session:
            session.expunge(doc)
