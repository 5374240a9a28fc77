"""Managers' reports: dossier completeness rendered as JSON, CSV, XLSX or a self-contained HTML page."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from classify.completeness import (
    Completeness,
    CompletenessStatus,
    DossierFacts,
    DossierTypes,
    assess,
    load_dossier_types,
)
from dangan.errors import DanganError

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = [
    "LANGUAGES",
    "MEDIA_TYPES",
    "REPORT_FORMATS",
    "CompletenessRow",
    "CompletenessTotals",
    "GroupTotals",
    "ReportError",
    "completeness_rows",
    "completeness_totals",
    "render_completeness",
    "summarize_completeness",
]

#: The formats `render_completeness` knows, for a CLI's choices.
REPORT_FORMATS = ("json", "csv", "xlsx", "html")
#: Media types per format, for HTTP responses and mail attachments.
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}
#: Languages of headings and labels; Chinese is the default.
LANGUAGES = ("zh", "en")


class ReportError(DanganError, ValueError):
    """A report was asked for in a format or language that does not exist."""

    code = "report_error"


# --- rows and totals ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class CompletenessRow:
    """One dossier of the completeness report: the dossier's facts with the outcome of `assess`.

    Attributes:
        archive_no: the dossier's archive number.
        dossier_type: its type (new_car, after_sales, customer).
        customer_no: the customer's register number.
        customer_name: the customer's name.
        vin: the vehicle's VIN, None for a customer dossier.
        department: the responsible department.
        salesperson: the responsible salesperson or service adviser.
        state: open or handed_in.
        present: archive numbers of filed documents per type.
        missing: required types with no filed document.
        pending_review: documents waiting in review for this dossier.
        status: complete, incomplete or pending.
    """

    archive_no: str
    dossier_type: str
    customer_no: str
    customer_name: str
    vin: str | None
    department: str | None
    salesperson: str | None
    state: str
    present: Mapping[str, tuple[str, ...]]
    missing: tuple[str, ...]
    pending_review: int
    status: CompletenessStatus

    @classmethod
    def of(cls, facts: DossierFacts, result: Completeness) -> CompletenessRow:
        """Join a dossier's facts with its assessment.

        Args:
            facts: the dossier as the database gave it.
            result: `assess(facts, types)`.

        Returns:
            The report row.
        """
        return cls(
            facts.archive_no, facts.dossier_type, facts.customer_no, facts.customer_name, facts.vin,
            facts.department, facts.salesperson, facts.state,
            dict(result.present), tuple(result.missing), result.pending_review, result.status,
        )

    def __repr__(self) -> str:
        return (
            f"CompletenessRow(archive_no={self.archive_no!r}, customer_no={self.customer_no!r}, "
            f"status={self.status.value!r}, missing={self.missing})"
        )


def completeness_rows(dossiers: Iterable[DossierFacts], types: DossierTypes) -> list[CompletenessRow]:
    """Assess every dossier and make report rows, keeping the given order.

    Args:
        dossiers: every dossier to report on, including those no paper has reached yet.
        types: the dossier-types configuration.

    Returns:
        One row per dossier.

    Raises:
        DossierTypesError: a dossier's type is not configured.
    """
    return [CompletenessRow.of(d, assess(d, types)) for d in dossiers]


@dataclass(frozen=True, slots=True)
class GroupTotals:
    """Counts for one department, or one salesperson within a department (None: not given in the register)."""

    department: str | None
    salesperson: str | None
    dossiers: int
    complete: int
    incomplete: int
    pending: int

    @property
    def complete_rate(self) -> float:
        """Share of complete dossiers, 0..1 (1 when there are none: nothing is lacking)."""
        return self.complete / self.dossiers if self.dossiers else 1.0


@dataclass(frozen=True, slots=True)
class CompletenessTotals:
    """The report's totals.

    Attributes:
        dossiers, complete, incomplete, pending: dossier counts by status.
        pending_review: documents waiting in review, over all dossiers (a document pending in several
            dossiers counts in each).
        missing_by_type: per required type (every one the configuration requires, in its order), the number of
            dossiers lacking it.
        by_department: counts per department, sorted by name, not given last.
        by_salesperson: counts per (department, salesperson), sorted likewise: seed 004 §五.8 makes each
            department's completeness rate part of its head's performance review.
    """

    dossiers: int
    complete: int
    incomplete: int
    pending: int
    pending_review: int
    missing_by_type: dict[str, int]
    by_department: tuple[GroupTotals, ...]
    by_salesperson: tuple[GroupTotals, ...]

    @property
    def complete_rate(self) -> float:
        """Share of complete dossiers, 0..1 (1 when there are none)."""
        return self.complete / self.dossiers if self.dossiers else 1.0


def _group(rows: Sequence[CompletenessRow], key: str) -> tuple[GroupTotals, ...]:
    counts: dict[tuple[str | None, str | None], list[int]] = {}
    for row in rows:
        k = (row.department, row.salesperson if key == "salesperson" else None)
        c = counts.setdefault(k, [0, 0, 0, 0])
        c[0] += 1
        c[1 + list(CompletenessStatus).index(row.status)] += 1

    def order(k: tuple[str | None, str | None]) -> tuple[bool, str, bool, str]:
        return (k[0] is None, k[0] or "", k[1] is None, k[1] or "")

    return tuple(GroupTotals(d, s, *counts[(d, s)]) for d, s in sorted(counts, key=order))


def completeness_totals(
    rows: Sequence[CompletenessRow], types: DossierTypes | None = None
) -> CompletenessTotals:
    """Count dossiers by status, missing types, department and salesperson.

    Args:
        rows: the report rows.
        types: the configuration, for the order of types (None: the packaged one).

    Returns:
        The totals.
    """
    types = types if types is not None else load_dossier_types()
    by_status = {s: sum(1 for r in rows if r.status is s) for s in CompletenessStatus}
    missing = {t: 0 for t in _type_columns(rows, types)}
    for row in rows:
        for t in row.missing:
            missing[t] = missing.get(t, 0) + 1
    return CompletenessTotals(
        dossiers=len(rows),
        complete=by_status[CompletenessStatus.COMPLETE],
        incomplete=by_status[CompletenessStatus.INCOMPLETE],
        pending=by_status[CompletenessStatus.PENDING],
        pending_review=sum(r.pending_review for r in rows),
        missing_by_type=missing,
        by_department=_group(rows, "department"),
        by_salesperson=_group(rows, "salesperson"),
    )


# --- words ----------------------------------------------------------------------------------------

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("档案完整性报告", "Dossier completeness report"),
    "generated_at": ("生成时间", "Generated at"),
    "archive_no": ("档案号", "Archive no."),
    "customer_name": ("客户名称", "Customer"),
    "customer_no": ("客户编号", "Customer no."),
    "vin": ("车架号", "VIN"),
    "dossier_type": ("档案类型", "Dossier type"),
    "department": ("部门", "Department"),
    "salesperson": ("销售/服务顾问", "Sales / service adviser"),
    "state": ("移交状态", "Handed in"),
    "status": ("完整性", "Completeness"),
    "missing": ("缺少文件", "Missing"),
    "pending_review": ("待审核文件", "Pending review"),
    "others": ("其他文件", "Other documents"),
    "dossiers": ("档案总数", "Dossiers"),
    "complete_rate": ("完整率", "Complete rate"),
    "missing_by_type": ("缺少文件统计", "Missing documents by type"),
    "doc_type": ("文件类型", "Document type"),
    "dossiers_missing": ("缺少的档案数", "Dossiers missing it"),
    "by_department": ("按部门", "By department"),
    "by_salesperson": ("按销售/服务顾问", "By sales / service adviser"),
    "measure": ("项目", "Measure"),
    "count": ("数量", "Count"),
    "not_given": ("（未填）", "(not given)"),
    "absent": ("缺", "missing"),
    "no_dossiers": ("没有档案", "No dossiers"),
    "totals": ("汇总", "Totals"),
    "sheet": ("档案完整性", "Completeness"),
    "page": ("第 &P 页，共 &N 页", "Page &P of &N"),
    "legend": (
        "红色：缺少的必需文件；绿色：完整的档案；黄色：有文件待审核，可能补齐所缺。",
        "Red: a required document is missing; green: complete; "
        "amber: a document waiting in review may fill a gap.",
    ),
}
_STATUS = {
    CompletenessStatus.COMPLETE: ("完整", "complete"),
    CompletenessStatus.INCOMPLETE: ("不完整", "incomplete"),
    CompletenessStatus.PENDING: ("待审核", "pending review"),
}
_STATES = {"open": ("未移交", "open"), "handed_in": ("已移交", "handed in")}


def _w(key: str, lang: str) -> str:
    zh, en = _WORDS[key]
    return en if lang == "en" else zh


def _status(status: CompletenessStatus, lang: str) -> str:
    zh, en = _STATUS[status]
    return en if lang == "en" else zh


def _state(state: str, lang: str) -> str:
    zh, en = _STATES.get(state, (state, state))
    return en if lang == "en" else zh


def _list_sep(lang: str) -> str:
    return ", " if lang == "en" else "、"


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _timestamp(when: datetime) -> str:
    """Minutes and the UTC offset (2025-03-14 09:30 UTC+08:00): a report read elsewhere must not mislead."""
    text = when.strftime("%Y-%m-%d %H:%M")
    offset = when.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    return f"{text} UTC{'+' if minutes >= 0 else '-'}{hours:02d}:{rest:02d}"


# --- the table every tabular format shares --------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(text: str) -> str:
    """Drop control characters: OCR and register exports carry them, and XLSX refuses them outright."""
    return _CONTROL.sub("", text)


@dataclass(frozen=True, slots=True)
class _Cell:
    """A cell: its text or number, a kind the formats style, and list items each format joins its own way."""

    value: str | int
    kind: str = ""  # "present" | "missing" | "na" | "status-<status>" | "pending" | ""
    items: tuple[str, ...] = ()


def _type_columns(rows: Sequence[CompletenessRow], types: DossierTypes) -> list[str]:
    """Required document types as columns; a row's missing type the configuration lacks is added, not lost."""
    columns = list(types.required_types)
    for row in rows:
        columns.extend(t for t in row.missing if t not in columns)
    return columns


