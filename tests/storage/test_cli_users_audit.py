"""`dangan users`, `roles` and `audit` on the command line: changes audited, the chain verified and exported."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from dangan.cli import app
from dangan.settings import Settings


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DANGAN_HOME", str(settings.home))
    return settings


def test_users_roles_and_a_tampered_trail(env: Settings, tmp_path) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["users", "create", "li", "-r", "enquiry", "--department", "销售一部",
                               "--password-stdin"], input="a long password\n")
    assert made.exit_code == 0, made.output
    assert runner.invoke(app, ["users", "set-roles", "li", "-r", "manager"]).exit_code == 0
    listed = runner.invoke(app, ["users", "list", "--json"])
    assert json.loads(listed.stdout)[0]["roles"] == ["manager"]
    bad = runner.invoke(app, ["users", "create", "wang", "-r", "nosuchrole", "--password-stdin"],
                        input="a long password\n")
    assert bad.exit_code == 1
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "audit trail intact" in ok.stdout
    exported = tmp_path / "trail.jsonl"
    assert runner.invoke(app, ["audit", "export", "-o", str(exported)]).exit_code == 0
    actions = [json.loads(line)["action"] for line in exported.read_text().splitlines()]
    assert actions[:3] == ["user.create", "user.roles", "user.list"]
    conn = sqlite3.connect(env.home / "audit.db")
    conn.execute("UPDATE entries SET object_id='wang' WHERE action='user.roles'")
    conn.commit()
    conn.close()
    tampered = runner.invoke(app, ["audit", "verify"])
    assert tampered.exit_code == 1 and "entry altered" in tampered.stdout


def test_a_mapped_user_without_the_permission_is_refused(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage import audit

    runner = CliRunner()
    me = audit.os_actor().removeprefix("os:")
    made = runner.invoke(app, ["users", "create", "li", "-r", "enquiry", "--os-user", me, "--password-stdin"],
                         input="a long password\n")
    assert made.exit_code == 0, made.output
    refused = runner.invoke(app, ["users", "list"])
    assert refused.exit_code == 1
