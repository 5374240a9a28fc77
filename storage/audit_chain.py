"""The tamper-evident audit trail: entries chained by HMAC in their own SQLite file, with the key outside it.

Why its own file: recording a read (a search, a page view) must cost a millisecond and never wait behind a
filing transaction of the metadata database. Why a key: a plain hash chain can be recomputed by whoever
rewrites it; an HMAC chain cannot without the key file, which lives under DANGAN_HOME (0600), not in any
database. Why a head anchor: deleting the newest entries leaves a valid chain; the head file (seq and MAC of
the last entry, itself MAC'd) tells how far the chain went. Free-text details are covered through a keyed
digest, so that destroying a dossier can blank its details without breaking the chain.

Changes made in a metadata transaction (filing, review decisions, user and role changes) are first recorded in
the `audit_log` table with the change (storage.audit) and then taken over here by `import_events`, as the
search index follows its outbox.

Limits: whoever holds the key file can forge a whole chain; whoever can write the head file can roll it back
to an older head of the same chain. Copy `dangan audit head` elsewhere regularly to close the second gap.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dangan.errors import ConfigError

GENESIS = "0" * 64
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    outcome TEXT NOT NULL,
    source TEXT NOT NULL,
    detail TEXT,
    detail_digest TEXT NOT NULL,
    redacted INTEGER NOT NULL DEFAULT 0,
    prev_mac TEXT NOT NULL,
    mac TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_entries_at ON entries(at);
CREATE INDEX IF NOT EXISTS ix_entries_object ON entries(object_type, object_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_FIELDS = ("seq", "at", "actor", "action", "object_type", "object_id", "ip", "outcome", "source", "detail",
           "detail_digest", "redacted", "prev_mac", "mac")


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    ip: str
    outcome: str
    source: str
    detail: dict[str, Any] | None  # None once blanked (destruction)
    detail_digest: str
    redacted: bool
    prev_mac: str
    mac: str

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}


@dataclass(slots=True)
class VerifyReport:
    entries: int = 0
    head_seq: int | None = None
    problems: list[str] = field(default_factory=list)  # each a line "seq N: what" (English, stable for tests)
    unanchored: int = 0  # entries after the anchored head (a crash between commit and head write)

    @property
    def ok(self) -> bool:
        return not self.problems


def _canonical(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def load_key(path: Path, *, create: bool = True) -> bytes:
    """The HMAC key, created (32 random bytes, mode 0600) on first use; refused if others may read it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600) if create else -1
    except FileExistsError:
        fd = -1
    if fd >= 0:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
            out.flush()
            os.fsync(out.fileno())
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise ConfigError("找不到审计密钥文件", "the audit key file is missing", str(path)) from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError("审计密钥文件只能由服务账号读取（权限应为 0600）",
                          "the audit key file must be readable by the service account only (mode 0600)", str(path))
    key = path.read_bytes()
    if len(key) < 32:
        raise ConfigError("审计密钥文件已损坏", "the audit key file is damaged", str(path))
    return key


