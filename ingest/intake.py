"""Moving intake files out: to quarantine with a reason a clerk can read, or retired once committed."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dangan.errors import DanganError
from dangan.settings import Settings
from storage.objects import sha256_file


def _unique(dest: Path) -> Path:
    if not dest.exists():
        return dest
    for n in range(2, 10_000):
        candidate = dest.with_name(f"{dest.stem} ({n}){dest.suffix}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(dest)


def _move(src: Path, dest: Path, *, keep: bool) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    dest = _unique(dest)
    if keep:
        shutil.copy2(src, dest)
    else:
        shutil.move(src, dest)
    return dest


def quarantine_file(
    path: Path, settings: Settings, error: DanganError, *, job_id: int, sha256: str, keep: bool = False
) -> Path:
    """Move (or, with keep, copy) a bad file to DANGAN_HOME/quarantine/<date>/ with a sidecar saying why."""
    now = datetime.now(UTC)
    dest = _move(path, settings.quarantine_dir / now.strftime("%Y-%m-%d") / path.name, keep=keep)
    sidecar = {
        "file": path.name,
        "job_id": job_id,
        "sha256": sha256,
        "code": error.code,
        "reason_zh": error.reason_zh,
        "reason_en": error.reason_en,
        "detail": error.detail,
        "quarantined_at": now.isoformat(),
    }
    dest.with_name(dest.name + ".error.json").write_text(
        json.dumps(sidecar, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    dest.with_name(dest.name + ".原因.txt").write_text(
        f"{error.reason_zh}\n{error.reason_en}\n", encoding="utf-8"
    )
    return dest


def retire_file(path: Path, sha256: str, settings: Settings) -> bool:
    """Take a committed file out of the inbox: delete it, or keep it in processed/ for a few days.

    The path is checked to still hold the same bytes: the same name may come again with other content.
    Returns False when there was nothing (or something else) to retire.
    """
    if not path.is_file() or path.is_symlink() or sha256_file(path) != sha256:
        return False
    if settings.intake.keep_processed_days > 0:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        _move(path, settings.processed_dir / day / path.name, keep=False)
    else:
        path.unlink()
    return True


def purge_processed(settings: Settings, now: datetime | None = None) -> int:
    """Delete processed copies older than keep_processed_days; returns how many files went."""
    root = settings.processed_dir
    if not root.is_dir():
        return 0
    cutoff = (now or datetime.now(UTC)) - timedelta(days=settings.intake.keep_processed_days)
    removed = 0
    for day_dir in root.iterdir():
        try:
            day = datetime.strptime(day_dir.name, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            continue
        if day_dir.is_dir() and day + timedelta(days=1) <= cutoff:
            removed += sum(1 for p in day_dir.rglob("*") if p.is_file())
            shutil.rmtree(day_dir)
    return removed


def file_size(path: Path) -> int:
    return os.stat(path).st_size
