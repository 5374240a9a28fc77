"""Filing outside the pipeline's first pass: review decisions and re-matching, with their dossier objects.

Composes classify (pure decisions) and storage (rows and objects), like the pipeline does for new scans.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from classify.matching import match_document
from dangan.settings import Settings
from storage import audit
from storage.archive_numbers import ArchiveNumbering
from storage.documents import Document, DocumentState, document_pages
from storage.models import utcnow
from storage.register import Customer, Dossier, matching_register


def rematch_review(session: Session, settings: Settings, *, actor: str) -> list[int]:
    """Match every document waiting in review again (after a register import); file the ones now certain.

    Returns the ids of the documents filed, whose dossier objects the caller then writes.
    """
    register = matching_register(session, settings.classify)
    numbering = ArchiveNumbering(settings.archive)
    filed: list[int] = []
    for doc in session.scalars(select(Document).where(Document.state == DocumentState.REVIEW)).all():
        if doc.segment_reason.startswith("split by"):
            continue  # a person split it: a person decides
        match = match_document([p.text for p in document_pages(session, doc.id)], register)
        doc.match_reason, doc.customer_confidence = match.reason, match.confidence
        doc.suggested_customer_no, doc.pending_dossiers = match.customer_no, list(match.pending_dossiers)
        if not (match.certain and match.dossier_key):
            doc.review_reason = match.reason if not match.certain else f"{match.reason}; dossier not determined"
            continue
        customer = session.scalars(select(Customer).where(Customer.customer_no == match.customer_no)).one()
        dossier = session.scalars(select(Dossier).where(Dossier.archive_no == match.dossier_key)).one()
        doc.state, doc.customer_id, doc.dossier_id, doc.review_reason = DocumentState.FILED, customer.id, dossier.id, None
        doc.filed_at = utcnow()
        doc.archive_no = numbering.next_document_number(session, dossier=dossier.archive_no, doc_type=doc.doc_type)
        audit.record(session, actor, "document.rematch_file", "document", doc.id, archive_no=doc.archive_no)
        filed.append(doc.id)
    return filed


ObjectSync = Callable[[Session, list[int]], None]
