"""The customer register, vehicles and dossiers (一车一档): their tables and the upsert of register rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import InstrumentedAttribute, Mapped, Session, mapped_column

from storage.archive_numbers import ArchiveCounter, ArchiveNumbering
from storage.models import Base, BigId, UtcDateTime, utcnow

if TYPE_CHECKING:
    from classify.matching import Register as MatchRegister
    from dangan.settings import ClassifySettings

__all__ = [
    "ArchiveCounter",
    "ApplyResult",
    "Customer",
    "CustomerType",
    "CustomerView",
    "Dossier",
    "DossierState",
    "DossierType",
    "DossierView",
    "EntityCounts",
    "FIELD_LIMITS",
    "IDENTIFIER_FIELDS",
    "RegisterRow",
    "RowIssue",
    "RowOutcome",
    "Severity",
    "Vehicle",
    "VehicleView",
    "VinStatus",
    "apply_register",
    "find_customer",
    "list_customers",
    "matching_register",
    "open_dossiers",
    "parse_dossier_type",
]


class CustomerType(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class VinStatus(StrEnum):
    """How far a VIN can be trusted: only checked and unchecked VINs are evidence for matching."""

    CHECKED = "checked"  # the position-9 check digit holds
    UNCHECKED = "unchecked"  # well formed, no valid check digit, not a Chinese-market VIN (imported car)
    INVALID = "invalid"  # kept as the vehicle's key so its dossier has a home; never used for matching


class DossierType(StrEnum):
    NEW_CAR = "new_car"  # the sale of one vehicle (一车一档)
    AFTER_SALES = "after_sales"  # one service order, or the vehicle's after-sales file when no order is given
    CUSTOMER = "customer"  # a customer without vehicles keeps one dossier


class DossierState(StrEnum):
    OPEN = "open"  # not yet handed in to the archive: papers may still be filed into it
    HANDED_IN = "handed_in"  # in the archive; an import no longer changes it


_DOSSIER_TYPE_NAMES: dict[str, DossierType] = {
    **{name: DossierType.NEW_CAR for name in (
        "new_car", "newcar", "new", "sale", "sales",
        "新车", "新车档案", "整车", "整车档案", "销售", "销售档案", "新车销售", "购车",
    )},
    **{name: DossierType.AFTER_SALES for name in (
        "after_sales", "aftersales", "service", "repair", "maintenance",
        "售后", "售后档案", "维修", "维修档案", "保养", "维保", "维修保养", "售后维修", "服务",
    )},
    **{name: DossierType.CUSTOMER for name in ("customer", "客户", "客户档案", "其他", "无车")},
}


def parse_dossier_type(value: str) -> DossierType | None:
    """Map a register's dossier type (English or Chinese: 新车, 新车档案, 售后, 维修...) to a DossierType.

    Args:
        value: The cell, already NFKC-normalised.

    Returns:
        The type, or None when the value is not known.
    """
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    return _DOSSIER_TYPE_NAMES.get(key) or _DOSSIER_TYPE_NAMES.get(key.replace("_", ""))


# Longest value a cell may hold per field; longer cells reject their row (two VINs in one cell, a pasted note)
# instead of being cut, because a cut identifier would silently become another one.
FIELD_LIMITS = {
    "customer_no": 64, "name": 200, "id_number": 64, "uscc": 64, "phone": 64, "vin": 32, "plate": 16,
    "order_no": 64, "department": 100, "salesperson": 100,
}
#: Fields whose value is evidence for customer matching and is therefore checked on import.
IDENTIFIER_FIELDS = ("id_number", "uscc", "phone", "vin", "plate")


class Customer(Base):
    """One entry of the dealer's customer register, keyed by the dealer system's customer number.

    The identifier columns hold only values that passed their check, so that matching can use them as they
    are; a value that failed is kept in `rejected_identifiers` (field → value) for staff to see and correct at
    the source, and is never evidence.
    """

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_no: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    # Canonical 11-digit mobile numbers, comma-separated when the register gives several (a family's two).
    phone: Mapped[str | None] = mapped_column(String(64), index=True)
    department: Mapped[str | None] = mapped_column(String(100))
    salesperson: Mapped[str | None] = mapped_column(String(100))
    rejected_identifiers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    # Named unique indexes rather than anonymous constraints: SQLite's batch migrations can only drop or alter
    # what has a name.
    __table_args__ = (Index("uq_customers_customer_no", "customer_no", unique=True),)


class Vehicle(Base):
    """A customer's vehicle, keyed by VIN; its sale is a dossier."""

    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    vin: Mapped[str] = mapped_column(String(32))
    vin_status: Mapped[str] = mapped_column(String(16))
    plate: Mapped[str | None] = mapped_column(String(16), index=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", name="fk_vehicles_customer"), index=True
    )
    rejected_identifiers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("uq_vehicles_vin", "vin", unique=True),)


