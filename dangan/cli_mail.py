"""`dangan report send`: mail the completeness report now, as the acting user."""

from __future__ import annotations

from typing import Annotated

import typer

from dangan.cli_common import err, fail, load_settings
from dangan.errors import DanganError
from dangan.permissions import Permission


class CliDenied(DanganError):
    code = "permission_denied"


def report_send(
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Recipient (repeat); default DANGAN_REPORTS__RECIPIENTS.")
    ] = None,
) -> None:
    """Mail the completeness report now (立即发送档案完整性报告邮件)."""
    from search_api.mail import send_completeness_report
    from storage import accounts, audit, db
    from storage.audit_chain import AuditTrail

    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    try:
        db.migrate(engine)
        sessions = db.session_factory(engine)
        actor = audit.os_actor()
        with sessions() as s:
            user = accounts.user_for_os(s, actor.removeprefix("os:"))
            if user is not None:
                if not accounts.principal(s, user).can(Permission.REPORTS_VIEW):
                    raise CliDenied(f"用户 {user.username} 无权发送报表", f"user {user.username} may not send reports")
                actor = f"user:{user.username}"
        result = send_completeness_report(settings, sessions, actor=actor, to=to or ())
        with AuditTrail.from_settings(settings) as trail:
            trail.import_events(sessions)
    except DanganError as error:
        raise fail(error) from error
    finally:
        engine.dispose()
    err.print(f"已发送 sent: {result.recipients} 位收件人 recipients, {result.dossiers} 份档案 dossiers, "
              f"{result.incomplete} 份缺文件 missing documents", highlight=False)


def register(report_app: typer.Typer) -> None:
    report_app.command("send")(report_send)
