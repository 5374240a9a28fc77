"""Every route of the app for every role, against a table written by hand from seed 001 §3.2; and leak checks.

The table below is NOT derived from dangan.permissions: it restates the seed's sentences route by route.
- 系统管理员 (admin): 用户管理、权限配置、系统参数、备份 → users, roles, the audit trail; no customer papers.
- 档案管理员 (archivist): 审核、归档、质量监控 → search, pages, dossiers, review and decisions, completeness,
  the register; the only role that checks ID numbers against the register, so the only one seeing them.
- 业务录入员 (clerk): 采集、录入和初步更新 → the register (masked); intake comes with upload (not built).
- 业务查询员 (enquiry): 特定范围内客户资料的查询和使用 → search, pages, dossiers, register: own department only.
- 高级管理人员 (manager): 较广范围的查询和统计 → search, pages, dossiers, register, completeness report.
Everyone logged in: their own account, API tokens, /api/v1/me, the OpenAPI document, logout.
"""

from __future__ import annotations

import re
import sys

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from tests.search_api.web.conftest import ID_1, ID_2, ROLES, Archive, api_token

ALL = set(ROLES)
PUBLIC = "public"
R = {
    # method, path: roles allowed (by hand, from seed 001 §3.2)
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/static"): PUBLIC,
    ("POST", "/logout"): ALL,
    ("GET", "/"): ALL,
    ("GET", "/search"): {"archivist", "enquiry", "manager"},
    ("GET", "/pages/{page_id}"): {"archivist", "enquiry", "manager"},
    ("GET", "/pages/{page_id}/image"): {"archivist"},  # images are not blacked out yet: only who may see IDs
    ("GET", "/dossiers/{archive_no}"): {"archivist", "enquiry", "manager"},
    ("GET", "/customers"): {"archivist", "clerk", "enquiry", "manager"},
    ("GET", "/review"): {"archivist"},
    ("POST", "/review/{document_id}/file"): {"archivist"},
    ("POST", "/review/pages/{page_id}/type"): {"archivist"},
    ("GET", "/reports/completeness"): {"archivist", "manager"},
    ("GET", "/admin/users"): {"admin"},
    ("POST", "/admin/users"): {"admin"},
    ("POST", "/admin/users/{username}/roles"): {"admin"},
    ("GET", "/admin/audit"): {"admin"},
    ("GET", "/account"): ALL,
    ("POST", "/account/password"): ALL,
    ("POST", "/account/tokens"): ALL,
    ("POST", "/account/tokens/{token_id}/revoke"): ALL,
    ("GET", "/api/v1/me"): ALL,
    ("GET", "/api/v1/search"): {"archivist", "enquiry", "manager"},
    ("GET", "/api/v1/pages/{page_id}"): {"archivist", "enquiry", "manager"},
    ("GET", "/api/v1/dossiers/{archive_no}"): {"archivist", "enquiry", "manager"},
    ("GET", "/api/v1/customers"): {"archivist", "clerk", "enquiry", "manager"},
    ("GET", "/api/v1/review"): {"archivist"},
    ("POST", "/api/v1/review/{document_id}/file"): {"archivist"},
    ("POST", "/api/v1/review/pages/{page_id}/type"): {"archivist"},
    ("GET", "/api/v1/reports/completeness"): {"archivist", "manager"},
    ("GET", "/api/v1/users"): {"admin"},
    ("GET", "/api/v1/audit"): {"admin"},
    ("GET", "/api/v1/openapi.json"): ALL,
}
#: Roles allowed to see sensitive values (seed 003 §四: 仅限授权人员查看).
REVEAL = {"archivist"}
#: Routes that only redirect or serve fixed files: nothing to audit.
NOT_AUDITED = {("GET", "/"), ("GET", "/login"), ("GET", "/healthz"), ("GET", "/static")}


def _flatten(routes: list) -> list:
    out = []
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI's included router (no prefix is added on inclusion here)
            out += _flatten(route.original_router.routes)
        else:
            out.append(route)
    return out


def _app_routes(app: object) -> set[tuple[str, str]]:
    found = set()
    for route in _flatten(app.routes):  # type: ignore[attr-defined]
        if isinstance(route, Mount):
            found.add(("GET", route.path))
        elif isinstance(route, APIRoute):
            found |= {(m, route.path) for m in route.methods if m != "HEAD"}
    return found


def test_the_table_covers_every_route_of_the_app(app: object) -> None:
    assert _app_routes(app) == set(R)


