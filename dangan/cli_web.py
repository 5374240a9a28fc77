"""`dangan serve`: the web UI and API; on first start it creates the administrator and says how to log in."""

from __future__ import annotations

from typing import Annotated

import typer

from dangan.cli_common import err, fail, load_settings
from dangan.errors import DanganError


def ensure_admin(settings: object) -> None:
    """Create the first administrator when there is no user, and print how to log in (once)."""
    from dangan.settings import Settings
    from storage import accounts, db
    from storage.audit import SYSTEM_ACTOR

    assert isinstance(settings, Settings)
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    with db.session_factory(engine)() as s:
        password = accounts.bootstrap_admin(s, actor=SYSTEM_ACTOR)
        s.commit()
    engine.dispose()
    if password:
        url = f"http://{settings.web.host}:{settings.web.port}/login"
        err.print("[bold]已创建系统管理员 created the administrator[/bold]", highlight=False)
        err.print(f"  登录 log in at {url}", markup=False, highlight=False)
        err.print("  用户名 user: admin", markup=False, highlight=False)
        err.print(f"  一次性密码 one-time password: {password}", markup=False, highlight=False)
        err.print("  首次登录须修改密码；此密码不会再显示 it must be changed at first login and is not shown again",
                  markup=False, highlight=False)


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default DANGAN_WEB__HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default DANGAN_WEB__PORT).")] = None,
) -> None:
    """Start the web UI and API (启动网页界面和 API)."""
    import uvicorn

    from search_api.web import create_app

    settings = load_settings()
    if host:
        settings.web.host = host
    if port:
        settings.web.port = port
    try:
        ensure_admin(settings)
        app = create_app(settings)
    except DanganError as error:
        raise fail(error) from error
    err.print(f"dangan 网页 web: http://{settings.web.host}:{settings.web.port}/", highlight=False)
    uvicorn.run(app, host=settings.web.host, port=settings.web.port, log_level="warning", access_log=False,
                proxy_headers=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)
