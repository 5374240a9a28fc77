"""The conformance suite every SearchIndex passes: run by the tests on each backend and by `dangan selftest --index`.

Each check loads the same small set of pages into an empty index and compares what searches return with what
the pages say. Checks raise ConformanceError, never AssertionError, so they also hold under `python -O`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from search_api.index import PageDoc, SearchIndex, SearchResult
from search_api.query import QueryError, parse_query


class ConformanceError(Exception):
    """A backend answered differently from the contract."""


_MAY = datetime(2024, 5, 10, 9, 30, tzinfo=UTC)
_NOV = datetime(2023, 11, 20, 14, 0, tzinfo=UTC)
_CLAUSES = (
    "第一条 车辆名称、型号、颜色及价款以附件为准。第二条 乙方应于合同签订之日起三日内支付定金。"
    "第三条 交车时甲方向乙方交付车辆合格证、使用说明书及保修手册。第四条 甲方保证所售车辆为合格产品。"
)

SAMPLE: tuple[PageDoc, ...] = (
    PageDoc(1, "机动车销售统一发票\n开票日期：2024年05月03日\n购买方名称：张伟 身份证号码：110101199003071234\n"
               "车辆识别代号：LSVAU2180N2183642\n价税合计 ¥150000.00\n销售单位：广州市天河区某某汽车销售服务有限公司",
            "invoice", _MAY, document_id=11, source_file="scan-001.pdf", source_page=1,
            customer_no="KH001", customer_name="张伟", archive_no="DA-2024-000001-FP-01"),
    PageDoc(2, f"汽车销售合同\n合同编号：HT-2024-0088\n甲方（卖方）：广州某某汽车销售服务有限公司\n"
               f"乙方（买方）：张伟 联系电话：13812345678\n{_CLAUSES}\n"
               "第五条 乙方付清全部车款后，甲方开具机动车销售统一发票。\n签订日期：2024年04月28日",
            "contract", _MAY, document_id=12, source_file="scan-001.pdf", source_page=2,
            customer_no="KH001", customer_name="张伟", archive_no="DA-2024-000001-HT-01"),
    PageDoc(3, "居民身份证 姓名 王芳 性别 女 民族 汉 住址 广东省广州市海珠区江南大道中100号 "
               "公民身份号码 44010519850612002X",
            "id_copy", _MAY, document_id=13, source_file="scan-002.pdf", source_page=1,
            customer_no="KH002", customer_name="王芳", archive_no="DA-2024-000002-SF-01"),
    PageDoc(4, "新车PDI检查表 车架号 LFV2A21K8N4012345 检查项目 轮胎气压 正常 车牌 粤A88888 客户 王芳",
            "inspection_sheet", _MAY, document_id=14, source_file="scan-002.pdf", source_page=2,
            customer_no="KH002", customer_name="王芳", archive_no="DA-2024-000002-JC-01"),
    PageDoc(5, "客户满意度调查 The buyer is satisfied with the environmental protection package.\n"
               "Passport No. E12345678\n开户行 中国工商银行 账号 6222 0212 3456 7890 123",
            "other", _MAY, document_id=15, source_file="scan-003.pdf", source_page=1, state="review"),
    PageDoc(6, "VEHICLE SALES AGREEMENT Buyer: Li Wei Seller: Guangzhou Motors Price ＲＭＢ １２０，０００ "
               "invoice (发票) to follow",
            "contract", _MAY, document_id=16, source_file="scan-004.pdf", source_page=1,
            customer_no="KH003", customer_name="李伟", archive_no="DA-2024-000003-HT-01"),
    PageDoc(7, "<script>alert(1)</script> 投诉信 客户张伟伟反映车辆异响",
            "other", _MAY, document_id=17, source_file="scan-005.pdf", source_page=1,
            customer_no="KH005", customer_name="张伟伟", archive_no="DA-2024-000005-QT-01"),
    PageDoc(8, "增值税普通发票 购买方 张三 开票日期 2023-11-15 维修费 800.00",
            "invoice", _NOV, document_id=18, source_file="scan-006.pdf", source_page=1,
            customer_no="KH004", customer_name="张三", archive_no="DA-2023-000004-FP-01"),
)


def load(index: SearchIndex, pages: tuple[PageDoc, ...] = SAMPLE) -> None:
    with index.batch() as batch:
        batch.delete_all()
        for page in pages:
            batch.upsert(page)


def _ids(result: SearchResult) -> set[int]:
    return {h.page_id for h in result.hits}


def expect(index: SearchIndex, query: str, ids: set[int], *, reveal: bool = False) -> SearchResult:
    result = index.search(query, limit=50, reveal_sensitive=reveal)
    found = _ids(result)
    if found != ids or result.total != len(ids):
        raise ConformanceError(f"{query!r}: expected pages {sorted(ids)}, got {sorted(found)} (total {result.total})")
    return result


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ConformanceError(message)


def check_indexing(index: SearchIndex) -> None:
    _check(index.count() == len(SAMPLE), f"expected {len(SAMPLE)} pages indexed, found {index.count()}")
    hit = expect(index, "天河区", {1}).hits[0]
    want = SAMPLE[0]
    got = (hit.document_id, hit.source_file, hit.source_page, hit.customer_no, hit.customer_name, hit.doc_type,
           hit.archive_no, hit.state)
    _check(got == (want.document_id, want.source_file, want.source_page, want.customer_no, want.customer_name,
                   want.doc_type, want.archive_no, "filed"), f"hit fields differ from the page: {got}")
    _check(hit.doc_date == "2024-05-03", f"document date read from 开票日期: expected 2024-05-03, got {hit.doc_date}")


def check_chinese_short(index: SearchIndex) -> None:
    expect(index, "伟", {1, 2, 7})
    expect(index, "芳", {3, 4})
    expect(index, "发票", {1, 2, 6, 8})
    expect(index, "异响", {7})
    expect(index, "张伟", {1, 2, 7})  # 张伟伟 contains 张伟: substring semantics
    expect(index, "张伟伟", {7})
    expect(index, "伟张", set())


def check_phrases(index: SearchIndex) -> None:
    expect(index, '"销售 统一"', {1, 2})
    expect(index, '"统一 销售"', set())
    expect(index, "销售统一发票", {1, 2})
    expect(index, '"protection package"', {5})
    expect(index, '"package protection"', set())


def check_boolean(index: SearchIndex) -> None:
    expect(index, "张伟 AND 发票", {1, 2})
    expect(index, "张伟 发票", {1, 2})
    expect(index, "张伟 -发票", {7})
    expect(index, "张伟 NOT 合同", {1, 7})
    expect(index, "王芳 OR 张三", {3, 4, 8})
    expect(index, "(王芳 OR 张三) -检查表", {3, 8})
    expect(index, "-发票 -王芳 -张伟", {5})


def check_identifiers(index: SearchIndex) -> None:
    expect(index, "LSVAU2180N2183642", {1})
    expect(index, "183642", {1})  # a VIN's last six
    expect(index, "N2183642", {1})
    expect(index, "4012345", {4})
    expect(index, "13812345678", {2})
    expect(index, "HT-2024-0088", {2})
    expect(index, "粤A88888", {4})


def check_full_width(index: SearchIndex) -> None:
    expect(index, "ＬＳＶＡＵ２１８０Ｎ２１８３６４２", {1})
    expect(index, "１８３６４２", {1})
    expect(index, "张伟\u3000发票", {1, 2})
    expect(index, "rmb", {6})
    expect(index, "ＢＵＹＥＲ", {5, 6})


def check_english(index: SearchIndex) -> None:
    expect(index, "buyer", {5, 6})
    expect(index, "Environmental", {5})
    expect(index, "environment", set())  # a word matches whole words only


def check_filters(index: SearchIndex) -> None:
    expect(index, "type:invoice", {1, 8})
    expect(index, "发票 type:contract", {2, 6})
    expect(index, "类型:合同 张伟", {2})
    expect(index, "customer:KH001", {1, 2})
    expect(index, "客户:kh001 发票", {1, 2})
    expect(index, "date:2024-05", {1, 3, 4, 5, 6, 7})  # the document's own date where read, else ingested
    expect(index, "docdate:2024", {1, 2})
    expect(index, "docdate:..2023-12-31", {8})
    expect(index, "ingested:2023-11-01..2023-11-30", {8})
    expect(index, "ingested:2024-05-10", {1, 2, 3, 4, 5, 6, 7})


def check_facets(index: SearchIndex) -> None:
    result = index.search("发票", limit=1)
    _check(result.facets.get("doc_type") == {"invoice": 2, "contract": 2},
           f"doc_type facets for 发票: {result.facets.get('doc_type')}")
    _check(result.facets.get("customer_no") == {"KH001": 2, "KH003": 1, "KH004": 1},
           f"customer facets for 发票: {result.facets.get('customer_no')}")
    _check(len(result.hits) == 1 and result.total == 4, "limit=1 returns one hit and the full total")


def check_updates(index: SearchIndex) -> None:
    page = SAMPLE[7]
    changed = PageDoc(page.page_id, page.text.replace("维修费", "保养费"), "other", page.ingested,
                      document_id=page.document_id, customer_no="KH009", customer_name="张三")
    with index.batch() as batch:
        batch.upsert(changed)
    expect(index, "type:invoice", {1})
    expect(index, "维修费", set())
    expect(index, "保养费 customer:KH009", {8})
    _check(index.count() == len(SAMPLE), "an update must replace the page, not add one")


def check_deletes(index: SearchIndex) -> None:
    with index.batch() as batch:
        batch.delete(6)
        batch.delete(999)  # unknown: nothing happens
    expect(index, "buyer", {5})
    _check(index.count() == len(SAMPLE) - 1, "a deleted page must leave the index")


def check_snippets(index: SearchIndex) -> None:
    hit = expect(index, "异响", {7}).hits[0]
    _check("<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet, "snippets must escape HTML")
    _check("<b>异响</b>" in hit.snippet, f"the match must be highlighted: {hit.snippet}")
    for start, end in hit.highlights:
        _check(hit.snippet_text[start:end] == "异响", f"highlight offsets must be characters: {hit.highlights}")
    hit = expect(index, "１８３６４２", {1}).hits[0]
    _check(any(hit.snippet_text[s:e] == "183642" for s, e in hit.highlights), f"VIN tail highlight: {hit}")


def check_sensitive(index: SearchIndex) -> None:
    for query in ("110101199003071234", "071234", "12002X", "E12345678", "6222021234567890123"):
        result = expect(index, query, set())
        _check(all(not counts for counts in result.facets.values()), f"{query!r}: facets reveal a hidden value")
    expect(index, "5678", {2})  # the phone number ending so counts; the passport number E12345678 does not
    hit = expect(index, "张伟 天河区", {1}).hits[0]
    _check("110101199003071234" not in hit.snippet_text + hit.snippet, "snippet shows a hidden ID number")
    spans = [(s, e, k) for s, e, k in hit.sensitive if k == "id_number"]
    _check(len(spans) == 1 and set(hit.snippet_text[spans[0][0]:spans[0][1]]) == {"*"},
           f"snippet must mask the ID number and give its offsets: {hit.snippet_text!r} {hit.sensitive}")
    expect(index, "110101199003071234", {1}, reveal=True)
    expect(index, "071234", {1}, reveal=True)
    expect(index, "12002x", {3}, reveal=True)
    expect(index, "E12345678", {5}, reveal=True)
    expect(index, "5678", {2, 5}, reveal=True)
    expect(index, "6222 0212 3456 7890 123", {5}, reveal=True)
    hit = expect(index, "110101199003071234", {1}, reveal=True).hits[0]
    _check("110101199003071234" in hit.snippet_text and hit.sensitive, "a revealed snippet shows and marks it")


def check_ranking(index: SearchIndex) -> None:
    result = index.search("张伟 发票", limit=10)
    order = [h.page_id for h in result.hits]
    _check(order[:1] == [1], f"'张伟 发票': the invoice titled 发票 must rank first, got {order}")
    # What people call the paper, not what it prints: the invoice says 机动车销售统一发票, not 购车发票.
    expect(index, "张伟 购车发票", {1})
    expect(index, '张伟 "购车发票"', set())


def check_malformed(index: SearchIndex) -> None:
    for bad in ('"张伟', "(张伟", "张伟)", "张伟 OR", "AND 张伟", "type:car", "date:2024-13", "NOT", "   ", "()"):
        try:
            parse_query(bad)
        except QueryError:
            continue
        raise ConformanceError(f"{bad!r} must be refused with a message")
    try:
        index.search('"张伟')
    except QueryError:
        return
    raise ConformanceError("the index must refuse a malformed query")


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    run: Callable[[SearchIndex], None]


CHECKS: tuple[Check, ...] = tuple(
    Check(name.removeprefix("check_"), fn) for name, fn in list(globals().items()) if name.startswith("check_")
)


def run_all(make_index: Callable[[], SearchIndex]) -> list[tuple[str, str | None]]:
    """Run every check on a fresh load of the sample; returns (check, error message or None)."""
    results: list[tuple[str, str | None]] = []
    index = make_index()
    try:
        for check in CHECKS:
            try:
                load(index)
                check.run(index)
                results.append((check.name, None))
            except (ConformanceError, QueryError) as exc:
                results.append((check.name, str(exc)))
    finally:
        index.close()
    return results
