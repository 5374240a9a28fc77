"""The pipeline's composition: the only module that knows the order of the stages.

intake (claim, store the original, inspect) → pages in worker processes (text layer or OCR) → commit → retire.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from classify import load_rules
from classify.duplicates import Earlier
from classify.plan import JobPlan, PageInput, flag_duplicates, plan_job
from dangan.errors import BadInputError, SourceMissingError, TooLargeError
from dangan.faults import crash_point
from dangan.filing import retire_intake_original, write_document_objects
from dangan.records import JobState, OcrLine, PageRecord, PageTask, StageError, Status, TextSource
from dangan.settings import Settings
from ingest import intake
from ingest.pages import inspect_file
from ingest.workers import make_pool, ready
from storage import db, documents, jobs
from storage.archive_numbers import ArchiveNumbering
from storage.filing import IntakeFile
from storage.jobs import ClaimKind
from storage.models import Job, Page
from storage.objects import ObjectStore, make_object_store, original_key, sha256_file
from storage.register import matching_register

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestSummary:
    """What a run did, for the CLI's closing line and the bench."""

    files: int = 0
    pages: int = 0
    ocr_pages: int = 0
    text_layer_pages: int = 0
    blank_pages: int = 0
    failed_pages: int = 0
    low_quality_pages: int = 0
    documents: int = 0
    filed_documents: int = 0
    review_documents: int = 0
    quarantined: int = 0
    duplicates: int = 0
    already_done: int = 0
    resumed: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def add_page(self, page: PageRecord) -> None:
        self.pages += 1
        if page.text_source is TextSource.TEXT_LAYER:
            self.text_layer_pages += 1
        elif page.text_source is TextSource.OCR:
            self.ocr_pages += 1
        elif page.status is not Status.FAILED:
            self.blank_pages += 1
        self.failed_pages += page.status is Status.FAILED
        self.low_quality_pages += page.low_quality
        for stage, seconds in page.timings.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds

    def add_plan(self, plan: JobPlan) -> None:
        self.documents += len(plan.documents)
        self.review_documents += sum(d.needs_review for d in plan.documents)
        self.filed_documents += sum(not d.needs_review for d in plan.documents)


@dataclass(slots=True)
class _JobRun:
    """Book-keeping for one job whose pages are in flight."""

    job_id: int
    sha256: str
    source: Path | None  # the intake file to retire once committed
    tasks: Iterator[PageTask]
    remaining: int


Listener = Callable[[str, dict[str, object]], None]


