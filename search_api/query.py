"""The query language people type, parsed once into a small tree that every backend translates.

Words and Chinese strings of any length, "quoted phrases", AND / OR / NOT, -word, parentheses, and field
filters: type:invoice (类型:发票), customer:KH2023001 (客户:), date:2024-05 (日期:, the document's own date
where one was read, else the day it was ingested), ingested:2024-05-01..2024-05-31 (入库:), docdate: (单据日期:).
Adjacent terms must all match. A malformed query raises QueryError with a message for people.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from dangan.errors import DanganError
from search_api.text import fold, normalize, tokens


class QueryError(DanganError):
    """A search query that cannot be understood; the message says where and why."""

    code = "bad_query"


#: Document types as typed in a filter, English or Chinese.
TYPE_NAMES = {
    "contract": "contract", "合同": "contract",
    "invoice": "invoice", "发票": "invoice",
    "id_copy": "id_copy", "id": "id_copy", "身份证明": "id_copy", "身份证": "id_copy", "证件": "id_copy",
    "inspection_sheet": "inspection_sheet", "inspection": "inspection_sheet", "检查表": "inspection_sheet",
    "other": "other", "其他": "other",
    "blank": "blank", "空白": "blank",
}
# What people type for a kind of paper, which the paper itself may not print: "张伟 购车发票" means 张伟's
# invoice, though the invoice says 机动车销售统一发票. A bare (unquoted) word listed here matches its text or
# the document type; quoted, it is only text.
TITLE_WORDS = {
    **{w: "contract" for w in ("合同", "购车合同", "销售合同", "买卖合同", "contract", "agreement")},
    **{w: "invoice" for w in ("发票", "购车发票", "机动车发票", "销售发票", "invoice")},
    **{w: "id_copy" for w in ("身份证", "身份证复印件", "身份证明", "证件", "营业执照", "id")},
    **{w: "inspection_sheet" for w in ("检查表", "交车检查表", "验车单", "交车单", "pdi", "inspection")},
}
_FIELDS = {
    "type": "type", "类型": "type", "doctype": "type",
    "customer": "customer", "客户": "customer",
    "date": "date", "日期": "date",
    "ingested": "ingested", "入库": "ingested",
    "docdate": "doc_date", "单据日期": "doc_date",
}


@dataclass(frozen=True, slots=True)
class Text:
    """Text that must occur in the page, as a run of tokens (folded); separators between them are ignored.

    `raw` is the folded text as typed, for backends that analyse it themselves (OpenSearch).
    """

    words: tuple[str, ...]
    raw: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class TypeIs:
    doc_type: str


@dataclass(frozen=True, slots=True)
class CustomerIs:
    customer_no: str


@dataclass(frozen=True, slots=True)
class DateIn:
    """A date field within [start, end], both inclusive; None is open. field: date, ingested or doc_date."""

    field: str
    start: date | None
    end: date | None


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class All:
    """Every page (a query of filters only, or the positive side of `-word`)."""


Node = Text | TypeIs | CustomerIs | DateIn | And | Or | Not | All

_LEX = re.compile(
    r"""\s*(?:
      (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<neg>-)(?=[^\s)])
    | (?P<plus>\+)(?=[^\s)])
    | (?P<field>[^\s():"“”「」]+):
    | (?P<quote>["“”「」])(?P<phrase>[^"“”「」]*)(?P<close>["“”「」])?
    | (?P<word>[^\s()"“”「」]+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class _Lexeme:
    kind: str  # ( ) - + field quote word AND OR NOT
    value: str
    pos: int


def _lex(query: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    pos = 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        m = _LEX.match(query, pos)
        if m is None or m.end() == pos:  # pragma: no cover - the word alternative takes any other character
            raise QueryError(f"第 {pos + 1} 个字符无法识别", f"cannot read the query at character {pos + 1}")
        start = m.start(m.lastgroup or 0)
        if m.group("lparen"):
            out.append(_Lexeme("(", "(", start))
        elif m.group("rparen"):
            out.append(_Lexeme(")", ")", start))
        elif m.group("neg"):
            out.append(_Lexeme("-", "-", start))
        elif m.group("plus"):
            out.append(_Lexeme("+", "+", start))
        elif m.group("field") is not None and m.group("field").lower() in _FIELDS:
            out.append(_Lexeme("field", _FIELDS[m.group("field").lower()], start))
        elif m.group("field") is not None:
            # Not a known field ("10:30", "备注:"): read the whole thing as text.
            w = re.compile(r"\S+").match(query, m.start("field"))
            assert w is not None
            out.append(_Lexeme("word", w.group(), start))
            pos = w.end()
            continue
        elif m.group("quote"):
            if m.group("close") is None:
                raise QueryError(
                    f"第 {m.start('quote') + 1} 个字符处的引号没有闭合",
                    f"the quote at character {m.start('quote') + 1} is not closed",
                )
            out.append(_Lexeme("quote", m.group("phrase"), m.start("quote")))
        else:
            word = m.group("word")
            kind = word if word in ("AND", "OR", "NOT", "&&", "||") else "word"
            kind = {"&&": "AND", "||": "OR"}.get(kind, kind)
            out.append(_Lexeme(kind, word, start))
        pos = m.end()
    return out


def _text(value: str, pos: int, *, quoted: bool) -> Text | None:
    words = tuple(t.text for t in tokens(fold(value)))
    if not words:
        if quoted:
            raise QueryError(f"第 {pos + 1} 个字符处的引号内没有可搜索的文字",
                             f"the phrase at character {pos + 1} has nothing searchable")
        return None
    return Text(words, fold(value).strip())


def _doc_type(value: str) -> str:
    resolved = TYPE_NAMES.get(value.lower())
    if resolved is None:
        known = ", ".join(sorted(set(TYPE_NAMES.values())))
        raise QueryError(f"未知文档类型 {value}（可用：{known}）", f"unknown document type {value!r}; known: {known}")
    return resolved


_DATE_PART = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?)?月?)?年?$")


def _date_bounds(value: str, pos: int) -> tuple[date, date]:
    m = _DATE_PART.match(value.strip())
    bad = QueryError(f"第 {pos + 1} 个字符处的日期 {value!r} 无法识别（例：2024-05-01、2024-05、2024）",
                     f"cannot read the date {value!r} at character {pos + 1} (e.g. 2024-05-01, 2024-05, 2024)")
    if m is None:
        raise bad
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            last = calendar.monthrange(year, int(month))[1]
            return date(year, int(month), 1), date(year, int(month), last)
        d = date(year, int(month), int(day))
    except ValueError as exc:
        raise bad from exc
    return d, d


def parse_date_range(value: str, pos: int = 0) -> tuple[date | None, date | None]:
    """`2024`, `2024-05`, `2024-05-01`, `A..B`, `A..`, `..B`: the inclusive range of days meant."""
    value = normalize(value)
    if ".." in value:
        lo, hi = value.split("..", 1)
        if not lo.strip() and not hi.strip():
            raise QueryError(f"第 {pos + 1} 个字符处的日期范围为空", f"empty date range at character {pos + 1}")
        return (_date_bounds(lo, pos)[0] if lo.strip() else None, _date_bounds(hi, pos)[1] if hi.strip() else None)
    start, end = _date_bounds(value, pos)
    return start, end


class _Parser:
    def __init__(self, lexemes: list[_Lexeme], query: str) -> None:
        self.lx = lexemes
        self.i = 0
        self.query = query

    def peek(self) -> _Lexeme | None:
        return self.lx[self.i] if self.i < len(self.lx) else None

    def take(self) -> _Lexeme:
        lexeme = self.lx[self.i]
        self.i += 1
        return lexeme

    def missing(self, after: _Lexeme) -> QueryError:
        return QueryError(f"第 {after.pos + 1} 个字符处的 {after.value} 后面缺少搜索词",
                          f"{after.value} at character {after.pos + 1} needs a term after it")

    def parse_or(self) -> Node | None:
        items = [self.parse_and()]
        while (la := self.peek()) is not None and la.kind == "OR":
            op = self.take()
            if self.peek() is None or self.peek().kind in (")", "OR", "AND"):  # type: ignore[union-attr]
                raise self.missing(op)
            items.append(self.parse_and())
        if items[0] is None and len(items) > 1:
            raise QueryError("OR 前面缺少搜索词", "OR needs a term before it")
        kept = [n for n in items if n is not None]
        if len(kept) < len(items) and len(items) > 1:
            # "张伟 OR ，": one side has nothing searchable; an OR with it would match everything.
            raise QueryError("OR 的一侧没有可搜索的文字", "one side of OR has nothing searchable")
        return kept[0] if len(kept) == 1 else (Or(tuple(kept)) if kept else None)

    def parse_and(self) -> Node | None:
        items: list[Node] = []
        while (la := self.peek()) is not None and la.kind not in (")", "OR"):
            if la.kind == "AND":
                op = self.take()
                if not items and not self.lx[: self.i - 1]:
                    raise QueryError("AND 前面缺少搜索词", "AND needs a term before it")
                if self.peek() is None or self.peek().kind in (")", "OR", "AND"):  # type: ignore[union-attr]
                    raise self.missing(op)
                continue
            node = self.parse_unary()
            if node is not None:
                items.append(node)
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self) -> Node | None:
        la = self.take()
        if la.kind in ("NOT", "-"):
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR", "AND"):
                raise self.missing(la)
            inner = self.parse_unary()
            if inner is None:
                raise self.missing(la)
            return Not(inner)
        if la.kind == "+":
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR", "AND"):
                raise self.missing(la)
            return self.parse_unary()
        if la.kind == "(":
            inner = self.parse_or()
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError(f"第 {la.pos + 1} 个字符处的括号没有闭合",
                                 f"the bracket at character {la.pos + 1} is not closed")
            self.take()
            if inner is None:
                raise QueryError(f"第 {la.pos + 1} 个字符处的括号内是空的", f"empty brackets at character {la.pos + 1}")
            return inner
        if la.kind == ")":
            raise QueryError(f"第 {la.pos + 1} 个字符处多了一个右括号", f"unmatched ')' at character {la.pos + 1}")
        if la.kind == "field":
            return self.parse_field(la)
        if la.kind == "quote":
            return _text(la.value, la.pos, quoted=True)
        text = _text(la.value, la.pos, quoted=False)
        doc_type = TITLE_WORDS.get(fold(la.value).strip().lower())
        return Or((text, TypeIs(doc_type))) if text is not None and doc_type else text

    def parse_field(self, la: _Lexeme) -> Node:
        nxt = self.peek()
        if nxt is None or nxt.kind not in ("word", "quote"):
            raise QueryError(f"第 {la.pos + 1} 个字符处的 {la.value}: 后面缺少值",
                             f"{la.value}: at character {la.pos + 1} needs a value")
        value = normalize(self.take().value).strip()
        if la.value == "type":
            return TypeIs(_doc_type(value))
        if la.value == "customer":
            return CustomerIs(value.upper())
        start, end = parse_date_range(value, nxt.pos)
        return DateIn(la.value, start, end)


def parse_query(query: str) -> Node:
    """Parse what a user typed; raise QueryError (Chinese and English message) when it is malformed.

    Args:
        query: The search box's text.

    Returns:
        The query tree; `All()` is never returned for an empty query, which is an error.
    """
    query = normalize(query)
    if not query.strip():
        raise QueryError("请输入搜索内容", "the query is empty")
    parser = _Parser(_lex(query), query)
    node = parser.parse_or()
    if parser.peek() is not None:
        extra = parser.peek()
        assert extra is not None
        raise QueryError(f"第 {extra.pos + 1} 个字符处多了一个右括号", f"unmatched ')' at character {extra.pos + 1}")
    if node is None:
        raise QueryError("搜索内容中没有可搜索的文字", "the query has nothing searchable")
    return node


def with_filters(
    node: Node, *, doc_type: str | None = None, customer_no: str | None = None,
    start: date | None = None, end: date | None = None,
) -> Node:
    """The query narrowed by the command line's or the web UI's filter controls."""
    extra: list[Node] = []
    if doc_type:
        extra.append(TypeIs(_doc_type(normalize(doc_type).strip())))
    if customer_no:
        extra.append(CustomerIs(normalize(customer_no).strip().upper()))
    if start or end:
        extra.append(DateIn("date", start, end))
    if not extra:
        return node
    items = (*node.items, *extra) if isinstance(node, And) else (node, *extra)
    return And(tuple(items))


def text_phrases(node: Node) -> list[tuple[str, ...]]:
    """The positive text of a query, for highlighting (negated text is never highlighted)."""
    if isinstance(node, Text):
        return [node.words]
    if isinstance(node, And | Or):
        return [p for item in node.items for p in text_phrases(item)]
    return []