class Dossier(Base):
    """A dossier (档案): a vehicle's sale, a service order, or a customer without vehicles."""

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    archive_no: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", name="fk_dossiers_customer"), index=True
    )
    vehicle_id: Mapped[int | None] = mapped_column(
        ForeignKey("vehicles.id", name="fk_dossiers_vehicle"), index=True
    )
    dossier_type: Mapped[str] = mapped_column(String(16))
    order_no: Mapped[str | None] = mapped_column(String(64))
    delivery_date: Mapped[date | None] = mapped_column(Date)
    service_date: Mapped[date | None] = mapped_column(Date)
    department: Mapped[str | None] = mapped_column(String(100))
    salesperson: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16), default=DossierState.OPEN, index=True)
    handed_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("uq_dossiers_archive_no", "archive_no", unique=True),
        Index("uq_dossiers_order_no", "order_no", unique=True),  # NULLs do not collide
        # The database holds the filing rules, so two importers racing cannot create a second dossier: one
        # new-car dossier per vehicle, one order-less after-sales dossier per vehicle, one customer dossier.
        Index(
            "uq_dossiers_new_car_vehicle", "vehicle_id", unique=True,
            sqlite_where=sql_text("dossier_type = 'new_car'"),
            postgresql_where=sql_text("dossier_type = 'new_car'"),
        ),
        Index(
            "uq_dossiers_after_sales_vehicle", "vehicle_id", unique=True,
            sqlite_where=sql_text("dossier_type = 'after_sales' AND order_no IS NULL"),
            postgresql_where=sql_text("dossier_type = 'after_sales' AND order_no IS NULL"),
        ),
        Index(
            "uq_dossiers_customer", "customer_id", unique=True,
            sqlite_where=sql_text("dossier_type = 'customer'"),
            postgresql_where=sql_text("dossier_type = 'customer'"),
        ),
    )


# --- the rows an import hands over, and what it reports -----------------------------------------


class Severity(StrEnum):
    ERROR = "error"  # the row is rejected
    WARNING = "warning"  # the row is imported; a value is not used or not applied
    NOTE = "note"  # the row is imported as it is; worth knowing (an unchecked VIN)


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem of one row, in words a clerk understands. Never carries the offending value: reports get
    copied into mails and tickets, and identifiers must not travel with them.

    `row` is the row number as a spreadsheet shows it (the header is usually row 1); 0 is the file as a whole.
    """

    row: int
    field: str
    code: str
    severity: Severity
    message_zh: str
    message_en: str


@dataclass(frozen=True, slots=True, repr=False)
class RegisterRow:
    """One register row after normalisation and checks: what `apply_register` upserts.

    A field is None when its cell is empty. `invalid` names identifier fields whose value failed its check.
    `type` and `dossier_type` are None when not given; they are then inferred.
    """

    row: int
    customer_no: str
    name: str
    type: CustomerType | None = None
    id_number: str | None = None
    uscc: str | None = None
    phone: str | None = None
    vin: str | None = None
    vin_status: VinStatus | None = None
    plate: str | None = None
    dossier_type: DossierType | None = None
    order_no: str | None = None
    delivery_date: date | None = None
    service_date: date | None = None
    department: str | None = None
    salesperson: str | None = None
    invalid: frozenset[str] = frozenset()

    def __repr__(self) -> str:
        # Rows carry personal data: a stray log line shows which fields are filled, not their values.
        filled = [f for f in _ROW_FIELDS if getattr(self, f) is not None]
        return f"RegisterRow(row={self.row}, filled={filled}, invalid={sorted(self.invalid)})"


_ROW_FIELDS = (
    "customer_no", "name", "type", "id_number", "uscc", "phone", "vin", "vin_status", "plate", "dossier_type",
    "order_no", "delivery_date", "service_date", "department", "salesperson",
)


class RowOutcome(StrEnum):
    NEW = "new"  # a record this row yields was created
    UPDATED = "updated"  # records existed and at least one changed
    UNCHANGED = "unchanged"


@dataclass(slots=True)
class EntityCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class ApplyResult:
    """What an upsert did: per-row outcomes, counts per table, the warnings it raised, who changed.

    `changed_customer_ids` lists customers created or changed (their row, a vehicle or a dossier): pages
    waiting in review should be matched again against them.
    """

    outcomes: dict[int, RowOutcome] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)
    customers: EntityCounts = field(default_factory=EntityCounts)
    vehicles: EntityCounts = field(default_factory=EntityCounts)
    dossiers: EntityCounts = field(default_factory=EntityCounts)
    changed_customer_ids: set[int] = field(default_factory=set)


_PER_VEHICLE = frozenset({"department", "salesperson"})
_CHUNK = 500  # keys per IN (...) query: far below SQLite's and PostgreSQL's parameter limits


def _load(session: Session, column: InstrumentedAttribute[Any], keys: Iterable[Any]) -> dict[Any, Any]:
    wanted = list(dict.fromkeys(k for k in keys if k is not None))
    found: dict[Any, Any] = {}
    entity = column.class_
    for i in range(0, len(wanted), _CHUNK):
        for obj in session.scalars(select(entity).where(column.in_(wanted[i : i + _CHUNK]))):
            found[getattr(obj, column.key)] = obj
    return found


def _assign(obj: Base, values: dict[str, Any]) -> list[str]:
    """Set only what differs, so an unchanged re-import issues no UPDATE and keeps updated_at."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _issue(row: int, fld: str, code: str, severity: Severity, zh: str, en: str) -> RowIssue:
    return RowIssue(row, fld, code, severity, zh, en)


