"""Inbox rules: junk, symlinks and escapes refused, output folders inside the inbox refused, stability."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dangan.errors import ConfigError, EncryptedFileError
from dangan.settings import Settings
from ingest.inbox import check_layout, is_junk, is_safe_regular_file, iter_files
from ingest.intake import purge_processed, quarantine_file, retire_file
from ingest.watcher import StabilityTracker
from storage.objects import sha256_file


@pytest.mark.parametrize("name", ["._scan.pdf", ".DS_Store", "Thumbs.db", "~$合同.docx", "scan.pdf.part",
                                  "x.tmp", "upload.crdownload", ".hidden.pdf", "thumbs.db"])
def test_junk_is_ignored(name: str) -> None:
    assert is_junk(name)


@pytest.mark.parametrize("name", ["扫描件0001.jpg", "IMG_0042.PDF", "Scan 2025-03-01 (2).tif", "batch.pdf"])
def test_scanner_names_are_taken(name: str) -> None:
    assert not is_junk(name)


def test_symlinks_and_escapes_are_refused(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "clerk1").mkdir(parents=True)
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(b"%PDF")
    (inbox / "link.pdf").symlink_to(outside)
    (inbox / "clerk1" / "dirlink").symlink_to(tmp_path, target_is_directory=True)
    good = inbox / "clerk1" / "扫描件0001.jpg"
    good.write_bytes(b"\xff\xd8\xff")
    (inbox / "clerk1" / ".DS_Store").write_bytes(b"")
    os.mkfifo(inbox / "pipe.pdf")
    assert list(iter_files([inbox])) == [good]
    assert not is_safe_regular_file(inbox / "link.pdf", inbox)
    assert not is_safe_regular_file(outside, inbox)
    assert is_safe_regular_file(good, inbox)


def test_output_folders_inside_the_inbox_are_refused(tmp_path: Path) -> None:
    check_layout(Settings(home=tmp_path / "home", inbox=tmp_path / "inbox"))
    with pytest.raises(ConfigError, match="inside the inbox"):
        check_layout(Settings(home=tmp_path / "inbox" / "dangan", inbox=tmp_path / "inbox"))
    with pytest.raises(ConfigError):
        check_layout(Settings(home=tmp_path / "h", inbox=tmp_path / "in", objects={"path": tmp_path / "in" / "o"}))


def test_a_file_is_ready_only_after_it_stops_changing(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"part")
    tracker = StabilityTracker(stable_seconds=5)
    tracker.note(path)
    assert tracker.ready(now=100) == []  # first look records the signature
    assert tracker.ready(now=104) == []
    with path.open("ab") as f:
        f.write(b" more")  # still being written: the clock starts again
    assert tracker.ready(now=106) == []
    assert tracker.ready(now=110) == []
    assert tracker.ready(now=111.5) == [path]
    assert len(tracker) == 0


def test_quarantine_moves_the_file_with_a_readable_reason(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "合同 (2).pdf"
    bad.write_bytes(b"%PDF-1.7 encrypted")
    error = EncryptedFileError("PDF 文件已加密，请提供未加密的扫描件", "the PDF is encrypted")
    dest = quarantine_file(bad, settings, error, job_id=7, sha256="f" * 64)
    assert not bad.exists() and dest.read_bytes() == b"%PDF-1.7 encrypted"
    assert dest.is_relative_to(settings.quarantine_dir)
    sidecar = dest.with_name(dest.name + ".error.json").read_text(encoding="utf-8")
    assert "PDF 文件已加密" in sidecar and '"code": "encrypted_file"' in sidecar
    again = tmp_path / "合同 (2).pdf"
    again.write_bytes(b"other")
    assert quarantine_file(again, settings, error, job_id=8, sha256="e" * 64) != dest  # never overwritten


def test_retire_only_removes_the_same_bytes(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"week 1")
    sha = sha256_file(path)
    path.write_bytes(b"week 2, other content, same name")
    assert not retire_file(path, sha, settings)
    assert path.exists()
    assert retire_file(path, sha256_file(path), settings)
    assert not path.exists()


def test_kept_processed_files_expire(settings: Settings, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    settings.intake.keep_processed_days = 3
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"x")
    assert retire_file(path, sha256_file(path), settings)
    kept = list(settings.processed_dir.rglob("scan.pdf"))
    assert len(kept) == 1
    assert purge_processed(settings) == 0
    assert purge_processed(settings, now=datetime.now(UTC) + timedelta(days=5)) == 1
    assert not kept[0].exists()
