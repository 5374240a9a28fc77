"""The pipeline end to end on real files: text layers, real OCR, bad input, duplicates, retirement."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import func, select

import corpus
from corpus.textdiff import cer
from dangan.pipeline import Pipeline
from dangan.records import JobState
from dangan.settings import Settings
from storage import db
from storage.models import AuditEvent, Job, Page
from storage.objects import original_key, sha256_file


def _rows(settings: Settings):
    engine = db.make_engine(settings.database_url)
    sessions = db.session_factory(engine)
    return engine, sessions


@pytest.mark.slow
def test_a_mixed_batch_is_read_quarantined_deduplicated_and_retired(settings: Settings) -> None:
    inbox = settings.inbox
    assert inbox is not None
    (inbox / "clerk1").mkdir(parents=True)
    corpus.text_pdf(inbox / "IMG_0042.PDF", pages=3, seed=1)
    image, truth = corpus.render_page("contract", "zh", seed=3, quality="clean")
    image.convert("RGB").save(inbox / "clerk1" / "扫描件0001.jpg", quality=85)
    shutil.copy(inbox / "IMG_0042.PDF", inbox / "clerk1" / "Scan 2025-03-01 (2).pdf")  # same bytes again
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / "notes.pdf").write_text("<html><body>not a scan</body></html>")
    encrypted = inbox / "locked.pdf"
    with pikepdf.open(inbox / "IMG_0042.PDF") as pdf:
        pdf.save(encrypted, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    good_sha = sha256_file(inbox / "IMG_0042.PDF")

    from ingest.inbox import iter_files

    with Pipeline(settings, actor="os:clerk") as pipeline:
        for path in iter_files([inbox]):
            pipeline.submit(path)
        summary = pipeline.drain()

    assert (summary.files, summary.pages, summary.text_layer_pages, summary.ocr_pages) == (6, 4, 3, 1)
    assert (summary.quarantined, summary.duplicates, summary.failed_pages) == (3, 1, 0)
    assert list(inbox.rglob("*.*")) == []  # everything left the inbox, each to its place
    quarantined = sorted(p.name for p in settings.quarantine_dir.rglob("*.error.json"))
    assert quarantined == ["empty.pdf.error.json", "locked.pdf.error.json", "notes.pdf.error.json"]

    engine, sessions = _rows(settings)
    with sessions() as s:
        states = sorted(s.scalars(select(Job.state)))
        assert states == sorted([JobState.DONE] * 2 + [JobState.DUPLICATE] + [JobState.QUARANTINED] * 3)
        locked = s.scalars(select(Job).where(Job.source_name == "locked.pdf")).one()
        assert locked.error_code == "encrypted_file" and "加密" in (locked.reason_zh or "")
        jpeg_job = s.scalars(select(Job).where(Job.source_name == "扫描件0001.jpg")).one()
        page = s.scalars(select(Page).where(Page.job_id == jpeg_job.id)).one()
        assert page.text_source == "ocr" and page.lines and page.ocr_confidence is not None
        assert cer(page.text, truth.text) < 0.15
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.actor == "os:clerk")) >= 8
    engine.dispose()
    assert (settings.objects.path / original_key(good_sha)).is_file()


def test_files_are_kept_in_processed_when_asked(settings: Settings, tmp_path: Path) -> None:
    settings.intake.keep_processed_days = 7
    src = tmp_path / "drop"
    src.mkdir()
    corpus.text_pdf(src / "a.pdf", pages=2, seed=5)
    with Pipeline(settings, actor="os:clerk") as pipeline:
        pipeline.submit(src / "a.pdf")
        summary = pipeline.drain()
    assert summary.text_layer_pages == 2
    assert not (src / "a.pdf").exists()
    assert [p.name for p in settings.processed_dir.rglob("*.pdf")] == ["a.pdf"]


def test_page_limit_quarantines_with_that_reason(settings: Settings, tmp_path: Path) -> None:
    settings.intake.max_pages = 3
    corpus.text_pdf(tmp_path / "long.pdf", pages=5, seed=2)
    with Pipeline(settings, actor="os:clerk") as pipeline:
        pipeline.submit(tmp_path / "long.pdf")
        assert pipeline.drain().quarantined == 1
    reason = next(settings.quarantine_dir.rglob("*.原因.txt")).read_text(encoding="utf-8")
    assert "DANGAN_INTAKE__MAX_PAGES" in reason