def _merge(
    rows: Sequence[RegisterRow],
    fields: Iterable[str],
    what_zh: str,
    what_en: str,
    issues: list[RowIssue],
    *,
    quiet: frozenset[str] = frozenset(),
) -> dict[str, RegisterRow | None]:
    """For each field, the row whose non-empty value wins (the last one); rows that disagree are reported.

    The register is one row per customer and vehicle, so a customer's fields repeat; an export that disagrees
    with itself is worth a warning, and the later row wins like a later import would. Fields in `quiet` may
    differ legitimately (each vehicle of a customer has its own salesperson) and are not reported.
    """
    winners: dict[str, RegisterRow | None] = {}
    for name in fields:
        chosen: RegisterRow | None = None
        for row in rows:
            value = getattr(row, name)
            if value is None:
                continue
            if chosen is not None and getattr(chosen, name) != value and name not in quiet:
                issues.append(_issue(
                    row.row, name, "conflict", Severity.WARNING,
                    f"与第 {chosen.row} 行的{what_zh}信息不一致，以本行为准",
                    f"differs from row {chosen.row} for the same {what_en}; this row's value is used",
                ))
            chosen = row
        winners[name] = chosen
    return winners


def _identifier(winner: RegisterRow | None, name: str, rejected: dict[str, Any]) -> str | None:
    """The column value for identifier `name`; a failed value moves to `rejected` instead."""
    rejected.pop(name, None)
    if winner is None:
        return None
    value: str = getattr(winner, name)
    if name in winner.invalid:
        rejected[name] = value
        return None
    return value


def _count(counts: EntityCounts, created: bool, changed: bool) -> str:
    if created:
        counts.created += 1
        return "created"
    if changed:
        counts.updated += 1
        return "updated"
    counts.unchanged += 1
    return "unchanged"


