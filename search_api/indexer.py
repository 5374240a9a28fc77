"""Feeding the index from the metadata database: the outbox drain after each change, and the full rebuild.

Both read pages as they are in the database when they run, never as an event described them, so the order in
which changes arrive does not matter and running twice does no harm.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from search_api.index import IndexBatch, PageDoc, SearchIndex
from search_api.text import document_date
from storage.documents import Document, DocumentState
from storage.models import Job, Page
from storage.outbox import SearchOutbox
from storage.register import Customer, Dossier

if TYPE_CHECKING:
    from dangan.settings import Settings

log = logging.getLogger(__name__)

INDEXED_STATES = (DocumentState.FILED, DocumentState.REVIEW)


def _page_query() -> Any:
    return (
        select(Page.id, Page.text, Page.page_no, Page.doc_type, Page.job_id, Job.source_name, Job.received_at,
               Document.id, Document.state, Document.doc_type, Document.archive_no, Customer.customer_no,
               Customer.name, Dossier.archive_no)
        .join(Job, Job.id == Page.job_id)
        .join(Document, Document.id == Page.document_id)
        .outerjoin(Customer, (Customer.id == Document.customer_id) & (Document.state == DocumentState.FILED))
        .outerjoin(Dossier, (Dossier.id == Document.dossier_id) & (Document.state == DocumentState.FILED))
        .where(Document.state.in_(INDEXED_STATES))
        .order_by(Document.id, Page.page_no)
    )


def _documents(rows: Iterator[Any]) -> Iterator[list[PageDoc]]:
    """Group rows (ordered by document) into documents; the date printed on any page dates them all."""
    current: list[Any] = []
    for row in rows:
        if current and current[0][7] != row[7]:
            yield _docs(current)
            current = []
        current.append(row)
    if current:
        yield _docs(current)


def _docs(rows: list[Any]) -> list[PageDoc]:
    doc_date: date | None = next((d for r in rows if (d := document_date(r[1] or ""))), None)
    out = []
    for (page_id, text, page_no, page_type, job_id, source, received, doc_id, state, doc_type, archive_no,
         customer_no, customer_name, dossier_no) in rows:
        filed = state == DocumentState.FILED
        out.append(PageDoc(
            page_id=page_id, text=text or "", doc_type=page_type or doc_type, ingested=received,
            document_id=doc_id, job_id=job_id, source_file=source, source_page=page_no, state=state,
            customer_no=customer_no, customer_name=customer_name, archive_no=archive_no if filed else None,
            dossier_no=dossier_no, doc_date=doc_date,
        ))
    return out


def pending(session: Session) -> int:
    """Changes waiting in the outbox."""
    return session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


def drain(sessions: sessionmaker[Session], index: SearchIndex, *, batch: int = 500) -> int:
    """Bring the index up to date with the outbox; returns the number of outbox rows done.

    The writer is taken first, so two drains never work on the same rows; rows are deleted only after the
    index committed their pages (a crash in between repeats them, harmlessly).
    """
    done = 0
    with index.batch() as writer:
        while True:
            with sessions() as s:
                rows = s.execute(select(SearchOutbox.id, SearchOutbox.document_id, SearchOutbox.page_id)
                                 .order_by(SearchOutbox.id).limit(batch)).all()
                if not rows:
                    break
                doc_ids = {r.document_id for r in rows if r.document_id is not None}
                page_ids = {r.page_id for r in rows if r.page_id is not None}
                indexed: set[int] = set()
                if doc_ids:
                    for docs in _documents(iter(s.execute(_page_query().where(Document.id.in_(doc_ids))))):
                        for page in docs:
                            writer.upsert(page)
                            indexed.add(page.page_id)
                if page_ids:
                    for docs in _documents(iter(s.execute(_page_query().where(Document.id.in_(
                            select(Page.document_id).where(Page.id.in_(page_ids))))))):
                        for page in docs:
                            if page.page_id in page_ids:
                                writer.upsert(page)
                                indexed.add(page.page_id)
                for page_id in page_ids - indexed:  # gone, or no longer in a searchable document
                    writer.delete(page_id)
            writer.commit()
            with sessions() as s:
                s.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows])))
                s.commit()
            done += len(rows)
    return done


@dataclass
class ReindexProgress:
    documents: int = 0
    pages: int = 0
    resumed_after: int = 0  # document id a previous, interrupted run had reached
    seconds: float = 0.0


def reindex(
    sessions: sessionmaker[Session], index: SearchIndex, checkpoint: Path, *, restart: bool = False,
    commit_every: int = 2000, on_progress: Callable[[ReindexProgress], None] | None = None,
) -> ReindexProgress:
    """Rebuild the index from the database, streaming in document order with bounded memory.

    Progress is committed every `commit_every` pages together with a checkpoint (the last document done and
    the run's generation), so an interrupted run goes on where it stopped. Searches keep working meanwhile:
    pages are replaced in place, and only at the end are pages the run did not write (gone from the database)
    deleted, by generation.
    """
    started = time.perf_counter()
    state = None if restart or not checkpoint.exists() else json.loads(checkpoint.read_text())
    progress = ReindexProgress()
    if state is None:
        state = {"generation": time.time_ns() // 1000, "after_document": 0}
    progress.resumed_after = state["after_document"]
    checkpoint.parent.mkdir(parents=True, exist_ok=True)
    checkpoint.write_text(json.dumps(state))
    generation = int(state["generation"])
    with index.batch() as writer:
        since_commit = 0
        with sessions() as s:
            query = _page_query().where(Document.id > state["after_document"]).execution_options(yield_per=1000)
            for docs in _documents(iter(s.execute(query))):
                for page in docs:
                    writer.upsert(page, generation=generation)
                progress.documents += 1
                progress.pages += len(docs)
                since_commit += len(docs)
                if since_commit >= commit_every:
                    _checkpoint(writer, checkpoint, state, docs[0].document_id)
                    since_commit = 0
                    if on_progress:
                        on_progress(progress)
        writer.delete_older(generation)
        writer.commit()
    checkpoint.unlink(missing_ok=True)
    progress.seconds = time.perf_counter() - started
    return progress


def _checkpoint(writer: IndexBatch, checkpoint: Path, state: dict[str, Any], document_id: int | None) -> None:
    writer.commit()
    state["after_document"] = document_id
    tmp = checkpoint.with_suffix(".tmp")
    tmp.write_text(json.dumps(state))
    tmp.replace(checkpoint)


def sync(settings: Settings, sessions: sessionmaker[Session], *, lock_wait: float = 2.0) -> int | None:
    """Drain the outbox into the configured index after a change; never fails the change itself.

    Returns the rows done, or None when the index could not be updated now (down, or another process holds
    the writer): the rows wait in the outbox for the next drain, so search is late, never wrong for good.
    """
    from search_api.index import make_index

    try:
        index = make_index(settings, lock_wait=lock_wait)
        try:
            return drain(sessions, index)
        finally:
            index.close()
    except Exception as exc:  # noqa: BLE001 - an index problem must never fail filing or a review decision
        log.warning("search index not updated now (%s); the changes wait in the outbox", type(exc).__name__)
        return None
