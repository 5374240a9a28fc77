"""`dangan watch` as a real process: inotify and polling, half-written files, junk, symlinks, clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

import corpus
from dangan.records import JobState
from dangan.settings import Settings
from storage import db
from storage.models import Job


def _done_names(settings: Settings) -> list[str]:
    engine = db.make_engine(settings.database_url)
    try:
        with db.session_factory(engine)() as s:
            return sorted(s.scalars(select(Job.source_name).where(Job.state == JobState.DONE)))
    except Exception:
        return []  # the watcher has not created the schema yet
    finally:
        engine.dispose()


def _wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_watch_takes_stable_files_from_subfolders_and_stops_cleanly(
    settings: Settings, tmp_path: Path, polling: bool
) -> None:
    inbox = settings.inbox
    assert inbox is not None
    (inbox / "clerk2").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGAN_")}
    env.update(DANGAN_HOME=str(settings.home), DANGAN_INBOX=str(inbox), DANGAN_OCR__WORKERS="1",
               DANGAN_INTAKE__STABLE_SECONDS="1.5", DANGAN_INTAKE__POLL_INTERVAL="0.5",
               DANGAN_INTAKE__POLLING=str(polling).lower())
    proc = subprocess.Popen([sys.executable, "-m", "dangan.cli", "watch"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        source = tmp_path / "src.pdf"
        corpus.text_pdf(source, pages=2, seed=31)
        data = source.read_bytes()
        target = inbox / "clerk2" / "Scan 2025-03-01 (2).pdf"
        with target.open("wb") as f:  # a copier writing slowly: half now, half later
            f.write(data[: len(data) // 2])
            f.flush()
            time.sleep(1.0)
            f.write(data[len(data) // 2 :])
        (inbox / "~$draft.pdf").write_bytes(data)  # junk: never taken
        outside = tmp_path / "outside.pdf"
        corpus.text_pdf(outside, pages=1, seed=32)
        (inbox / "link.pdf").symlink_to(outside)  # a symlink: never followed
        assert _wait_for(lambda: _done_names(settings) == ["Scan 2025-03-01 (2).pdf"]), proc.stdout
        assert _wait_for(lambda: not target.exists(), 10)
        assert (inbox / "~$draft.pdf").exists() and (inbox / "link.pdf").is_symlink() and outside.exists()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert _done_names(settings) == ["Scan 2025-03-01 (2).pdf"]


def test_watch_refuses_an_inbox_that_holds_its_output(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGAN_")}
    env.update(DANGAN_HOME=str(tmp_path / "inbox" / "home"), DANGAN_INBOX=str(tmp_path / "inbox"))
    out = subprocess.run([sys.executable, "-m", "dangan.cli", "watch"], env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 2
    assert "收件箱" in out.stderr and "inside the inbox" in out.stderr
