"""What the web UI and the API show, computed once for both: scoped, masked, never a raw row.

Every function takes the acting Principal and returns plain dicts: masking of sensitive values and the scope
check happen here, so that a route can neither forget them nor do them differently from its twin.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dangan.errors import DanganError
from dangan.permissions import Permission, Principal, Scope
from search_api.index import SearchIndex
from search_api.query import CustomerIs, Node, Or, parse_query, with_filters
from search_api.text import analyze, fold, mask, normalize, sensitive_spans
from storage.documents import Document, DocumentState
from storage.models import Job, Page
from storage.register import Customer, Dossier, Vehicle

TYPE_LABELS = {"contract": ("合同", "contract"), "invoice": ("发票", "invoice"),
               "id_copy": ("身份证明", "ID copy"), "inspection_sheet": ("检查表", "inspection sheet"),
               "other": ("其他", "other"), "blank": ("空白", "blank")}


class NotFound(DanganError):
    """Missing, or outside the user's scope: the two look the same, so that existence is not confirmed."""

    code = "not_found"


def mask_free_text(value: str | None) -> str | None:
    """ID, passport and bank-account numbers in any free text (a file name, a reason) replaced by '*'."""
    if not value:
        return value
    text = normalize(value)
    return mask(text, sensitive_spans(fold(text)))


def _shown(p: Principal, value: str | None) -> str | None:
    return value if p.can(Permission.SENSITIVE_REVEAL) else mask_free_text(value)


def mask_id(value: str | None, head: int = 4, tail: int = 4) -> str | None:
    """A register identifier shown as `1101**********123X`."""
    if not value:
        return value
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


# --- scope ---------------------------------------------------------------------------------------------------


def _customer_scope_clause(p: Principal, permission: Permission) -> Any:
    """A WHERE clause on Customer for the customers `permission` reaches (None: all; False: none)."""
    scope = p.scope(permission)
    if scope is None:
        return False
    if scope == Scope.ALL:
        return None
    column, value = ((Customer.department, Dossier.department) if scope == Scope.DEPARTMENT
                     else (Customer.salesperson, Dossier.salesperson)), (
        p.department if scope == Scope.DEPARTMENT else p.salesperson)
    if not value:
        return False
    via_dossier = select(Dossier.customer_id).where(column[1] == value)
    return or_(column[0] == value, Customer.id.in_(via_dossier))


def customer_in_scope(session: Session, p: Principal, permission: Permission, customer_id: int | None) -> bool:
    clause = _customer_scope_clause(p, permission)
    if clause is None:
        return True
    if clause is False or customer_id is None:
        return False
    return session.scalars(select(Customer.id).where(Customer.id == customer_id, clause)).first() is not None


def _dossier_in_scope(p: Principal, permission: Permission, dossier: Dossier, customer: Customer) -> bool:
    return (p.reaches(permission, department=dossier.department, salesperson=dossier.salesperson)
            or p.reaches(permission, department=customer.department, salesperson=customer.salesperson))


def scoped_customer_nos(session: Session, p: Principal, permission: Permission) -> list[str] | None:
    """The customer numbers `permission` reaches; None means every customer (and pages in review)."""
    clause = _customer_scope_clause(p, permission)
    if clause is None:
        return None
    if clause is False:
        return []
    return list(session.scalars(select(Customer.customer_no).where(clause).order_by(Customer.customer_no)))


# --- search --------------------------------------------------------------------------------------------------


def search(
    session: Session, index: SearchIndex, p: Principal, query: str, *, doc_type: str | None = None,
    customer_no: str | None = None, start: date | None = None, end: date | None = None, limit: int = 20,
    offset: int = 0,
) -> dict[str, Any]:
    """Search within the user's scope; without the reveal permission sensitive values neither match nor show."""
    node: Node = with_filters(parse_query(query), doc_type=doc_type, customer_no=customer_no, start=start, end=end)
    allowed = scoped_customer_nos(session, p, Permission.SEARCH)
    if allowed is not None:
        if not allowed:
            return {"total": 0, "hits": [], "facets": {}}
        scope_node = Or(tuple(CustomerIs(no) for no in allowed))
        node = _and(node, scope_node)
    reveal = p.can(Permission.SENSITIVE_REVEAL)
    result = index.search(node, limit=limit, offset=offset, reveal_sensitive=reveal)
    hits = []
    for h in result.hits:
        hits.append({
            "page_id": h.page_id, "document_id": h.document_id, "source_file": _shown(p, h.source_file),
            "source_page": h.source_page, "customer_no": h.customer_no, "customer_name": h.customer_name,
            "doc_type": h.doc_type, "state": h.state, "archive_no": h.archive_no, "dossier_no": h.dossier_no,
            "ingested": h.ingested, "doc_date": h.doc_date, "score": h.score, "snippet_html": h.snippet,
            "snippet_text": h.snippet_text, "highlights": h.highlights, "sensitive": h.sensitive,
        })
    return {"total": result.total, "hits": hits, "facets": result.facets}


