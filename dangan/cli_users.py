"""`dangan users`, `dangan roles` and `dangan audit`: accounts and the audit trail on the command line.

The command line acts as the dangan user its OS user is mapped to (`users create --os-user`); an OS user
mapped to nobody is the service account (DANGAN_HOME is readable by it alone) and is recorded as `os:<name>`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from dangan.cli_common import err, load_settings, out, reports_errors
from dangan.errors import DanganError
from dangan.permissions import PERMISSION_LABELS, Permission

users_app = typer.Typer(help="用户 users: create, list, roles, passwords, API tokens.", no_args_is_help=True)
roles_app = typer.Typer(help="角色 roles: sets of named permissions with a scope.", no_args_is_help=True)
audit_app = typer.Typer(help="审计日志 audit trail: verify the chain, export it.", no_args_is_help=True)


_KNOWN = frozenset(p.value for p in Permission)


class CliDenied(DanganError):
    code = "permission_denied"


@contextmanager
def _admin_session() -> Iterator[tuple[Any, str, Any]]:
    """A metadata session, the acting user's audit name, and the settings; refused to a mapped non-admin."""
    from storage import accounts, audit, db

    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    sessions = db.session_factory(engine)
    try:
        with sessions() as s:
            os_name = audit.os_actor().removeprefix("os:")
            user = accounts.user_for_os(s, os_name)
            actor = audit.os_actor()
            if user is not None:
                if not accounts.principal(s, user).can(Permission.USERS_MANAGE):
                    raise CliDenied(f"用户 {user.username} 无权管理用户", f"user {user.username} may not manage users")
                actor = f"user:{user.username}"
            yield s, actor, settings
            s.commit()
        _take_over(settings, sessions)
    finally:
        engine.dispose()


def _take_over(settings: Any, sessions: Any) -> None:
    from storage.audit_chain import AuditTrail

    with AuditTrail.from_settings(settings) as trail:
        trail.import_events(sessions)


