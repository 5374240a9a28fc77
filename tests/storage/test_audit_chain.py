"""The audit trail detects an edited, deleted, truncated or rewritten chain; blanking details keeps it valid."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from dangan.errors import ConfigError
from storage import audit, db
from storage.audit_chain import AuditTrail


@pytest.fixture
def trail(tmp_path: Path) -> AuditTrail:
    t = AuditTrail(tmp_path / "audit.db", tmp_path / "audit.key")
    for i in range(10):
        t.append("user:li", "page.view", "page", i, ip="10.0.0.5", detail={"query": f"张伟 {i}"})
    yield t
    t.close()


def _sql(t: AuditTrail, statement: str, *args: object) -> None:
    conn = sqlite3.connect(t.path)
    conn.execute(statement, args)
    conn.commit()
    conn.close()


def test_a_clean_chain_verifies(trail: AuditTrail) -> None:
    report = trail.verify()
    assert report.ok and report.entries == 10 and report.head_seq == 10


def test_key_file_is_private(trail: AuditTrail, tmp_path: Path) -> None:
    assert stat.S_IMODE((tmp_path / "audit.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(trail.path.stat().st_mode) == 0o600
    os.chmod(tmp_path / "audit.key", 0o644)
    with pytest.raises(ConfigError):
        AuditTrail(tmp_path / "audit.db", tmp_path / "audit.key")


@pytest.mark.parametrize(("tamper", "expected"), [
    ("UPDATE entries SET actor='user:wang' WHERE seq=4", "seq 4: entry altered"),
    ("UPDATE entries SET detail='{\"query\":\"x\"}' WHERE seq=5", "seq 5: details altered"),
    ("UPDATE entries SET detail=NULL WHERE seq=5", "seq 5: details removed without redaction"),
    ("DELETE FROM entries WHERE seq=6", "seq 6..6: entries missing"),
    ("DELETE FROM entries WHERE seq>=8", "seq 8..10: tail cut off"),
])
def test_tampering_is_detected(trail: AuditTrail, tamper: str, expected: str) -> None:
    _sql(trail, tamper)
    problems = trail.verify().problems
    assert any(p.startswith(expected) for p in problems), problems


def test_a_rewrite_without_the_key_is_detected(trail: AuditTrail, tmp_path: Path) -> None:
    # Whoever lacks the key writes a fresh, self-consistent chain of another key over the file.
    (tmp_path / "forged").mkdir()
    forged = AuditTrail(tmp_path / "forged" / "audit.db", tmp_path / "forged" / "audit.key")
    for i in range(10):
        forged.append("user:li", "page.view", "page", i)
    forged.close()
    trail.close()
    for suffix in (".db", ".head"):
        (tmp_path / f"audit{suffix}").write_bytes((tmp_path / "forged" / f"audit{suffix}").read_bytes())
    for extra in ("audit.db-wal", "audit.db-shm"):
        (tmp_path / extra).unlink(missing_ok=True)
    reopened = AuditTrail(tmp_path / "audit.db", tmp_path / "audit.key")
    report = reopened.verify()
    reopened.close()
    assert not report.ok and any("altered" in p for p in report.problems)


def test_a_removed_head_anchor_is_reported(trail: AuditTrail) -> None:
    trail.head_file.unlink()
    assert trail.verify().problems == ["head anchor missing: a cut-off tail could not be detected"]


def test_an_older_head_with_a_rewritten_tail_is_detected(trail: AuditTrail) -> None:
    head = json.loads(trail.head_file.read_text())
    _sql(trail, "UPDATE entries SET mac='0' WHERE seq=10")
    assert any("seq 10" in p for p in trail.verify().problems)
    trail.head_file.write_text(json.dumps({**head, "seq": 9}))  # a head without its tag
    assert "head anchor altered" in trail.verify().problems


def test_blanking_details_keeps_the_chain_valid(trail: AuditTrail) -> None:
    assert trail.blank_details("page", "3") == 1
    report = trail.verify()
    assert report.ok, report.problems
    entry = next(trail.entries(after=3, limit=1))
    assert entry.detail is None and entry.redacted


def test_events_of_metadata_transactions_are_taken_over_once(trail: AuditTrail, tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'meta.db'}")
    db.migrate(engine)
    sessions = db.session_factory(engine)
    with sessions() as s:
        audit.record(s, "user:li", "review.file", "document", 7, archive_no="DA-2024-000001-HT-01")
        audit.record(s, "user:admin", "user.roles", "user", "wang", before=[], after=["enquiry"])
        s.commit()
    assert trail.import_events(sessions) == 2
    assert trail.import_events(sessions) == 0
    taken = list(trail.entries(after=10))
    assert [(e.action, e.source) for e in taken] == [("review.file", "db:1"), ("user.roles", "db:2")]
    assert trail.verify().ok
    engine.dispose()