class Pipeline:
    """Runs intake files through the stages with a bounded number of pages in flight.

    Use as a context manager; `submit` files, then `drain`. The watcher calls `poll` between events.
    """

    def __init__(self, settings: Settings, *, actor: str, keep_files: bool = False,
                 listener: Listener | None = None) -> None:
        self.settings = settings
        self.actor = actor
        self.keep_files = keep_files
        self.listener = listener or (lambda _event, _data: None)
        self.engine = db.make_engine(settings.database_url)
        db.migrate(self.engine)
        self.sessions: sessionmaker[Session] = db.session_factory(self.engine)
        self.store: ObjectStore = make_object_store(settings.objects)
        self.rules = load_rules(settings.classify.rules_file)
        self.numbering = ArchiveNumbering(settings.archive)
        self.summary = IngestSummary()
        self._pool: ProcessPoolExecutor | None = None
        self._pending: deque[_JobRun] = deque()
        self._runs: dict[int, _JobRun] = {}
        self._inflight: dict[Future[PageRecord], PageTask] = {}
        self._suspects: deque[PageTask] = deque()
        self._started = time.perf_counter()

    # -- lifecycle -------------------------------------------------------------------------------------------
    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=exc[0] is None, cancel_futures=True)
        self.engine.dispose()
        self.summary.seconds = time.perf_counter() - self._started

    @property
    def queued_pages(self) -> int:
        """Pages admitted but not yet committed (for progress bars)."""
        return sum(run.remaining for run in self._runs.values())

    @property
    def busy(self) -> bool:
        return bool(self._inflight or self._pending or self._suspects)

    # -- intake ----------------------------------------------------------------------------------------------
    def resume(self) -> None:
        """Finish what an earlier run left: stored jobs are re-run from their originals."""
        if removed := self.store.recover():
            log.info("removed %d partial object writes left by a crash", removed)
        with self.sessions() as s:
            left = jobs.unfinished(s)
        for job in left:
            if job.id in self._runs:
                continue
            source = Path(job.source_path)
            if job.state == JobState.CLAIMED:
                if source.is_file() and sha256_file(source) == job.sha256:
                    self.submit(source)
                else:
                    self._forget_vanished(job)
                continue
            self.summary.resumed += 1
            self._schedule(job.id, job.sha256, job.media_type or "", job.page_count or 0,
                           source if source.is_file() else None)

    def submit(self, path: Path) -> None:
        """Admit one intake file: claim it, store its original, inspect it, and queue its pages."""
        self.summary.files += 1
        size = intake.file_size(path)
        limit = self.settings.intake.max_file_mb * 1024 * 1024
        sha = sha256_file(path)
        with self.sessions() as s:
            claim = jobs.claim(s, sha256=sha, name=path.name, path=str(path), size=size, actor=self.actor)
        crash_point("claimed")
        self.listener("claimed", {"file": path.name, "kind": claim.kind})
        if claim.job_id in self._runs:
            return  # already in flight (resumed a moment ago); it is retired when it finishes
        if claim.kind in (ClaimKind.DUPLICATE, ClaimKind.ALREADY_DONE):
            if claim.kind is ClaimKind.DUPLICATE:
                self.summary.duplicates += 1
            else:
                self.summary.already_done += 1
            self._retire(claim.job_id, path, sha)
            return
        self._start_workers()
        if claim.kind is ClaimKind.RESUME:
            self.summary.resumed += 1
            with self.sessions() as s:
                job = s.get_one(Job, claim.job_id)
                if job.state == JobState.STORED:
                    self._schedule(job.id, sha, job.media_type or "", job.page_count or 0, path)
                    return
        try:
            if size > limit:
                raise TooLargeError(
                    f"文件过大（{size // (1024 * 1024)} MB，上限 {self.settings.intake.max_file_mb} MB，"
                    "可通过 DANGAN_INTAKE__MAX_FILE_MB 调整）",
                    f"file too large ({size // (1024 * 1024)} MB, limit {self.settings.intake.max_file_mb} MB; "
                    "set DANGAN_INTAKE__MAX_FILE_MB)",
                )
            key = original_key(sha)
            # The bytes are safe in the store before anything reads them (a hostile file may crash a reader).
            self.store.put_file(key, path, immutable=True)
            crash_point("original_stored")
            with self.store.local_copy(key) as stored:
                info = inspect_file(stored, self.settings.intake, self.settings.ocr.dpi)
        except BadInputError as error:
            self._quarantine(claim.job_id, path, sha, error)
            return
        with self.sessions() as s:
            jobs.mark_stored(s, claim.job_id, media_type=info.media_type, page_count=info.page_count)
        crash_point("job_stored")
        self._schedule(claim.job_id, sha, info.media_type, info.page_count, path)

    def _schedule(self, job_id: int, sha: str, media_type: str, page_count: int, source: Path | None) -> None:
        with self.sessions() as s:
            done = jobs.done_pages(s, job_id)
        todo = [n for n in range(1, page_count + 1) if n not in done]
        key = original_key(sha)
        run = _JobRun(job_id, sha, source, (PageTask(job_id, key, media_type, n) for n in todo), len(todo))
        self._runs[job_id] = run
        if run.remaining == 0:
            self._finish(run)
        else:
            self._pending.append(run)
            self._fill()

    def _quarantine(self, job_id: int, path: Path, sha: str, error: BadInputError) -> None:
        # The database learns first: a crash before the move leaves a quarantined job whose file is re-checked.
        with self.sessions() as s:
            jobs.quarantine(s, job_id, error)
        if path.is_file():
            intake.quarantine_file(path, self.settings, error, job_id=job_id, sha256=sha, keep=self.keep_files)
        with self.sessions() as s:
            jobs.mark_retired(s, job_id)
        self.summary.quarantined += 1
        log.warning("quarantined job %s: %s", job_id, error.code)
        self.listener("quarantined", {"file": path.name, "code": error.code, "reason": error.reason_zh})

    def _forget_vanished(self, job: Job) -> None:
        error = SourceMissingError("文件在保存前已被移走", "the file disappeared before it was stored")
        with self.sessions() as s:
            jobs.quarantine(s, job.id, error)

    # -- pages -----------------------------------------------------------------------------------------------
    def _pool_or_start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = make_pool(self.settings)
        return self._pool

    def _start_workers(self) -> None:
        """Start the workers before storing and inspecting the file, so that they load their OCR
        engines meanwhile (the pool starts its processes on the first task it is given)."""
        if self._pool is None:
            try:
                self._pool_or_start().submit(ready)
            except BrokenProcessPool:
                self._restart_pool()

    def _fill(self) -> None:
        # After a worker died, the pages that were in flight are re-read one at a time to find the culprit.
        if self._suspects:
            if not self._inflight:
                self._submit(self._suspects.popleft())
            return
        limit = 2 * self.settings.worker_count
        while self._pending and len(self._inflight) < limit:
            run = self._pending[0]
            task = next(run.tasks, None)
            if task is None:
                self._pending.popleft()
            elif not self._submit(task):
                return

    def _submit(self, task: PageTask) -> bool:
        try:
            future = self._pool_or_start().submit(_read, task)
        except BrokenProcessPool:  # a worker died since the last look
            self._restart_pool()
            self._suspects.append(task)
            return False
        self._inflight[future] = task
        return True

    def poll(self, timeout: float | None = None) -> None:
        """Collect finished pages (waiting up to `timeout`), commit them, and top up the workers."""
        self._fill()
        if not self._inflight:
            return
        alone = len(self._inflight) == 1
        finished, _ = wait(list(self._inflight), timeout=timeout, return_when=FIRST_COMPLETED)
        broken = False
        pages: list[PageRecord] = []
        for future in finished:
            task = self._inflight.pop(future)
            try:
                page = future.result()
            except BrokenProcessPool:
                broken = True
                if alone:  # it was the only page in flight: this page kills its worker
                    error = StageError("read", task.page_no, "worker_crashed", "reading this page crashed its worker")
                    page = PageRecord(task.job_id, task.page_no, status=Status.FAILED, errors=(error,))
                else:
                    self._suspects.append(task)
                    continue
            pages.append(page)
        if broken:
            self._restart_pool()
        self._fill()  # the workers go on while these pages are committed
        if pages:
            self._save(pages)

    def _restart_pool(self) -> None:
        """A worker process died (a hostile page can crash a decoder): the pages it took are suspects."""
        assert self._pool is not None
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        self._suspects.extend(self._inflight.values())
        self._inflight.clear()

    def drain(self) -> IngestSummary:
        while self.busy:
            self.poll()
        self.summary.seconds = time.perf_counter() - self._started
        return self.summary

    def _save(self, pages: list[PageRecord]) -> None:
        """Commit pages that finished together in one transaction, then finish the jobs they complete."""
        with self.sessions() as s:
            for page in pages:
                jobs.save_page(s, page)
            s.commit()
        for page in pages:
            crash_point("page_saved")
            self.summary.add_page(page)
            self.listener("page", {"job_id": page.job_id, "page_no": page.page_no, "status": page.status})
            run = self._runs[page.job_id]
            run.remaining -= 1
            if run.remaining == 0:
                self._finish(run)

    def _finish(self, run: _JobRun) -> None:
        self._file(run.job_id)
        with self.sessions() as s:
            status = jobs.finish(s, run.job_id)
            crash_point("job_done")
            retire_intake_original(s, self.store, run.job_id)
        del self._runs[run.job_id]
        if run.source is not None:
            self._retire(run.job_id, run.source, run.sha256)
        from search_api.indexer import sync

        sync(self.settings, self.sessions)  # the job's documents wait in the outbox: make them searchable now
        self.listener("done", {"job_id": run.job_id, "status": status})

    def _file(self, job_id: int) -> None:
        """Type the job's pages, group them into documents and file each one, or send it to review.

        Planning commits first (documents and archive numbers); a restart finds them and only redoes the
        objects, which are written idempotently.
        """
        with self.sessions() as s:
            if not documents.job_documents(s, job_id):
                register = matching_register(s, self.settings.classify)
                pages = documents.job_pages(s, job_id)
                plan = plan_job([_page_input(p) for p in pages], self.rules, register)

                def earlier_of(customer_no: str) -> list[Earlier]:
                    return [Earlier(i, label, tuple(texts), dossiers) for i, label, texts, dossiers
                            in documents.customer_documents(s, customer_no, exclude_job=job_id)]

                plan = flag_duplicates(plan, {p.page_no: p.text for p in pages}, earlier_of)
                documents.record_plan(s, job_id, plan, self.numbering, actor=self.actor)
                s.commit()
                self.summary.add_plan(plan)
            crash_point("documents_recorded")
            obsolete: list[str] = []
            with IntakeFile(self.store, original_key(s.get_one(Job, job_id).sha256)) as intake_file:
                for doc in documents.job_documents(s, job_id):
                    obsolete += write_document_objects(s, self.store, self.settings, doc, intake_file)
                    crash_point("document_objects")
            s.commit()
        for key in obsolete:
            self.store.delete(key)

    def _retire(self, job_id: int, path: Path, sha: str) -> None:
        """The inbox file goes only now, after its job is committed."""
        if not self.keep_files:
            intake.retire_file(path, sha, self.settings)
        with self.sessions() as s:
            jobs.mark_retired(s, job_id)


def _page_input(page: Page) -> PageInput:
    """A stored page as planning sees it; a page the image stage found blank has no text source."""
    lines = tuple(OcrLine(text, conf, tuple(box)) for text, conf, box in page.lines)  # type: ignore[arg-type]
    if page.text_source == TextSource.NONE and page.status == Status.OK:
        hint: bool | None = True
    elif page.text_source == TextSource.OCR:
        hint = False
    else:
        hint = None
    return PageInput(page.page_no, page.text, lines, page.height, hint)


def _read(task: PageTask) -> PageRecord:
    from ingest.workers import process_page

    return process_page(task)

