"""The JSON API under /api/v1: the same operations as the UI, by session cookie or per-user API token."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import select

from dangan.errors import DanganError
from dangan.permissions import Permission as P
from dangan.permissions import Principal
from search_api.query import parse_date_range
from search_api.web import services
from search_api.web.app import CurrentUser, audit, require, state

router = APIRouter(prefix="/api/v1", tags=["v1"])


def day_range(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    return (parse_date_range(start)[0] if start else None), (parse_date_range(end)[1] if end else None)


def run_review(request: Request, p: Principal, operation: Callable[..., list[int]], *args: Any) -> list[int]:
    """Run one review decision as `p`, commit it, rebuild the touched dossier objects and index them."""
    from dangan.filing import sync_documents
    from search_api.indexer import sync
    from storage.archive_numbers import ArchiveNumbering

    web = state(request)
    with web.sessions() as s:
        try:
            touched = operation(s, *args, actor=p.actor, numbering=ArchiveNumbering(web.settings.archive))
        except DanganError as exc:
            audit(request, p.actor, f"review.{operation.__name__}", "review", args[0] if args else "*",
                  outcome="failed", code=exc.code)
            raise
        s.commit()
        sync_documents(s, web.settings, touched)
    sync(web.settings, web.sessions, lock_wait=0.5)
    web.take_over_events()  # the decision's audit event, recorded with it, joins the chain now
    return touched


@router.get("/me", summary="The logged-in user and their permissions (当前用户)")
def me(request: Request, p: CurrentUser) -> dict[str, Any]:
    audit(request, p.actor, "me.view", "user", p.username)
    return {"username": p.username, "name": p.display_name, "roles": list(p.roles), "department": p.department,
            "permissions": {k.value: v.value for k, v in sorted(p.grants.items())}}


@router.get("/search", summary="Full-text search within your scope (全文搜索)")
def search(
    request: Request, p: Annotated[Principal, Depends(require(P.SEARCH))],
    q: Annotated[str, Query(min_length=1, max_length=500)], doc_type: Annotated[str | None, Query(alias="type")] = None,
    customer: str | None = None, start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None, limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10000)] = 0,
) -> dict[str, Any]:
    first, last = day_range(start, end)
    with state(request).sessions() as s:
        result = services.search(s, state(request).index(), p, q, doc_type=doc_type, customer_no=customer,
                                  start=first, end=last, limit=limit, offset=offset)
    audit(request, p.actor, "search", "pages", "*", query=services.mask_free_text(q), hits=result["total"],
          reveal=p.can(P.SENSITIVE_REVEAL), via="api")
    return result


def load_page(request: Request, p: Principal, page_id: int) -> dict[str, Any]:
    """A page as `p` may see it, for the API and the UI; a refusal (out of scope or absent) is audited."""
    with state(request).sessions() as s:
        try:
            return services.page_view(s, p, page_id)
        except services.NotFound:
            audit(request, p.actor, "page.view", "page", page_id, outcome="denied")
            raise


def load_dossier(request: Request, p: Principal, archive_no: str) -> dict[str, Any]:
    """A dossier with its completeness as `p` may see it; a refusal is audited."""
    web = state(request)
    with web.sessions() as s:
        try:
            view = services.dossier_view(s, p, archive_no, None)
        except services.NotFound:
            audit(request, p.actor, "dossier.view", "dossier", archive_no, outcome="denied")
            raise
        view["completeness"] = services.dossier_completeness(s, web.settings, archive_no)
    return view


@router.get("/pages/{page_id}", summary="A page's text, masked unless you may see sensitive values (页面)")
def page(request: Request, page_id: int, p: Annotated[Principal, Depends(require(P.PAGES_VIEW))]) -> dict[str, Any]:
    view = load_page(request, p, page_id)
    audit(request, p.actor, "page.view", "page", page_id, revealed=view["revealed"], via="api")
    return view


@router.get("/dossiers/{archive_no}", summary="A dossier with its documents and completeness (档案)")
def dossier(request: Request, archive_no: str, p: Annotated[Principal, Depends(require(P.DOSSIERS_VIEW))],
            ) -> dict[str, Any]:
    view = load_dossier(request, p, archive_no)
    audit(request, p.actor, "dossier.view", "dossier", archive_no, via="api")
    return view


@router.get("/customers", summary="The customer register within your scope (客户登记)")
def customers(request: Request, p: Annotated[Principal, Depends(require(P.CUSTOMERS_VIEW))], q: str = "",
              ) -> list[dict[str, Any]]:
    with state(request).sessions() as s:
        rows = services.customers(s, p, query=q)
    audit(request, p.actor, "customers.list", "customers", "*", count=len(rows), query=services.mask_free_text(q),
          revealed=p.can(P.SENSITIVE_REVEAL), via="api")
    return rows


@router.get("/review", summary="Documents waiting for a decision (待审核)")
def review(request: Request, p: Annotated[Principal, Depends(require(P.REVIEW_VIEW))]) -> list[dict[str, Any]]:
    with state(request).sessions() as s:
        items = services.review_items(s, p)
    audit(request, p.actor, "review.list", "review", "*", count=len(items), via="api")
    return items


class FileRequest(BaseModel):
    customer_no: str
    dossier_no: str | None = None


class TypeRequest(BaseModel):
    doc_type: str


@router.post("/review/{document_id}/file", summary="File a document into a customer's dossier (归档)")
def review_file(request: Request, document_id: int, body: FileRequest,
                p: Annotated[Principal, Depends(require(P.REVIEW_DECIDE))]) -> dict[str, Any]:
    from storage.review import file_document

    with state(request).sessions() as s:
        services.review_document_reachable(s, p, document_id)
    touched = run_review(request, p, file_document, document_id, body.customer_no.strip(),
                         (body.dossier_no or "").strip() or None)
    return {"documents": touched}


@router.post("/review/pages/{page_id}/type", summary="Correct a page's document type (更正类型)")
def review_type(request: Request, page_id: int, body: TypeRequest,
                p: Annotated[Principal, Depends(require(P.REVIEW_DECIDE))]) -> dict[str, Any]:
    from storage.review import set_page_type

    with state(request).sessions() as s:
        services.review_page_reachable(s, p, page_id)
    touched = run_review(request, p, set_page_type, page_id, body.doc_type.strip())
    return {"documents": touched}


def completeness_report(request: Request, p: Principal, fmt: str, lang: str) -> tuple[bytes, str]:
    from classify.completeness import load_dossier_types
    from search_api.reports import completeness_rows, render_completeness
    from storage.completeness import dossier_facts

    web = state(request)
    types = load_dossier_types(web.settings.classify.dossier_types_file)
    with web.sessions() as s:
        rows = [r for r in completeness_rows(dossier_facts(s), types)
                if p.reaches(P.REPORTS_VIEW, department=r.department, salesperson=r.salesperson)]
    data = render_completeness(rows, fmt, lang=lang, types=types)
    audit(request, p.actor, "report.completeness", "report", "completeness", format=fmt, dossiers=len(rows))
    media = {"json": "application/json", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[fmt]
    return data, media


@router.get("/reports/completeness", summary="Completeness of every dossier in your scope (完整性报告)")
def report(request: Request, p: Annotated[Principal, Depends(require(P.REPORTS_VIEW))],
           format: Annotated[str, Query(pattern="^(json|csv|xlsx|html)$")] = "json",
           lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh") -> Response:
    data, media = completeness_report(request, p, format, lang)
    headers = {} if format in ("json", "html") else {
        "Content-Disposition": f'attachment; filename="completeness.{format}"'}
    return Response(data, media_type=media, headers=headers)


@router.get("/users", summary="Users with their roles (用户)")
def users(request: Request, p: Annotated[Principal, Depends(require(P.USERS_MANAGE))]) -> list[dict[str, Any]]:
    from storage import accounts

    with state(request).sessions() as s:
        rows = [{"username": u.username, "name": u.display_name, "active": u.active, "department": u.department,
                 "salesperson": u.salesperson, "roles": accounts.role_names(s, u.id)}
                for u in s.scalars(select(accounts.User).order_by(accounts.User.username))]
    audit(request, p.actor, "user.list", "user", "*", count=len(rows), via="api")
    return rows


@router.get("/audit", summary="The newest audit entries (审计日志)")
def audit_log(request: Request, p: Annotated[Principal, Depends(require(P.AUDIT_VIEW))],
              limit: Annotated[int, Query(ge=1, le=1000)] = 100, actor: str | None = None,
              action: str | None = None) -> list[dict[str, Any]]:
    web = state(request)
    web.take_over_events()
    rows = [e.to_json() for e in web.trail.entries(actor=actor, action=action, limit=limit, newest_first=True)]
    audit(request, p.actor, "audit.view", "audit", "*", count=len(rows), via="api")
    return rows


@router.get("/openapi.json", summary="This API's OpenAPI document", include_in_schema=False)
def openapi(request: Request, p: CurrentUser) -> JSONResponse:
    audit(request, p.actor, "openapi.view", "api", "v1")
    return JSONResponse(request.app.openapi())
