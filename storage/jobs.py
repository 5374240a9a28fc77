"""Intake jobs through their states: claim, store, record pages, finish or quarantine, retire."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dangan.errors import DanganError
from dangan.records import JobState, PageRecord, Status
from storage import audit
from storage.models import Job, Page, utcnow

LIVE_STATES = (JobState.CLAIMED, JobState.STORED, JobState.DONE)


class ClaimKind(StrEnum):
    NEW = "new"  # first time these bytes are seen
    RESUME = "resume"  # an earlier run claimed them and did not finish
    ALREADY_DONE = "already_done"  # finished, but the file was not yet retired (crash after commit)
    DUPLICATE = "duplicate"  # the same bytes came before in another drop (filed, or still in flight)


@dataclass(frozen=True, slots=True)
class Claim:
    job_id: int
    kind: ClaimKind


def find_live(session: Session, sha256: str) -> Job | None:
    return session.scalars(select(Job).where(Job.sha256 == sha256, Job.state.in_(LIVE_STATES))).first()


def claim(session: Session, *, sha256: str, name: str, path: str, size: int, actor: str) -> Claim:
    """Decide what a found file is and write that down; commits, so the decision survives a crash."""
    for _ in range(3):
        live = find_live(session, sha256)
        if live is None:
            job = Job(sha256=sha256, source_name=name, source_path=path, source_size=size, actor=actor,
                      state=JobState.CLAIMED)
            session.add(job)
            try:
                session.flush()
            except IntegrityError:  # another process claimed the same bytes a moment ago
                session.rollback()
                continue
            audit.record(session, actor, "intake.claim", "job", job.id, source_name=name, size=size)
            session.commit()
            return Claim(job.id, ClaimKind.NEW)
        same_drop = live.source_path == path
        if live.state != JobState.DONE and (same_drop or not Path(live.source_path).is_file()):
            live.attempts += 1
            live.source_path, live.source_name = path, name  # the file may have been renamed meanwhile
            session.commit()
            return Claim(live.id, ClaimKind.RESUME)
        if live.state == JobState.DONE and live.retired_at is None and same_drop:
            return Claim(live.id, ClaimKind.ALREADY_DONE)
        dup = Job(sha256=sha256, source_name=name, source_path=path, source_size=size, actor=actor,
                  state=JobState.DUPLICATE, duplicate_of=live.id, finished_at=utcnow())
        session.add(dup)
        session.flush()
        audit.record(session, actor, "intake.duplicate", "job", dup.id, duplicate_of=live.id, source_name=name)
        session.commit()
        return Claim(dup.id, ClaimKind.DUPLICATE)
    raise RuntimeError("could not claim a job after 3 attempts")


def mark_stored(session: Session, job_id: int, *, media_type: str, page_count: int) -> None:
    job = session.get_one(Job, job_id)
    job.state, job.media_type, job.page_count = JobState.STORED, media_type, page_count
    audit.record(session, job.actor, "intake.store", "job", job_id, pages=page_count, media_type=media_type)
    session.commit()


def done_pages(session: Session, job_id: int) -> set[int]:
    return set(session.scalars(select(Page.page_no).where(Page.job_id == job_id)))


def save_page(session: Session, page: PageRecord) -> None:
    """Insert a page row once (a resumed job may OCR a page again: the first result stays)."""
    if session.scalar(select(Page.id).where(Page.job_id == page.job_id, Page.page_no == page.page_no)):
        return
    session.add(
        Page(
            job_id=page.job_id,
            page_no=page.page_no,
            status=page.status,
            text_source=page.text_source,
            engine=page.engine,
            text=page.text,
            lines=[[ln.text, round(ln.confidence, 4), list(ln.box)] for ln in page.lines],
            ocr_confidence=page.ocr_confidence,
            low_quality=page.low_quality,
            rotation=page.rotation,
            skew=page.skew,
            width=page.width,
            height=page.height,
            image_key=page.image_key,
            thumb_key=page.thumb_key,
            errors=[dataclasses.asdict(e) for e in page.errors],
        )
    )


def finish(session: Session, job_id: int) -> Status:
    """Mark a stored job done once every page has a row; its status sums up the pages'."""
    job = session.get_one(Job, job_id)
    statuses = list(session.scalars(select(Page.status).where(Page.job_id == job_id)))
    if len(statuses) != job.page_count:
        raise RuntimeError(f"job {job_id}: {len(statuses)} of {job.page_count} pages recorded")
    if all(s == Status.OK for s in statuses):
        status = Status.OK
    elif all(s == Status.FAILED for s in statuses):
        status = Status.FAILED
    else:
        status = Status.PARTIAL
    job.state, job.status, job.finished_at = JobState.DONE, status, utcnow()
    audit.record(session, job.actor, "intake.done", "job", job_id, pages=len(statuses), status=status)
    session.commit()
    return status


def quarantine(session: Session, job_id: int, error: DanganError) -> None:
    job = session.get_one(Job, job_id)
    job.state, job.finished_at = JobState.QUARANTINED, utcnow()
    job.error_code, job.reason_zh, job.reason_en = error.code, error.reason_zh, error.reason_en
    audit.record(session, job.actor, "intake.quarantine", "job", job_id, code=error.code)
    session.commit()


def mark_retired(session: Session, job_id: int) -> None:
    job = session.get_one(Job, job_id)
    job.retired_at = utcnow()
    session.commit()


def unfinished(session: Session) -> list[Job]:
    """Jobs a crash or stop left behind: claimed or stored but not done."""
    return list(session.scalars(select(Job).where(Job.state.in_((JobState.CLAIMED, JobState.STORED))).order_by(Job.id)))


def counts_by_state(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Job.state, func.count()).group_by(Job.state)).all())  # type: ignore[arg-type]
