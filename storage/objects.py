"""Object stores behind one Protocol: originals and dossier objects, written atomically."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from dangan.errors import BackendUnavailableError, ConfigError
from dangan.faults import crash_point
from dangan.settings import ObjectSettings, ObjectStoreKind

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


def check_key(key: str) -> str:
    """Refuse keys that could escape the store (absolute, '..', empty parts)."""
    parts = key.split("/")
    if not _KEY.match(key) or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid object key: {key!r}")
    return key


@runtime_checkable
class ObjectStore(Protocol):
    """Where dangan keeps bytes.

    Contract: `put_file`/`put_bytes` MUST be atomic (a reader sees the whole object or none) and durable when
    they return; writing an existing key with `immutable=True` MUST leave the stored bytes untouched.
    `local_copy` MUST yield a readable local path valid until the context exits.
    """

    def put_file(self, key: str, src: Path, *, immutable: bool = False) -> None: ...

    def put_bytes(self, key: str, data: bytes, *, immutable: bool = False) -> None: ...

    def exists(self, key: str) -> bool: ...

    def get_bytes(self, key: str) -> bytes: ...

    def local_copy(self, key: str) -> contextlib.AbstractContextManager[Path]: ...

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str = "") -> Iterator[str]: ...

    def recover(self) -> int:
        """Remove partial writes left by writers that crashed; returns how many. MUST NOT touch live writes."""
        ...


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalObjectStore:
    """A folder as object store: temp file, fsync, rename, fsync the folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _write(self, key: str, fill: object, *, immutable: bool) -> None:
        dest = self._path(key)
        if immutable and dest.exists():
            return
        dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # The writer's pid in the name tells `recover` which partial files are abandoned.
        fd, tmp = tempfile.mkstemp(prefix=f".tmp-{os.getpid()}-", dir=dest.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                fill(out)  # type: ignore[operator]
                out.flush()
                os.fsync(out.fileno())
            if immutable:
                os.chmod(tmp, 0o400)
            crash_point("object_write")
            os.replace(tmp, dest)
            _fsync_dir(dest.parent)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def put_file(self, key: str, src: Path, *, immutable: bool = False) -> None:
        def fill(out: object) -> None:
            with open(src, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)  # type: ignore[arg-type]

        self._write(key, fill, immutable=immutable)

    def put_bytes(self, key: str, data: bytes, *, immutable: bool = False) -> None:
        self._write(key, lambda out: out.write(data), immutable=immutable)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def get_bytes(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    @contextlib.contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        yield path

    def delete(self, key: str) -> None:
        path = self._path(key)
        if path.exists():
            os.chmod(path, 0o600)
            path.unlink()
            _fsync_dir(path.parent)

    def recover(self) -> int:
        removed = 0
        for path in self.root.rglob(".tmp-*"):
            pid = path.name.split("-")[1]
            if not pid.isdigit() or not _pid_alive(int(pid)):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def keys(self, prefix: str = "") -> Iterator[str]:
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key


def sha256_file(path: Path) -> str:
    """Stream a file's sha256 in bounded memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def original_key(sha256: str) -> str:
    """Where an intake file's bytes live, by content."""
    return f"originals/{sha256}"


def make_object_store(settings: ObjectSettings) -> ObjectStore:
    """Build the configured store; unknown kinds list the known ones."""
    if settings.kind is ObjectStoreKind.LOCAL:
        if settings.path is None:
            raise ConfigError("未配置对象存储目录", "no object store folder configured")
        try:
            return LocalObjectStore(settings.path)
        except OSError as exc:
            raise BackendUnavailableError("对象存储目录不可用", "object store folder unusable", str(exc)) from exc
    known = ", ".join(k.value for k in ObjectStoreKind)
    raise ConfigError("未知的对象存储类型", f"unknown object store kind {settings.kind!r}; known: {known}")
