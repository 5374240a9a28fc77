"""The server-rendered UI (Jinja2, autoescaped, no build step): login, search, page, dossier, review, admin."""

from __future__ import annotations

import mimetypes
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from dangan.errors import DanganError
from dangan.permissions import PERMISSION_LABELS, Permission, Principal
from dangan.permissions import Permission as P
from search_api.query import QueryError
from search_api.web import services
from search_api.web.api import completeness_report, day_range, load_dossier, load_page, run_review
from search_api.web.app import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    CurrentUser,
    audit,
    check_form_csrf,
    client_ip,
    require,
    state,
)
from storage import accounts

router = APIRouter(include_in_schema=False)


def page(request: Request, name: str, p: Principal | None, status: int = 200, **context: Any) -> HTMLResponse:
    web = state(request)
    return web.templates.TemplateResponse(request, name, {
        "p": p, "csrf": getattr(request.state, "csrf", ""), "types": services.TYPE_LABELS, "P": P, **context,
    }, status_code=status)


# --- login ---------------------------------------------------------------------------------------------------


@router.get("/login")
def login_form(request: Request, error: str = "") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = page(request, "login.html", None, login_csrf=token, error=error)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=state(request).settings.web.secure_cookies, max_age=3600)
    return response


@router.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=256)], csrf: Annotated[str, Form()] = "") -> Response:
    web = state(request)
    ip = client_ip(request)
    name = username.strip()
    if not csrf or csrf != request.cookies.get(LOGIN_CSRF_COOKIE):
        audit(request, f"anon:{name}", "login.rejected", "user", name, outcome="denied", reason="csrf")
        return RedirectResponse("/login?error=expired", status_code=303)
    if web.limiter.blocked(name, ip):
        audit(request, f"anon:{name}", "login.blocked", "user", name, outcome="denied")
        return page(request, "login.html", None, status=429, login_csrf=csrf, error="blocked")
    with web.sessions() as s:
        user = accounts.authenticate(s, name, password)
        if user is None:
            s.rollback()
            web.limiter.failed(name, ip)
            audit(request, f"anon:{name}", "login.failed", "user", name, outcome="failed")
            return page(request, "login.html", None, status=401, login_csrf=csrf, error="wrong")
        token, _ = accounts.open_session(s, user, ip=ip, hours=web.settings.web.session_hours)
        must_change = user.must_change_password
        s.commit()
    web.limiter.succeeded(name, ip)
    audit(request, f"user:{name}", "login", "user", name)
    response = RedirectResponse("/account" if must_change else "/", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=web.settings.web.secure_cookies,
                        max_age=int(web.settings.web.session_hours * 3600), path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, p: CurrentUser, csrf: Annotated[str, Form()] = "") -> Response:
    check_form_csrf(request, csrf)
    with state(request).sessions() as s:
        accounts.close_session(s, request.cookies.get(SESSION_COOKIE, ""))
        s.commit()
    audit(request, p.actor, "logout", "user", p.username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(p: CurrentUser) -> Response:
    for permission, target in ((P.SEARCH, "/search"), (P.REVIEW_VIEW, "/review"), (P.CUSTOMERS_VIEW, "/customers"),
                               (P.USERS_MANAGE, "/admin/users"), (P.AUDIT_VIEW, "/admin/audit")):
        if p.can(permission):
            return RedirectResponse(target, status_code=303)
    return RedirectResponse("/account", status_code=303)


# --- search, pages, dossiers ---------------------------------------------------------------------------------


@router.get("/search")
def search(request: Request, p: Annotated[Principal, Depends(require(P.SEARCH))], q: str = "",
           doc_type: Annotated[str, Query(alias="type")] = "", customer: str = "",
           start: Annotated[str, Query(alias="from")] = "", end: Annotated[str, Query(alias="to")] = "",
           offset: Annotated[int, Query(ge=0, le=10000)] = 0) -> HTMLResponse:
    result, error = None, None
    if q.strip() or doc_type or customer:
        try:
            first, last = day_range(start or None, end or None)
            with state(request).sessions() as s:
                result = services.search(s, state(request).index(), p, q.strip() or "*", doc_type=doc_type or None,
                                         customer_no=customer or None, start=first, end=last, limit=20,
                                         offset=offset)
        except QueryError as exc:
            error = exc
        audit(request, p.actor, "search", "pages", "*", query=services.mask_free_text(q),
              hits=result["total"] if result else 0, reveal=p.can(P.SENSITIVE_REVEAL))
    return page(request, "search.html", p, q=q, doc_type=doc_type, customer=customer, start=start, end=end,
                result=result, error=error, offset=offset)


@router.get("/pages/{page_id}")
def page_view(request: Request, page_id: int, p: Annotated[Principal, Depends(require(P.PAGES_VIEW))],
              ) -> HTMLResponse:
    view = load_page(request, p, page_id)
    audit(request, p.actor, "page.view", "page", page_id, revealed=view["revealed"])
    return page(request, "page.html", p, page=view)


@router.get("/pages/{page_id}/image")
def page_image(request: Request, page_id: int,
               p: Annotated[Principal, Depends(require(P.PAGES_VIEW, P.SENSITIVE_REVEAL))]) -> Response:
    from storage.objects import make_object_store

    with state(request).sessions() as s:
        key = services.page_image_key(s, p, page_id)
    data = make_object_store(state(request).settings.objects).get_bytes(key)
    audit(request, p.actor, "page.image", "page", page_id, revealed=True)
    return Response(data, media_type=mimetypes.guess_type(key)[0] or "application/octet-stream")


@router.get("/dossiers/{archive_no}")
def dossier(request: Request, archive_no: str, p: Annotated[Principal, Depends(require(P.DOSSIERS_VIEW))],
            ) -> HTMLResponse:
    view = load_dossier(request, p, archive_no)
    audit(request, p.actor, "dossier.view", "dossier", archive_no)
    return page(request, "dossier.html", p, d=view)


@router.get("/customers")
def customers(request: Request, p: Annotated[Principal, Depends(require(P.CUSTOMERS_VIEW))], q: str = "",
              ) -> HTMLResponse:
    with state(request).sessions() as s:
        rows = services.customers(s, p, query=q)
    audit(request, p.actor, "customers.list", "customers", "*", count=len(rows), query=services.mask_free_text(q),
          revealed=p.can(P.SENSITIVE_REVEAL))
    return page(request, "customers.html", p, rows=rows, q=q)


# --- review --------------------------------------------------------------------------------------------------


@router.get("/review")
def review(request: Request, p: Annotated[Principal, Depends(require(P.REVIEW_VIEW))], done: str = "",
           error: str = "") -> HTMLResponse:
    with state(request).sessions() as s:
        items = services.review_items(s, p)
    audit(request, p.actor, "review.list", "review", "*", count=len(items))
    return page(request, "review.html", p, items=items, done=done, error=error)


def _after_review(request: Request, p: Principal, operation: Any, *args: Any) -> Response:
    try:
        run_review(request, p, operation, *args)
    except DanganError as exc:
        from urllib.parse import quote

        return RedirectResponse(f"/review?error={quote(exc.reason_zh + ' / ' + exc.reason_en)}", status_code=303)
    return RedirectResponse("/review?done=1", status_code=303)


@router.post("/review/{document_id}/file")
def review_file(request: Request, document_id: int, p: Annotated[Principal, Depends(require(P.REVIEW_DECIDE))],
                customer_no: Annotated[str, Form(max_length=64)], dossier_no: Annotated[str, Form()] = "",
                csrf: Annotated[str, Form()] = "") -> Response:
    from storage.review import file_document

    check_form_csrf(request, csrf)
    with state(request).sessions() as s:
        services.review_document_reachable(s, p, document_id)
    return _after_review(request, p, file_document, document_id, customer_no.strip(), dossier_no.strip() or None)


@router.post("/review/pages/{page_id}/type")
def review_type(request: Request, page_id: int, p: Annotated[Principal, Depends(require(P.REVIEW_DECIDE))],
                doc_type: Annotated[str, Form(max_length=32)], csrf: Annotated[str, Form()] = "") -> Response:
    from storage.review import set_page_type

    check_form_csrf(request, csrf)
    with state(request).sessions() as s:
        services.review_page_reachable(s, p, page_id)
    return _after_review(request, p, set_page_type, page_id, doc_type.strip())


@router.get("/reports/completeness")
def report(request: Request, p: Annotated[Principal, Depends(require(P.REPORTS_VIEW))],
           format: Annotated[str, Query(pattern="^(html|xlsx|csv)$")] = "html",
           lang: Annotated[str, Query(pattern="^(zh|en)$")] = "zh") -> Response:
    data, media = completeness_report(request, p, format, lang)
    headers = {} if format == "html" else {"Content-Disposition": f'attachment; filename="completeness.{format}"'}
    return Response(data, media_type=media, headers=headers)


# --- administration and account ------------------------------------------------------------------------------


@router.get("/admin/users")
def admin_users(request: Request, p: Annotated[Principal, Depends(require(P.USERS_MANAGE))], error: str = "",
                ) -> HTMLResponse:
    with state(request).sessions() as s:
        accounts.ensure_roles(s)
        users = [{"username": u.username, "name": u.display_name, "active": u.active, "department": u.department,
                  "salesperson": u.salesperson, "roles": accounts.role_names(s, u.id)}
                 for u in s.scalars(select(accounts.User).order_by(accounts.User.username))]
        roles = [{"name": r.name, "label_zh": r.label_zh, "label_en": r.label_en, "scope": r.scope,
                  "permissions": list(r.permissions)}
                 for r in s.scalars(select(accounts.Role).order_by(accounts.Role.id))]
        s.commit()
    audit(request, p.actor, "user.list", "user", "*", count=len(users))
    return page(request, "admin_users.html", p, users=users, roles=roles, labels=PERMISSION_LABELS,
                perms=list(Permission), error=error)


@router.post("/admin/users")
def admin_create_user(request: Request, p: Annotated[Principal, Depends(require(P.USERS_MANAGE))],
                      username: Annotated[str, Form(max_length=64)], password: Annotated[str, Form(max_length=256)],
                      role: Annotated[list[str], Form()], department: Annotated[str, Form()] = "",
                      salesperson: Annotated[str, Form()] = "", display_name: Annotated[str, Form()] = "",
                      csrf: Annotated[str, Form()] = "") -> Response:
    check_form_csrf(request, csrf)
    web = state(request)
    try:
        with web.sessions() as s:
            accounts.create_user(s, username, password, role, actor=p.actor, display_name=display_name,
                                 department=department, salesperson=salesperson, must_change_password=True)
            s.commit()
    except DanganError as exc:
        from urllib.parse import quote

        audit(request, p.actor, "user.create", "user", username, outcome="failed", code=exc.code)
        return RedirectResponse(f"/admin/users?error={quote(exc.reason_zh)}", status_code=303)
    web.take_over_events()
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/roles")
def admin_set_roles(request: Request, username: str, p: Annotated[Principal, Depends(require(P.USERS_MANAGE))],
                    role: Annotated[list[str], Form()], csrf: Annotated[str, Form()] = "") -> Response:
    check_form_csrf(request, csrf)
    web = state(request)
    with web.sessions() as s:
        try:
            accounts.set_roles(s, username, role, actor=p.actor)
        except DanganError as exc:
            audit(request, p.actor, "user.roles", "user", username, outcome="failed", code=exc.code)
            raise
        s.commit()
    web.take_over_events()
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit")
def admin_audit(request: Request, p: Annotated[Principal, Depends(require(P.AUDIT_VIEW))], actor: str = "",
                action: str = "") -> HTMLResponse:
    web = state(request)
    web.take_over_events()
    entries = list(web.trail.entries(actor=actor or None, action=action or None, limit=200, newest_first=True))
    audit(request, p.actor, "audit.view", "audit", "*", count=len(entries))
    return page(request, "audit.html", p, entries=entries, actor=actor, action=action)


@router.get("/account")
def account(request: Request, p: CurrentUser, token: str = "", error: str = "") -> HTMLResponse:
    with state(request).sessions() as s:
        tokens = [{"id": t.id, "name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at}
                  for t in s.scalars(select(accounts.ApiToken).where(accounts.ApiToken.user_id == p.user_id,
                                                                     accounts.ApiToken.revoked_at.is_(None)))]
    audit(request, p.actor, "account.view", "user", p.username)
    return page(request, "account.html", p, tokens=tokens, new_token=token, error=error,
                labels=PERMISSION_LABELS)


@router.post("/account/password")
def account_password(request: Request, p: CurrentUser, current_password: Annotated[str, Form(max_length=256)],
                     new_password: Annotated[str, Form(max_length=256)], csrf: Annotated[str, Form()] = "",
                     ) -> Response:
    check_form_csrf(request, csrf)
    web = state(request)
    with web.sessions() as s:
        if accounts.authenticate(s, p.username, current_password) is None:
            audit(request, p.actor, "user.password", "user", p.username, outcome="failed")
            return RedirectResponse("/account?error=wrong", status_code=303)
        try:
            accounts.set_password(s, p.username, new_password, actor=p.actor)
        except DanganError:
            return RedirectResponse("/account?error=weak", status_code=303)
        s.commit()
    web.take_over_events()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/account/tokens")
def account_new_token(request: Request, p: CurrentUser, name: Annotated[str, Form(max_length=100)] = "api",
                      csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    check_form_csrf(request, csrf)
    web = state(request)
    with web.sessions() as s:
        _, plain = accounts.new_token(s, p.username, name, actor=p.actor)
        s.commit()
    web.take_over_events()
    return account(request, p, token=plain)  # shown once, in this response only (never in a URL)


@router.post("/account/tokens/{token_id}/revoke")
def account_revoke_token(request: Request, token_id: int, p: CurrentUser, csrf: Annotated[str, Form()] = "",
                         ) -> Response:
    check_form_csrf(request, csrf)
    web = state(request)
    with web.sessions() as s:
        try:
            accounts.revoke_token(s, token_id, actor=p.actor, user_id=p.user_id)
        except DanganError as exc:
            audit(request, p.actor, "token.revoke", "token", token_id, outcome="failed", code=exc.code)
            raise
        s.commit()
    web.take_over_events()
    return RedirectResponse("/account", status_code=303)
