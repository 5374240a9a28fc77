"""Filing outside the pipeline's first pass: review decisions and re-matching, with their dossier objects.

Composes classify (pure decisions) and storage (rows and objects), like the pipeline does for new scans.
"""

from __future__ import annotations

import hashlib

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from classify.matching import match_document
from dangan.errors import DanganError
from dangan.records import OcrLine, TextSource
from dangan.settings import Settings
from storage import audit, outbox
from storage.archive_numbers import ArchiveNumbering
from storage.documents import Document, DocumentState, document_pages
from storage.filing import (
    DocumentManifest,
    DocumentObjects,
    IntakeFile,
    ManifestPage,
    ScanPage,
    delete_dossier_objects,
    document_manifest,
    extract_document_original,
    render_page_image,
    searchable_pdf,
    searchable_pdf_from_original,
    write_dossier_objects,
)
from storage.models import Job, Page, utcnow
from storage.objects import ObjectStore, make_object_store, original_key
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
        doc.state, doc.customer_id, doc.dossier_id = DocumentState.FILED, customer.id, dossier.id
        doc.review_reason = None
        doc.filed_at = utcnow()
        doc.archive_no = numbering.next_document_number(session, dossier=dossier.archive_no, doc_type=doc.doc_type)
        audit.record(session, actor, "document.rematch_file", "document", doc.id, archive_no=doc.archive_no)
        filed.append(doc.id)
    outbox.enqueue_documents(session, filed, outbox.OutboxReason.FILING)
    return filed



def _digest(page_nos: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, page_nos)).encode()).hexdigest()[:12]


_BLANK_JPEG: bytes | None = None


def _placeholder() -> bytes:
    """A white page standing in for a page that could not be read (its error is on the page row)."""
    global _BLANK_JPEG
    if _BLANK_JPEG is None:
        _BLANK_JPEG = render_page_image(np.full((1169, 827), 255, dtype=np.uint8))
    return _BLANK_JPEG


def write_document_objects(session: Session, store: ObjectStore, settings: Settings, doc: Document,
                           intake_file: IntakeFile | None = None) -> list[str]:
    """Bring a document's objects in line with its rows: its own original, and its dossier objects if filed.

    Idempotent, so a restart after a crash simply calls it again. Returns object keys that became
    obsolete (an earlier original of a document whose pages changed); delete them after committing.
    `intake_file` is the job's intake file, opened once for all its documents.
    """
    job = session.get_one(Job, doc.job_id)
    pages = document_pages(session, doc.id)
    obsolete: list[str] = []
    page_nos = [p.page_no for p in pages]
    intake = original_key(job.sha256)
    key = f"originals/documents/{doc.id}-{_digest(page_nos)}"
    if doc.original_key != key:
        if not store.exists(intake):
            raise DanganError("原始扫描文件已退役，无法重建文档原件",
                              "the intake original was retired; the document original cannot be rebuilt")
        extract_document_original(store, intake, job.media_type or "", page_nos, key,
                                  max_page_pixels=settings.intake.max_page_pixels, intake_file=intake_file)
        if doc.original_key:
            obsolete.append(doc.original_key)
        doc.original_key, doc.original_media_type = key, job.media_type
    if doc.state != DocumentState.FILED:
        if doc.objects_prefix:
            delete_dossier_objects(store, doc.objects_prefix)
            doc.objects_prefix = None
        return obsolete
    dossier = session.get_one(Dossier, doc.dossier_id)
    customer = session.get_one(Customer, doc.customer_id)
    objects = DocumentObjects(dossier.archive_no, doc.archive_no or "")
    jpegs = [store.get_bytes(p.image_key) if p.image_key else _placeholder() for p in pages]
    thumbs = [store.get_bytes(p.thumb_key) if p.thumb_key else _placeholder() for p in pages]
    original = store.get_bytes(key)
    is_pdf = job.media_type == "application/pdf"
    if is_pdf and all(p.text_source == TextSource.TEXT_LAYER for p in pages):
        pdf = searchable_pdf_from_original(original)
    else:
        pdf = searchable_pdf(
            [
                position if is_pdf and p.text_source == TextSource.TEXT_LAYER
                else ScanPage(jpeg, p.width, p.height, _lines(p))
                for position, (p, jpeg) in enumerate(zip(pages, jpegs, strict=True), start=1)
            ],
            dpi=settings.ocr.dpi,
            original_pdf=original if is_pdf else None,
        )
    manifest = document_manifest(DocumentManifest(
        document_id=doc.id, archive_no=objects.document_archive_no, dossier_archive_no=dossier.archive_no,
        customer_no=customer.customer_no, doc_type=doc.doc_type, created_at=doc.created_at,
        original_key=key, original_sha256=hashlib.sha256(original).hexdigest(),
        original_media_type=job.media_type or "", pdf_key=objects.pdf,
        pages=tuple(
            ManifestPage(n, job.sha256, p.page_no, objects.page(n), objects.thumb(n), TextSource(p.text_source),
                         p.engine, p.ocr_confidence, p.rotation, p.skew, p.width, p.height)
            for n, p in enumerate(pages, start=1)
        ),
    ))
    # The new place first, then the old one goes: a crash leaves one complete copy.
    write_dossier_objects(store, objects, pdf=pdf, pages=jpegs, thumbs=thumbs, manifest=manifest)
    if doc.objects_prefix and doc.objects_prefix != objects.prefix:
        delete_dossier_objects(store, doc.objects_prefix)
    doc.objects_prefix = objects.prefix
    return obsolete


def _lines(page: Page) -> list[OcrLine]:
    return [OcrLine(text, conf, tuple(box)) for text, conf, box in page.lines]  # type: ignore[arg-type]


def retire_intake_original(session: Session, store: ObjectStore, job_id: int) -> bool:
    """Delete a job's intake original once every document of it is filed with its own original.

    From then on each dossier can be destroyed on its own; the job row keeps the sha256 to recognise the
    same file if it is dropped again.
    """
    docs = session.scalars(select(Document).where(Document.job_id == job_id)).all()
    live = [d for d in docs if d.state != DocumentState.REMOVED]
    if not live or any(d.state != DocumentState.FILED or not d.original_key for d in live):
        return False
    job = session.get_one(Job, job_id)
    store.delete(original_key(job.sha256))
    return True


def sync_documents(session: Session, settings: Settings, document_ids: list[int]) -> None:
    """After a committed review decision: rebuild the touched documents' objects, then tidy up."""
    store = make_object_store(settings.objects)
    obsolete: list[str] = []
    jobs: set[int] = set()
    for doc_id in document_ids:
        doc = session.get(Document, doc_id)
        if doc is not None:
            obsolete += write_document_objects(session, store, settings, doc)
            jobs.add(doc.job_id)
    session.commit()
    for key in obsolete:
        store.delete(key)
    for job_id in jobs:
        retire_intake_original(session, store, job_id)
