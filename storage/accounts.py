"""Users, roles, web sessions and API tokens; passwords hashed with argon2, tokens stored only as hashes.

Every change to a user or a role is audited in the caller's transaction (storage.audit), so that the change
and its record commit together; the audit trail takes them over from there (storage.audit_chain).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from dangan.errors import DanganError
from dangan.permissions import DEFAULT_ROLES, Permission, Principal, Scope, grants_of
from storage import audit
from storage.models import Base, BigId, UtcDateTime, utcnow

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "dgn_"


class AccountError(DanganError):
    """A user or role change that cannot be made (unknown user, weak password, unknown role...)."""

    code = "account_error"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    department: Mapped[str | None] = mapped_column(String(100))  # scope `department`
    salesperson: Mapped[str | None] = mapped_column(String(100))  # scope `own`: the name in the register
    os_user: Mapped[str | None] = mapped_column(String(64), unique=True)  # the command line acts as this user
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    label_zh: Mapped[str] = mapped_column(String(100), default="")
    label_en: Mapped[str] = mapped_column(String(100), default="")
    permissions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    scope: Mapped[str] = mapped_column(String(16), default=Scope.ALL)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)


class WebSession(Base):
    """A logged-in browser; the cookie holds a random token, the database only its hash."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiToken(Base):
    """A per-user API token (`Authorization: Bearer dgn_...`); shown once, stored as its hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    __table_args__ = (Index("uq_api_tokens_hash", "token_hash", unique=True),)


_hasher = PasswordHasher()
# Verified when the user does not exist, so that a login takes as long for an unknown name as for a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符",
                           f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def ensure_roles(session: Session) -> None:
    """Create the default roles that are missing; never changes a role an administrator edited."""
    existing = set(session.scalars(select(Role.name)))
    for spec in DEFAULT_ROLES:
        if spec.name not in existing:
            session.add(Role(name=spec.name, label_zh=spec.label_zh, label_en=spec.label_en,
                             permissions=sorted(p.value for p in spec.permissions), scope=spec.scope.value))
    session.flush()


def get_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise AccountError(f"没有用户 {username}", f"no user {username!r}")
    return user


def _roles(session: Session, names: Iterable[str]) -> list[Role]:
    names = list(dict.fromkeys(names))
    found = {r.name: r for r in session.scalars(select(Role).where(Role.name.in_(names)))}
    if unknown := [n for n in names if n not in found]:
        known = ", ".join(session.scalars(select(Role.name).order_by(Role.name)))
        raise AccountError(f"未知角色 {', '.join(unknown)}（可用：{known}）",
                           f"unknown role {', '.join(unknown)}; known: {known}")
    return [found[n] for n in names]


def role_names(session: Session, user_id: int) -> list[str]:
    return list(session.scalars(
        select(Role.name).join(UserRole, UserRole.role_id == Role.id).where(UserRole.user_id == user_id)
        .order_by(Role.name)
    ))


def create_user(
    session: Session, username: str, password: str, roles: Iterable[str], *, actor: str,
    display_name: str = "", department: str | None = None, salesperson: str | None = None,
    os_user: str | None = None, must_change_password: bool = False,
) -> User:
    """Create a user with roles; the password is checked for length and stored as an argon2 hash."""
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise AccountError("用户名不能为空、不能含空格", "a username must be non-empty without spaces")
    if session.scalars(select(User.id).where(User.username == username)).first() is not None:
        raise AccountError(f"用户 {username} 已存在", f"user {username!r} exists")
    _check_password(password)
    ensure_roles(session)
    role_rows = _roles(session, roles)
    user = User(username=username, display_name=display_name or username, password_hash=_hasher.hash(password),
                department=department or None, salesperson=salesperson or None, os_user=os_user or None,
                must_change_password=must_change_password)
    session.add(user)
    session.flush()
    session.add_all(UserRole(user_id=user.id, role_id=r.id) for r in role_rows)
    audit.record(session, actor, "user.create", "user", username, roles=[r.name for r in role_rows],
                 department=user.department, salesperson=user.salesperson, os_user=user.os_user)
    return user


def set_roles(session: Session, username: str, roles: Iterable[str], *, actor: str) -> None:
    """Replace a user's roles: a permission change, audited with before and after."""
    user = get_user(session, username)
    ensure_roles(session)
    role_rows = _roles(session, roles)
    before = role_names(session, user.id)
    session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    session.add_all(UserRole(user_id=user.id, role_id=r.id) for r in role_rows)
    audit.record(session, actor, "user.roles", "user", username, before=before,
                 after=sorted(r.name for r in role_rows))