def _and(node: Node, extra: Node) -> Node:
    from search_api.query import And

    items = (*node.items, extra) if isinstance(node, And) else (node, extra)
    return And(tuple(items))


# --- pages, documents, dossiers ------------------------------------------------------------------------------


def _page_context(session: Session, page_id: int) -> tuple[Page, Document | None, Customer | None, Dossier | None]:
    page = session.get(Page, page_id)
    if page is None:
        raise NotFound("没有这一页", "no such page")
    doc = session.get(Document, page.document_id) if page.document_id else None
    customer = session.get(Customer, doc.customer_id) if doc and doc.customer_id else None
    dossier = session.get(Dossier, doc.dossier_id) if doc and doc.dossier_id else None
    return page, doc, customer, dossier


def _page_reachable(session: Session, p: Principal, page_id: int) -> tuple[Page, Document | None, Customer | None,
                                                                          Dossier | None]:
    page, doc, customer, dossier = _page_context(session, page_id)
    if p.scope(Permission.PAGES_VIEW) == Scope.ALL:
        return page, doc, customer, dossier
    if customer is None or not p.can(Permission.PAGES_VIEW):
        raise NotFound("没有这一页", "no such page")  # a page in review has no customer yet: scope ALL only
    if dossier is not None and _dossier_in_scope(p, Permission.PAGES_VIEW, dossier, customer):
        return page, doc, customer, dossier
    if not customer_in_scope(session, p, Permission.PAGES_VIEW, customer.id):
        raise NotFound("没有这一页", "no such page")
    return page, doc, customer, dossier


def page_view(session: Session, p: Principal, page_id: int) -> dict[str, Any]:
    """A page's text (masked unless revealed) and where it belongs."""
    page, doc, customer, dossier = _page_reachable(session, p, page_id)
    job = session.get(Job, page.job_id)
    reveal = p.can(Permission.SENSITIVE_REVEAL)
    analyzed = analyze(page.text or "")
    return {
        "page_id": page.id, "page_no": page.page_no, "doc_type": page.doc_type,
        "text": analyzed.text if reveal else analyzed.masked_text,
        "masked_values": len(analyzed.spans), "revealed": reveal and bool(analyzed.spans),
        "source_file": _shown(p, job.source_name if job else None),
        "document_id": doc.id if doc else None, "archive_no": doc.archive_no if doc else None,
        "state": doc.state if doc else None,
        "customer_no": customer.customer_no if customer else None,
        "customer_name": customer.name if customer else None,
        "dossier_no": dossier.archive_no if dossier else None,
        "image": bool(page.image_key) and reveal,  # black-out of images is not built yet: shown only with reveal
        "ocr_confidence": page.ocr_confidence,
    }


def page_image_key(session: Session, p: Principal, page_id: int) -> str:
    page, *_ = _page_reachable(session, p, page_id)
    if not page.image_key or not p.can(Permission.SENSITIVE_REVEAL):
        raise NotFound("没有可显示的图像", "no image to show")
    return page.image_key


