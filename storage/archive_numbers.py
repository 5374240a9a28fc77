"""Archive numbers (档案号): formatted by the configured rule, drawn from atomic counters, never reused."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from dangan.settings import ArchiveSettings
from storage.models import Base, UtcDateTime, utcnow

# Skipping numbers that are already taken (a legacy number, a changed pattern) is bounded, so that a rule that
# can only ever produce taken numbers fails loudly instead of spinning.
_MAX_SKIPS = 10_000
_FORMATTER = string.Formatter()


class ArchiveCounter(Base):
    """The last sequence value handed out per scope, e.g. `dossier:DA-2025-{seq}` → 123.

    A row only ever grows; it is the single point every allocation in its scope goes through.
    """

    __tablename__ = "archive_counters"

    scope: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


def next_value(session: Session, scope: str) -> int:
    """Increment the counter of `scope` (creating it at 1) and return the new value, in one statement.

    The statement is an upsert with RETURNING (SQLite >= 3.35, PostgreSQL): it takes the row's write lock, so
    concurrent callers queue on the row and each gets its own value. It runs in the caller's transaction:
    the value is handed out together with whatever the caller commits with it, and a rollback takes both
    back, so no committed number is ever given twice (and a rolled-back one leaves no gap). On PostgreSQL the
    row stays locked until the caller commits, which serialises allocations in one scope: keep such
    transactions short.

    Args:
        session: The session whose transaction the increment joins.
        scope: The counter's key; one sequence per scope.

    Returns:
        The new value, 1 for the first allocation in the scope.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:  # pragma: no cover - the two supported backends
        raise RuntimeError(f"archive counters need SQLite or PostgreSQL, not {dialect}")
    now = utcnow()
    table = ArchiveCounter.__table__
    stmt = (
        insert(table)
        .values(scope=scope, value=1, updated_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.scope], set_={"value": table.c.value + 1, "updated_at": now}
        )
        .returning(table.c.value)
    )
    # A Core statement on the session's connection: same transaction, but no ORM autoflush of whatever the
    # caller has pending (an import would otherwise insert its dossiers one at a time).
    return int(session.connection().execute(stmt).scalar_one())


def _render(pattern: str, values: Mapping[str, object], *, seq: str | int) -> str:
    out: list[str] = []
    for literal, name, spec, conversion in _FORMATTER.parse(pattern):
        out.append(literal)
        if name is None:
            continue
        if name == "seq" and isinstance(seq, str):
            out.append(seq)  # the scope keeps a placeholder where the sequence goes
            continue
        value = seq if name == "seq" else values[name]
        out.append(_FORMATTER.format_field(_FORMATTER.convert_field(value, conversion), spec or ""))
    return "".join(out)


class ArchiveNumbering:
    """Formats and allocates dossier and document numbers by one rule (DANGAN_ARCHIVE__*).

    The counter scope of a number is its pattern rendered with everything but the sequence, e.g.
    `dossier:DA-2025-{seq}`: a new year, prefix or category starts its own sequence at 1, and changing only
    the sequence's width keeps counting where it was. A number that already exists (a legacy number, or one a
    changed pattern happens to produce again) is skipped when the caller says so through `taken`.

    Args:
        rule: The validated archive settings (DANGAN_ARCHIVE__*: patterns, prefix, codes).
    """

    def __init__(self, rule: ArchiveSettings) -> None:
        self.rule = rule

    def _dossier_values(self, year: int, dossier_type: str) -> dict[str, object]:
        try:
            category = self.rule.category_codes[dossier_type]
        except KeyError:
            raise ValueError(f"no archive category code for dossier type {dossier_type!r}") from None
        return {"prefix": self.rule.dossier_prefix, "year": year, "category": category}

    def _document_values(self, dossier: str, doc_type: str) -> dict[str, object]:
        try:
            code = self.rule.type_codes[doc_type]
        except KeyError:
            raise ValueError(f"no archive type code for document type {doc_type!r}") from None
        return {"dossier": dossier, "type_code": code}

    def format_dossier(self, *, year: int, dossier_type: str, seq: int) -> str:
        """Render a dossier number without allocating it (for previews and tests).

        Args:
            year: The dossier's archive year.
            dossier_type: `new_car`, `after_sales` or `customer` (selects the {category} code).
            seq: The sequence value.

        Returns:
            The number, e.g. `DA-2025-000123`.
        """
        return _render(self.rule.dossier_pattern, self._dossier_values(year, dossier_type), seq=seq)

    def format_document(self, *, dossier: str, doc_type: str, seq: int) -> str:
        """Render a document number without allocating it.

        Args:
            dossier: The archive number of the dossier the document is filed in.
            doc_type: `contract`, `invoice`, `id_copy`, `inspection_sheet` or `other` (selects the type code).
            seq: The sequence value.

        Returns:
            The number, e.g. `DA-2025-000123-HT-01`.
        """
        return _render(self.rule.document_pattern, self._document_values(dossier, doc_type), seq=seq)

    def next_dossier_number(
        self, session: Session, *, year: int, dossier_type: str, taken: Callable[[str], bool] | None = None
    ) -> str:
        """Allocate the next dossier number in the caller's transaction (see `next_value`).

        Args:
            session: The session the dossier will be committed in.
            year: The dossier's archive year.
            dossier_type: The dossier's type, for the {category} code.
            taken: Optional check whether a number is already in use; such numbers are skipped, never reused.

        Returns:
            A number no committed dossier carries.
        """
        values = self._dossier_values(year, dossier_type)
        scope = "dossier:" + _render(self.rule.dossier_pattern, values, seq="{seq}")
        return self._allocate(session, scope, self.rule.dossier_pattern, values, taken)

    def next_document_number(
        self, session: Session, *, dossier: str, doc_type: str, taken: Callable[[str], bool] | None = None
    ) -> str:
        """Allocate the next number of a document of `doc_type` in dossier `dossier`.

        Args:
            session: The session the document will be committed in.
            dossier: The dossier's archive number.
            doc_type: The document's type, for the type code.
            taken: Optional check whether a number is already in use; such numbers are skipped.

        Returns:
            A number such as `DA-2025-000123-HT-01`.
        """
        values = self._document_values(dossier, doc_type)
        scope = "document:" + _render(self.rule.document_pattern, values, seq="{seq}")
        return self._allocate(session, scope, self.rule.document_pattern, values, taken)

    def _allocate(
        self,
        session: Session,
        scope: str,
        pattern: str,
        values: Mapping[str, object],
        taken: Callable[[str], bool] | None,
    ) -> str:
        for _ in range(_MAX_SKIPS):
            number = _render(pattern, values, seq=next_value(session, scope))
            if taken is None or not taken(number):
                return number
        raise RuntimeError(f"archive scope {scope!r}: {_MAX_SKIPS} numbers in a row already taken")
