"""The completeness report in every format: content, highlighting, totals, and hostile values kept inert."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from classify.completeness import DocumentFact, DossierFacts, DossierTypes, PendingFact, load_dossier_types
from search_api.reports import (
    MEDIA_TYPES,
    REPORT_FORMATS,
    CompletenessRow,
    ReportError,
    completeness_rows,
    completeness_totals,
    render_completeness,
    summarize_completeness,
)

HOSTILE = "<script>alert(1)</script>"
WHEN = datetime(2025, 3, 14, 9, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture(scope="module")
def types() -> DossierTypes:
    return load_dossier_types()


@pytest.fixture(scope="module")
def rows(types: DossierTypes) -> list[CompletenessRow]:
    def doc(t: str, no: str) -> DocumentFact:
        return DocumentFact(t, no)

    dossiers = [
        DossierFacts(  # complete
            "DA-2025-000001", "new_car", "C001", "张三", "LSVAB2BR0KN123456", "销售一部", "王五", "handed_in",
            documents=(doc("contract", "DA-2025-000001-HT-01"), doc("contract", "DA-2025-000001-HT-02"),
                       doc("invoice", "DA-2025-000001-FP-01"), doc("id_copy", "DA-2025-000001-SF-01"),
                       doc("inspection_sheet", "DA-2025-000001-JC-01")),
        ),
        DossierFacts(  # missing the invoice; a hostile name and a formula-looking salesperson
            "DA-2025-000002", "new_car", "C002", HOSTILE, "LSVAB2BR0KN654321", "销售二部", "=1+1",
            documents=(doc("contract", "DA-2025-000002-HT-01"), doc("id_copy", "DA-2025-000002-SF-01"),
                       doc("inspection_sheet", "DA-2025-000002-JC-01"), doc("other", "DA-2025-000002-QT-01")),
        ),
        DossierFacts(  # only the ID copy lacks, and one waits in review
            "DA-2025-000003", "new_car", "C003", "某某科技有限公司", "LSVAB2BR0KN111111", None, None,
            documents=(doc("contract", "DA-2025-000003-HT-01"), doc("invoice", "DA-2025-000003-FP-01"),
                       doc("inspection_sheet", "DA-2025-000003-JC-01")),
            pending=(PendingFact("id_copy", "several_open_dossiers"),),
        ),
        DossierFacts(  # after-sales, complete
            "DA-2025-000004", "after_sales", "C001", "张三", "LSVAB2BR0KN123456", "售后服务部", "赵六",
            documents=(doc("contract", "DA-2025-000004-HT-01"),
                       doc("inspection_sheet", "DA-2025-000004-JC-01")),
        ),
        DossierFacts(  # papers never came
            "DA-2025-000005", "new_car", "C004", "李四", "LSVAB2BR0KN222222", "销售一部", "王五",
        ),
    ]
    return completeness_rows(dossiers, types)


def render(rows: list[CompletenessRow], fmt: str, **kwargs: object) -> bytes:
    return render_completeness(rows, fmt, generated_at=WHEN, **kwargs)  # type: ignore[arg-type]


def test_totals(rows: list[CompletenessRow], types: DossierTypes) -> None:
    totals = completeness_totals(rows, types)
    assert (totals.dossiers, totals.complete, totals.incomplete, totals.pending) == (5, 2, 2, 1)
    assert totals.missing_by_type == {"contract": 1, "invoice": 2, "id_copy": 2, "inspection_sheet": 1}
    assert totals.pending_review == 1
    # by name, departments not given last
    assert [g.department for g in totals.by_department] == ["售后服务部", "销售一部", "销售二部", None]


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_format_renders_with_and_without_rows(rows: list[CompletenessRow], fmt: str, lang: str) -> None:
    assert render(rows, fmt, lang=lang)
    assert render([], fmt, lang=lang)
    assert fmt in MEDIA_TYPES


def test_json_round_trips(rows: list[CompletenessRow]) -> None:
    raw = render(rows, "json")
    assert "张三".encode() in raw  # not \\u-escaped
    data = json.loads(raw)
    assert data["generated_at"] == "2025-03-14T09:30:00+08:00"
    assert data["totals"]["dossiers"] == 5
    assert data["totals"]["missing_by_type"]["invoice"] == 2
    second = data["dossiers"][1]
    assert second["customer_name"] == HOSTILE
    assert second["missing"] == ["invoice"]
    assert second["status"] == "incomplete"
    assert second["present"]["other"] == ["DA-2025-000002-QT-01"]
    assert data["dossiers"][2]["status"] == "pending"
    assert data["dossiers"][4]["present"] == {}
    assert data["dossiers"][4]["missing"] == ["contract", "invoice", "id_copy", "inspection_sheet"]
    assert data["dossiers"][2]["department"] is None
    expected_keys = {
        "archive_no", "customer_no", "customer_name", "vin", "dossier_type", "department", "salesperson",
        "state", "present", "missing", "pending_review", "status",
    }
    assert set(second) == expected_keys


def test_csv_has_bom_chinese_headings_and_parses(rows: list[CompletenessRow]) -> None:
    raw = render(rows, "csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(table) == 5
    assert table[1]["档案号"] == "DA-2025-000002"
    assert table[1]["缺少文件"] == "发票"
    assert table[1]["发票"] == "缺"
    assert table[1]["完整性"] == "不完整"
    assert table[1]["销售/服务顾问"] == "'=1+1"  # kept as text, never run as a formula
    assert table[0]["合同"] == "DA-2025-000001-HT-01; DA-2025-000001-HT-02"
    english = list(csv.reader(io.StringIO(render(rows, "csv", lang="en").decode("utf-8-sig"))))
    assert english[0][:3] == ["Archive no.", "Customer", "Customer no."]


def test_xlsx_headings_highlights_and_totals(rows: list[CompletenessRow]) -> None:
    wb = load_workbook(io.BytesIO(render(rows, "xlsx")))
    ws = wb["档案完整性"]
    assert "2025-03-14 09:30" in str(ws["A1"].value)
    headings = [c.value for c in ws[2]]
    assert headings[:5] == ["档案号", "客户名称", "客户编号", "车架号", "档案类型"]
    assert {"合同", "发票", "身份证明复印件", "检查表", "缺少文件", "完整性"} <= set(headings)
    assert ws.freeze_panes == "C3"
    assert ws.auto_filter.ref.startswith("A2:")
    assert ws.page_setup.orientation == "landscape"
    assert ws["A2"].font.b

    col = {h: i + 1 for i, h in enumerate(headings)}
    invoice = ws.cell(row=4, column=col["发票"])  # the second dossier lacks its invoice
    assert invoice.value == "缺"
    assert invoice.fill.fgColor.rgb == "00FFC7CE"
    assert ws.cell(row=4, column=col["客户名称"]).value == HOSTILE
    salesperson = ws.cell(row=4, column=col["销售/服务顾问"])
    assert salesperson.value == "=1+1" and salesperson.data_type == "s"
    assert ws.cell(row=3, column=col["完整性"]).value == "完整"
    assert ws.cell(row=3, column=col["客户名称"]).fill.fgColor.rgb == "00E2F0D9"  # complete row: green-ish
    assert ws.cell(row=3, column=col["合同"]).value == "DA-2025-000001-HT-01\nDA-2025-000001-HT-02"
    assert ws.column_dimensions["E"].width >= 10  # 新车档案: four Han characters count as eight

    totals = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r and r[0] is not None}
    assert totals["档案总数"] == 5
    assert totals["完整"] == 2
    assert totals["不完整"] == 2
    assert totals["待审核"] == 1
    assert totals["发票"] == 2


def test_html_escapes_hostile_values_and_shows_totals(rows: list[CompletenessRow]) -> None:
    page = render(rows, "html").decode("utf-8")
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert 'lang="zh-CN"' in page
    assert "档案总数" in page and '<span class="n">5</span>' in page
    assert '<span class="badge missing">发票</span>' in page
    assert "http" not in page.split("<body>")[0].replace("http-equiv", "")  # nothing fetched from outside
    assert "2025-03-14 09:30 UTC+08:00" in page


def test_summary_text(rows: list[CompletenessRow]) -> None:
    assert summarize_completeness(rows) == (
        "档案 5 份：完整 2，不完整 2，待审核 1（完整率 40.0%）。"
        "缺少：合同 1、发票 2、身份证明复印件 2、检查表 1。待审核文件 1 份。"
    )
    assert summarize_completeness(rows, lang="en").startswith("5 dossiers: 2 complete, 2 incomplete")


def test_unknown_format_or_language_lists_the_known_ones(rows: list[CompletenessRow]) -> None:
    with pytest.raises(ReportError, match="json, csv, xlsx, html") as info:
        render(rows, "pdf")
    assert "未知的报告格式" in info.value.reason_zh
    with pytest.raises(ReportError, match="zh, en"):
        render(rows, "csv", lang="fr")