def update_user(session: Session, username: str, *, actor: str, **changes: Any) -> None:
    """Change department, salesperson, display name, OS user mapping or active flag; audited."""
    allowed = {"department", "salesperson", "display_name", "os_user", "active"}
    if unknown := set(changes) - allowed:
        raise AccountError(f"不能修改 {', '.join(sorted(unknown))}", f"cannot change {', '.join(sorted(unknown))}")
    user = get_user(session, username)
    before = {k: getattr(user, k) for k in changes}
    for key, value in changes.items():
        setattr(user, key, value if value != "" else None)
    if changes.get("active") is False:
        end_sessions(session, user.id)
    audit.record(session, actor, "user.update", "user", username, before=before, after=changes)


def set_password(session: Session, username: str, password: str, *, actor: str, must_change: bool = False) -> None:
    user = get_user(session, username)
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    user.must_change_password = must_change
    end_sessions(session, user.id)
    audit.record(session, actor, "user.password", "user", username, reset_by_other=actor != f"user:{username}")


def set_role(
    session: Session, name: str, *, actor: str, permissions: Iterable[str] | None = None, scope: str | None = None,
    label_zh: str | None = None, label_en: str | None = None,
) -> Role:
    """Create or change a role (a set of named permissions with a scope); audited with before and after."""
    perms = sorted({Permission(p).value for p in permissions}) if permissions is not None else None
    scope = Scope(scope).value if scope is not None else None
    role = session.scalars(select(Role).where(Role.name == name)).first()
    before = None if role is None else {"permissions": list(role.permissions), "scope": role.scope}
    if role is None:
        role = Role(name=name, label_zh=label_zh or name, label_en=label_en or name, permissions=perms or [],
                    scope=scope or Scope.ALL.value)
        session.add(role)
    else:
        if perms is not None:
            role.permissions = perms
        if scope is not None:
            role.scope = scope
        if label_zh is not None:
            role.label_zh = label_zh
        if label_en is not None:
            role.label_en = label_en
    session.flush()
    audit.record(session, actor, "role.set", "role", name, before=before,
                 after={"permissions": list(role.permissions), "scope": role.scope})
    return role


def principal(session: Session, user: User) -> Principal:
    """What `user` may do now, from their roles as stored (re-read at every request)."""
    rows = session.execute(
        select(Role.permissions, Role.scope).join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == user.id)
    ).all()
    grants = grants_of([(list(p or []), s) for p, s in rows])
    return Principal(user.id, user.username, user.display_name or user.username, user.department,
                     user.salesperson, tuple(role_names(session, user.id)), grants, user.must_change_password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None; as slow for an unknown name as for a wrong password."""
    user = session.scalars(select(User).where(User.username == username.strip())).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def open_session(session: Session, user: User, *, ip: str, hours: float) -> tuple[str, str]:
    """Start a browser session; returns the cookie token and the session's CSRF token."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    session.add(WebSession(id=_digest(token), user_id=user.id, csrf=csrf, ip=ip[:64],
                           expires_at=utcnow() + timedelta(hours=hours)))
    return token, csrf


def session_user(session: Session, token: str) -> tuple[User, WebSession] | None:
    row = session.get(WebSession, _digest(token))
    if row is None or row.expires_at < utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user, row


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == _digest(token)))


def end_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def new_token(session: Session, username: str, name: str, *, actor: str) -> tuple[ApiToken, str]:
    """Create an API token for a user; the plain token is returned once and never stored."""
    user = get_user(session, username)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name[:100] or "token", token_hash=_digest(plain))
    session.add(row)
    session.flush()
    audit.record(session, actor, "token.create", "user", username, token_id=row.id, name=row.name)
    return row, plain


def revoke_token(session: Session, token_id: int, *, actor: str, user_id: int | None = None) -> None:
    """Revoke a token (only one of `user_id` when given: a user revoking their own)."""
    row = session.get(ApiToken, token_id)
    if row is None or (user_id is not None and row.user_id != user_id) or row.revoked_at is not None:
        raise AccountError(f"没有有效的令牌 {token_id}", f"no live token {token_id}")
    row.revoked_at = utcnow()
    audit.record(session, actor, "token.revoke", "token", token_id)


def token_user(session: Session, plain: str) -> User | None:
    if not plain.startswith(TOKEN_PREFIX):
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(plain))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    return user


def user_for_os(session: Session, os_user: str) -> User | None:
    return session.scalars(select(User).where(User.os_user == os_user, User.active.is_(True))).first()


def has_users(session: Session) -> bool:
    return session.scalars(select(User.id).limit(1)).first() is not None


def bootstrap_admin(session: Session, *, actor: str, username: str = "admin") -> str | None:
    """On first start, create an administrator with a random one-time password and return it (None if users exist).

    There is no default password: the one returned is printed once, and must be changed at the first login.
    """
    ensure_roles(session)
    if has_users(session):
        return None
    password = secrets.token_urlsafe(12)
    create_user(session, username, password, ["admin"], actor=actor, display_name="系统管理员",
                must_change_password=True)
    return password
