"""The local object store: atomic, immutable originals, keys that cannot escape."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.objects import LocalObjectStore, check_key, original_key, sha256_file


def test_put_get_list_delete(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    store.put_bytes("dossiers/KH1/a.txt", b"hello")
    src = tmp_path / "scan.pdf"
    src.write_bytes(b"%PDF-1.7 data")
    key = original_key(sha256_file(src))
    store.put_file(key, src, immutable=True)
    assert store.get_bytes("dossiers/KH1/a.txt") == b"hello"
    with store.local_copy(key) as path:
        assert path.read_bytes() == b"%PDF-1.7 data"
    assert sorted(store.keys()) == sorted(["dossiers/KH1/a.txt", key])
    assert list(store.keys("originals/")) == [key]
    store.delete("dossiers/KH1/a.txt")
    assert not store.exists("dossiers/KH1/a.txt")
    assert not list((tmp_path / "objects").rglob(".tmp-*"))


def test_immutable_original_is_never_overwritten(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path)
    store.put_bytes("originals/x", b"first", immutable=True)
    store.put_bytes("originals/x", b"second", immutable=True)
    assert store.get_bytes("originals/x") == b"first"
    assert (tmp_path / "originals/x").stat().st_mode & 0o222 == 0


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../../b", "a//b", "", "a/./b", "a\\b"])
def test_keys_that_escape_are_refused(key: str) -> None:
    with pytest.raises(ValueError):
        check_key(key)


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path)
    with pytest.raises(FileNotFoundError):
        store.put_file("originals/y", tmp_path / "missing.pdf")
    assert not store.exists("originals/y")
    assert list(store.keys()) == []


def test_recover_removes_only_abandoned_partial_writes(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path)
    store.put_bytes("originals/z", b"whole")
    (tmp_path / "originals" / ".tmp-999999999-abc").write_bytes(b"half")  # no such process: a crashed writer
    live = tmp_path / "originals" / f".tmp-{os.getpid()}-def"
    live.write_bytes(b"being written")
    assert store.recover() == 1
    assert live.exists() and store.get_bytes("originals/z") == b"whole"
