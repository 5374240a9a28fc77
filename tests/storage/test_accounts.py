"""Users, roles, sessions and tokens on SQLite and PostgreSQL: hashing, grants with scopes, audited changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dangan.permissions import Permission, Scope
from storage import accounts, db
from storage.models import AuditEvent, Base


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = db.make_engine(database_url)
    db.migrate(engine)
    yield db.session_factory(engine)
    engine.dispose()


def test_migration_matches_the_models(database_url: str) -> None:
    engine = db.make_engine(database_url)
    db.migrate(engine)
    ours = {"users", "roles", "user_roles", "web_sessions", "api_tokens"}
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if any(f"'{t}'" in repr(d) or f"table={t}" in repr(d) for t in ours)] == []
    engine.dispose()


def test_passwords_are_argon2_and_checked(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        user = accounts.create_user(s, "li", "correct horse", ["clerk"], actor="os:test")
        s.commit()
        assert user.password_hash.startswith("$argon2id$")
        assert "correct horse" not in user.password_hash
        assert accounts.authenticate(s, "li", "correct horse") is not None
        assert accounts.authenticate(s, "li", "wrong password") is None
        assert accounts.authenticate(s, "nobody", "correct horse") is None
        with pytest.raises(accounts.AccountError):
            accounts.create_user(s, "short", "short", ["clerk"], actor="os:test")
        accounts.update_user(s, "li", actor="os:test", active=False)
        assert accounts.authenticate(s, "li", "correct horse") is None


def test_grants_are_the_union_of_roles_with_the_widest_scope(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        user = accounts.create_user(s, "wang", "a long password", ["enquiry"], actor="os:test", department="销售一部")
        p = accounts.principal(s, user)
        assert p.scope(Permission.SEARCH) == Scope.DEPARTMENT
        assert not p.can(Permission.SENSITIVE_REVEAL)
        assert p.reaches(Permission.SEARCH, department="销售一部", salesperson=None)
        assert not p.reaches(Permission.SEARCH, department="销售二部", salesperson=None)
        accounts.set_roles(s, "wang", ["enquiry", "manager"], actor="user:admin")
        p = accounts.principal(s, user)
        assert p.scope(Permission.SEARCH) == Scope.ALL and p.can(Permission.REPORTS_VIEW)
        s.commit()
        changes = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.roles")).all()
        assert [(c.actor, c.detail["before"], c.detail["after"]) for c in changes] == [
            ("user:admin", ["enquiry"], ["enquiry", "manager"])]


def test_a_role_is_editable_and_its_change_audited(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        user = accounts.create_user(s, "zhao", "a long password", ["enquiry"], actor="os:test", salesperson="赵六")
        accounts.set_role(s, "enquiry", actor="user:admin", scope="own")
        p = accounts.principal(s, user)
        assert p.reaches(Permission.DOSSIERS_VIEW, department=None, salesperson="赵六")
        assert not p.reaches(Permission.DOSSIERS_VIEW, department=None, salesperson="钱七")
        s.commit()
        assert s.scalars(select(AuditEvent.action).where(AuditEvent.object_id == "enquiry")).all() == ["role.set"]


def test_sessions_and_tokens_are_stored_as_hashes(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        user = accounts.create_user(s, "sun", "a long password", ["manager"], actor="os:test")
        token, csrf = accounts.open_session(s, user, ip="127.0.0.1", hours=1)
        row, plain = accounts.new_token(s, "sun", "report script", actor="user:sun")
        s.commit()
        assert s.get(accounts.WebSession, token) is None  # only the hash is a key
        assert accounts.session_user(s, token)[0].username == "sun"
        assert plain not in row.token_hash
        assert accounts.token_user(s, plain).username == "sun"
        accounts.revoke_token(s, row.id, actor="user:sun", user_id=user.id)
        assert accounts.token_user(s, plain) is None
        accounts.close_session(s, token)
        assert accounts.session_user(s, token) is None


def test_first_start_creates_one_admin_with_a_one_time_password(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        password = accounts.bootstrap_admin(s, actor="system")
        s.commit()
        assert password and len(password) >= 12
        admin = accounts.authenticate(s, "admin", password)
        assert admin is not None and admin.must_change_password
        assert accounts.principal(s, admin).can(Permission.USERS_MANAGE)
        assert accounts.bootstrap_admin(s, actor="system") is None  # never a second time