def apply_register(
    session: Session,
    rows: Sequence[RegisterRow],
    *,
    columns: frozenset[str],
    numbering: ArchiveNumbering,
    today: date | None = None,
) -> ApplyResult:
    """Upsert customers, vehicles and dossiers from register rows, in the caller's transaction (no commit).

    Each row yields its customer (by customer_no), its vehicle (by VIN, if any) and one dossier: an
    after-sales dossier per order_no (or per vehicle when no order is given), a new-car dossier per vehicle,
    or, for a customer without any vehicle, the customer's dossier. When `dossier_type` is not given it is
    inferred: order_no → after-sales, VIN → new car, neither → customer. Only fields in `columns` are written,
    so an export without a phone column leaves phones alone, while an empty cell in a present column clears
    the value (the export is the truth). Handed-in dossiers are never changed. Re-applying the same rows
    changes nothing.

    Args:
        session: The session to work in; the caller commits or rolls back.
        rows: Normalised, checked rows (rejected rows are not passed in).
        columns: The fields the file has columns for.
        numbering: Allocates archive numbers for new dossiers.
        today: The date for dossiers without a business date (default: today).

    Returns:
        Per-row outcomes, counts per table, warnings, and the ids of customers that changed.
    """
    today = today or date.today()
    result = ApplyResult()
    issues = result.issues
    # What happened to each record: keys ("customer", no), ("vehicle", vin) and the dossier keys.
    status: dict[tuple[str, Any], str] = {}
    row_keys: dict[int, list[tuple[str, Any]]] = defaultdict(list)

    # Customers -----------------------------------------------------------------------------------
    by_customer: dict[str, list[RegisterRow]] = defaultdict(list)
    for row in rows:
        by_customer[row.customer_no].append(row)
    customers: dict[str, Customer] = _load(session, Customer.customer_no, by_customer)
    renamed: list[int] = []
    optional = ("id_number", "uscc", "phone", "department", "salesperson")
    fields = ["name", "type", *(f for f in optional if f in columns)]
    for customer_no, group in by_customer.items():
        # The customer's department and salesperson are those of its last row: they differ per vehicle.
        win = _merge(group, fields, "客户", "customer", issues, quiet=_PER_VEHICLE)
        existing = customers.get(customer_no)
        rejected = dict(existing.rejected_identifiers) if existing else {}
        name_row = win["name"]
        assert name_row is not None  # name is required: every row has one
        values: dict[str, Any] = {"name": name_row.name}
        for name in ("id_number", "uscc", "phone"):
            if name in columns:
                values[name] = _identifier(win[name], name, rejected)
        for name in ("department", "salesperson"):
            if name in columns:
                values[name] = getattr(win[name], name) if win[name] else None
        values["rejected_identifiers"] = rejected
        if win["type"] is not None:
            values["type"] = win["type"].type
        elif existing is None:  # not given: a USCC and no resident ID means a business
            company = values.get("uscc") or rejected.get("uscc")
            person = values.get("id_number") or rejected.get("id_number")
            values["type"] = CustomerType.COMPANY if company and not person else CustomerType.PERSON
        if existing is None:
            existing = Customer(customer_no=customer_no, **values)
            session.add(existing)
            customers[customer_no] = existing
            status[("customer", customer_no)] = _count(result.customers, True, False)
        else:
            changed_fields = _assign(existing, values)
            status[("customer", customer_no)] = _count(result.customers, False, bool(changed_fields))
            if "name" in changed_fields:
                renamed.append(existing.id)
        for row in group:
            row_keys[row.row].append(("customer", customer_no))
    session.flush()
    if renamed:  # the index shows and finds customers by name: their pages are indexed again
        from storage.documents import Document
        from storage.outbox import OutboxReason, enqueue_documents

        enqueue_documents(session, session.scalars(select(Document.id).where(Document.customer_id.in_(renamed))),
                          OutboxReason.REGISTER)

    # Vehicles ------------------------------------------------------------------------------------
    by_vin: dict[str, list[RegisterRow]] = defaultdict(list)
    for row in rows:
        if row.vin:
            by_vin[row.vin].append(row)
    vehicles: dict[str, Vehicle] = _load(session, Vehicle.vin, by_vin)
    for vin, group in by_vin.items():
        plate = ["plate"] if "plate" in columns else []
        win = _merge(group, ["customer_no", *plate], "车架号", "VIN", issues)
        owner_row = win["customer_no"]
        assert owner_row is not None
        owner = customers[owner_row.customer_no]
        existing_vehicle = vehicles.get(vin)
        rejected = dict(existing_vehicle.rejected_identifiers) if existing_vehicle else {}
        values = {"vin_status": group[0].vin_status or VinStatus.INVALID, "customer_id": owner.id}
        if "plate" in columns:
            values["plate"] = _identifier(win["plate"], "plate", rejected)
        values["rejected_identifiers"] = rejected
        if existing_vehicle is None:
            session.add(Vehicle(vin=vin, **values))
            status[("vehicle", vin)] = _count(result.vehicles, True, False)
        else:
            if existing_vehicle.customer_id != owner.id:
                result.changed_customer_ids.add(existing_vehicle.customer_id)  # it lost a vehicle
                issues.append(_issue(
                    owner_row.row, "vin", "vehicle_owner_changed", Severity.WARNING,
                    "该车辆此前登记在另一客户名下，现改为本行客户",
                    "this vehicle was registered to another customer; it now belongs to this row's customer",
                ))
            changed = bool(_assign(existing_vehicle, values))
            status[("vehicle", vin)] = _count(result.vehicles, False, changed)
        for row in group:
            row_keys[row.row].append(("vehicle", vin))
    session.flush()
    vehicles = _load(session, Vehicle.vin, by_vin)

    # Dossiers ------------------------------------------------------------------------------------
    owners_with_vehicles = _customers_with_vehicles(session, [c.id for c in customers.values()])
    by_dossier: dict[tuple[str, Any], list[RegisterRow]] = defaultdict(list)
    for row in rows:
        key = _dossier_key(row, vehicles, customers, owners_with_vehicles, issues)
        if key is not None:
            by_dossier[key].append(row)
            row_keys[row.row].append(key)
    existing_dossiers = _load_dossiers(session, by_dossier)
    dated = [f for f in ("delivery_date", "service_date", "department", "salesperson") if f in columns]
    taken = _archive_no_taken(session)
    for key, group in by_dossier.items():
        kind = key[0]
        # A service order names its vehicle; the other dossiers are keyed by theirs.
        with_vin = ["vin"] if kind == "order" and "vin" in columns else []
        win = _merge(group, ["customer_no", *with_vin, *dated], "档案", "dossier", issues)
        owner_row = win["customer_no"]
        assert owner_row is not None
        values = {"customer_id": customers[owner_row.customer_no].id}
        if with_vin:
            vin_row = win["vin"]
            values["vehicle_id"] = vehicles[vin_row.vin].id if vin_row and vin_row.vin else None
        for name in dated:
            values[name] = getattr(win[name], name) if win[name] else None
        dossier = existing_dossiers.get(key)
        if dossier is None:
            dossier_type = _DOSSIER_KINDS[kind]
            day_field = "service_date" if dossier_type == DossierType.AFTER_SALES else "delivery_date"
            business_day = values.get(day_field)
            archive_no = numbering.next_dossier_number(
                session, year=(business_day or today).year, dossier_type=dossier_type, taken=taken
            )
            dossier = Dossier(archive_no=archive_no, dossier_type=dossier_type, state=DossierState.OPEN)
            _assign(dossier, values)
            if kind == "order":
                dossier.order_no = key[1]
            elif kind in ("new_car", "after_sales"):
                dossier.vehicle_id = key[1]
            session.add(dossier)
            status[key] = _count(result.dossiers, True, False)
        elif dossier.state != DossierState.OPEN:
            differs = any(getattr(dossier, n) != v for n, v in values.items())
            if differs:
                issues.append(_issue(
                    group[-1].row, "", "dossier_handed_in", Severity.WARNING,
                    "该档案已移交归档，本行的修改未应用",
                    "this dossier has been handed in to the archive; the row's changes were not applied",
                ))
            status[key] = _count(result.dossiers, False, False)
        else:
            if dossier.customer_id != values["customer_id"]:
                result.changed_customer_ids.add(dossier.customer_id)  # it lost a dossier
            status[key] = _count(result.dossiers, False, bool(_assign(dossier, values)))
    session.flush()

    # Outcomes ------------------------------------------------------------------------------------
    for row in rows:
        states = [status[key] for key in row_keys[row.row]]
        if "created" in states:
            outcome = RowOutcome.NEW
        elif "updated" in states:
            outcome = RowOutcome.UPDATED
        else:
            outcome = RowOutcome.UNCHANGED
        result.outcomes[row.row] = outcome
        if outcome != RowOutcome.UNCHANGED:
            result.changed_customer_ids.add(customers[row.customer_no].id)
    # Rows of one customer or vehicle may report the same disagreement at several levels: say it once.
    result.issues = list(dict.fromkeys(issues))
    return result


