"""The inbox watcher: inotify (or polling for SMB/NFS shares), file stability, then the pipeline."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from dangan.errors import BackendUnavailableError
from dangan.settings import Settings
from ingest.inbox import check_layout, is_junk, is_safe_regular_file, iter_files

if TYPE_CHECKING:
    from dangan.pipeline import Pipeline

log = logging.getLogger(__name__)

RESCAN_SECONDS = 60.0  # a full walk now and then catches events lost by the OS or the share


@dataclass(slots=True)
class _Candidate:
    size: int
    mtime_ns: int
    since: float  # monotonic time the signature was first seen unchanged


class StabilityTracker:
    """A file is ready once its size and mtime have not changed for `stable_seconds`.

    Scanners and copiers write files in pieces; taking one early would read half a PDF.
    """

    def __init__(self, stable_seconds: float) -> None:
        self.stable_seconds = stable_seconds
        self._candidates: dict[Path, _Candidate] = {}

    def __len__(self) -> int:
        return len(self._candidates)

    def note(self, path: Path) -> None:
        self._candidates.setdefault(path, _Candidate(-1, -1, 0.0))

    def ready(self, now: float | None = None) -> list[Path]:
        now = time.monotonic() if now is None else now
        out: list[Path] = []
        for path, cand in list(self._candidates.items()):
            try:
                st = path.lstat()
            except OSError:
                del self._candidates[path]
                continue
            if (st.st_size, st.st_mtime_ns) != (cand.size, cand.mtime_ns):
                self._candidates[path] = _Candidate(st.st_size, st.st_mtime_ns, now)
            elif now - cand.since >= self.stable_seconds:
                out.append(path)
                del self._candidates[path]
        return out


class _Events(FileSystemEventHandler):
    def __init__(self, queue: SimpleQueue[Path]) -> None:
        self.queue = queue

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type not in ("created", "modified", "moved", "closed"):
            return
        target = getattr(event, "dest_path", "") or event.src_path
        self.queue.put(Path(str(target)))


class InboxWatcher:
    """Feeds stable, safe files of the inbox (subfolders included) to the pipeline until stopped."""

    def __init__(self, settings: Settings, pipeline: Pipeline, *, polling: bool | None = None) -> None:
        check_layout(settings)
        assert settings.inbox is not None
        self.inbox = settings.inbox
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.settings = settings
        self.pipeline = pipeline
        self.polling = settings.intake.polling if polling is None else polling
        self.tracker = StabilityTracker(settings.intake.stable_seconds)
        self._events: SimpleQueue[Path] = SimpleQueue()
        self._submitted: dict[Path, tuple[int, int]] = {}

    def _accept(self, path: Path) -> bool:
        try:
            rel = path.relative_to(self.inbox)
        except ValueError:
            return False
        if any(is_junk(part) for part in rel.parts):
            return False
        if not is_safe_regular_file(path, self.inbox):
            return False
        try:
            st = path.stat()
        except OSError:
            return False
        return self._submitted.get(path) != (st.st_size, st.st_mtime_ns)

    def _rescan(self) -> None:
        for path in iter_files([self.inbox]):
            self._events.put(path)

    def run(self, stop: threading.Event) -> None:
        """Watch until `stop` is set; then let the pages in flight finish."""
        observer = PollingObserver(timeout=self.settings.intake.poll_interval) if self.polling else Observer()
        observer.schedule(_Events(self._events), str(self.inbox), recursive=True)
        observer.start()
        log.info("watching %s (%s)", self.inbox, "polling" if self.polling else "inotify")
        try:
            self.pipeline.resume()
            self._rescan()
            last_scan = time.monotonic()
            while not stop.is_set():
                self._step()
                if time.monotonic() - last_scan > RESCAN_SECONDS:
                    self._rescan()
                    last_scan = time.monotonic()
            self.pipeline.drain()
        finally:
            observer.stop()
            observer.join(timeout=5)

    def _step(self) -> None:
        while True:
            try:
                path = self._events.get_nowait()
            except Empty:
                break
            if self._accept(path):
                self.tracker.note(path)
        for path in self.tracker.ready():
            if not self._accept(path):
                continue
            try:
                st = path.stat()
                self.pipeline.submit(path)
                self._submitted[path] = (st.st_size, st.st_mtime_ns)
            except BackendUnavailableError as exc:
                log.error("backend unavailable, %s stays in the inbox: %s", path.name, exc.reason_en)
            except Exception:
                log.exception("could not take %s; it stays in the inbox", path.name)
        self._forget_gone()
        if self.pipeline.busy:
            self.pipeline.poll(timeout=0.25)
        else:
            time.sleep(0.25)

    def _forget_gone(self) -> None:
        for path in [p for p in self._submitted if not p.exists()]:
            del self._submitted[path]
