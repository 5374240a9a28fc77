"""Shared fixtures: a private DANGAN_HOME per test, and the metadata database on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from dangan.settings import Settings

PG_ADMIN_URL = os.environ.get("DANGAN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for one test: everything under tmp_path, no DANGAN_* from the caller's shell."""
    for key in list(os.environ):
        if key.startswith("DANGAN_") and key != "DANGAN_TEST_PG_URL":
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    return Settings(home=home, inbox=tmp_path / "inbox", intake={"stable_seconds": 0.2}, ocr={"workers": 2})


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[object]:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # the server runs on this machine and CI's; its absence is a failure, not a skip
        pytest.fail(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(_pg_admin: object) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"dangan_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin.connect() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with _pg_admin.connect() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'meta.db'}"
    return str(request.getfixturevalue("pg_url"))