def _customers_with_vehicles(session: Session, customer_ids: list[int]) -> set[int]:
    found: set[int] = set()
    for i in range(0, len(customer_ids), _CHUNK):
        chunk = customer_ids[i : i + _CHUNK]
        found.update(session.scalars(select(Vehicle.customer_id).where(Vehicle.customer_id.in_(chunk)).distinct()))
    return found


def _dossier_key(
    row: RegisterRow,
    vehicles: dict[str, Vehicle],
    customers: dict[str, Customer],
    owners_with_vehicles: set[int],
    issues: list[RowIssue],
) -> tuple[str, Any] | None:
    """Which dossier a row yields: ("order", order_no), ("new_car" | "after_sales", vehicle id) or
    ("customer_dossier", customer id); None for a vehicle-less row of a customer who has vehicles, whose
    papers go to the vehicles' dossiers."""
    vehicle = vehicles[row.vin] if row.vin else None
    customer_id = customers[row.customer_no].id
    kind = row.dossier_type
    if kind is None:
        kind = DossierType.AFTER_SALES if row.order_no else DossierType.NEW_CAR if vehicle else None
    if kind == DossierType.CUSTOMER:
        return ("customer_dossier", customer_id)
    if kind == DossierType.AFTER_SALES:
        if row.order_no:
            return ("order", row.order_no)
        if vehicle is not None:
            return ("after_sales", vehicle.id)
        issues.append(_issue(
            row.row, "order_no", "after_sales_without_order", Severity.WARNING,
            "售后档案需要工单号或车架号，未建立售后档案",
            "an after-sales dossier needs an order number or a VIN; none was created",
        ))
    elif kind == DossierType.NEW_CAR:
        if row.order_no:
            issues.append(_issue(
                row.row, "order_no", "order_no_ignored", Severity.NOTE,
                "新车档案不使用工单号，已忽略",
                "new-car dossiers are not keyed by order number; it was ignored",
            ))
        if vehicle is not None:
            return ("new_car", vehicle.id)
        issues.append(_issue(
            row.row, "vin", "new_car_without_vin", Severity.WARNING,
            "新车档案需要车架号，未建立新车档案", "a new-car dossier needs a VIN; none was created",
        ))
    # A business without vehicles keeps one dossier per customer; one with vehicles files under those.
    if customer_id in owners_with_vehicles:
        return None
    return ("customer_dossier", customer_id)


