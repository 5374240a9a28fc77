"""The completeness report by e-mail, through a real SMTP server on localhost (aiosmtpd), and its schedule."""

from __future__ import annotations

import io
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from openpyxl import load_workbook
from typer.testing import CliRunner

from dangan.cli import app
from dangan.settings import Settings
from search_api.mail import (
    MailError,
    ReportScheduler,
    ScheduleError,
    parse_schedule,
    send_completeness_report,
)
from storage import db
from storage.documents import Document, DocumentState
from storage.models import Job
from storage.register import Customer, Dossier

ID_1 = "110105199003072345"
ID_2 = "310101198512304418"
BEIJING = timezone(timedelta(hours=8))


class _Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.received = threading.Event()

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))  # type: ignore[attr-defined]
        self.received.set()
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def env(settings: Settings, smtp_server: tuple[int, _Inbox], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at the local server, an archive of three dossiers, and the same for the CLI."""
    port, _ = smtp_server
    for key, value in {"DANGAN_HOME": str(settings.home), "DANGAN_SMTP__HOST": "127.0.0.1",
                       "DANGAN_SMTP__PORT": str(port), "DANGAN_SMTP__SECURITY": "none",
                       "DANGAN_SMTP__SENDER": "dangan@example.com",
                       "DANGAN_REPORTS__RECIPIENTS": "boss@example.com, head@example.com"}.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    _archive(settings)
    return settings


def _archive(settings: Settings) -> None:
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    with db.session_factory(engine)() as s:
        made = []
        # A register that carries ID numbers where it should not (in a name, a salesperson): they must be masked.
        for no, name, id_no, dept, sales in (("KH001", "张伟", ID_1, "销售一部", "李四"),
                                             ("KH002", f"王芳 {ID_2}", ID_2, "销售二部", f"赵六{ID_1}"),
                                             ("KH003", "某某科技有限公司", None, None, None)):
            c = Customer(customer_no=no, name=name, type="person", id_number=id_no, department=dept, salesperson=sales)
            s.add(c)
            s.flush()
            d = Dossier(archive_no=f"DA-2024-00000{no[-1]}", customer_id=c.id, dossier_type="customer",
                        department=dept, salesperson=sales)
            s.add(d)
            s.flush()
            made.append((c, d))
        for n, (c, d), doc_type in ((1, made[0], "contract"), (2, made[0], "id_copy"), (3, made[1], "contract")):
            job = Job(sha256=f"{n:064d}", source_name=f"scan-{n}.pdf", source_path="/x", source_size=1,
                      actor="system", state="done", received_at=datetime(2024, 5, 10, 8, 0, tzinfo=UTC))
            s.add(job)
            s.flush()
            s.add(Document(job_id=job.id, doc_type=doc_type, state=DocumentState.FILED, customer_id=c.id,
                           dossier_id=d.id, archive_no=f"{d.archive_no}-{n:02d}", pending_dossiers=[]))
        s.commit()
    engine.dispose()


def _received(inbox: _Inbox) -> tuple[list[str], EmailMessage, bytes]:
    assert inbox.received.wait(5), "no message reached the SMTP server"
    rcpts, raw = inbox.messages[-1]
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return rcpts, msg, raw


def _check_report_message(msg: EmailMessage, raw: bytes) -> None:
    assert str(msg["Subject"]).startswith("档案完整性报告 ")
    html_part = msg.get_body(("html",))
    text_part = msg.get_body(("plain",))
    assert html_part is not None and text_part is not None
    body = html_part.get_content()
    assert "档案总数</th><td align=\"right\">3<" in body
    assert "完整</th><td align=\"right\">1<" in body and "不完整</th><td align=\"right\">2<" in body
    assert "DA-2024-000002" in body and "DA-2024-000003" in body
    assert "DA-2024-000001" not in body  # complete: not listed among those missing documents
    assert "身份证" in body  # what DA-2024-000002 lacks, by its label
    assert "缺少" in text_part.get_content()
    attachments = list(msg.iter_attachments())
    assert len(attachments) == 1 and attachments[0].get_filename().endswith(".xlsx")
    book = load_workbook(io.BytesIO(attachments[0].get_content()), read_only=True)
    cells = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    for archive_no in ("DA-2024-000001", "DA-2024-000002", "DA-2024-000003"):
        assert archive_no in cells
    everything = "\n".join([raw.decode("ascii", "replace"), body, text_part.get_content(), *cells])
    for id_no in (ID_1, ID_2):
        assert id_no not in everything and id_no[:-1] not in everything  # and not by its first 17 digits
    assert "王芳" in body  # the name is kept, only its ID number masked


def test_report_send_mails_the_report_and_audits_it(env: Settings, smtp_server: tuple[int, _Inbox]) -> None:
    _, inbox = smtp_server
    result = CliRunner().invoke(app, ["report", "send", "--to", "manager@example.com"])
    assert result.exit_code == 0, result.output
    rcpts, msg, raw = _received(inbox)
    assert rcpts == ["manager@example.com"] and msg["From"] == "dangan@example.com"
    _check_report_message(msg, raw)
    conn = sqlite3.connect(env.audit_path)
    sent = [json.loads(d) for a, d in conn.execute("SELECT action, detail FROM entries") if a == "report.send"]
    conn.close()
    assert sent == [{"dossiers": 3, "incomplete": 2, "recipients": 1, "trigger": "manual"}]


def test_the_schedule_sends_to_the_configured_recipients(env: Settings, smtp_server: tuple[int, _Inbox]) -> None:
    _, inbox = smtp_server
    env.reports.schedule = "daily 08:00"
    engine = db.make_engine(env.database_url)
    scheduler = ReportScheduler(env, db.session_factory(engine), now=datetime(2025, 3, 14, 7, 0, tzinfo=BEIJING))
    assert scheduler.tick(datetime(2025, 3, 14, 7, 59, tzinfo=BEIJING)) is None
    sent = scheduler.tick(datetime(2025, 3, 14, 8, 0, 3, tzinfo=BEIJING))
    engine.dispose()
    assert sent is not None and sent.recipients == 2
    assert scheduler.next_at == datetime(2025, 3, 15, 8, 0, tzinfo=BEIJING)
    rcpts, msg, raw = _received(inbox)
    assert sorted(rcpts) == ["boss@example.com", "head@example.com"]
    _check_report_message(msg, raw)


def test_unconfigured_or_refusing_mail_is_a_clear_error(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = db.make_engine(env.database_url)
    sessions = db.session_factory(engine)
    env.smtp.port = _free_port()  # nothing listens there
    with pytest.raises(MailError) as refused:
        send_completeness_report(env, sessions, actor="system")
    assert "无法连接邮件服务器" in refused.value.reason_zh
    env.smtp.host = ""
    with pytest.raises(MailError) as unset:
        send_completeness_report(env, sessions, actor="system")
    assert "DANGAN_SMTP__HOST" in unset.value.reason_zh
    engine.dispose()
    monkeypatch.setenv("DANGAN_SMTP__HOST", "")
    result = CliRunner().invoke(app, ["report", "send"])
    assert result.exit_code == 3 and "未配置邮件服务器" in result.output


@pytest.mark.parametrize(("schedule", "after", "expected"), [
    ("daily 08:00", datetime(2025, 3, 14, 7, 59), datetime(2025, 3, 14, 8, 0)),
    ("daily 08:00", datetime(2025, 3, 14, 8, 0), datetime(2025, 3, 15, 8, 0)),  # strictly after
    ("daily 23:30", datetime(2025, 12, 31, 23, 45), datetime(2026, 1, 1, 23, 30)),
    ("weekly MON 08:00", datetime(2025, 3, 14, 9, 0), datetime(2025, 3, 17, 8, 0)),  # Friday → Monday
    ("weekly mon 08:00", datetime(2025, 3, 17, 7, 0), datetime(2025, 3, 17, 8, 0)),  # Monday, before
    ("weekly MON 08:00", datetime(2025, 3, 17, 8, 1), datetime(2025, 3, 24, 8, 0)),  # Monday, after
    ("weekly SUN 0:05", datetime(2025, 3, 14, 9, 0, tzinfo=BEIJING), datetime(2025, 3, 16, 0, 5, tzinfo=BEIJING)),
])
def test_next_run(schedule: str, after: datetime, expected: datetime) -> None:
    assert parse_schedule(schedule).next_run(after) == expected


@pytest.mark.parametrize("schedule", ["hourly", "daily 24:00", "daily 8", "weekly XYZ 08:00", "weekly 08:00"])
def test_unreadable_schedules_are_refused_at_startup(schedule: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(schedule)
    with pytest.raises(ValueError, match="schedule"):
        Settings(reports={"schedule": schedule})
