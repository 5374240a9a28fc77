"""Reading the dealer's customer register (CSV or XLSX, English or Chinese headers) and upserting it."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from classify import identifiers as ids
from dangan.errors import BadInputError, CorruptFileError, EmptyFileError, UnsupportedFormatError
from storage.archive_numbers import ArchiveNumbering
from storage.register import (
    FIELD_LIMITS,
    CustomerType,
    EntityCounts,
    RegisterRow,
    RowIssue,
    RowOutcome,
    Severity,
    VinStatus,
    apply_register,
    parse_dossier_type,
)

__all__ = [
    "FIELDS",
    "FIELD_NAMES_ZH",
    "ImportResult",
    "ParsedRegister",
    "import_register",
    "parse_date",
    "read_register",
]

#: The register's fields in the order the dealer system exports them.
FIELDS = (
    "customer_no", "name", "type", "id_number", "uscc", "phone", "vin", "plate",
    "dossier_type", "delivery_date", "order_no", "service_date", "department", "salesperson",
)
FIELD_NAMES_ZH = {
    "customer_no": "客户编号", "name": "客户名称", "type": "客户类型", "id_number": "身份证号",
    "uscc": "统一社会信用代码", "phone": "联系电话", "vin": "车架号", "plate": "车牌号",
    "dossier_type": "档案类型", "delivery_date": "交车日期", "order_no": "工单号", "service_date": "维修日期",
    "department": "部门", "salesperson": "销售顾问",
}
_REQUIRED = ("customer_no", "name")

# Header spellings seen in dealer exports, compared after _header_key (NFKC, case-folded, no blanks, no
# underscores, no bracketed hint such as "(必填)").
_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_no": (
        "customer_no", "customer no", "customer number", "customer id", "客户编号", "客户号", "客户代码",
    ),
    "name": ("name", "customer name", "客户名称", "客户姓名", "姓名", "名称", "客户"),
    "type": ("type", "customer type", "客户类型", "客户性质", "类型"),
    "id_number": ("id_number", "id no", "id", "resident id", "身份证号", "身份证号码", "身份证", "证件号码"),
    "uscc": ("uscc", "credit code", "统一社会信用代码", "社会信用代码", "信用代码"),
    "phone": ("phone", "mobile", "telephone", "联系电话", "手机号", "手机号码", "手机", "电话"),
    "vin": ("vin", "vin no", "车架号", "车辆识别代号", "车辆识别代码", "vin码"),
    "plate": (
        "plate", "plate no", "licence plate", "license plate", "车牌号", "车牌号码", "车牌", "号牌号码",
    ),
    "dossier_type": ("dossier_type", "dossier type", "档案类型", "档案类别"),
    "delivery_date": ("delivery_date", "delivery date", "交车日期", "交付日期", "交车时间"),
    "order_no": ("order_no", "order no", "service order", "工单号", "维修工单号", "工单编号", "委托书号"),
    "service_date": ("service_date", "service date", "维修日期", "服务日期", "进厂日期", "维修时间"),
    "department": ("department", "dept", "部门", "所属部门"),
    "salesperson": ("salesperson", "sales", "sales consultant", "销售顾问", "业务员", "服务顾问", "顾问"),
}
# What exports put in a cell that has no value.
_PLACEHOLDERS = frozenset({
    "-", "--", "—", "/", "\\", "无", "暂无", "空", "n/a", "na", "null", "none", "#n/a",
})
_PERSON_WORDS = ("person", "individual", "private", "个人", "私人", "自然人", "个人客户", "散客")
_COMPANY_WORDS = (
    "company", "business", "corporate", "organisation", "organization",
    "企业", "公司", "单位", "法人", "机构", "企业客户", "集团", "个体工商户",
)
_CUSTOMER_TYPES = {
    **dict.fromkeys(_PERSON_WORDS, CustomerType.PERSON),
    **dict.fromkeys(_COMPANY_WORDS, CustomerType.COMPANY),
}
_HEADER_SEARCH_ROWS = 20  # exports may put a title or a date line above the header
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+?\d+", re.IGNORECASE)
_BLANKS = re.compile(r"\s+")
# Control characters (a NUL from a broken export, a stray BEL): PostgreSQL refuses NUL in text outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE_SPLIT = re.compile(r"[,;/|，；、]+")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 on Windows, after its 1900 leap-year bug
# 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, each optionally followed by a time of day.
_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?.*)?"
)


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().strip().lstrip("*").rstrip("*")
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)  # "联系电话(手机)" and "客户编号[必填]" are the same columns
    return re.sub(r"[\s_\-.:]+", "", text)


_HEADER_FIELDS = {_header_key(alias): name for name, aliases in _ALIASES.items() for alias in aliases}


# --- result objects ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedRegister:
    """A register file read and checked, before anything touches the database.

    Attributes:
        rows: The rows to upsert, normalised (rejected rows are not among them).
        issues: Per-row problems found while reading, in row order.
        columns: The fields the file has columns for; absent fields are left alone on upsert.
        data_rows: Non-blank rows below the header.
        rejected_rows: Row numbers of rows that cannot be imported.
        file_format: "csv" or "xlsx".
        encoding: The text encoding detected for CSV; None for XLSX.
        sha256: Of the file's bytes, to tie the audit event to the file without naming its content.
    """

    rows: tuple[RegisterRow, ...]
    issues: tuple[RowIssue, ...]
    columns: frozenset[str]
    data_rows: int
    rejected_rows: tuple[int, ...]
    file_format: str
    encoding: str | None
    sha256: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did. Counts are per row: a row is new when a record it yields was created, updated when
    records existed and one changed, unchanged otherwise; rejected rows were not imported at all.

    `changed_customer_ids` are the customers created or changed: the hook for matching pages waiting in review
    again. Issues never carry identifier values, so the result can be shown, mailed or logged.
    """

    file_format: str
    encoding: str | None
    sha256: str
    rows: int
    new: int
    updated: int
    unchanged: int
    rejected: int
    warnings: int
    notes: int
    customers: EntityCounts
    vehicles: EntityCounts
    dossiers: EntityCounts
    issues: tuple[RowIssue, ...]
    changed_customer_ids: frozenset[int]

    def counts(self) -> dict[str, int]:
        """The numbers alone, for the audit log and summaries (no identifiers, no names).

        Returns:
            Row counts and per-table created/updated counts.
        """
        return {
            "rows": self.rows, "new": self.new, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": self.rejected, "warnings": self.warnings, "notes": self.notes,
            "customers_created": self.customers.created, "customers_updated": self.customers.updated,
            "vehicles_created": self.vehicles.created, "vehicles_updated": self.vehicles.updated,
            "dossiers_created": self.dossiers.created, "dossiers_updated": self.dossiers.updated,
        }