def _request(archive: Archive, method: str, path: str, csrf: str) -> tuple[str, dict]:
    """A concrete request for a route template, with a body that passes the form but changes nothing."""
    page = archive.review_page if path.endswith("/type") else archive.page_1
    url = (path.replace("{page_id}", str(page)).replace("{archive_no}", archive.dossier_1)
           .replace("{document_id}", str(archive.review_doc)).replace("{username}", "clerk")
           .replace("{token_id}", "999999"))
    if path == "/static":
        url = "/static/style.css"
    if path.endswith("/search"):
        url += "?q=张伟"
    body: dict = {}
    if method == "POST":
        body = {
            "/login": {"username": "nobody", "password": "x", "csrf": "x"},
            "/review/{document_id}/file": {"customer_no": "KH404", "csrf": csrf},
            "/review/pages/{page_id}/type": {"doc_type": "nonsense", "csrf": csrf},
            "/admin/users": {"username": "new", "password": "short", "role": "clerk", "csrf": csrf},
            "/admin/users/{username}/roles": {"role": "no-such-role", "csrf": csrf},
            "/account/password": {"current_password": "wrong", "new_password": "x" * 12, "csrf": csrf},
            "/account/tokens": {"name": "matrix", "csrf": csrf},
            "/api/v1/review/{document_id}/file": {"customer_no": "KH404"},
            "/api/v1/review/pages/{page_id}/type": {"doc_type": "nonsense"},
        }.get(path, {"csrf": csrf})
    return url, body


def _send(client, method: str, url: str, body: dict, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "GET":
        return client.get(url, headers=headers, follow_redirects=False)
    if url.startswith("/api/"):
        return client.post(url, json=body, headers=headers, follow_redirects=False)
    return client.post(url, data=body, headers=headers, follow_redirects=False)


def _refused(response, path: str) -> bool:
    if path == "/logout":  # it redirects to the login page either way; only a real logout ends the session
        return "dangan_session=" not in response.headers.get("set-cookie", "")
    return response.status_code in (401, 403) or (
        response.status_code == 303 and response.headers.get("location") == "/login")


def test_role_route_matrix_and_leaks(app, clients, archive: Archive, settings, capsys) -> None:
    from fastapi.testclient import TestClient

    from tests.search_api.web.conftest import login

    trail = app.state.web.trail
    tokens = {role: api_token(settings, role) for role in ROLES}
    checked = leak_checks = audited = 0
    failures = []
    for (method, path), allowed in sorted(R.items()):
        for role in ("anonymous", *ROLES):
            if path == "/logout" and role != "anonymous":
                client = login(TestClient(app, follow_redirects=False), role)  # a session of its own to end
            else:
                client = clients[role]
            csrf = "" if role == "anonymous" else re.search(r'name="csrf" value="([^"]+)"',
                                                            client.get("/account").text).group(1)
            url, body = _request(archive, method, path, csrf)
            token = tokens.get(role) if path.startswith("/api/") else None
            before = sum(1 for _ in trail.entries())
            response = _send(client, method, url, body, token)
            checked += 1
            expected_ok = allowed == PUBLIC or (role != "anonymous" and role in allowed)
            if expected_ok == _refused(response, path):
                failures.append(f"{method} {path} as {role}: {response.status_code} (expected "
                                f"{'allowed' if expected_ok else 'refused'})")
            if role != "anonymous" and (method, path) not in NOT_AUDITED:
                if sum(1 for _ in trail.entries()) > before:
                    audited += 1
                else:
                    failures.append(f"{method} {path} as {role}: not audited")
            if role not in REVEAL:
                text = response.content.decode("utf-8", "replace")
                for secret in (ID_1, ID_2, ID_1[6:14], ID_2[6:14]):
                    leak_checks += 1
                    if secret in text:
                        failures.append(f"{method} {path} as {role}: leaks {secret[:4]}…")
    assert not failures, "\n".join(failures)
    with capsys.disabled():
        sys.stdout.write(f"\nrole×route matrix: {len(R)} routes × {len(ROLES) + 1} actors = {checked} requests; "
                         f"{audited} audited; {leak_checks} leak checks\n")


def test_the_archivist_does_see_the_values_the_leak_checks_look_for(clients, archive: Archive) -> None:
    # The positive control: without it, a leak check could pass by looking for the wrong string.
    page = clients["archivist"].get(f"/api/v1/pages/{archive.page_1}").json()
    assert ID_1 in page["text"] and page["revealed"]
    hits = clients["archivist"].get("/api/v1/search", params={"q": ID_1[-6:]}).json()
    assert hits["total"] >= 1


@pytest.mark.parametrize("query", [ID_1, ID_1[-6:], ID_1[6:14], ID_2])
def test_searching_an_id_number_without_the_permission_finds_nothing(clients, query: str) -> None:
    for role in ("manager", "enquiry"):
        result = clients[role].get("/api/v1/search", params={"q": query}).json()
        assert result["total"] == 0, (role, query)


def test_enquiry_staff_see_their_department_only(clients, archive: Archive) -> None:
    enquiry = clients["enquiry"]
    assert enquiry.get(f"/api/v1/pages/{archive.page_1}").status_code == 200
    assert enquiry.get(f"/api/v1/pages/{archive.page_2}").status_code == 404
    assert enquiry.get(f"/api/v1/dossiers/{archive.dossier_2}").status_code == 404
    assert enquiry.get(f"/dossiers/{archive.dossier_2}").status_code == 404
    assert [c["customer_no"] for c in enquiry.get("/api/v1/customers").json()] == ["KH001"]
    assert enquiry.get("/api/v1/search", params={"q": "王芳"}).json()["total"] == 0
    assert enquiry.get("/api/v1/search", params={"q": "张伟"}).json()["total"] >= 1
    assert clients["manager"].get("/api/v1/search", params={"q": "王芳"}).json()["total"] >= 1