def _table(
    rows: Sequence[CompletenessRow], types: DossierTypes, lang: str
) -> tuple[list[str], list[str], list[list[_Cell]]]:
    """Column keys, headings and cells: one row per dossier, one column per required document type."""
    doc_columns = _type_columns(rows, types)
    keys = [
        "archive_no", "customer_name", "customer_no", "vin", "dossier_type", "department", "salesperson",
        "state", "status", "missing", "pending_review", *(f"doc:{t}" for t in doc_columns), "others",
    ]
    headings = [
        types.document_label(k[4:], lang) if k.startswith("doc:") else _w(k, lang) for k in keys
    ]
    table = []
    for row in rows:
        missing_labels = tuple(_clean(types.document_label(t, lang)) for t in row.missing)
        cells = [
            _Cell(_clean(row.archive_no)),
            _Cell(_clean(row.customer_name)),
            _Cell(_clean(row.customer_no)),
            _Cell(_clean(row.vin or "")),
            _Cell(_clean(types.dossier_label(row.dossier_type, lang))),
            _Cell(_clean(row.department or "")),
            _Cell(_clean(row.salesperson or "")),
            _Cell(_state(row.state, lang)),
            _Cell(_status(row.status, lang), f"status-{row.status.value}"),
            _Cell(_list_sep(lang).join(missing_labels), "missing" if row.missing else "", missing_labels),
            _Cell(row.pending_review, "pending" if row.pending_review else ""),
        ]
        for t in doc_columns:
            if t in row.present:
                numbers = tuple(_clean(n) for n in row.present[t])
                cells.append(_Cell("; ".join(numbers), "present", numbers))
            elif t in row.missing:
                cells.append(_Cell(_w("absent", lang), "missing"))
            else:
                cells.append(_Cell("", "na"))
        cells.append(_Cell(sum(len(v) for t, v in row.present.items() if t not in doc_columns)))
        table.append(cells)
    return keys, headings, table


