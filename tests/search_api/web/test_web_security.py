"""Login, cookies, CSRF, rate limit, escaping, first-login password change, a review decision; one real socket."""

from __future__ import annotations

import re
import socket
import threading
import time

import httpx
import uvicorn
from fastapi.testclient import TestClient

from search_api.web import create_app
from storage import accounts, db
from tests.search_api.web.conftest import PASSWORD, Archive, csrf_of, login


def test_session_cookie_is_httponly_and_samesite(app) -> None:
    with TestClient(app, follow_redirects=False) as client:
        form = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        response = client.post("/login", data={"username": "manager", "password": PASSWORD, "csrf": csrf})
        cookie = response.headers["set-cookie"].lower()
        assert "dangan_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_no_route_without_login_and_no_form_without_csrf(clients, archive: Archive) -> None:
    anonymous = clients["anonymous"]
    assert anonymous.get("/search", follow_redirects=False).headers["location"] == "/login"
    assert anonymous.get("/api/v1/search", params={"q": "张伟"}).status_code == 401
    archivist = clients["archivist"]
    refused = archivist.post(f"/review/{archive.review_doc}/file", data={"customer_no": "KH001"})
    assert refused.status_code == 403
    # The API by cookie needs the CSRF header to change anything; by token it needs none.
    assert archivist.post(f"/api/v1/review/{archive.review_doc}/file", json={"customer_no": "KH001"}
                          ).status_code == 403


def test_failed_logins_are_limited_and_audited(app) -> None:
    with TestClient(app, follow_redirects=False) as client:
        form = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        codes = [client.post("/login", data={"username": "clerk", "password": "wrong password", "csrf": csrf}
                             ).status_code for _ in range(5)]
        assert codes == [401] * 5
        blocked = client.post("/login", data={"username": "clerk", "password": PASSWORD, "csrf": csrf})
        assert blocked.status_code == 429  # even the right password, until the window passes
        actions = [e.action for e in app.state.web.trail.entries(actor="anon:clerk")]
        assert actions == ["login.failed"] * 5 + ["login.blocked"]


def test_ocr_text_and_file_names_are_escaped(clients, archive: Archive) -> None:
    html = clients["archivist"].get(f"/pages/{archive.page_1}").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    hits = clients["manager"].get("/search", params={"q": "居民身份证"}).text
    assert "<script>alert" not in hits


def test_file_names_are_masked_for_those_without_the_permission(clients, archive: Archive) -> None:
    page = clients["manager"].get(f"/api/v1/pages/{archive.page_1}").json()
    assert page["source_file"].startswith("张伟_") and "*" in page["source_file"]
    assert page["image"] is False  # not blacked out yet: withheld


def test_a_review_decision_is_made_audited_and_chained(clients, archive: Archive, app) -> None:
    archivist = clients["archivist"]
    csrf = csrf_of(archivist)
    before = archivist.get(f"/api/v1/dossiers/{archive.dossier_1}").json()["completeness"]
    assert before["pending_review"] == 1
    done = archivist.post(f"/review/{archive.review_doc}/file", data={"customer_no": "KH001", "csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == "/review?done=1"
    after = archivist.get(f"/api/v1/dossiers/{archive.dossier_1}").json()
    assert after["completeness"]["pending_review"] == 0
    assert archive.review_doc in [d["document_id"] for d in after["documents"]["id_copy"]]
    filed = [e for e in app.state.web.trail.entries(action="review.file")]
    assert [(e.actor, e.object_id, e.source.startswith("db:")) for e in filed] == [
        ("user:archivist", str(archive.review_doc), True)]
    assert app.state.web.trail.verify().ok


def test_the_first_administrator_must_change_the_one_time_password(settings) -> None:
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    with db.session_factory(engine)() as s:
        password = accounts.bootstrap_admin(s, actor="system")
        s.commit()
    engine.dispose()
    app = create_app(settings, background=False)
    with TestClient(app, follow_redirects=False) as client:
        login(client, "admin", password)
        assert client.get("/admin/users").headers["location"] == "/account"
        assert client.get("/api/v1/users").status_code == 403
        csrf = csrf_of(client)
        changed = client.post("/account/password", data={"current_password": password,
                                                         "new_password": "a new long password", "csrf": csrf})
        assert changed.headers["location"] == "/login"
        login(client, "admin", "a new long password")
        assert client.get("/admin/users").status_code == 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_through_a_real_socket(settings, archive: Archive) -> None:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, follow_redirects=False) as client:
            form = client.get("/login")
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
            assert client.post("/login", data={"username": "manager", "password": PASSWORD, "csrf": csrf}
                               ).status_code == 303
            page = client.get("/search", params={"q": "王芳"})
            assert page.status_code == 200 and "<b>王芳</b>" in page.text
            api = client.get("/api/v1/search", params={"q": "合同"}).json()
            assert api["total"] >= 1 and all("310101198512304418" not in h["snippet_text"] for h in api["hits"])
            openapi = client.get("/api/v1/openapi.json").json()
            assert "/api/v1/search" in openapi["paths"]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