class AuditTrail:
    """The chain's single appender (one lock across processes) and its verifier.

    Contract: `append` MUST return only after the entry is committed; an entry MUST never change afterwards
    except `blank_details`, which keeps its digest; `verify` MUST report an edited, deleted, reordered or
    cut-off entry and a chain rewritten without the key.
    """

    def __init__(self, path: Path, key_file: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = path
        self.key = load_key(key_file)
        self.head_file = path.with_suffix(".head")
        self._lock_file = path.with_suffix(".lock")
        self._thread_lock = threading.Lock()
        self._conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")  # durable across a crash of the process; cheap
        self._conn.executescript(_SCHEMA)
        os.chmod(path, 0o600)

    @classmethod
    def from_settings(cls, settings: Any) -> AuditTrail:
        return cls(settings.audit_path, settings.audit_key_file)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> AuditTrail:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------------------------------------

    def _mac(self, *parts: object) -> str:
        return hmac.new(self.key, _canonical(list(parts)), hashlib.sha256).hexdigest()

    def _digest(self, detail_json: str) -> str:
        return hmac.new(self.key, b"detail\x00" + detail_json.encode(), hashlib.sha256).hexdigest()

    def _locked(self) -> Any:
        trail = self

        class _Lock:
            def __enter__(self) -> None:
                trail._thread_lock.acquire()
                self.fd = os.open(trail._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self.fd, fcntl.LOCK_EX)

            def __exit__(self, *exc: object) -> None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
                os.close(self.fd)
                trail._thread_lock.release()

        return _Lock()

    def _insert(self, last: tuple[int, str], actor: str, action: str, object_type: str, object_id: object, *,
                ip: str, outcome: str, source: str, detail: dict[str, Any] | None, at: datetime | None,
                ) -> tuple[int, str]:
        seq, prev = last[0] + 1, last[1]
        when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
        detail_json = json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)
        digest = self._digest(detail_json)
        values = (seq, when, actor, action, object_type, str(object_id), ip or "", outcome, source)
        mac = self._mac(*values, digest, prev)
        self._conn.execute(
            "INSERT INTO entries (seq, at, actor, action, object_type, object_id, ip, outcome, source, detail, "
            "detail_digest, redacted, prev_mac, mac) VALUES (?,?,?,?,?,?,?,?,?,?,?,0,?,?)",
            (*values, detail_json, digest, prev, mac),
        )
        return seq, mac

    def _last(self) -> tuple[int, str]:
        row = self._conn.execute("SELECT seq, mac FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS)

    def _write_head(self, seq: int, mac: str) -> None:
        tag = self._mac("head", seq, mac)
        tmp = self.head_file.with_suffix(".head.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump({"seq": seq, "mac": mac, "tag": tag}, out)
        os.replace(tmp, self.head_file)

    def append(
        self, actor: str, action: str, object_type: str, object_id: object, *, ip: str = "", outcome: str = "ok",
        detail: dict[str, Any] | None = None, at: datetime | None = None,
    ) -> int:
        """Record one operation and return its sequence number.

        Args:
            actor: `user:<name>`, `os:<name>` or `system`.
            action: A dotted verb (`search`, `page.view`, `login.failed`...).
            object_type: What kind of object (`page`, `dossier`, `user`...).
            object_id: Its id or archive number, never a name or an identifier of a person.
            ip: Where the request came from.
            outcome: `ok`, `denied`, `failed`.
            detail: Free details, already masked by the caller (a query's ID numbers as `*`).
            at: When, if not now (events taken over from the metadata database).
        """
        with self._locked():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                seq, mac = self._insert(self._last(), actor, action, object_type, object_id, ip=ip,
                                        outcome=outcome, source="", detail=detail, at=at)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._write_head(seq, mac)
        return seq

    def import_events(self, sessions: sessionmaker[Session], *, batch: int = 1000) -> int:
        """Take over the events committed in the metadata database's audit_log since the last call."""
        from storage.models import AuditEvent

        done = 0
        while True:
            with self._locked():
                row = self._conn.execute("SELECT value FROM meta WHERE key='db_audit_id'").fetchone()
                after = int(row[0]) if row else 0
                with sessions() as s:
                    events = s.scalars(select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id)
                                       .limit(batch)).all()
                if not events:
                    return done
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    last = self._last()
                    for ev in events:
                        last = self._insert(last, ev.actor, ev.action, ev.object_type, ev.object_id, ip="",
                                            outcome="ok", source=f"db:{ev.id}", detail=dict(ev.detail or {}),
                                            at=ev.at)
                    self._conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('db_audit_id', ?)",
                                       (str(events[-1].id),))
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._write_head(*last)
                done += len(events)

    def blank_details(self, object_type: str, object_id: str) -> int:
        """Remove the free-text details of an object's entries (a destroyed dossier); the chain stays valid."""
        with self._locked():
            cur = self._conn.execute(
                "UPDATE entries SET detail=NULL, redacted=1 WHERE object_type=? AND object_id=? AND redacted=0",
                (object_type, str(object_id)),
            )
            return cur.rowcount

    # --- reading ---------------------------------------------------------------------------------------------

    def entries(
        self, *, after: int = 0, actor: str | None = None, action: str | None = None, since: str | None = None,
        until: str | None = None, limit: int | None = None, newest_first: bool = False,
    ) -> Iterator[Entry]:
        sql, args = "SELECT " + ", ".join(_FIELDS) + " FROM entries WHERE seq > ?", [after]
        for column, op, value in (("actor", "=", actor), ("action", "=", action), ("at", ">=", since),
                                  ("at", "<", until)):
            if value is not None:
                sql += f" AND {column} {op} ?"
                args.append(value)
        sql += " ORDER BY seq" + (" DESC" if newest_first else "")
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        reader = sqlite3.connect(self.path, timeout=30)
        try:
            for row in reader.execute(sql, args):
                values = dict(zip(_FIELDS, row, strict=True))
                values["detail"] = None if values["detail"] is None else json.loads(values["detail"])
                values["redacted"] = bool(values["redacted"])
                yield Entry(**values)
        finally:
            reader.close()

    def head(self) -> dict[str, Any] | None:
        try:
            return dict(json.loads(self.head_file.read_text()))
        except FileNotFoundError:
            return None

    def verify(self) -> VerifyReport:
        """Check every entry's MAC, detail digest and link, and the chain against the head anchor."""
        report = VerifyReport()
        prev_seq, prev_mac = 0, GENESIS
        macs: dict[int, str] = {}
        reader = sqlite3.connect(self.path, timeout=30)
        try:
            rows = reader.execute("SELECT " + ", ".join(_FIELDS) + " FROM entries ORDER BY seq")
            for row in rows:
                e = dict(zip(_FIELDS, row, strict=True))
                seq = e["seq"]
                report.entries += 1
                if seq != prev_seq + 1:
                    report.problems.append(f"seq {prev_seq + 1}..{seq - 1}: entries missing (deleted)")
                if e["prev_mac"] != prev_mac:
                    report.problems.append(f"seq {seq}: does not follow the entry before it")
                values = (seq, e["at"], e["actor"], e["action"], e["object_type"], e["object_id"], e["ip"],
                          e["outcome"], e["source"])
                if not hmac.compare_digest(self._mac(*values, e["detail_digest"], e["prev_mac"]), e["mac"]):
                    report.problems.append(f"seq {seq}: entry altered (MAC mismatch)")
                if e["detail"] is not None and not hmac.compare_digest(self._digest(e["detail"]), e["detail_digest"]):
                    report.problems.append(f"seq {seq}: details altered (digest mismatch)")
                if e["detail"] is None and not e["redacted"]:
                    report.problems.append(f"seq {seq}: details removed without redaction")
                macs[seq] = e["mac"]
                prev_seq, prev_mac = seq, e["mac"]
        finally:
            reader.close()
        head = self.head()
        if head is None:
            if report.entries:
                report.problems.append("head anchor missing: a cut-off tail could not be detected")
            return report
        if not hmac.compare_digest(self._mac("head", head.get("seq"), head.get("mac")), str(head.get("tag", ""))):
            report.problems.append("head anchor altered")
            return report
        report.head_seq = int(head["seq"])
        if report.head_seq > prev_seq:
            report.problems.append(f"seq {prev_seq + 1}..{report.head_seq}: tail cut off (anchored head is "
                                   f"{report.head_seq}, chain ends at {prev_seq})")
        elif macs.get(report.head_seq) != head["mac"]:
            report.problems.append(f"seq {report.head_seq}: differs from the anchored head (chain rewritten)")
        else:
            report.unanchored = prev_seq - report.head_seq
        return report