def _load_dossiers(session: Session, keys: Iterable[tuple[str, Any]]) -> dict[tuple[str, Any], Dossier]:
    wanted: dict[str, list[Any]] = defaultdict(list)
    for kind, value in keys:
        wanted[kind].append(value)
    found: dict[tuple[str, Any], Dossier] = {}
    for order_no, dossier in _load(session, Dossier.order_no, wanted["order"]).items():
        found[("order", order_no)] = dossier
    for kind, column, condition in (
        ("new_car", Dossier.vehicle_id, Dossier.dossier_type == DossierType.NEW_CAR),
        ("after_sales", Dossier.vehicle_id,
         (Dossier.dossier_type == DossierType.AFTER_SALES) & Dossier.order_no.is_(None)),
        ("customer_dossier", Dossier.customer_id, Dossier.dossier_type == DossierType.CUSTOMER),
    ):
        ids = wanted[kind]
        for i in range(0, len(ids), _CHUNK):
            for dossier in session.scalars(select(Dossier).where(condition, column.in_(ids[i : i + _CHUNK]))):
                found[(kind, getattr(dossier, column.key))] = dossier
    return found


_DOSSIER_KINDS = {
    "order": DossierType.AFTER_SALES, "after_sales": DossierType.AFTER_SALES, "new_car": DossierType.NEW_CAR,
    "customer_dossier": DossierType.CUSTOMER,
}


def _archive_no_taken(session: Session) -> Callable[[str], bool]:
    def taken(number: str) -> bool:
        # Without autoflush, so new dossiers are inserted together at the end instead of one by one. Those
        # pending dossiers cannot hold `number`: their numbers come from the same, ever-growing counter.
        with session.no_autoflush:
            return session.scalar(select(Dossier.id).where(Dossier.archive_no == number)) is not None

    return taken


# --- reading the register -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VehicleView:
    vin: str
    vin_status: str
    plate: str | None


@dataclass(frozen=True, slots=True)
class DossierView:
    archive_no: str
    dossier_type: str
    state: str
    vin: str | None
    order_no: str | None
    delivery_date: date | None
    service_date: date | None