# --- json -----------------------------------------------------------------------------------------


def _group_json(group: GroupTotals, with_salesperson: bool) -> dict[str, object]:
    out: dict[str, object] = {"department": group.department}
    if with_salesperson:
        out["salesperson"] = group.salesperson
    out.update(
        dossiers=group.dossiers, complete=group.complete, incomplete=group.incomplete, pending=group.pending
    )
    return out


def _render_json(
    rows: Sequence[CompletenessRow], totals: CompletenessTotals, generated_at: datetime
) -> bytes:
    document = {
        "report": "completeness",
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "totals": {
            "dossiers": totals.dossiers,
            "complete": totals.complete,
            "incomplete": totals.incomplete,
            "pending": totals.pending,
            "pending_review": totals.pending_review,
            "missing_by_type": totals.missing_by_type,
            "by_department": [_group_json(g, False) for g in totals.by_department],
            "by_salesperson": [_group_json(g, True) for g in totals.by_salesperson],
        },
        "dossiers": [
            {
                "archive_no": r.archive_no,
                "customer_no": r.customer_no,
                "customer_name": r.customer_name,
                "vin": r.vin,
                "dossier_type": r.dossier_type,
                "department": r.department,
                "salesperson": r.salesperson,
                "state": r.state,
                "present": {t: list(nos) for t, nos in r.present.items()},
                "missing": list(r.missing),
                "pending_review": r.pending_review,
                "status": r.status.value,
            }
            for r in rows
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


# --- csv ------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(cell: _Cell) -> str | int:
    if isinstance(cell.value, int):
        return cell.value
    # A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection): a customer name or OCR
    # text must stay text, so such a value gets the apostrophe Excel itself uses to mark text.
    return "'" + cell.value if cell.value.startswith(_FORMULA_START) else cell.value


def _render_csv(rows: Sequence[CompletenessRow], types: DossierTypes, lang: str) -> bytes:
    _, headings, table = _table(rows, types, lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    for cells in table:
        writer.writerow([_csv_text(c) for c in cells])
    # The BOM makes Excel on Chinese Windows read UTF-8 instead of GBK.
    return buffer.getvalue().encode("utf-8-sig")


# --- xlsx -----------------------------------------------------------------------------------------

_RED = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "light red fill": managers know what it means
_RED_FONT = Font(color="9C0006")
_GREEN = PatternFill("solid", fgColor="E2F0D9")
_GREEN_STRONG = PatternFill("solid", fgColor="C6EFCE")
_GREEN_FONT = Font(color="006100")
_AMBER = PatternFill("solid", fgColor="FFEB9C")
_AMBER_FONT = Font(color="9C5700")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)

_XValue = str | int | float | None


@dataclass(frozen=True, slots=True)
class _X:
    """One cell to write, with its style; sheets are built as lists of these, then streamed."""

    value: _XValue
    font: Font | None = None
    fill: PatternFill | None = None
    alignment: Alignment | None = None
    number_format: str | None = None


def _header(value: str) -> _X:
    return _X(value, _BOLD, _HEADER_FILL, _HEADER_ALIGN)


def _display_width(text: str) -> int:
    """Width in Excel character units: a Han (wide) character takes two."""

    def width(line: str) -> int:
        if line.isascii():  # archive numbers, VINs, counts: the bulk of the cells
            return len(line)
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)

    return max((width(line) for line in text.split("\n")), default=0)


def _write_sheet(
    ws: WriteOnlyWorksheet, rows: Sequence[Sequence[_X]], *, skip_width_rows: int, minimum: int, maximum: int
) -> None:
    """Fit the columns (widths must precede rows in a streamed sheet), then write the rows."""
    widths: dict[int, int] = {}
    for cells in rows[skip_width_rows:]:
        for i, x in enumerate(cells, start=1):
            if x.value is not None:
                widths[i] = max(widths.get(i, 0), _display_width(str(x.value)))
    for i, width in widths.items():
        ws.column_dimensions[get_column_letter(i)].width = max(minimum, min(maximum, width + 2))
    # Setting a style hashes it into the workbook's tables, which dominates the run time; each combination
    # of the few module-level styles is set once and its index array copied after (as openpyxl's docs do).
    styles: dict[tuple[int, int, int, str | None], StyleArray] = {}
    for cells in rows:
        out = []
        for x in cells:
            # Empty strings stay truly empty cells, so that filters offer "(Blanks)".
            cell = WriteOnlyCell(ws, value=None if x.value == "" else x.value)
            if isinstance(x.value, str) and x.value.startswith("="):
                cell.data_type = "s"  # openpyxl would store a formula; a customer's name must stay text
            key = (id(x.font), id(x.fill), id(x.alignment), x.number_format)
            if (style := styles.get(key)) is not None:
                cell._style = copy(style)
            else:
                if x.font is not None:
                    cell.font = x.font
                if x.fill is not None:
                    cell.fill = x.fill
                if x.alignment is not None:
                    cell.alignment = x.alignment
                if x.number_format is not None:
                    cell.number_format = x.number_format
                styles[key] = copy(cell._style)
            out.append(cell)
        ws.append(out)


def _print_setup(ws: WriteOnlyWorksheet, title: str, stamp: str, lang: str, orientation: str) -> None:
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.left.text = title
    ws.oddHeader.right.text = stamp
    ws.oddFooter.center.text = _w("page", lang)


def _dossier_sheet_rows(
    keys: list[str], headings: list[str], table: list[list[_Cell]], heading: str
) -> list[list[_X]]:
    rows: list[list[_X]] = [[_X(heading, font=_TITLE_FONT)], [_header(h) for h in headings]]
    status_col = keys.index("status")
    for cells in table:
        complete = cells[status_col].kind == "status-complete"
        out = []
        for c in cells:
            value: _XValue = "\n".join(c.items) if c.kind == "present" else c.value
            alignment = _WRAP if c.kind == "present" else _TOP
            if c.kind in ("missing", "status-incomplete"):
                out.append(_X(value, _RED_FONT, _RED, alignment))
            elif c.kind in ("pending", "status-pending"):
                out.append(_X(value, _AMBER_FONT, _AMBER, alignment))
            elif c.kind == "status-complete":
                out.append(_X(value, _GREEN_FONT, _GREEN_STRONG, alignment))
            else:
                out.append(_X(value, fill=_GREEN if complete else None, alignment=alignment))
        rows.append(out)
    return rows


def _totals_sheet_rows(
    types: DossierTypes, totals: CompletenessTotals, lang: str, title: str, stamp: str
) -> list[list[_X]]:
    def header(*values: str) -> list[_X]:
        return [_header(v) for v in values]

    def status(s: CompletenessStatus) -> str:
        return _status(s, lang)

    percent = "0.0%"
    rows: list[list[_X]] = [[_X(title, font=_TITLE_FONT)], [_X(stamp)], []]
    rows.append(header(_w("measure", lang), _w("count", lang)))
    for label, n in (
        (_w("dossiers", lang), totals.dossiers),
        (status(CompletenessStatus.COMPLETE), totals.complete),
        (status(CompletenessStatus.INCOMPLETE), totals.incomplete),
        (status(CompletenessStatus.PENDING), totals.pending),
    ):
        rows.append([_X(label), _X(n)])
    rows.append([_X(_w("complete_rate", lang)), _X(totals.complete_rate, number_format=percent)])
    rows.append([_X(_w("pending_review", lang)), _X(totals.pending_review)])
    rows += [[], header(_w("missing_by_type", lang))]
    rows.append(header(_w("doc_type", lang), _w("dossiers_missing", lang)))
    for doc_type, count in totals.missing_by_type.items():
        rows.append([_X(types.document_label(doc_type, lang)), _X(count, fill=_RED if count else None)])
    for heading, groups, with_salesperson in (
        (_w("by_department", lang), totals.by_department, False),
        (_w("by_salesperson", lang), totals.by_salesperson, True),
    ):
        names = [_w("department", lang)] + ([_w("salesperson", lang)] if with_salesperson else [])
        rows += [[], header(heading)]
        rows.append(header(*names, _w("dossiers", lang), *(status(s) for s in CompletenessStatus),
                           _w("complete_rate", lang)))
        for g in groups:
            who = [g.department or _w("not_given", lang)]
            if with_salesperson:
                who.append(g.salesperson or _w("not_given", lang))
            rows.append([
                *(_X(w) for w in who), _X(g.dossiers), _X(g.complete), _X(g.incomplete), _X(g.pending),
                _X(g.complete_rate, number_format=percent),
            ])
    return rows


def _render_xlsx(
    rows: Sequence[CompletenessRow], types: DossierTypes, totals: CompletenessTotals, lang: str,
    generated_at: datetime,
) -> bytes:
    # Streamed (write-only): a dealer's whole history is tens of thousands of dossiers, and a normal
    # workbook keeps every styled cell as an object.
    keys, headings, table = _table(rows, types, lang)
    title = _w("title", lang)
    stamp = f"{_w('generated_at', lang)}: {_timestamp(generated_at)}"
    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = "dangan"
    wb.properties.created = generated_at.astimezone(UTC).replace(tzinfo=None)

    ws = wb.create_sheet(_w("sheet", lang))
    ws.freeze_panes = "C3"  # the header, the archive number and the name stay in view
    ws.auto_filter.ref = f"A2:{get_column_letter(len(headings))}{len(table) + 2}"
    ws.print_title_rows = "2:2"
    _print_setup(ws, title, stamp, lang, "landscape")
    # Row 1 names the report and when it was made (a printout without a date misleads); row 2 is the header.
    sheet_rows = _dossier_sheet_rows(keys, headings, table, f"{title}    {stamp}")
    _write_sheet(ws, sheet_rows, skip_width_rows=1, minimum=6, maximum=48)

    totals_ws = wb.create_sheet(_w("totals", lang))
    _print_setup(totals_ws, title, stamp, lang, "portrait")
    totals_rows = _totals_sheet_rows(types, totals, lang, title, stamp)
    # Section headings and the title overflow into empty neighbours; measuring them would widen column A.
    _write_sheet(totals_ws, totals_rows, skip_width_rows=3, minimum=10, maximum=24)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- html -----------------------------------------------------------------------------------------

_CSS = """
:root { --red:#c62828; --red-bg:#fde7e9; --green:#2e7d32; --green-bg:#eaf6ec;
  --amber:#8d6e00; --amber-bg:#fff4cc; --line:#d8dde6; --muted:#6b7280; }
* { box-sizing: border-box; }
body { margin: 24px; color: #1f2937; background: #fff;
  font: 14px/1.5 "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.summary { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card .n { font-size: 24px; font-weight: 600; display: block; }
.card.complete { background: var(--green-bg); color: var(--green); }
.card.incomplete { background: var(--red-bg); color: var(--red); }
.card.pending { background: var(--amber-bg); color: var(--amber); }
.missing-types { margin: 0 0 8px; }
.legend { color: var(--muted); font-size: 12px; margin: 0 0 16px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; margin: 1px 2px; font-size: 12px;
  white-space: nowrap; border: 1px solid transparent; }
.badge.missing, .badge.status-incomplete { background: var(--red-bg); color: var(--red);
  border-color: #f3b4bb; }
.badge.status-complete { background: var(--green-bg); color: var(--green); border-color: #b7dfbe; }
.badge.status-pending, .badge.pending { background: var(--amber-bg); color: var(--amber);
  border-color: #f0d98a; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f8; position: sticky; top: 0; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
tbody tr.complete { background: var(--green-bg); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.na { color: var(--muted); text-align: center; }
td.present { font-family: ui-monospace, "SFMono-Regular", Consolas, monospace; font-size: 12px; }
td.empty { text-align: center; color: var(--muted); padding: 16px; }
.groups { display: flex; flex-wrap: wrap; gap: 24px; }
.groups table { width: auto; }
@page { size: A4 landscape; margin: 10mm; }
@media print { body { margin: 0; } th { position: static; } thead { display: table-header-group; }
  tr { page-break-inside: avoid; } }
"""


def _e(value: object) -> str:
    """HTML-escape anything shown: names and OCR text can hold markup (<script>)."""
    return html.escape(str(value), quote=True)


def _html_cell(cell: _Cell) -> str:
    if cell.kind == "present":
        return f'<td class="present">{"<br>".join(_e(i) for i in cell.items)}</td>'
    if cell.kind == "missing" and cell.items:
        return "<td>" + "".join(f'<span class="badge missing">{_e(i)}</span>' for i in cell.items) + "</td>"
    if cell.kind == "missing":
        return f'<td><span class="badge missing">{_e(cell.value)}</span></td>'
    if cell.kind == "na":
        return '<td class="na">—</td>'
    if cell.kind.startswith("status-"):
        return f'<td><span class="badge {cell.kind}">{_e(cell.value)}</span></td>'
    if cell.kind == "pending":
        return f'<td class="num"><span class="badge pending">{_e(cell.value)}</span></td>'
    if isinstance(cell.value, int):
        return f'<td class="num">{_e(cell.value) if cell.value else ""}</td>'
    return f"<td>{_e(cell.value)}</td>"


def _html_groups(heading: str, groups: Sequence[GroupTotals], with_salesperson: bool, lang: str) -> str:
    head = [_w("department", lang)] + ([_w("salesperson", lang)] if with_salesperson else [])
    head += [_w("dossiers", lang), *(_status(s, lang) for s in CompletenessStatus), _w("complete_rate", lang)]
    body = []
    for g in groups:
        who = [g.department or _w("not_given", lang)]
        if with_salesperson:
            who.append(g.salesperson or _w("not_given", lang))
        cells = "".join(f"<td>{_e(w)}</td>" for w in who)
        cells += "".join(
            f'<td class="num">{n}</td>' for n in (g.dossiers, g.complete, g.incomplete, g.pending)
        )
        cells += f'<td class="num">{_percent(g.complete_rate)}</td>'
        body.append(f"<tr>{cells}</tr>")
    return (
        f"<section><h2>{_e(heading)}</h2><table><thead><tr>"
        + "".join(f"<th>{_e(h)}</th>" for h in head)
        + "</tr></thead><tbody>" + "".join(body) + "</tbody></table></section>"
    )


def _render_html(
    rows: Sequence[CompletenessRow], types: DossierTypes, totals: CompletenessTotals, lang: str,
    generated_at: datetime,
) -> bytes:
    keys, headings, table = _table(rows, types, lang)
    title = _w("title", lang)
    status_index = keys.index("status")
    cards = [
        ("", _w("dossiers", lang), str(totals.dossiers)),
        ("complete", _status(CompletenessStatus.COMPLETE, lang), str(totals.complete)),
        ("incomplete", _status(CompletenessStatus.INCOMPLETE, lang), str(totals.incomplete)),
        ("pending", _status(CompletenessStatus.PENDING, lang), str(totals.pending)),
        ("", _w("complete_rate", lang), _percent(totals.complete_rate)),
        ("", _w("pending_review", lang), str(totals.pending_review)),
    ]
    summary = "".join(
        f'<div class="card {cls}"><span class="n">{_e(n)}</span>{_e(label)}</div>' for cls, label, n in cards
    )
    missing = "".join(
        f'<span class="badge {"missing" if n else "status-complete"}">'
        f"{_e(types.document_label(t, lang))} {n}</span>"
        for t, n in totals.missing_by_type.items()
    )
    body_rows = []
    for cells in table:
        cls = ' class="complete"' if cells[status_index].kind == "status-complete" else ""
        body_rows.append(f"<tr{cls}>" + "".join(_html_cell(c) for c in cells) + "</tr>")
    if not body_rows:
        empty = _e(_w("no_dossiers", lang))
        body_rows.append(f'<tr><td class="empty" colspan="{len(headings)}">{empty}</td></tr>')
    iso = _e(generated_at.isoformat(timespec="seconds"))
    stamp = _e(_timestamp(generated_at))
    page = f"""<!DOCTYPE html>
<html lang="{"en" if lang == "en" else "zh-CN"}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="dangan">
<title>{_e(title)} {stamp}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_e(title)}</h1>
<p class="meta">{_e(_w("generated_at", lang))}: <time datetime="{iso}">{stamp}</time></p>
</header>
<section class="summary">{summary}</section>
<p class="missing-types"><strong>{_e(_w("missing_by_type", lang))}:</strong> {missing}</p>
<p class="legend">{_e(_w("legend", lang))}</p>
<table class="dossiers">
<thead><tr>{"".join(f"<th>{_e(h)}</th>" for h in headings)}</tr></thead>
<tbody>
{chr(10).join(body_rows)}
</tbody>
</table>
<div class="groups">
{_html_groups(_w("by_department", lang), totals.by_department, False, lang)}
{_html_groups(_w("by_salesperson", lang), totals.by_salesperson, True, lang)}
</div>
</body>
</html>
"""
    return page.encode("utf-8")


# --- entry points ---------------------------------------------------------------------------------


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ReportError(
            f"未知的报告语言 {lang!r}，可用：{'、'.join(LANGUAGES)}",
            f"unknown report language {lang!r}; known: {', '.join(LANGUAGES)}",
        )


def render_completeness(
    rows: Sequence[CompletenessRow],
    fmt: str,
    *,
    lang: str = "zh",
    types: DossierTypes | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """Render the completeness report.

    Every format has one entry per dossier and the totals. JSON is for machines: English keys, type and status
    codes, `lang` does not change it. CSV is UTF-8 with a BOM so that Excel on Chinese Windows opens it right,
    without totals so that it stays one table. XLSX and HTML are for managers: headings in `lang`, one column
    per required document type with missing ones highlighted, totals by status, type, department and
    salesperson, and the time the report was made.

    Args:
        rows: the dossiers, in the order to show them (`completeness_rows`).
        fmt: one of REPORT_FORMATS.
        lang: "zh" (default) or "en" for headings and labels.
        types: the configuration whose labels and column order to use (None: the packaged one); pass the
            one the rows were assessed with.
        generated_at: when the data was read (default: now, local time); shown in the report.

    Returns:
        The file's bytes.

    Raises:
        ReportError: unknown format or language; the message lists the known ones.
    """
    if fmt not in REPORT_FORMATS:
        raise ReportError(
            f"未知的报告格式 {fmt!r}，可用：{'、'.join(REPORT_FORMATS)}",
            f"unknown report format {fmt!r}; known: {', '.join(REPORT_FORMATS)}",
        )
    _check_lang(lang)
    types = types if types is not None else load_dossier_types()
    generated_at = generated_at or datetime.now().astimezone()
    if fmt == "csv":
        return _render_csv(rows, types, lang)
    totals = completeness_totals(rows, types)
    if fmt == "json":
        return _render_json(rows, totals, generated_at)
    if fmt == "xlsx":
        return _render_xlsx(rows, types, totals, lang, generated_at)
    return _render_html(rows, types, totals, lang, generated_at)


def summarize_completeness(
    rows: Sequence[CompletenessRow], *, lang: str = "zh", types: DossierTypes | None = None
) -> str:
    """A one-paragraph summary for the command line or a mail body.

    Args:
        rows: the report rows.
        lang: "zh" or "en".
        types: the configuration for labels (None: the packaged one).

    Returns:
        E.g. "档案 12 份：完整 8，不完整 3，待审核 1（完整率 66.7%）。缺少：发票 2、检查表 1。"

    Raises:
        ReportError: unknown language.
    """
    _check_lang(lang)
    types = types if types is not None else load_dossier_types()
    t = completeness_totals(rows, types)
    lacking = [(types.document_label(k, lang), n) for k, n in t.missing_by_type.items() if n]
    if lang == "en":
        text = (
            f"{t.dossiers} dossiers: {t.complete} complete, {t.incomplete} incomplete, "
            f"{t.pending} pending review ({_percent(t.complete_rate)} complete)."
        )
        if lacking:
            text += " Missing: " + ", ".join(f"{label} {n}" for label, n in lacking) + "."
        if t.pending_review:
            text += f" {t.pending_review} documents wait in review."
        return text
    text = (
        f"档案 {t.dossiers} 份：完整 {t.complete}，不完整 {t.incomplete}，待审核 {t.pending}"
        f"（完整率 {_percent(t.complete_rate)}）。"
    )
    if lacking:
        text += "缺少：" + "、".join(f"{label} {n}" for label, n in lacking) + "。"
    if t.pending_review:
        text += f"待审核文件 {t.pending_review} 份。"
    return text