# --- reading files ----------------------------------------------------------------------------

Cell = str | int | float | date | datetime | None


def _decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: a BOM decides; otherwise UTF-8, and failing that GB18030.

    Excel on Chinese Windows saves "CSV" in the ANSI code page (GBK, which GB18030 extends), and "Unicode
    text" as UTF-16 with a BOM. Text that is valid UTF-8 is almost never meant as GBK, so UTF-8 goes first.
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8-sig", data
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", data
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding, body = "gb18030", data
    try:
        return body.decode(encoding), encoding
    except UnicodeDecodeError as exc:
        raise BadInputError(
            "无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV",
            "the file's text encoding is not recognised; save it as CSV in UTF-8 or GBK",
            f"{encoding}: {exc.reason} at byte {exc.start}",
        ) from exc


def _csv_rows(text: str) -> Iterator[tuple[int, list[Cell]]]:
    first_line = text.split("\n", 1)[0]
    # The delimiter Excel used depends on the locale and the "save as" choice: count it on the first line.
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # Row numbers count records, as a spreadsheet shows them, not physical lines (a quoted cell may span two).
    for n, record in enumerate(reader, start=1):
        cells: list[Cell] = list(record)
        yield n, cells


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Cell]]]:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - a dependency of the product
        raise UnsupportedFormatError(
            "读取 XLSX 需要 openpyxl 组件", "reading XLSX needs the openpyxl package", "pip install openpyxl"
        ) from exc
    try:
        # From the bytes already hashed, so the audit's sha256 is that of what was imported.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors alike for a damaged file
        raise CorruptFileError(
            "XLSX 文件已损坏或无法读取", "the XLSX file is damaged or unreadable", str(exc)
        ) from exc
    try:
        sheet = book.worksheets[0]
        # Some exporters write wrong sheet dimensions; reading without them finds every row.
        sheet.reset_dimensions()
        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield n, list(values)
    finally:
        book.close()