@dataclass(frozen=True, slots=True, repr=False)
class CustomerView:
    """A customer with vehicles and dossiers, detached from the session (for listings and for matching)."""

    customer_no: str
    name: str
    type: str
    id_number: str | None
    uscc: str | None
    phone: str | None
    department: str | None
    salesperson: str | None
    rejected_identifiers: tuple[str, ...]  # field names only
    vehicles: tuple[VehicleView, ...]
    dossiers: tuple[DossierView, ...]

    def __repr__(self) -> str:
        # Identifiers and names are personal data: keep them out of any log line that formats this object.
        return (
            f"CustomerView(customer_no={self.customer_no!r}, type={self.type}, "
            f"vehicles={len(self.vehicles)}, dossiers={[d.archive_no for d in self.dossiers]})"
        )


def list_customers(session: Session) -> list[CustomerView]:
    """The whole register, ordered by customer number.

    Args:
        session: A session to read with.

    Returns:
        One view per customer with their vehicles (by VIN) and dossiers (by archive number).
    """
    vins: dict[int, str] = {}
    vehicles_of: dict[int, list[VehicleView]] = defaultdict(list)
    for v in session.scalars(select(Vehicle).order_by(Vehicle.vin)):
        vins[v.id] = v.vin
        vehicles_of[v.customer_id].append(VehicleView(v.vin, v.vin_status, v.plate))
    dossiers_of: dict[int, list[DossierView]] = defaultdict(list)
    for d in session.scalars(select(Dossier).order_by(Dossier.archive_no)):
        dossiers_of[d.customer_id].append(DossierView(
            d.archive_no, d.dossier_type, d.state, vins.get(d.vehicle_id) if d.vehicle_id else None,
            d.order_no, d.delivery_date, d.service_date,
        ))
    return [
        CustomerView(
            c.customer_no, c.name, c.type, c.id_number, c.uscc, c.phone, c.department, c.salesperson,
            tuple(sorted(c.rejected_identifiers)), tuple(vehicles_of[c.id]), tuple(dossiers_of[c.id]),
        )
        for c in session.scalars(select(Customer).order_by(Customer.customer_no))
    ]


def find_customer(session: Session, customer_no: str) -> Customer | None:
    """The customer with this register number, or None.

    Args:
        session: A session to read with.
        customer_no: The normalised customer number.

    Returns:
        The customer row or None.
    """
    return session.scalars(select(Customer).where(Customer.customer_no == customer_no)).first()


def open_dossiers(session: Session, customer_id: int) -> list[Dossier]:
    """A customer's dossiers not yet handed in: where a page naming only the customer may go.

    Args:
        session: A session to read with.
        customer_id: The customer's id.

    Returns:
        The open dossiers, oldest first; one means the page can be filed, several mean a person decides.
    """
    return list(session.scalars(
        select(Dossier)
        .where(Dossier.customer_id == customer_id, Dossier.state == DossierState.OPEN)
        .order_by(Dossier.id)
    ))


def matching_register(session: Session, settings: ClassifySettings) -> MatchRegister:
    """The register as customer matching sees it: validated identifiers only, dossiers keyed by archive number.

    Vehicles whose VIN failed its check are left out: only an exact, valid reading may file a page.
    """
    from classify.matching import CustomerRecord, DealerIdentifiers, DossierRecord, VehicleRecord

    customers = session.scalars(select(Customer)).all()
    numbers = {c.id: c.customer_no for c in customers}
    vehicles = session.scalars(select(Vehicle).where(Vehicle.vin_status != VinStatus.INVALID)).all()
    vins = {v.id: v.vin for v in vehicles}
    uscc, phones, names, addresses = settings.dealer()
    from classify.matching import Register as MatchRegister

    return MatchRegister.build(
        [CustomerRecord(c.customer_no, c.name, c.type, c.id_number, c.uscc, c.phone) for c in customers],
        [VehicleRecord(v.vin, numbers[v.customer_id], v.plate) for v in vehicles],
        [
            DossierRecord(d.archive_no, numbers[d.customer_id], vins.get(d.vehicle_id) if d.vehicle_id else None,
                          d.state == DossierState.OPEN)
            for d in session.scalars(select(Dossier))
        ],
        DealerIdentifiers(uscc, phones, names, addresses),
        customer_no_pattern=settings.customer_no_pattern,
    )
