"""The audit log: every operation has an actor; details never carry page text or identifiers."""

from __future__ import annotations

import getpass
from typing import Any

from sqlalchemy.orm import Session

from storage.models import AuditEvent

SYSTEM_ACTOR = "system"


def os_actor() -> str:
    """The actor for command-line work until users exist: the OS user running dangan."""
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):
        return "os:unknown"


def record(session: Session, actor: str, action: str, object_type: str, object_id: object, **detail: Any) -> None:
    """Append one event in the caller's transaction, so the event commits with the change it describes."""
    session.add(
        AuditEvent(actor=actor, action=action, object_type=object_type, object_id=str(object_id), detail=detail)
    )