def _find_header(rows: Iterator[tuple[int, list[Cell]]]) -> tuple[int, dict[int, str], list[str]]:
    """The header row: the first within the top rows that names both required columns."""
    seen: list[str] = []
    for n, cells in rows:
        mapping: dict[int, str] = {}
        ignored: list[str] = []
        for i, cell in enumerate(cells):
            label = str(cell).strip() if cell is not None else ""
            if not label:
                continue
            name = _HEADER_FIELDS.get(_header_key(label))
            if name is None or name in mapping.values():  # a repeated column: the first one counts
                ignored.append(label)
            else:
                mapping[i] = name
        if all(r in mapping.values() for r in _REQUIRED):
            return n, mapping, ignored
        if mapping:
            seen = sorted(FIELD_NAMES_ZH[f] for f in mapping.values())
        if n >= _HEADER_SEARCH_ROWS:
            break
    raise BadInputError(
        "找不到表头：需要“客户编号”和“客户名称”两列（或 customer_no 和 name）",
        "no header row found: the file needs the columns customer_no and name (客户编号, 客户名称)",
        f"recognised columns: {', '.join(seen) or 'none'}",
    )


def read_register(path: Path) -> ParsedRegister:
    """Read a register export and check every row; nothing is written.

    The format is recognised by content (an XLSX is a zip), not by name. The header row may sit below a title;
    headers are matched in English or Chinese, ignoring case, blanks and bracketed hints. Rows without a
    customer number or name are rejected; identifiers that fail their check are reported and kept out of
    matching, but their row is imported.

    Args:
        path: The CSV or XLSX file.

    Returns:
        The rows to upsert and the issues found.

    Raises:
        BadInputError: The file is empty, in an unsupported format, undecodable or without a header row.
    """
    data = path.read_bytes()
    if not data.strip():
        raise EmptyFileError("文件为空", "the file is empty")
    sha256 = hashlib.sha256(data).hexdigest()
    encoding: str | None = None
    if data.startswith(b"PK\x03\x04"):
        file_format, rows = "xlsx", _xlsx_rows(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedFormatError(
            "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV",
            "old Excel files (.xls) are not supported; save as .xlsx or CSV",
        )
    else:
        text, encoding = _decode(data)
        file_format, rows = "csv", _csv_rows(text)
    try:
        header_row, mapping, ignored = _find_header(rows)
        issues: list[RowIssue] = []
        if ignored:
            issues.append(RowIssue(
                header_row, "", "columns_ignored", Severity.NOTE, f"未识别的列已忽略：{'、'.join(ignored)}",
                f"columns not recognised and ignored: {', '.join(ignored)}",
            ))
        parsed: list[RegisterRow] = []
        rejected: list[int] = []
        data_rows = 0
        for n, cells in rows:
            values = {name: cells[i] if i < len(cells) else None for i, name in mapping.items()}
            if all(_blank(v) for v in values.values()):
                continue
            data_rows += 1
            row, row_issues = _parse_row(n, values)
            issues.extend(row_issues)
            if row is None:
                rejected.append(n)
            else:
                parsed.append(row)
    except csv.Error as exc:  # a NUL byte, an unterminated quote at the end: not a text export
        raise CorruptFileError("CSV 文件格式错误，无法读取", "the CSV file is malformed", str(exc)) from exc
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()  # an XLSX generator closes its workbook
    return ParsedRegister(
        rows=tuple(parsed), issues=tuple(issues), columns=frozenset(mapping.values()), data_rows=data_rows,
        rejected_rows=tuple(rejected), file_format=file_format, encoding=encoding, sha256=sha256,
    )


# --- cells ------------------------------------------------------------------------------------


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Cell) -> str | None:
    """A cell as normalised text (NFKC, trimmed, inner blanks collapsed); None for empty and placeholders."""
    if value is None:
        return None
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))  # Excel stores 1001 as 1001.0
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    text = _BLANKS.sub(" ", _CONTROL.sub("", unicodedata.normalize("NFKC", text))).strip()
    if not text or text.casefold() in _PLACEHOLDERS:
        return None
    return text


def _compact(text: str) -> str:
    """Identifier form: no blanks or dashes, upper case."""
    return re.sub(r"[\s\-]", "", text).upper()


def _key(text: str) -> str:
    """Register key form (customer and order numbers): no blanks, upper case; dashes may be meaningful."""
    return re.sub(r"\s", "", text).upper()


