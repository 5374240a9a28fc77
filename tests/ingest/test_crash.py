"""Kill tests: SIGKILL `dangan ingest` at chosen points and at random moments; every file ends done exactly once."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

import corpus
from dangan.records import JobState
from dangan.settings import Settings
from storage import db
from storage.documents import Document
from storage.models import Job, Page
from storage.objects import original_key, sha256_file

# Named moments in the pipeline (see dangan.faults); each run dies at one of them, the next run finishes the work.
CRASH_POINTS = ["claimed:2", "object_write:3", "original_stored:1", "job_stored:2", "page_saved:4",
                "documents_recorded:2", "document_objects:3", "job_done:2", "job_done:5"]


def _run_ingest(settings: Settings, inbox: Path, crash_at: str | None = None,
                kill_after: float | None = None) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGAN_")}
    env.update(DANGAN_HOME=str(settings.home), DANGAN_INBOX=str(inbox), DANGAN_OCR__WORKERS="2",
               DANGAN_OCR__ENGINE=settings.ocr.engine.value)
    if crash_at:
        env["DANGAN_CRASH_AT"] = crash_at
    proc = subprocess.Popen([sys.executable, "-m", "dangan.cli", "ingest", str(inbox)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        proc.wait(timeout=kill_after if kill_after is not None else 300)
    except subprocess.TimeoutExpired:
        pass
    if proc.returncode is None or proc.returncode < 0:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the whole group, workers included, as a power cut would
        proc.wait()
    return proc.returncode


def _make_batch(inbox: Path) -> dict[str, int]:
    """Text-layer PDFs for bulk, two small scanned pages through real OCR; returns sha256 → page count."""
    inbox.mkdir(parents=True)
    pages: dict[str, int] = {}
    for n in range(10):
        path = inbox / f"batch_{n:02d}.pdf"
        corpus.text_pdf(path, pages=1 + n % 3, seed=100 + n)
        pages[sha256_file(path)] = 1 + n % 3
    for n, doc_type in enumerate(["invoice", "id_copy"]):
        image, _ = corpus.render_page(doc_type, "zh", seed=200 + n, quality="clean")
        path = inbox / f"扫描件{n:04d}.jpg"
        image.convert("L").resize((image.width // 2, image.height // 2)).save(path, quality=80)
        pages[sha256_file(path)] = 1
    return pages


@pytest.mark.slow
def test_sigkill_at_any_point_then_restart_processes_every_file_exactly_once(
    settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "drop"
    expected = _make_batch(inbox)
    rng = random.Random(20261123)
    killed = 0
    for point in CRASH_POINTS:
        killed += _run_ingest(settings, inbox, crash_at=point) == -signal.SIGKILL
    for _ in range(3):
        if not any(inbox.iterdir()):
            break
        killed += _run_ingest(settings, inbox, kill_after=rng.uniform(0.5, 5.0)) == -signal.SIGKILL
    assert killed >= 4, "the crash points were not reached: the test would prove nothing"
    assert _run_ingest(settings, inbox) == 0

    assert list(inbox.iterdir()) == []
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        done = s.scalars(select(Job).where(Job.state == JobState.DONE)).all()
        assert sorted(j.sha256 for j in done) == sorted(expected)  # each file done once, none twice
        assert s.scalar(select(func.count()).select_from(Job).where(Job.state != JobState.DONE)) == 0
        for job in done:
            page_nos = s.scalars(select(Page.page_no).where(Page.job_id == job.id)).all()
            assert sorted(page_nos) == list(range(1, expected[job.sha256] + 1))
            assert job.retired_at is not None
        assert s.scalar(select(func.count()).select_from(Page).where(Page.status != "ok")) == 0
        # Filing finished too: every page in exactly one document, no document planned twice, each with its original.
        assert s.scalar(select(func.count()).select_from(Page).where(Page.document_id.is_(None))) == 0
        docs = s.scalars(select(Document)).all()
        assert sum(len(s.scalars(select(Page.id).where(Page.document_id == d.id)).all()) for d in docs) == sum(
            expected.values())
        assert all(d.original_key and (settings.objects.path / d.original_key).is_file() for d in docs)
    engine.dispose()
    objects = settings.objects.path
    assert objects is not None
    for sha in expected:
        assert (objects / original_key(sha)).is_file()
    assert not [p for p in objects.rglob(".tmp-*")]


@pytest.mark.slow
def test_a_page_that_kills_its_worker_fails_alone(settings: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "drop"
    inbox.mkdir()
    corpus.text_pdf(inbox / "a.pdf", pages=4, seed=9)
    corpus.text_pdf(inbox / "b.pdf", pages=1, seed=10)
    assert _run_ingest(settings, inbox, crash_at="page_read_p3:1") == 1  # a failed page: exit 1, not a crash
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        rows = s.execute(select(Page.page_no, Page.status, Page.errors)).all()
        assert len(rows) == 5
        failed = [r for r in rows if r.status == "failed"]
        assert [r.page_no for r in failed] == [3]
        assert failed[0].errors[0]["code"] == "worker_crashed"
        assert s.scalar(select(func.count()).select_from(Job).where(Job.state == JobState.DONE)) == 2
    engine.dispose()
