"""The search outbox: changes the index must follow, written in the same transaction as the change itself.

An index that is down or slow therefore delays search, never loses a page; the indexer (search_api.indexer)
drains the rows after the transaction commits, and `dangan reindex` repairs anything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.models import Base, BigId, UtcDateTime, utcnow


class OutboxReason:
    FILING = "filing"
    RECLASSIFY = "reclassify"
    REVIEW = "review"
    REASSIGN = "reassign"
    DELETE = "delete"
    REGISTER = "register"  # the customer's name changed in the register


class SearchOutbox(Base):
    """One change to index: a document (all its pages, as they are when drained) or a single page (deleted)."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # No foreign keys: the row must outlive the document or page whose deletion it announces.
    document_id: Mapped[int | None] = mapped_column(BigInteger)
    page_id: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


def enqueue_documents(session: Session, document_ids: Iterable[int | None], reason: str) -> None:
    """Announce, in the caller's transaction, that these documents' pages changed (filed, typed, moved...)."""
    for doc_id in dict.fromkeys(d for d in document_ids if d is not None):
        session.add(SearchOutbox(document_id=doc_id, reason=reason))


def enqueue_pages(session: Session, page_ids: Iterable[int], reason: str = OutboxReason.DELETE) -> None:
    """Announce single pages, e.g. pages about to be deleted, whose document will not say so any more."""
    for page_id in dict.fromkeys(page_ids):
        session.add(SearchOutbox(page_id=page_id, reason=reason))