def parse_date(value: Cell) -> date | None:
    """Read a date as registers write it: a real date cell, 2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日,
    20250301, or an Excel serial number (45717) from a cell that lost its date format.

    Args:
        value: The cell.

    Returns:
        The date, or None when the cell is empty.

    Raises:
        ValueError: The cell holds something that is not a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_number(value)
    text = _text(value)
    if text is None:
        return None
    if match := _DATE.fullmatch(text):
        return _checked_date(int(match[1]), int(match[2]), int(match[3]))
    if re.fullmatch(r"\d+(?:\.0+)?", text):
        return _from_number(float(text))
    raise ValueError(f"not a date: {len(text)} characters")


def _from_number(value: float) -> date:
    if 19000101 <= value <= 21001231 and float(value).is_integer():  # 20250301 typed as a number
        digits = str(int(value))
        return _checked_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    if 20000 <= value < 73051:  # Excel serials from 1954 to 2099; smaller numbers are not dates in a register
        return _EXCEL_EPOCH + timedelta(days=int(value))
    raise ValueError("number out of range for a date")


def _checked_date(year: int, month: int, day: int) -> date:
    if not 1900 <= year <= 2100:
        raise ValueError("year out of range")
    return date(year, month, day)


# --- rows -------------------------------------------------------------------------------------

_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("缺少{zh}，该行未导入", "{en} is missing; the row was not imported"),
    "too_long": (
        "{zh}过长（最多 {limit} 个字符），该行未导入",
        "{en} is too long (at most {limit} characters); the row was not imported",
    ),
    "lost_digits": (
        "{zh}在 Excel 中被存为数字，末位已丢失；请将该列设为文本后重新导出，本值不用于匹配",
        "{en} was stored as a number in Excel and lost its last digits; format the column as text and "
        "export again. The value is not used for matching",
    ),
    "invalid": (
        "{zh}校验未通过，已导入但不用于匹配", "{en} fails its check; it is kept but not used for matching",
    ),
    "some_not_mobile": (
        "{zh}中有号码不是有效的手机号码，该号码不用于匹配",
        "one of the numbers in {en} is not a valid mobile number; that number is not used for matching",
    ),
    "not_mobile": (
        "{zh}不是有效的手机号码，已导入但不用于匹配",
        "{en} is not a valid mobile number; it is kept but not used for matching",
    ),
    "unchecked_vin": (
        "车架号无校验位（进口车常见），按未校验车架号使用",
        "the VIN carries no valid check digit (common on imported cars); it is used as unchecked",
    ),
    "unknown_type": (
        "无法识别的{zh}，已按身份信息推断", "unknown {en}; it was inferred from the identifiers",
    ),
    "unknown_dossier_type": (
        "无法识别的{zh}，已按车架号和工单号推断",
        "unknown {en}; it was inferred from the VIN and order number",
    ),
    "invalid_date": ("{zh}不是有效日期，已留空", "{en} is not a valid date; it was left empty"),
}
_EN = {name: name.replace("_", " ") for name in FIELDS}
_EN.update(
    customer_no="customer number", id_number="resident ID number", uscc="unified social credit code",
    vin="VIN", type="customer type", order_no="service order number",
)


def _issue(row: int, name: str, code: str, severity: Severity, **extra: object) -> RowIssue:
    zh, en = _MESSAGES[code]
    stable = {
        "missing": f"missing_{name}", "invalid": f"invalid_{name}", "not_mobile": "invalid_phone",
        "some_not_mobile": "invalid_phone",
    }
    return RowIssue(
        row, name, stable.get(code, code), severity,
        zh.format(zh=FIELD_NAMES_ZH.get(name, name), **extra), en.format(en=_EN.get(name, name), **extra),
    )


def _parse_row(n: int, cells: dict[str, Cell]) -> tuple[RegisterRow | None, list[RowIssue]]:
    """Normalise and check one row; None when the row must be rejected."""
    issues: list[RowIssue] = []
    text = {name: _text(value) for name, value in cells.items()}
    for name in _REQUIRED:
        if text.get(name) is None:
            issues.append(_issue(n, name, "missing", Severity.ERROR))
    for name, value in text.items():
        limit = FIELD_LIMITS.get(name)
        if value is not None and limit is not None and len(value) > limit:
            issues.append(_issue(n, name, "too_long", Severity.ERROR, limit=limit))
    if issues:
        return None, issues

    invalid: set[str] = set()
    fields: dict[str, Any] = {
        "customer_no": _key(text["customer_no"] or ""),
        "name": text["name"],
        "department": text.get("department"),
        "salesperson": text.get("salesperson"),
    }
    if text.get("order_no"):
        fields["order_no"] = _key(text["order_no"] or "")

    if raw := text.get("type"):
        fields["type"] = _CUSTOMER_TYPES.get(raw.casefold())
        if fields["type"] is None:
            issues.append(_issue(n, "type", "unknown_type", Severity.WARNING))

    for name, normalise, valid in (
        ("id_number", ids.normalize_id_number, ids.is_valid_id_number),
        ("uscc", _compact, ids.is_valid_uscc),
    ):
        raw = text.get(name)
        if raw is None:
            continue
        value = normalise(raw)
        fields[name] = value
        if _SCIENTIFIC.fullmatch(value) or isinstance(cells.get(name), float):
            invalid.add(name)
            issues.append(_issue(n, name, "lost_digits", Severity.WARNING))
        elif not valid(value):
            invalid.add(name)
            issues.append(_issue(n, name, "invalid", Severity.WARNING))

    if raw := text.get("phone"):
        good, bad = _phones(raw)
        if good:
            fields["phone"] = ",".join(good)
            if bad:
                issues.append(_issue(n, "phone", "some_not_mobile", Severity.WARNING))
        else:
            fields["phone"] = _compact(raw)
            invalid.add("phone")
            issues.append(_issue(n, "phone", "not_mobile", Severity.WARNING))

    if raw := text.get("vin"):
        vin = _compact(raw)
        status = VinStatus(ids.vin_status(vin).value)
        fields["vin"], fields["vin_status"] = vin, status
        if status == VinStatus.INVALID:
            issues.append(_issue(n, "vin", "invalid", Severity.WARNING))
        elif status == VinStatus.UNCHECKED:
            issues.append(_issue(n, "vin", "unchecked_vin", Severity.NOTE))

    if raw := text.get("plate"):
        plate = ids.normalize_plate(raw)
        fields["plate"] = plate or _compact(raw).replace("·", "")
        if plate is None:
            invalid.add("plate")
            issues.append(_issue(n, "plate", "invalid", Severity.WARNING))

    if raw := text.get("dossier_type"):
        fields["dossier_type"] = parse_dossier_type(raw)
        if fields["dossier_type"] is None:
            issues.append(_issue(n, "dossier_type", "unknown_dossier_type", Severity.WARNING))

    for name in ("delivery_date", "service_date"):
        try:
            fields[name] = parse_date(cells.get(name))
        except ValueError:
            issues.append(_issue(n, name, "invalid_date", Severity.WARNING))

    return RegisterRow(row=n, invalid=frozenset(invalid), **fields), issues


def _phones(raw: str) -> tuple[list[str], list[str]]:
    """Split a phone cell into canonical mobile numbers and the parts that are not one.

    Registers put two numbers in one cell ("138.../139...", "138... 139..."), while one number may itself be
    written with spaces ("138 1234 5678"): a part is first read whole, then as blank-separated numbers.
    """
    good: list[str] = []
    bad: list[str] = []
    for part in _PHONE_SPLIT.split(raw):
        part = part.strip()
        if not part:
            continue
        if phone := ids.normalize_phone(part):
            good.append(phone)
            continue
        pieces = [ids.normalize_phone(p) for p in part.split()]
        if len(pieces) > 1 and all(pieces):
            good.extend(p for p in pieces if p)
        else:
            bad.append(part)
    return list(dict.fromkeys(good)), bad


# --- import -----------------------------------------------------------------------------------


def import_register(
    session: Session, path: Path, *, numbering: ArchiveNumbering, today: date | None = None
) -> ImportResult:
    """Read a register file and upsert it in the caller's transaction; the caller audits and commits.

    Importing the same file again changes nothing and reports every row unchanged. Nothing is printed or
    logged: the result carries the report.

    Args:
        session: The session to write with; not committed here.
        path: The CSV or XLSX export.
        numbering: Allocates archive numbers for new dossiers.
        today: The date for dossiers without a business date (default: today).

    Returns:
        Counts, per-row issues in row order, and the customers that changed.

    Raises:
        BadInputError: The file cannot be read as a register (nothing was written).
    """
    parsed = read_register(path)
    applied = apply_register(session, parsed.rows, columns=parsed.columns, numbering=numbering, today=today)
    outcomes = list(applied.outcomes.values())
    issues = sorted((*parsed.issues, *applied.issues), key=lambda i: i.row)
    return ImportResult(
        file_format=parsed.file_format,
        encoding=parsed.encoding,
        sha256=parsed.sha256,
        rows=parsed.data_rows,
        new=outcomes.count(RowOutcome.NEW),
        updated=outcomes.count(RowOutcome.UPDATED),
        unchanged=outcomes.count(RowOutcome.UNCHANGED),
        rejected=len(parsed.rejected_rows),
        warnings=sum(i.severity == Severity.WARNING for i in issues),
        notes=sum(i.severity == Severity.NOTE for i in issues),
        customers=applied.customers,
        vehicles=applied.vehicles,
        dossiers=applied.dossiers,
        issues=tuple(issues),
        changed_customer_ids=frozenset(applied.changed_customer_ids),
    )
