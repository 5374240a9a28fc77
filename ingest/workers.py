"""The page worker: one per core, one thread each; reads a page of a stored original and OCRs it."""

from __future__ import annotations

import ctypes
import dataclasses
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from dangan.errors import DanganError
from dangan.faults import crash_point
from dangan.records import PageRecord, PageTask, StageError, Status, TextSource
from dangan.settings import Settings

log = logging.getLogger(__name__)

TEXT_PAGE_IMAGE_DPI = 100  # born-digital pages are read from their text layer; their image is for people


@dataclass(slots=True)
class _WorkerState:
    settings: Settings
    store: object
    _engine: object = None
    _loading: threading.Thread | None = None
    _load_error: BaseException | None = None

    def start_loading(self) -> None:
        """Build the OCR engine in the background while the first file is still being stored: the
        models take about a second to load, which would otherwise delay the first page of every run."""
        self._loading = threading.Thread(target=self._load, name="load-ocr-engine", daemon=True)
        self._loading.start()

    def _load(self) -> None:
        from ocr import make_engine

        try:
            self._engine = make_engine(self.settings.ocr)
        except BaseException as exc:  # raised again where the engine is used, with the page that needed it
            self._load_error = exc
        _release_memory(0)  # loading the models needed some 200 MiB more for a moment

    @property
    def engine(self) -> object:
        if self._loading is None:
            self.start_loading()
        assert self._loading is not None
        self._loading.join()
        if self._load_error is not None:
            raise self._load_error
        return self._engine


# Set once per worker process by `init_worker`; the engine is too costly to build per page.
_state: _WorkerState | None = None


def init_worker(settings: Settings) -> None:
    """Process initializer: one object store and one OCR engine (loading in the background) per worker."""
    global _state
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from storage.objects import make_object_store

    _state = _WorkerState(settings, make_object_store(settings.objects))
    _state.start_loading()
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def ready() -> None:
    """A no-op task: submitting it makes the pool start its workers (and load their engines) now."""


def _exit_with_parent(parent: int) -> None:
    """A worker whose parent was killed has no one to report to: leave instead of lingering."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def process_page(task: PageTask) -> PageRecord:
    """Read one page: the PDF text layer when it is real text, else rasterise and OCR.

    Never raises for a bad page: the page comes back FAILED with its error, and the job goes on.
    """
    try:
        return _process_page(task)
    finally:
        _release_memory()


# A worker's resting size once its engine is loaded is about 185 MiB; reading a page needs about 240 MiB more
# for a moment (text detection's activations). glibc's allocator keeps what a page freed in holes of its heap
# and raises its mmap threshold as big blocks come and go, so without help a worker settles near 500-630 MiB
# after a few dozen pages (measured on a 500-page scan), and two of them broke the 1 GiB budget. Giving the
# holes back costs page faults on the next page (about 0.08 CPU s a page when done after every page), so it
# is done only when the worker has grown past this.
_RESIDENT_LIMIT = 400 << 20


def _release_memory(limit: int = _RESIDENT_LIMIT) -> None:
    """Hand freed heap memory back to the OS when the worker has grown past `limit` bytes (glibc only)."""
    global _malloc_trim
    if _malloc_trim is None:
        try:
            _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc: nothing to do
            _malloc_trim = False
    if _malloc_trim and _resident_bytes() > limit:
        _malloc_trim(0)


_malloc_trim: Any = None


def _resident_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _process_page(task: PageTask) -> PageRecord:
    from ingest.pages import load_page_image
    from ocr import normalize_text, read_page, read_text_layer
    from ocr.geometry import deskew, rotate_quarter

    assert _state is not None, "init_worker was not run"
    crash_point(f"page_read_p{task.page_no}")
    settings = _state.settings
    page = PageRecord(job_id=task.job_id, page_no=task.page_no)
    timings: dict[str, float] = {}
    try:
        with _state.store.local_copy(task.original_key) as path:  # type: ignore[attr-defined]
            if task.media_type == "application/pdf":
                started = time.perf_counter()
                text = read_text_layer(path, task.page_no, min_chars=settings.ocr.text_layer_min_chars)
                timings["text_layer"] = time.perf_counter() - started
                if text is not None:
                    # The image is only for people (thumbnails, the review queue): a low resolution will do.
                    image = load_page_image(path, task.media_type, task.page_no, dpi=TEXT_PAGE_IMAGE_DPI,
                                            limits=settings.intake)
                    page = dataclasses.replace(page, text_source=TextSource.TEXT_LAYER, text=normalize_text(text),
                                               width=image.shape[1], height=image.shape[0])
                    return _with_images(page, image, timings)
            started = time.perf_counter()
            image = load_page_image(
                path, task.media_type, task.page_no, dpi=settings.ocr.dpi, limits=settings.intake
            )
            timings["rasterise"] = time.perf_counter() - started
        result = read_page(page, image, _state.engine, settings.ocr)  # type: ignore[arg-type]
        if result.status is Status.FAILED:
            return dataclasses.replace(result, timings={**timings, **result.timings})
        upright = deskew(rotate_quarter(image, result.rotation), result.skew) if result.lines else image
        return _with_images(result, upright, {**timings, **result.timings})
    except DanganError as exc:
        error = StageError("read", task.page_no, exc.code, exc.reason_en)
    except Exception as exc:  # a bug or a broken engine: this page fails, the batch goes on
        log.exception("page %s of job %s failed", task.page_no, task.job_id)
        error = StageError("read", task.page_no, "internal_error", type(exc).__name__)
    return dataclasses.replace(page, status=Status.FAILED, errors=(error,), timings=timings)


def _with_images(page: PageRecord, image: object, timings: dict[str, float]) -> PageRecord:
    """Store the upright page image and its thumbnail (derived objects, keyed by job and page)."""
    from storage.filing import render_page_image, render_thumbnail

    assert _state is not None
    started = time.perf_counter()
    base = f"pages/{page.job_id}/{page.page_no:04d}"
    store = _state.store
    store.put_bytes(f"{base}.jpg", render_page_image(image))  # type: ignore[attr-defined, arg-type]
    store.put_bytes(f"{base}.thumb.jpg", render_thumbnail(image))  # type: ignore[attr-defined, arg-type]
    timings = {**timings, "images": time.perf_counter() - started}
    return dataclasses.replace(page, image_key=f"{base}.jpg", thumb_key=f"{base}.thumb.jpg", timings=timings)


def make_pool(settings: Settings) -> ProcessPoolExecutor:
    """Worker processes started fresh (spawn): no inherited threads or locks from the watcher."""
    return ProcessPoolExecutor(
        max_workers=settings.worker_count,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(settings,),
    )
