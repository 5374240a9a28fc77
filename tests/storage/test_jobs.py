"""Job states, exactly-once claims and the audit trail, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from dangan.errors import CorruptFileError
from dangan.records import JobState, PageRecord, StageError, Status, TextSource
from storage import db, jobs
from storage.jobs import ClaimKind
from storage.models import AuditEvent, Job, Page

SHA = "a" * 64


@pytest.fixture
def sessions(database_url: str):
    engine = db.make_engine(database_url)
    db.migrate(engine)
    yield db.session_factory(engine)
    engine.dispose()


def test_migrate_creates_schema_and_is_idempotent(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.migrate(engine)
    db.migrate(engine)
    assert {"jobs", "pages", "audit_log", "alembic_version"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def _claim(s, path="/inbox/a.pdf", sha=SHA):
    return jobs.claim(s, sha256=sha, name=path.rsplit("/", 1)[-1], path=path, size=10, actor="os:clerk")


def test_claim_lifecycle_new_resume_done_duplicate(sessions) -> None:
    with sessions() as s:
        first = _claim(s)
        assert first.kind is ClaimKind.NEW
        assert _claim(s).kind is ClaimKind.RESUME  # not finished: the same job again
        jobs.mark_stored(s, first.job_id, media_type="application/pdf", page_count=2)
        for n in (1, 2):
            jobs.save_page(s, PageRecord(first.job_id, n, text_source=TextSource.OCR, text="合同"))
        s.commit()
        assert jobs.finish(s, first.job_id) is Status.OK
        # Done but not yet retired (a crash after commit): the same drop is recognised, not a duplicate.
        assert _claim(s) == jobs.Claim(first.job_id, ClaimKind.ALREADY_DONE)
        jobs.mark_retired(s, first.job_id)
        dup = _claim(s)
        assert dup.kind is ClaimKind.DUPLICATE
        job = s.get_one(Job, dup.job_id)
        assert (job.state, job.duplicate_of) == (JobState.DUPLICATE, first.job_id)
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions == ["intake.claim", "intake.store", "intake.done", "intake.duplicate"]
        assert all(e.actor == "os:clerk" for e in s.scalars(select(AuditEvent)))


def test_database_refuses_two_live_jobs_for_the_same_bytes(sessions) -> None:
    with sessions() as s:
        _claim(s)
        s.add(Job(sha256=SHA, source_name="b", source_path="/b", source_size=1, actor="x", state=JobState.STORED))
        with pytest.raises(IntegrityError):
            s.flush()


def test_quarantined_bytes_may_be_claimed_again(sessions) -> None:
    with sessions() as s:
        first = _claim(s)
        jobs.quarantine(s, first.job_id, CorruptFileError("文件已损坏", "file is corrupt"))
        job = s.get_one(Job, first.job_id)
        assert (job.state, job.error_code, job.reason_zh) == (JobState.QUARANTINED, "corrupt_file", "文件已损坏")
        assert _claim(s).kind is ClaimKind.NEW


def test_pages_saved_once_and_finish_sums_status(sessions) -> None:
    with sessions() as s:
        claim = _claim(s)
        jobs.mark_stored(s, claim.job_id, media_type="image/tiff", page_count=2)
        jobs.save_page(s, PageRecord(claim.job_id, 1, text="first"))
        s.commit()
        with pytest.raises(RuntimeError):
            jobs.finish(s, claim.job_id)  # page 2 missing
        jobs.save_page(s, PageRecord(claim.job_id, 1, text="second try"))
        failed = PageRecord(claim.job_id, 2, status=Status.FAILED,
                            errors=(StageError("read", 2, "internal_error", "boom"),))
        jobs.save_page(s, failed)
        s.commit()
        assert jobs.done_pages(s, claim.job_id) == {1, 2}
        assert s.scalar(select(Page.text).where(Page.page_no == 1)) == "first"
        assert jobs.finish(s, claim.job_id) is Status.PARTIAL
        assert s.scalar(select(Page.errors).where(Page.page_no == 2))[0]["code"] == "internal_error"
        assert jobs.unfinished(s) == []