def dossier_view(session: Session, p: Principal, archive_no: str, completeness: dict[str, Any] | None,
                 ) -> dict[str, Any]:
    """A dossier: customer, vehicle, documents grouped by type with archive numbers and pages."""
    dossier = session.scalars(select(Dossier).where(Dossier.archive_no == archive_no)).first()
    if dossier is None:
        raise NotFound("没有这个档案", "no such dossier")
    customer = session.get_one(Customer, dossier.customer_id)
    if not _dossier_in_scope(p, Permission.DOSSIERS_VIEW, dossier, customer):
        raise NotFound("没有这个档案", "no such dossier")
    vehicle = session.get(Vehicle, dossier.vehicle_id) if dossier.vehicle_id else None
    docs = session.scalars(select(Document).where(Document.dossier_id == dossier.id,
                                                  Document.state == DocumentState.FILED).order_by(Document.id)).all()
    pages: dict[int, list[int]] = defaultdict(list)
    if docs:
        for page_id, doc_id in session.execute(select(Page.id, Page.document_id).where(
                Page.document_id.in_([d.id for d in docs])).order_by(Page.page_no)):
            pages[doc_id].append(page_id)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in docs:
        groups[d.doc_type].append({"document_id": d.id, "archive_no": d.archive_no, "pages": pages[d.id],
                                   "filed_at": d.filed_at.isoformat() if d.filed_at else None})
    return {
        "archive_no": dossier.archive_no, "dossier_type": dossier.dossier_type, "state": dossier.state,
        "department": dossier.department, "salesperson": dossier.salesperson,
        "customer_no": customer.customer_no, "customer_name": customer.name,
        "vin": vehicle.vin if vehicle else None, "plate": vehicle.plate if vehicle else None,
        "documents": dict(groups), "completeness": completeness,
    }


def dossier_completeness(session: Session, settings: Any, archive_no: str) -> dict[str, Any] | None:
    from classify.completeness import load_dossier_types
    from search_api.reports import completeness_rows
    from storage.completeness import dossier_facts

    types = load_dossier_types(settings.classify.dossier_types_file)
    facts = [f for f in dossier_facts(session) if f.archive_no == archive_no]
    if not facts:
        return None
    row = completeness_rows(facts, types)[0]
    return {"status": row.status.value, "missing": list(row.missing), "pending_review": row.pending_review,
            "present": {k: list(v) for k, v in row.present.items()}}


def customers(session: Session, p: Principal, *, query: str = "") -> list[dict[str, Any]]:
    """The register within the user's scope, ID numbers and phones masked unless revealed."""
    clause = _customer_scope_clause(p, Permission.CUSTOMERS_VIEW)
    if clause is False:
        return []
    stmt = select(Customer).order_by(Customer.customer_no).limit(500)
    if clause is not None:
        stmt = stmt.where(clause)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Customer.customer_no.like(like), Customer.name.like(like)))
    rows = session.scalars(stmt).all()
    dossiers: dict[int, list[str]] = defaultdict(list)
    if rows:
        for cid, no in session.execute(select(Dossier.customer_id, Dossier.archive_no).where(
                Dossier.customer_id.in_([c.id for c in rows])).order_by(Dossier.archive_no)):
            dossiers[cid].append(no)
    reveal = p.can(Permission.SENSITIVE_REVEAL)
    return [{
        "customer_no": c.customer_no, "name": c.name, "type": c.type,
        "id_number": c.id_number if reveal else mask_id(c.id_number),
        "uscc": c.uscc, "phone": c.phone if reveal else ",".join(mask_id(x, 3, 4) or "" for x in
                                                                 (c.phone or "").split(",")) or None,
        "department": c.department, "salesperson": c.salesperson, "dossiers": dossiers[c.id],
    } for c in rows]


def review_items(session: Session, p: Principal) -> list[dict[str, Any]]:
    from storage.review import review_queue

    allowed = scoped_customer_nos(session, p, Permission.REVIEW_VIEW)
    items = []
    for item in review_queue(session):
        if allowed is not None and item.suggested_customer_no not in allowed:
            continue
        items.append({
            "document_id": item.document_id, "job_id": item.job_id, "doc_type": item.doc_type,
            "page_ids": list(item.page_ids), "suggested_customer_no": item.suggested_customer_no,
            "pending_dossiers": list(item.pending_dossiers), "reason": _shown(p, item.reason),
        })
    return items


def review_document_reachable(session: Session, p: Principal, document_id: int) -> None:
    """A review decision on a document outside the user's scope is refused like a missing one."""
    if p.scope(Permission.REVIEW_DECIDE) == Scope.ALL:
        return
    doc = session.get(Document, document_id)
    allowed = scoped_customer_nos(session, p, Permission.REVIEW_DECIDE) or []
    if doc is None or doc.suggested_customer_no not in allowed:
        raise NotFound("没有这个文档", "no such document")


def review_page_reachable(session: Session, p: Principal, page_id: int) -> None:
    if p.scope(Permission.REVIEW_DECIDE) == Scope.ALL:
        return
    page = session.get(Page, page_id)
    if page is None or page.document_id is None:
        raise NotFound("没有这一页", "no such page")
    review_document_reachable(session, p, page.document_id)
