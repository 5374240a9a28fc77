"""Inbox rules: which files are taken, which are junk, and which paths are refused."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from dangan.errors import ConfigError
from dangan.settings import Settings

# Scanner, OS and office-suite droppings, and files still being written by a copier.
JUNK_PATTERNS = (
    "._*", ".DS_Store", "Thumbs.db", "desktop.ini", "~$*", ".~lock.*", "*.tmp", "*.temp", "*.part",
    "*.partial", "*.crdownload", "*.download", "*.swp", "*~", ".*",
)


def is_junk(name: str) -> bool:
    lower = name.lower()
    return any(fnmatch.fnmatchcase(lower, p.lower()) for p in JUNK_PATTERNS)


def is_safe_regular_file(path: Path, root: Path | None = None) -> bool:
    """A plain file (not a symlink, device or fifo) that, when a root is given, lies inside it."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode):
        return False
    if root is not None:
        try:
            path.resolve(strict=True).relative_to(root.resolve())
        except (ValueError, OSError):
            return False
    return True


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def check_layout(settings: Settings) -> None:
    """Refuse to start when an output folder sits inside the inbox: dangan would eat its own output."""
    inbox = settings.inbox
    assert inbox is not None
    outputs = {
        "DANGAN_HOME": settings.home,
        "quarantine": settings.quarantine_dir,
        "processed": settings.processed_dir,
    }
    if settings.objects.path is not None:
        outputs["objects"] = settings.objects.path
    for name, folder in outputs.items():
        if _inside(folder, inbox):
            raise ConfigError(
                f"{name} 目录不能位于收件箱内：{folder}",
                f"the {name} folder must not be inside the inbox: {folder}",
            )


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given files and folders, sorted, junk and symlinks skipped (folders walked recursively)."""
    for path in paths:
        if path.is_symlink():
            continue
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    candidate = Path(dirpath) / name
                    if not is_junk(name) and is_safe_regular_file(candidate, path):
                        yield candidate
        elif path.is_file() and not is_junk(path.name):
            yield path