def _password(prompt: bool, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("密码 password", hide_input=True, confirmation_prompt=True) if prompt else ""


@users_app.command("create")
@reports_errors
def create(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[list[str], typer.Option("--role", "-r", help="admin, archivist, clerk, enquiry, manager...")],
    display_name: Annotated[str, typer.Option("--name", help="Name shown in the UI.")] = "",
    department: Annotated[str, typer.Option(help="Department (scope `department`).")] = "",
    salesperson: Annotated[str, typer.Option(help="Salesperson name in the register (scope `own`).")] = "",
    os_user: Annotated[str, typer.Option("--os-user", help="OS user whose command line acts as this user.")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create a user (新建用户); asks for the password unless --password-stdin."""
    from storage import accounts

    password = _password(True, password_stdin)
    with _admin_session() as (s, actor, _):
        accounts.create_user(s, username, password, role, actor=actor, display_name=display_name,
                             department=department, salesperson=salesperson, os_user=os_user)
    out.print(f"已创建用户 created: {username} ({', '.join(role)})")


@users_app.command("list")
@reports_errors
def list_users(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List users with roles and scopes (用户列表)."""
    from sqlalchemy import select

    from storage import accounts

    with _admin_session() as (s, actor, _):
        rows = [
            {"username": u.username, "name": u.display_name, "active": u.active, "department": u.department,
             "salesperson": u.salesperson, "os_user": u.os_user, "roles": accounts.role_names(s, u.id)}
            for u in s.scalars(select(accounts.User).order_by(accounts.User.username))
        ]
        from storage import audit

        audit.record(s, actor, "user.list", "user", "*", count=len(rows))
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        state = "" if r["active"] else "  [停用 disabled]"
        out.print(f"{r['username']}\t{r['name']}\t{','.join(r['roles'])}\t{r['department'] or '-'}\t"
                  f"{r['salesperson'] or '-'}\t{r['os_user'] or '-'}{state}")


@users_app.command("set-roles")
@reports_errors
def set_roles(
    username: str,
    role: Annotated[list[str], typer.Option("--role", "-r")],
) -> None:
    """Replace a user's roles (修改角色); audited."""
    from storage import accounts

    with _admin_session() as (s, actor, _):
        accounts.set_roles(s, username, role, actor=actor)
    out.print(f"{username}: {', '.join(role)}")


@users_app.command("update")
@reports_errors
def update(
    username: str,
    department: Annotated[str | None, typer.Option()] = None,
    salesperson: Annotated[str | None, typer.Option()] = None,
    os_user: Annotated[str | None, typer.Option("--os-user")] = None,
    display_name: Annotated[str | None, typer.Option("--name")] = None,
    active: Annotated[bool | None, typer.Option("--active/--disabled")] = None,
) -> None:
    """Change a user's department, salesperson, OS user mapping, name or active flag (修改用户)."""
    from storage import accounts

    changes = {k: v for k, v in {"department": department, "salesperson": salesperson, "os_user": os_user,
                                  "display_name": display_name, "active": active}.items() if v is not None}
    with _admin_session() as (s, actor, _):
        accounts.update_user(s, username, actor=actor, **changes)
    out.print(f"{username}: {', '.join(sorted(changes)) or '-'}")


@users_app.command("passwd")
@reports_errors
def passwd(
    username: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    temporary: Annotated[bool, typer.Option("--temporary", help="Must be changed at the next login.")] = True,
) -> None:
    """Set a user's password (重设密码); ends their sessions."""
    from storage import accounts

    password = _password(True, password_stdin)
    with _admin_session() as (s, actor, _):
        accounts.set_password(s, username, password, actor=actor, must_change=temporary)
    out.print(f"已重设密码 password set: {username}")


@users_app.command("token")
@reports_errors
def token(
    username: str,
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "api",
) -> None:
    """Create an API token for a user and print it once (创建 API 令牌)."""
    from storage import accounts

    with _admin_session() as (s, actor, _):
        _, plain = accounts.new_token(s, username, name, actor=actor)
    err.print("令牌只显示这一次 the token is shown only once:")
    typer.echo(plain)


@roles_app.command("list")
@reports_errors
def list_roles(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List roles with their permissions and scope (角色列表)."""
    from sqlalchemy import select

    from storage import accounts

    with _admin_session() as (s, _, _settings):
        accounts.ensure_roles(s)
        rows = [{"name": r.name, "label_zh": r.label_zh, "label_en": r.label_en, "scope": r.scope,
                 "permissions": list(r.permissions)}
                for r in s.scalars(select(accounts.Role).order_by(accounts.Role.id))]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        labels = ", ".join(PERMISSION_LABELS[Permission(p)][0] for p in r["permissions"]
                           if p in _KNOWN)
        out.print(f"{r['name']}\t{r['label_zh']} {r['label_en']}\t范围 scope: {r['scope']}\t{labels}")


@roles_app.command("set")
@reports_errors
def set_role(
    name: str,
    permission: Annotated[list[str] | None, typer.Option("--permission", "-p", help="Named permission.")] = None,
    scope: Annotated[str | None, typer.Option(help="all, department or own.")] = None,
) -> None:
    """Create or change a role (设置角色); audited."""
    from storage import accounts

    with _admin_session() as (s, actor, _):
        accounts.ensure_roles(s)
        try:
            accounts.set_role(s, name, actor=actor, permissions=permission, scope=scope)
        except ValueError as exc:
            known = ", ".join(p.value for p in Permission)
            raise accounts.AccountError(f"未知权限或范围（权限：{known}）", f"{exc}; permissions: {known}") from exc
    out.print(f"已保存角色 saved: {name}")


@audit_app.command("verify")
@reports_errors
def verify() -> None:
    """Check the audit chain: edited, deleted, cut-off or rewritten entries (校验审计日志). Exit 1 if tampered."""
    from storage import audit, db
    from storage.audit_chain import AuditTrail

    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    with AuditTrail.from_settings(settings) as trail:
        trail.import_events(db.session_factory(engine))
        report = trail.verify()
        trail.append(audit.os_actor(), "audit.verify", "audit", "*", outcome="ok" if report.ok else "failed",
                     detail={"entries": report.entries, "problems": len(report.problems)})
    engine.dispose()
    for problem in report.problems:
        out.print(f"✗ {problem}")
    if report.unanchored:
        out.print(f"! {report.unanchored} 条记录在锚定头之后 entries after the anchored head (a crash?)")
    if report.ok:
        out.print(f"✓ 审计日志完整 audit trail intact: {report.entries} entries, head {report.head_seq}")
    else:
        out.print(f"审计日志被篡改 audit trail tampered: {len(report.problems)} problems in {report.entries} entries")
        raise typer.Exit(1)


@audit_app.command("export")
@reports_errors
def export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    since: Annotated[str | None, typer.Option("--from", help="From this UTC time or date (2024-05-01).")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Before this UTC time or date.")] = None,
) -> None:
    """Export the audit trail as JSON lines with its MACs (导出审计日志)."""
    from storage import audit, db
    from storage.audit_chain import AuditTrail

    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    with AuditTrail.from_settings(settings) as trail:
        trail.import_events(db.session_factory(engine))
        target = output.open("w", encoding="utf-8") if output else sys.stdout
        count = 0
        try:
            for entry in trail.entries(since=since, until=until):
                target.write(json.dumps(entry.to_json(), ensure_ascii=False) + "\n")
                count += 1
        finally:
            if output:
                target.close()
        trail.append(audit.os_actor(), "audit.export", "audit", "*", detail={"entries": count})
    engine.dispose()


@audit_app.command("head")
@reports_errors
def head() -> None:
    """Print the chain's head (seq and MAC) to keep somewhere else, e.g. a daily e-mail (打印链头)."""
    from storage.audit_chain import AuditTrail

    settings = load_settings()
    with AuditTrail.from_settings(settings) as trail:
        typer.echo(json.dumps(trail.head() or {}, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(roles_app, name="roles")
    app.add_typer(audit_app, name="audit")
