"""The FastAPI app factory: state built once from settings, who is asking, what they may do, and the audit of it.

Every route declares its permission through `require(...)`; nothing but the login page, the static files and
the health check is reachable without a login. A request is recorded in the audit trail by the route (what was
read or changed, on which object) or, when refused, by the check that refused it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from dangan.errors import DanganError
from dangan.permissions import Permission, Principal
from dangan.settings import Settings
from search_api.index import SearchIndex, make_index
from storage import accounts, db
from storage.audit_chain import AuditTrail

log = logging.getLogger("dangan.web")
HERE = Path(__file__).parent
SESSION_COOKIE = "dangan_session"
LOGIN_CSRF_COOKIE = "dangan_login_csrf"


class LoginRequired(Exception):
    pass


class Denied(Exception):
    def __init__(self, permission: str) -> None:
        self.permission = permission


class PasswordChangeRequired(Exception):
    pass


class CsrfFailed(Exception):
    pass


@dataclass
class LoginLimiter:
    """Failed logins per (name, address) and per address in a sliding window; in memory, one server process."""

    max_failures: int
    window: float
    _fails: dict[tuple[str, str], deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._fails[key]
        while q and q[0] < now - self.window:
            q.popleft()
        return q

    def blocked(self, username: str, ip: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return (len(self._recent((username, ip), now)) >= self.max_failures
                    or len(self._recent(("", ip), now)) >= self.max_failures * 4)

    def failed(self, username: str, ip: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._fails[(username, ip)].append(now)
            self._fails[("", ip)].append(now)

    def succeeded(self, username: str, ip: str) -> None:
        with self._lock:
            self._fails.pop((username, ip), None)


@dataclass
class WebState:
    """What every request shares: built once in `create_app`, closed at shutdown."""

    settings: Settings
    sessions: sessionmaker[Session]
    trail: AuditTrail
    limiter: LoginLimiter
    templates: Jinja2Templates
    index_factory: Callable[[], SearchIndex]
    _index: SearchIndex | None = None
    _index_lock: threading.Lock = field(default_factory=threading.Lock)

    def index(self) -> SearchIndex:
        with self._index_lock:
            if self._index is None:
                self._index = self.index_factory()
            return self._index

    def take_over_events(self) -> None:
        """Move the write events of metadata transactions into the chain (cheap when there are none)."""
        try:
            self.trail.import_events(self.sessions)
        except Exception:  # the trail must never break a response; the periodic run retries
            log.exception("audit import failed")

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self.trail.close()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def state(request: Request) -> WebState:
    return request.app.state.web  # type: ignore[no-any-return]


@contextlib.contextmanager
def db_session(request: Request) -> Iterator[Session]:
    with state(request).sessions() as s:
        yield s


def _principal(request: Request) -> tuple[Principal, str | None] | None:
    """The logged-in user (cookie) or the API token's user (Bearer, API only) and the session's CSRF token."""
    web = state(request)
    auth = request.headers.get("authorization", "")
    with web.sessions() as s:
        if auth.lower().startswith("bearer ") and request.url.path.startswith("/api/"):
            user = accounts.token_user(s, auth[7:].strip())
            if user is None:
                return None
            p = accounts.principal(s, user)
            s.commit()
            return p, None
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        found = accounts.session_user(s, token)
        if found is None:
            return None
        return accounts.principal(s, found[0]), found[1].csrf


def current(request: Request) -> Principal:
    """Any logged-in user; API calls by cookie must carry the CSRF header to change anything."""
    if (cached := getattr(request.state, "principal", None)) is not None:
        return cached  # type: ignore[no-any-return]
    found = _principal(request)
    if found is None:
        raise LoginRequired()
    p, csrf = found
    request.state.principal, request.state.csrf = p, csrf
    if csrf is not None and request.url.path.startswith("/api/") and request.method not in ("GET", "HEAD"):
        if request.headers.get("x-csrf-token") != csrf:
            raise CsrfFailed()
    if p.must_change_password and not request.url.path.startswith(("/account", "/logout")):
        raise PasswordChangeRequired()
    return p


CurrentUser = Annotated[Principal, Depends(current)]


def require(*permissions: Permission) -> Callable[..., Principal]:
    """A dependency that admits only users holding all `permissions`; a refusal is audited."""

    def check(request: Request, p: CurrentUser) -> Principal:
        missing = [perm for perm in permissions if not p.can(perm)]
        if missing:
            audit(request, p.actor, "access.denied", "route", request.url.path, outcome="denied",
                  permission=missing[0].value, method=request.method)
            raise Denied(missing[0].value)
        return p

    check.permissions = permissions  # type: ignore[attr-defined]  (read by tests listing the routes)
    return check


def audit(request: Request, actor: str, action: str, object_type: str, object_id: object, *, outcome: str = "ok",
          **detail: Any) -> None:
    state(request).trail.append(actor, action, object_type, object_id, ip=client_ip(request), outcome=outcome,
                                detail=detail)


def check_form_csrf(request: Request, token: str) -> None:
    expected = getattr(request.state, "csrf", None)
    if not expected or token != expected:
        raise CsrfFailed()


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, zh: str, en: str) -> Any:
    if _wants_json(request):
        return JSONResponse({"error": {"zh": zh, "en": en}}, status_code=status)
    web = state(request)
    return web.templates.TemplateResponse(request, "error.html", {
        "status": status, "zh": zh, "en": en, "p": getattr(request.state, "principal", None),
        "csrf": getattr(request.state, "csrf", "")},
                                          status_code=status)


def create_app(settings: Settings, *, index_factory: Callable[[], SearchIndex] | None = None,
               background: bool = True) -> FastAPI:
    """Build the web app.

    Args:
        settings: dangan's settings, built once by the caller.
        index_factory: Another search index (tests inject one); the configured one otherwise.
        background: Run the periodic job (audit take-over, search outbox) in a thread while serving.
    """
    from search_api.web import api, ui

    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    sessions = db.session_factory(engine)
    with sessions() as s:
        accounts.ensure_roles(s)
        s.commit()
    templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html
    templates.env.globals["P"] = Permission
    web = WebState(settings, sessions, AuditTrail.from_settings(settings),
                   LoginLimiter(settings.web.login_max_failures, settings.web.login_window_seconds), templates,
                   index_factory or (lambda: make_index(settings)))
    stop = threading.Event()

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> Any:
        worker = threading.Thread(target=_periodic, args=(web, stop), daemon=True, name="dangan-web-periodic")
        if background:
            worker.start()
        try:
            yield
        finally:
            stop.set()
            if background:
                worker.join(timeout=10)
            web.close()
            engine.dispose()

    app = FastAPI(title="dangan 档案", version="1", lifespan=lifespan, openapi_url=None, docs_url=None,
                  redoc_url=None)
    app.state.web = web
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(ui.router)
    app.include_router(api.router)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Any:
        if _wants_json(request):
            return JSONResponse({"error": {"zh": "请先登录", "en": "login required"}}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(Denied)
    async def _denied(request: Request, exc: Denied) -> Any:
        return _error(request, 403, f"无权访问（需要权限 {exc.permission}）", f"forbidden: needs {exc.permission}")

    @app.exception_handler(PasswordChangeRequired)
    async def _password(request: Request, _exc: PasswordChangeRequired) -> Any:
        if _wants_json(request):
            return _error(request, 403, "请先修改密码", "change your password first")
        return RedirectResponse("/account", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _exc: CsrfFailed) -> Any:
        return _error(request, 403, "表单已过期，请刷新页面后重试", "CSRF check failed; reload the page")

    @app.exception_handler(DanganError)
    async def _dangan(request: Request, exc: DanganError) -> Any:
        from search_api.web.services import NotFound

        status = 404 if isinstance(exc, NotFound) else 400
        return _error(request, status, exc.reason_zh, exc.reason_en)

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.state.html_response = HTMLResponse
    return app


def _periodic(web: WebState, stop: threading.Event) -> None:
    """The server's one scheduler: audit take-over, the search outbox and the e-mailed reports; backups later."""
    from search_api.indexer import sync
    from search_api.mail import ReportScheduler

    reports = ReportScheduler(web.settings, web.sessions) if web.settings.reports.schedule else None
    while not stop.wait(web.settings.web.audit_import_seconds):
        web.take_over_events()
        try:
            sync(web.settings, web.sessions, lock_wait=0.5)
        except Exception:
            log.exception("search outbox sync failed")
        try:
            if reports is not None and reports.tick() is not None:
                log.info("completeness report mailed; next at %s", reports.next_at)
        except Exception:  # a refused send is audited and retried at the next slot; the server goes on
            log.exception("scheduled completeness report failed; next at %s", reports and reports.next_at)
