"""Customer register import, dossiers and archive numbers, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import os
import random
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import select
from typer.testing import CliRunner

from corpus import identifiers as gen
from dangan.errors import BadInputError, EmptyFileError, UnsupportedFormatError
from dangan.settings import ArchiveSettings, Settings
from storage import db
from storage.archive_numbers import ArchiveCounter, ArchiveNumbering
from storage.models import AuditEvent, Base
from storage.register import (
    Customer,
    Dossier,
    DossierState,
    Severity,
    Vehicle,
    list_customers,
    open_dossiers,
    parse_dossier_type,
)
from storage.register_import import FIELDS, import_register, parse_date, read_register

# --- identifiers, built with their check-digit algorithms ---------------------------------------

_rng = random.Random(20250301)
ID_1 = gen.make_id_number(_rng, "440106", date(1988, 5, 17), male=True)
ID_3 = gen.make_id_number(_rng, "440104", date(1992, 11, 3), male=False)
USCC_2 = gen.make_uscc(_rng, "440106", prefix="91")
PHONE_1, PHONE_2, PHONE_3 = gen.make_phone(_rng), gen.make_phone(_rng), gen.make_phone(_rng)
VIN_1 = gen.make_vin(_rng, "LSV", "AB12C", 2025)  # Chinese-made, check digit right
VIN_2 = gen.make_vin(_rng, "WBA", "JU012", 2025, checked=False)  # imported, no check digit: unchecked
VIN_3 = gen.make_vin(_rng, "LFV", "2A21K", 2025)
PLATE_1 = gen.make_plate(_rng, "粤", "A")
PLATE_3 = gen.make_plate(_rng, "粤", "B")
TODAY = date(2025, 12, 1)

HEADER_ZH = [
    "客户编号", "客户名称", "客户类型", "身份证号", "统一社会信用代码", "联系电话", "车架号", "车牌号",
    "档案类型", "交车日期", "工单号", "维修日期", "部门", "销售顾问",
]


def _wrong_last(value: str, alphabet: str = "0123456789") -> str:
    """The same identifier with a wrong check character."""
    return value[:-1] + next(c for c in alphabet if c != value[-1])


def _wrong_vin_check(vin: str) -> str:
    return vin[:8] + next(c for c in "0123456789" if c != vin[8]) + vin[9:]


COMPANY = dict(
    customer_no="KH2025000002", name="广州粤海电子有限公司", type="company", uscc=USCC_2, phone=PHONE_2
)


def _rows() -> list[dict[str, str]]:
    """A small register: a person with two cars, a company with one car and two service orders, a person
    without a car."""
    return [
        dict(customer_no="KH2025000001", name="张伟", type="person", id_number=ID_1, phone=PHONE_1, vin=VIN_1,
             plate=PLATE_1, dossier_type="new_car", delivery_date="2025-03-01", department="销售一部",
             salesperson="李俊辉"),
        dict(customer_no="KH2025000001", name="张伟", type="person", id_number=ID_1, phone=PHONE_1, vin=VIN_2,
             dossier_type="new_car", delivery_date="2025-06-10", department="销售二部", salesperson="陈晓婷"),
        dict(COMPANY, vin=VIN_3, plate=PLATE_3, dossier_type="new_car", delivery_date="2025-04-02",
             department="销售一部", salesperson="王志强"),
        dict(COMPANY, vin=VIN_3, plate=PLATE_3, dossier_type="after_sales", order_no="WO2025-0001",
             service_date="2025-08-01", department="售后服务部", salesperson="梁振东"),
        dict(COMPANY, vin=VIN_3, plate=PLATE_3, dossier_type="after_sales", order_no="WO2025-0002",
             service_date="2025-09-15", department="售后服务部", salesperson="梁振东"),
        dict(customer_no="KH2025000003", name="李娜", type="person", id_number=ID_3, phone=PHONE_3),
    ]


def _write_csv(path: Path, rows: list[dict[str, Any]], *, header: list[str] | None = None,
               encoding: str = "utf-8-sig", delimiter: str = ",", fields: tuple[str, ...] = FIELDS) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        out = csv.writer(fh, delimiter=delimiter)
        out.writerow(header or list(fields))
        for row in rows:
            out.writerow([row.get(f, "") for f in fields])
    return path


@pytest.fixture
def sessions(database_url: str):
    engine = db.make_engine(database_url)
    db.migrate(engine)
    yield db.session_factory(engine)
    engine.dispose()


@pytest.fixture
def numbering() -> ArchiveNumbering:
    return ArchiveNumbering(ArchiveSettings())


def _import(sessions, path: Path, numbering: ArchiveNumbering):
    with sessions() as s:
        result = import_register(s, path, numbering=numbering, today=TODAY)
        s.commit()
    return result


def _issues(result) -> set[tuple[int, str, str, Severity]]:
    return {(i.row, i.field, i.code, i.severity) for i in result.issues}


# --- schema -----------------------------------------------------------------------------------


def test_migration_creates_register_tables_matching_the_models(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.migrate(engine)
    db.migrate(engine)  # idempotent
    ours = {"customers", "vehicles", "dossiers", "archive_counters"}
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diffs if any(t in repr(d) for t in ours)]
    assert mine == []
    engine.dispose()


# --- importing --------------------------------------------------------------------------------


def test_import_utf8_bom_csv_with_english_headers(sessions, numbering, tmp_path: Path) -> None:
    result = _import(sessions, _write_csv(tmp_path / "reg.csv", _rows()), numbering)
    assert (result.file_format, result.encoding) == ("csv", "utf-8-sig")
    assert (result.rows, result.new, result.updated, result.unchanged, result.rejected) == (6, 6, 0, 0, 0)
    assert (result.customers.created, result.vehicles.created, result.dossiers.created) == (3, 3, 6)
    assert _issues(result) == {(3, "vin", "unchecked_vin", Severity.NOTE)}  # the imported car
    with sessions() as s:
        people = {c.customer_no: c for c in list_customers(s)}
        zhang = people["KH2025000001"]
        assert (zhang.type, zhang.id_number, zhang.phone) == ("person", ID_1, PHONE_1)
        assert {(v.vin, v.vin_status) for v in zhang.vehicles} == {(VIN_1, "checked"), (VIN_2, "unchecked")}
        assert people["KH2025000002"].type == "company" and people["KH2025000002"].uscc == USCC_2
        assert len(result.changed_customer_ids) == 3
        numbers = [d.archive_no for c in people.values() for d in c.dossiers]
        assert sorted(numbers) == [f"DA-2025-{n:06d}" for n in range(1, 7)]


def test_customer_with_two_vehicles_gets_two_new_car_dossiers(sessions, numbering, tmp_path: Path) -> None:
    _import(sessions, _write_csv(tmp_path / "reg.csv", _rows()), numbering)
    with sessions() as s:
        zhang = next(c for c in list_customers(s) if c.customer_no == "KH2025000001")
        assert [(d.archive_no, d.dossier_type, d.vin, d.delivery_date) for d in zhang.dossiers] == [
            ("DA-2025-000001", "new_car", VIN_1, date(2025, 3, 1)),
            ("DA-2025-000002", "new_car", VIN_2, date(2025, 6, 10)),
        ]
        customer = s.scalars(select(Customer).where(Customer.customer_no == "KH2025000001")).one()
        # A page naming only the customer finds two open dossiers: a person decides (DESIGN, matching).
        assert len(open_dossiers(s, customer.id)) == 2
        assert (customer.department, customer.salesperson) == ("销售二部", "陈晓婷")  # its last row


def test_after_sales_rows_get_a_dossier_per_order(sessions, numbering, tmp_path: Path) -> None:
    rows = _rows()
    rows.append(dict(rows[4], service_date="2025/9/15"))  # the same order listed twice: still one dossier
    rows.append(dict(customer_no="KH2025000004", name="陈静", id_number=gen.make_id_number(
        _rng, "440105", date(1979, 2, 2), male=False), vin=gen.make_vin(_rng, "LHG", "CV1F3", 2023),
        dossier_type="售后", service_date="2026年1月5日"))  # serviced here, bought elsewhere, no order number
    result = _import(sessions, _write_csv(tmp_path / "reg.csv", rows), numbering)
    assert result.dossiers.created == 7
    with sessions() as s:
        company = next(c for c in list_customers(s) if c.customer_no == "KH2025000002")
        assert [(d.dossier_type, d.order_no, d.vin) for d in company.dossiers] == [
            ("new_car", None, VIN_3),
            ("after_sales", "WO2025-0001", VIN_3),
            ("after_sales", "WO2025-0002", VIN_3),
        ]
        walk_in = next(c for c in list_customers(s) if c.customer_no == "KH2025000004")
        assert [(d.archive_no, d.dossier_type, d.order_no) for d in walk_in.dossiers] == [
            ("DA-2026-000001", "after_sales", None)  # archive year from the service date
        ]


def test_customer_dossier_only_for_customers_without_vehicles(sessions, numbering, tmp_path: Path) -> None:
    rows = _rows()
    rows.append(dict(customer_no="KH2025000001", name="张伟", id_number=ID_1))  # has cars: no extra dossier
    _import(sessions, _write_csv(tmp_path / "reg.csv", rows), numbering)
    _import(sessions, _write_csv(tmp_path / "reg.csv", rows), numbering)
    with sessions() as s:
        kinds = {c.customer_no: [d.dossier_type for d in c.dossiers] for c in list_customers(s)}
    assert kinds["KH2025000003"] == ["customer"]
    assert kinds["KH2025000001"] == ["new_car", "new_car"]


def test_import_gbk_csv_with_chinese_headers_and_values(sessions, numbering, tmp_path: Path) -> None:
    rows = _rows()
    for row in rows:
        row["type"] = {"person": "个人", "company": "企业"}[row["type"]]
        kind = row.get("dossier_type")
        row["dossier_type"] = {"new_car": "新车档案", "after_sales": "维修", None: ""}[kind]
    rows[0]["delivery_date"] = "2025年3月1日"
    rows[1]["delivery_date"] = "2025/6/10"
    rows[0]["phone"] = f"+86 {PHONE_1[:3]}-{PHONE_1[3:7]}-{PHONE_1[7:]}"
    rows[0]["plate"] = f"{PLATE_1[:2]}·{PLATE_1[2:]}"
    full_width = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    rows[0]["id_number"] = ID_1.translate(full_width)
    path = _write_csv(tmp_path / "reg.csv", rows, header=HEADER_ZH, encoding="gbk")
    result = _import(sessions, path, numbering)
    assert result.encoding == "gb18030"
    assert (result.new, result.rejected, result.warnings) == (6, 0, 0)
    with sessions() as s:
        zhang = next(c for c in list_customers(s) if c.customer_no == "KH2025000001")
        assert (zhang.name, zhang.type, zhang.id_number, zhang.phone) == ("张伟", "person", ID_1, PHONE_1)
        assert zhang.vehicles[0].plate == PLATE_1 or zhang.vehicles[1].plate == PLATE_1
        assert [d.delivery_date for d in zhang.dossiers] == [date(2025, 3, 1), date(2025, 6, 10)]
        company = next(c for c in list_customers(s) if c.customer_no == "KH2025000002")
        assert company.type == "company"
        assert [d.dossier_type for d in company.dossiers] == ["new_car", "after_sales", "after_sales"]


def test_import_utf16_tab_separated_unicode_text(sessions, numbering, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "reg.txt", _rows(), header=HEADER_ZH, encoding="utf-16", delimiter="\t")
    result = _import(sessions, path, numbering)
    assert (result.encoding, result.new, result.rejected) == ("utf-16", 6, 0)


def test_import_xlsx_with_title_row_and_excel_quirks(sessions, numbering, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["客户信息导出", "2025-12-01"])  # a title line above the header
    sheet.append([f" {h} " if i % 2 else h for i, h in enumerate(HEADER_ZH)] + ["备注"])
    rows = _rows()
    for i, row in enumerate(rows):
        cells: list[Any] = [row.get(f, "") or None for f in FIELDS]
        cells.append("客户很满意")
        if i == 0:
            cells[FIELDS.index("delivery_date")] = datetime(2025, 3, 1)  # a real date cell
        if i == 1:
            cells[FIELDS.index("delivery_date")] = 45818  # a serial number: 2025-06-10
        if i == 5:
            cells[FIELDS.index("id_number")] = float(ID_3[:17])  # Excel turned the ID number into a float
        sheet.append(cells)
    path = tmp_path / "reg.xlsx"
    book.save(path)

    result = _import(sessions, path, numbering)
    assert (result.file_format, result.rows, result.new, result.rejected) == ("xlsx", 6, 6, 0)
    assert (2, "", "columns_ignored", Severity.NOTE) in _issues(result)
    assert (8, "id_number", "lost_digits", Severity.WARNING) in _issues(result)
    with sessions() as s:
        people = {c.customer_no: c for c in list_customers(s)}
        delivered = [d.delivery_date for d in people["KH2025000001"].dossiers]
        assert delivered == [date(2025, 3, 1), date(2025, 6, 10)]
        assert people["KH2025000003"].id_number is None
        assert people["KH2025000003"].rejected_identifiers == ("id_number",)


def test_invalid_identifiers_are_reported_and_kept_out_of_matching(sessions, numbering, tmp_path) -> None:
    rows = _rows()
    bad_vin = _wrong_vin_check(VIN_1)  # a Chinese VIN must carry its check digit: invalid, not unchecked
    bad_id = _wrong_last(ID_1, "0123456789X")
    bad_uscc = _wrong_last(USCC_2, "0123456789ABCDEFGHJKLMNPQRTUWXY")
    rows[0].update(id_number=bad_id, vin=bad_vin, plate="粤A12")
    rows[1].update(id_number=bad_id)
    for row in rows[2:5]:
        row.update(uscc=bad_uscc)
    rows[5].update(phone="020-87563210")  # a landline is not a mobile number
    result = _import(sessions, _write_csv(tmp_path / "reg.csv", rows), numbering)
    assert (result.new, result.rejected) == (6, 0)  # never silently drop a row
    assert _issues(result) >= {
        (2, "id_number", "invalid_id_number", Severity.WARNING),
        (2, "vin", "invalid_vin", Severity.WARNING),
        (2, "plate", "invalid_plate", Severity.WARNING),
        (3, "vin", "unchecked_vin", Severity.NOTE),
        (4, "uscc", "invalid_uscc", Severity.WARNING),
        (7, "phone", "invalid_phone", Severity.WARNING),
    }
    assert result.warnings == 8  # every row is reported: ID on rows 2-3, USCC on rows 4-6
    # Reports are mailed and pasted: they never carry the values themselves.
    text = json.dumps([[i.message_zh, i.message_en] for i in result.issues], ensure_ascii=False)
    assert not any(v in text for v in (ID_1[:-1], bad_vin, USCC_2[:-1], "87563210"))
    with sessions() as s:
        zhang = s.scalars(select(Customer).where(Customer.customer_no == "KH2025000001")).one()
        assert zhang.id_number is None and zhang.rejected_identifiers["id_number"].startswith(ID_1[:17])
        car = s.scalars(select(Vehicle).where(Vehicle.vin == bad_vin)).one()
        assert (car.vin_status, car.plate, car.rejected_identifiers) == ("invalid", None, {"plate": "粤A12"})
        # The car's dossier still exists: its papers need a home even if the register has a typo.
        assert s.scalar(select(Dossier.dossier_type).where(Dossier.vehicle_id == car.id)) == "new_car"
        company = s.scalars(select(Customer).where(Customer.customer_no == "KH2025000002")).one()
        assert company.uscc is None and company.type == "company"
        li = s.scalars(select(Customer).where(Customer.customer_no == "KH2025000003")).one()
        assert li.phone is None and li.id_number == ID_3


def test_a_phone_cell_may_hold_several_numbers(sessions, numbering, tmp_path: Path) -> None:
    rows = _rows()
    second = gen.make_phone(_rng)
    rows[5]["phone"] = f"{PHONE_3[:3]} {PHONE_3[3:7]} {PHONE_3[7:]} / {second}"
    rows[2]["phone"] = rows[3]["phone"] = rows[4]["phone"] = f"{PHONE_2}；020-87563210"
    result = _import(sessions, _write_csv(tmp_path / "reg.csv", rows), numbering)
    assert {i for i in _issues(result) if i[1] == "phone"} == {
        (r, "phone", "invalid_phone", Severity.WARNING) for r in (4, 5, 6)
    }
    with sessions() as s:
        phones = dict(s.execute(select(Customer.customer_no, Customer.phone)).all())
    assert phones["KH2025000003"] == f"{PHONE_3},{second}"
    assert phones["KH2025000002"] == PHONE_2  # the landline is dropped with a warning


def test_control_characters_are_removed(sessions, numbering, tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_bytes("customer_no,name\nKH1\x00,张\x00三\x07\n".encode())
    result = _import(sessions, path, numbering)  # PostgreSQL would refuse a NUL in text
    assert (result.new, result.rejected) == (1, 0)
    with sessions() as s:
        assert s.execute(select(Customer.customer_no, Customer.name)).one() == ("KH1", "张三")


def test_rows_that_disagree_about_a_customer_are_reported(sessions, numbering, tmp_path: Path) -> None:
    rows = _rows()
    rows[1]["phone"] = other = gen.make_phone(_rng)
    result = _import(sessions, _write_csv(tmp_path / "reg.csv", rows), numbering)
    # Salespeople differ per vehicle and are not reported; a phone that differs is. The later row wins.
    assert {i for i in _issues(result) if i[2] == "conflict"} == {(3, "phone", "conflict", Severity.WARNING)}
    with sessions() as s:
        assert s.scalar(select(Customer.phone).where(Customer.customer_no == "KH2025000001")) == other


def test_rows_without_customer_no_or_name_are_rejected_with_their_row(sessions, numbering, tmp_path) -> None:
    rows = _rows()
    rows.insert(2, dict(rows[0], customer_no="  "))
    rows.insert(4, dict(rows[0], customer_no="KH2025000009", name="无"))  # a placeholder is no name
    rows.insert(5, dict(rows[0], customer_no="KH2025000010", vin=VIN_1 + "/" + VIN_3))  # two VINs, one cell
    rows.append({})  # blank lines are not rows
    result = _import(sessions, _write_csv(tmp_path / "reg.csv", rows), numbering)
    assert (result.rows, result.new, result.rejected) == (9, 6, 3)
    assert {(i.row, i.field, i.code) for i in result.issues if i.severity == Severity.ERROR} == {
        (4, "customer_no", "missing_customer_no"),
        (6, "name", "missing_name"),
        (7, "vin", "too_long"),
    }
    with sessions() as s:
        assert {c.customer_no for c in list_customers(s)} == {"KH2025000001", "KH2025000002", "KH2025000003"}


def test_reimport_is_idempotent_and_updates(sessions, numbering, tmp_path: Path) -> None:
    first = _import(sessions, _write_csv(tmp_path / "reg.csv", _rows()), numbering)
    with sessions() as s:
        stamps = dict(s.execute(select(Customer.customer_no, Customer.updated_at)).all())
        counters = dict(s.execute(select(ArchiveCounter.scope, ArchiveCounter.value)).all())

    again = _import(sessions, _write_csv(tmp_path / "reg.csv", _rows()), numbering)
    assert (again.new, again.updated, again.unchanged, again.rejected) == (0, 0, 6, 0)
    assert (again.customers.created, again.dossiers.created) == (0, 0)
    assert again.changed_customer_ids == frozenset()
    with sessions() as s:
        assert dict(s.execute(select(Customer.customer_no, Customer.updated_at)).all()) == stamps
        assert dict(s.execute(select(ArchiveCounter.scope, ArchiveCounter.value)).all()) == counters

    rows = _rows()
    new_phone = gen.make_phone(_rng)
    rows[5]["phone"] = new_phone  # 李娜 changed her phone
    rows[0]["plate"] = ""  # an emptied cell clears the plate: the export is the truth
    rows.append(dict(customer_no="KH2025000005", name="王芳", id_number=gen.make_id_number(
        _rng, "440103", date(1990, 1, 9), male=False), vin=gen.make_vin(_rng, "LSG", "BC5E4", 2025),
        delivery_date="2025-11-20"))
    third = _import(sessions, _write_csv(tmp_path / "reg.csv", rows), numbering)
    assert (third.new, third.updated, third.unchanged) == (1, 2, 4)
    with sessions() as s:
        by_no = {c.customer_no: c for c in s.scalars(select(Customer))}
        assert by_no["KH2025000003"].phone == new_phone
        assert s.scalar(select(Vehicle.plate).where(Vehicle.vin == VIN_1)) is None
        changed = {by_no[n].id for n in ("KH2025000001", "KH2025000003", "KH2025000005")}
        assert third.changed_customer_ids == changed
        assert first.changed_customer_ids >= {by_no["KH2025000001"].id}

    # A file without a phone column leaves phones alone.
    narrow = ("customer_no", "name", "vin")
    _import(sessions, _write_csv(tmp_path / "narrow.csv", _rows(), fields=narrow), numbering)
    with sessions() as s:
        assert s.scalar(select(Customer.phone).where(Customer.customer_no == "KH2025000003")) == new_phone


def test_handed_in_dossier_is_not_changed_by_import(sessions, numbering, tmp_path: Path) -> None:
    _import(sessions, _write_csv(tmp_path / "reg.csv", _rows()), numbering)
    with sessions() as s:
        dossier = s.scalars(select(Dossier).where(Dossier.order_no == "WO2025-0001")).one()
        dossier.state = DossierState.HANDED_IN
        s.commit()
    rows = _rows()
    rows[3]["salesperson"] = "何文斌"
    result = _import(sessions, _write_csv(tmp_path / "reg.csv", rows), numbering)
    assert (5, "", "dossier_handed_in", Severity.WARNING) in _issues(result)
    with sessions() as s:
        assert s.scalar(select(Dossier.salesperson).where(Dossier.order_no == "WO2025-0001")) == "梁振东"


def test_vehicle_moving_to_another_customer_is_reported(sessions, numbering, tmp_path: Path) -> None:
    _import(sessions, _write_csv(tmp_path / "reg.csv", _rows()), numbering)
    rows = _rows()
    # The imported car was hers all along.
    rows[1].update(customer_no="KH2025000003", name="李娜", id_number=ID_3, phone=PHONE_3)
    result = _import(sessions, _write_csv(tmp_path / "reg.csv", rows), numbering)
    assert (3, "vin", "vehicle_owner_changed", Severity.WARNING) in _issues(result)
    with sessions() as s:
        people = {c.customer_no: c for c in list_customers(s)}
        assert [v.vin for v in people["KH2025000003"].vehicles] == [VIN_2]
        # The car's open dossier follows it.
        assert [d.vin for d in people["KH2025000003"].dossiers if d.vin] == [VIN_2]
        assert len(result.changed_customer_ids) == 2


def test_records_keep_identifiers_out_of_their_repr(sessions, numbering, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "reg.csv", _rows())
    result = _import(sessions, path, numbering)
    with sessions() as s:
        views = list_customers(s)
    assert len(views) == 3
    text = repr(read_register(path)) + repr(views) + repr(result)
    assert not any(v in text for v in (ID_1, USCC_2, PHONE_1, VIN_1, "张伟"))


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", EmptyFileError),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, UnsupportedFormatError),
        ("姓名,电话\n张三,1\n".encode(), BadInputError),  # no customer number column
        (b"PK\x03\x04 not really a zip", BadInputError),
    ],
)
def test_files_that_are_not_registers_are_refused(tmp_path: Path, content: bytes, error: type) -> None:
    path = tmp_path / "reg.csv"
    path.write_bytes(content)
    with pytest.raises(error):
        read_register(path)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2025-03-01", date(2025, 3, 1)),
        ("2025/3/1", date(2025, 3, 1)),
        ("2025.03.01", date(2025, 3, 1)),
        ("2025年3月1日", date(2025, 3, 1)),
        ("2025-03-01 14:30:00", date(2025, 3, 1)),
        ("20250301", date(2025, 3, 1)),
        ("45717", date(2025, 3, 1)),
        (45717.0, date(2025, 3, 1)),
        (datetime(2025, 3, 1, 9, 0), date(2025, 3, 1)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(cell: Any, expected: date | None) -> None:
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["2025-02-30", "next week", "1850-01-01", "2025", "3/1"])
def test_parse_date_refuses_non_dates(cell: str) -> None:
    with pytest.raises(ValueError):
        parse_date(cell)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("新车", "new_car"), ("新车档案", "new_car"), ("New Car", "new_car"), ("售后", "after_sales"),
        ("售后档案", "after_sales"), ("维修", "after_sales"), ("after-sales", "after_sales"),
        ("客户", "customer"), ("二手车", None),
    ],
)
def test_dossier_type_names(value: str, expected: str | None) -> None:
    assert parse_dossier_type(value) == expected


# --- archive numbers --------------------------------------------------------------------------


def test_archive_numbers_follow_the_rule(sessions) -> None:
    default = ArchiveNumbering(ArchiveSettings())
    assert default.format_dossier(year=2025, dossier_type="new_car", seq=123) == "DA-2025-000123"
    document = default.format_document(dossier="DA-2025-000123", doc_type="contract", seq=1)
    assert document == "DA-2025-000123-HT-01"
    custom = ArchiveNumbering(ArchiveSettings(
        dossier_prefix="JD", dossier_pattern="{prefix}{year}{category}{seq:05d}",
        type_codes={"invoice": "FPX"},
    ))
    with sessions() as s:
        assert custom.next_dossier_number(s, year=2025, dossier_type="new_car") == "JD2025XC00001"
        assert custom.next_dossier_number(s, year=2025, dossier_type="new_car") == "JD2025XC00002"
        assert custom.next_dossier_number(s, year=2025, dossier_type="after_sales") == "JD2025SH00001"
        assert custom.next_dossier_number(s, year=2026, dossier_type="new_car") == "JD2026XC00001"
        docs = [custom.next_document_number(s, dossier="JD2025XC00001", doc_type=t)
                for t in ("contract", "contract", "invoice", "id_copy", "inspection_sheet", "other")]
        assert docs == ["JD2025XC00001-HT-01", "JD2025XC00001-HT-02", "JD2025XC00001-FPX-01",
                        "JD2025XC00001-SF-01", "JD2025XC00001-JC-01", "JD2025XC00001-QT-01"]
        with pytest.raises(ValueError):
            custom.next_document_number(s, dossier="JD2025XC00001", doc_type="blank")
        s.commit()


def test_archive_numbers_are_never_handed_out_twice(sessions, numbering) -> None:
    with sessions() as s:
        assert numbering.next_dossier_number(s, year=2025, dossier_type="new_car") == "DA-2025-000001"
        s.rollback()  # rolled back with the work it belonged to: that number was never handed out
        assert numbering.next_dossier_number(s, year=2025, dossier_type="new_car") == "DA-2025-000001"
        s.commit()
        # A number already in use (a legacy dossier, a changed pattern) is skipped, never reused.
        customer = Customer(customer_no="KH1", name="x", type="person")
        s.add(customer)
        s.flush()
        s.add(Dossier(archive_no="DA-2025-000002", customer_id=customer.id, dossier_type="customer"))
        s.commit()

        def taken(number: str) -> bool:
            return s.scalar(select(Dossier.id).where(Dossier.archive_no == number)) is not None

        number = numbering.next_dossier_number(s, year=2025, dossier_type="new_car", taken=taken)
        assert number == "DA-2025-000003"
        s.commit()


def test_archive_numbers_unique_under_concurrency(database_url: str, numbering) -> None:
    engine = db.make_engine(database_url)
    db.migrate(engine)
    sessions = db.session_factory(engine)
    workers, each = 4, 50
    barrier = threading.Barrier(workers)
    numbers: list[list[str]] = [[] for _ in range(workers)]
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            barrier.wait()
            for _ in range(each):
                with sessions() as s:  # each thread its own session and connection
                    numbers[k].append(numbering.next_dossier_number(s, year=2025, dossier_type="new_car"))
                    s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert errors == []
    flat = [n for per_thread in numbers for n in per_thread]
    assert len(flat) == len(set(flat)) == workers * each
    assert set(flat) == {f"DA-2025-{i:06d}" for i in range(1, workers * each + 1)}
    assert all(a < b for per_thread in numbers for a, b in zip(per_thread, per_thread[1:], strict=False))


@pytest.mark.parametrize(
    "change",
    [
        {"dossier_pattern": "{prefix}-{year}"},  # no sequence
        {"dossier_pattern": "{prefix}-{owner}-{seq}"},  # unknown field
        {"dossier_pattern": "{prefix}/{year}/{seq}"},  # a path separator
        {"dossier_pattern": "{prefix}-{seq:zz}"},  # a format spec that cannot format
        {"document_pattern": "{dossier} {seq}"},  # a blank
        {"type_codes": {"contract": "H T"}},
    ],
)
def test_bad_archive_rules_are_refused_at_startup(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ArchiveSettings(**change)


def test_archive_rule_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DANGAN_ARCHIVE__DOSSIER_PREFIX", "JD")
    monkeypatch.setenv("DANGAN_ARCHIVE__DOSSIER_PATTERN", "{prefix}{year}-{seq:05d}")
    monkeypatch.setenv("DANGAN_ARCHIVE__TYPE_CODES", '{"contract": "HTX"}')
    rule = Settings().archive
    assert (rule.dossier_prefix, rule.type_codes["contract"]) == ("JD", "HTX")
    assert rule.type_codes["invoice"] == "FP"  # the other codes keep their defaults
    assert ArchiveNumbering(rule).format_dossier(year=2025, dossier_type="customer", seq=7) == "JD2025-00007"


# --- command line -----------------------------------------------------------------------------


def test_cli_import_and_list(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dangan.cli import app

    for key in [k for k in os.environ if k.startswith("DANGAN_") and k != "DANGAN_TEST_PG_URL"]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("DANGAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DANGAN_DATABASE_URL", database_url)
    runner = CliRunner()
    rows = _rows()
    rows.append(dict(customer_no="", name="没有编号"))
    path = _write_csv(tmp_path / "reg.csv", rows)

    dry = runner.invoke(app, ["customers", "import", str(path), "--dry-run"])
    assert dry.exit_code == 1, dry.output  # a rejected row makes the exit status 1
    assert "dry run" in dry.stdout and "rejected 1" in dry.stdout

    first = runner.invoke(app, ["customers", "import", str(path), "--json"])
    assert first.exit_code == 1, first.output
    report = json.loads(first.stdout)
    assert (report["new"], report["rejected"], report["dry_run"]) == (6, 1, False)
    assert report["issues"][-1]["row"] == 8 and report["issues"][-1]["code"] == "missing_customer_no"

    again = runner.invoke(app, ["customers", "import", str(path)])
    assert "unchanged 6" in again.stdout and "缺少客户编号" in again.stdout

    listed = runner.invoke(app, ["customers", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    register = {c["customer_no"]: c for c in json.loads(listed.stdout)}
    assert set(register) == {"KH2025000001", "KH2025000002", "KH2025000003"}
    zhang = register["KH2025000001"]
    assert zhang["id_number"] == ID_1[:4] + "*" * 10 + ID_1[-4:]  # masked unless --reveal
    assert zhang["phone"] == PHONE_1[:3] + "****" + PHONE_1[-4:]
    assert [d["archive_no"] for d in zhang["dossiers"]] == ["DA-2025-000001", "DA-2025-000002"]
    revealed = json.loads(runner.invoke(app, ["customers", "list", "--json", "--reveal"]).stdout)
    assert next(c for c in revealed if c["customer_no"] == "KH2025000001")["id_number"] == ID_1
    table = runner.invoke(app, ["customers", "list"])
    assert table.exit_code == 0 and "customers 3" in table.stdout

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    refused = runner.invoke(app, ["customers", "import", str(empty)])
    assert refused.exit_code == 1 and "文件为空" in refused.stderr

    engine = db.make_engine(database_url)
    with db.session_factory(engine)() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    engine.dispose()
    assert [e.action for e in events] == [
        "customers.import", "customers.import", "customers.list", "customers.list", "customers.list",
        "customers.import_refused",
    ]
    assert all(e.actor.startswith("os:") for e in events)
    assert events[0].detail["new"] == 6 and events[1].detail["unchanged"] == 6
    assert events[3].detail == {"count": 3, "revealed": True}
    # Counts only: no identifier, name or file name reaches the audit log.
    details = json.dumps([e.detail for e in events], ensure_ascii=False)
    assert not any(v in details for v in (ID_1, ID_3, USCC_2, PHONE_1, VIN_1, "张伟", "reg.csv"))
