"""The completeness report by e-mail: the message (HTML, plain text, XLSX), SMTP delivery and the schedule."""

from __future__ import annotations

import html
import re
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING

from classify.completeness import CompletenessStatus, DossierTypes, load_dossier_types
from dangan.errors import BackendUnavailableError, ConfigError, DanganError
from search_api.reports import (
    CompletenessRow,
    completeness_rows,
    completeness_totals,
    render_completeness,
    summarize_completeness,
)
from search_api.text import fold, mask, normalize, sensitive_spans

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from dangan.settings import Settings, SmtpSettings

__all__ = [
    "MailError",
    "Schedule",
    "ScheduleError",
    "SendResult",
    "build_report_message",
    "mask_row",
    "parse_schedule",
    "send_completeness_report",
    "send_message",
]

_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_SCHEDULE = re.compile(r"^\s*(daily|weekly\s+([a-z]{3}))\s+(\d{1,2}):(\d{2})\s*$", re.IGNORECASE)
_ADDRESS = re.compile(r"^[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+$")


class ScheduleError(DanganError, ValueError):
    """DANGAN_REPORTS__SCHEDULE cannot be read; a ValueError too, so that the settings refuse it at startup."""

    code = "schedule_error"


class MailError(BackendUnavailableError):
    """The report could not be sent: mail not configured, no recipients, or the server refused."""

    code = "mail_error"


# --- schedule -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schedule:
    """When the report goes out, in the server's local time: every day, or one weekday (0 = Monday)."""

    hour: int
    minute: int
    weekday: int | None = None

    def next_run(self, after: datetime) -> datetime:
        """The first run strictly after `after` (aware or naive; the result is in the same zone).

        Wall-clock arithmetic: a run at 08:00 stays at 08:00 whatever the date, which is what managers set.
        """
        at = after.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        if self.weekday is None:
            return at if at > after else at + timedelta(days=1)
        at += timedelta(days=(self.weekday - at.weekday()) % 7)
        return at if at > after else at + timedelta(days=7)


def parse_schedule(text: str) -> Schedule:
    """Read "daily HH:MM" or "weekly MON HH:MM" (MON..SUN).

    Raises:
        ScheduleError: any other form, or a time that does not exist.
    """
    m = _SCHEDULE.match(text)
    day = (m.group(2) or "").upper() if m else ""
    if not m or (day and day not in _DAYS) or int(m.group(3)) > 23 or int(m.group(4)) > 59:
        raise ScheduleError(
            f"无法识别的报告发送时间 {text!r}，应为 \"daily 08:00\" 或 \"weekly MON 08:00\"",
            f"unreadable report schedule {text!r}; use \"daily 08:00\" or \"weekly MON 08:00\"",
        )
    return Schedule(int(m.group(3)), int(m.group(4)), _DAYS.index(day) if day else None)


# --- the message ----------------------------------------------------------------------------------


def _masked(value: str | None) -> str | None:
    """ID, passport and bank-account numbers replaced by '*': an e-mail leaves our control once sent."""
    if not value:
        return value
    text = normalize(value)
    return mask(text, sensitive_spans(fold(text)))


def mask_row(row: CompletenessRow) -> CompletenessRow:
    """The row with every free-text field masked (a register may carry an ID number in a name or a note)."""
    return replace(
        row, customer_no=_masked(row.customer_no) or "", customer_name=_masked(row.customer_name) or "",
        vin=_masked(row.vin), department=_masked(row.department), salesperson=_masked(row.salesperson),
    )


_TEXT = {
    "subject": ("档案完整性报告", "Dossier completeness report"),
    "intro": ("以下为档案完整性汇总，完整报表见附件（Excel）。",
              "The completeness summary follows; the full report is attached (Excel)."),
    "complete": ("完整", "Complete"),
    "incomplete": ("不完整", "Incomplete"),
    "pending": ("待审核", "Pending review"),
    "dossiers": ("档案总数", "Dossiers"),
    "lacking": ("缺少文件的档案", "Dossiers missing documents"),
    "none_lacking": ("没有缺少文件的档案。", "No dossier is missing documents."),
    "archive_no": ("档案号", "Archive no."),
    "customer": ("客户", "Customer"),
    "department": ("部门", "Department"),
    "salesperson": ("销售/服务顾问", "Sales / service adviser"),
    "missing": ("缺少文件", "Missing"),
    "more": ("另有 {n} 份，见附件。", "{n} more in the attachment."),
    "footer": ("此邮件由 dangan 自动发送，请勿回复。", "Sent by dangan; please do not reply."),
}
#: Dossiers listed in the body; the attachment has all of them, a mail client chokes on thousands of rows.
BODY_ROWS = 200


def _t(key: str, lang: str) -> str:
    zh, en = _TEXT[key]
    return en if lang == "en" else zh


def _lacking(rows: Sequence[CompletenessRow]) -> list[CompletenessRow]:
    return [r for r in rows if r.missing]


def _html_body(rows: Sequence[CompletenessRow], types: DossierTypes, lang: str, stamp: str) -> str:
    e = html.escape
    totals = completeness_totals(rows, types)
    sep = ", " if lang == "en" else "、"
    counts = "".join(
        f"<tr><th align=\"left\">{e(_t(k, lang))}</th><td align=\"right\">{n}</td></tr>"
        for k, n in (("dossiers", totals.dossiers), ("complete", totals.complete),
                     ("incomplete", totals.incomplete), ("pending", totals.pending))
    )
    parts = [
        f"<!DOCTYPE html><html lang=\"{'en' if lang == 'en' else 'zh-CN'}\"><head><meta charset=\"utf-8\">"
        f"<title>{e(_t('subject', lang))}</title></head><body style=\"font-family:sans-serif\">",
        f"<h1>{e(_t('subject', lang))}</h1><p>{e(stamp)}</p>",
        f"<p>{e(summarize_completeness(rows, lang=lang, types=types))}</p>",
        f"<p>{e(_t('intro', lang))}</p>",
        f"<table id=\"summary\" border=\"1\" cellpadding=\"4\" cellspacing=\"0\">{counts}</table>",
        f"<h2>{e(_t('lacking', lang))}</h2>",
    ]
    lacking = _lacking(rows)
    if not lacking:
        parts.append(f"<p>{e(_t('none_lacking', lang))}</p>")
    else:
        head = "".join(f"<th>{e(_t(k, lang))}</th>" for k in ("archive_no", "customer", "department",
                                                                "salesperson", "missing"))
        body = []
        for r in lacking[:BODY_ROWS]:
            missing = sep.join(types.document_label(m, lang) for m in r.missing)
            style = " style=\"background:#fff3cd\"" if r.status is CompletenessStatus.PENDING else ""
            body.append(
                f"<tr{style}><td>{e(r.archive_no)}</td><td>{e(r.customer_name)}（{e(r.customer_no)}）</td>"
                f"<td>{e(r.department or '')}</td><td>{e(r.salesperson or '')}</td>"
                f"<td style=\"color:#b00020\">{e(missing)}</td></tr>"
            )
        parts.append(f"<table id=\"lacking\" border=\"1\" cellpadding=\"4\" cellspacing=\"0\"><tr>{head}</tr>"
                     + "".join(body) + "</table>")
        if len(lacking) > BODY_ROWS:
            parts.append(f"<p>{e(_t('more', lang).format(n=len(lacking) - BODY_ROWS))}</p>")
    parts.append(f"<p style=\"color:#666\">{e(_t('footer', lang))}</p></body></html>")
    return "".join(parts)


def _text_body(rows: Sequence[CompletenessRow], types: DossierTypes, lang: str, stamp: str) -> str:
    sep = ", " if lang == "en" else "、"
    lines = [_t("subject", lang), stamp, "", summarize_completeness(rows, lang=lang, types=types), "",
             _t("intro", lang), "", _t("lacking", lang) + ":"]
    lacking = _lacking(rows)
    if not lacking:
        lines.append(_t("none_lacking", lang))
    for r in lacking[:BODY_ROWS]:
        missing = sep.join(types.document_label(m, lang) for m in r.missing)
        who = " / ".join(v for v in (r.department, r.salesperson) if v)
        lines.append(f"- {r.archive_no}  {r.customer_name} ({r.customer_no})  {who}  {_t('missing', lang)}: {missing}")
    if len(lacking) > BODY_ROWS:
        lines.append(_t("more", lang).format(n=len(lacking) - BODY_ROWS))
    lines += ["", _t("footer", lang)]
    return "\n".join(lines) + "\n"


def build_report_message(
    rows: Sequence[CompletenessRow], *, sender: str, recipients: Sequence[str], lang: str = "zh",
    types: DossierTypes | None = None, generated_at: datetime | None = None,
) -> EmailMessage:
    """The report as one message: plain text, the HTML alternative, the XLSX attached; every value masked.

    Args:
        rows: the report rows (masked here, whatever the caller passed).
        sender: the From address.
        recipients: the To addresses.
        lang: "zh" (default) or "en".
        types: the dossier-types configuration the rows were assessed with (None: the packaged one).
        generated_at: when the data was read (default now, local time).

    Returns:
        The message, ready for `send_message`.
    """
    types = types if types is not None else load_dossier_types()
    generated_at = generated_at or datetime.now().astimezone()
    rows = [mask_row(r) for r in rows]
    stamp = generated_at.strftime("%Y-%m-%d %H:%M")
    msg = EmailMessage()
    msg["Subject"] = f"{_t('subject', lang)} {generated_at:%Y-%m-%d}"
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(_text_body(rows, types, lang, stamp))
    msg.add_alternative(_html_body(rows, types, lang, stamp), subtype="html")
    xlsx = render_completeness(rows, "xlsx", lang=lang, types=types, generated_at=generated_at)
    name = f"{_t('subject', lang)}-{generated_at:%Y%m%d}.xlsx"
    msg.add_attachment(xlsx, maintype="application",
                       subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=name)
    return msg


# --- delivery -------------------------------------------------------------------------------------


def _check_addresses(addresses: Sequence[str]) -> list[str]:
    bad = [a for a in addresses if not _ADDRESS.match(a)]
    if bad:
        raise MailError("收件人地址无效", "invalid recipient address", ", ".join(bad))
    if not addresses:
        raise MailError(
            "没有收件人：请用 --to 指定，或设置 DANGAN_REPORTS__RECIPIENTS",
            "no recipients: give --to or set DANGAN_REPORTS__RECIPIENTS",
        )
    return list(dict.fromkeys(addresses))


def _sender(smtp: SmtpSettings) -> str:
    if not smtp.host:
        raise MailError(
            "未配置邮件服务器：请设置 DANGAN_SMTP__HOST 等",
            "mail is not configured: set DANGAN_SMTP__HOST and the other DANGAN_SMTP__* settings",
        )
    sender = smtp.sender or (smtp.user if "@" in smtp.user else "")
    if not sender:
        raise MailError("未配置发件人：请设置 DANGAN_SMTP__SENDER", "no sender: set DANGAN_SMTP__SENDER")
    return sender


def send_message(msg: EmailMessage, smtp: SmtpSettings) -> None:
    """Deliver one message through the configured server.

    Raises:
        MailError: not configured, or the server could not be reached or refused (the reason says which).
    """
    _sender(smtp)
    security = str(smtp.security)
    port = smtp.port or {"ssl": 465, "starttls": 587}.get(security, 25)
    context = ssl.create_default_context()
    try:
        if security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, port, timeout=smtp.timeout)
        with client:
            if security == "starttls":
                client.starttls(context=context)
            if smtp.user:
                client.login(smtp.user, smtp.password.get_secret_value())
            refused = client.send_message(msg)
    except smtplib.SMTPAuthenticationError as error:
        raise MailError("邮件服务器拒绝登录：请检查用户名和密码", "the mail server refused the login",
                        f"{error.smtp_code}") from error
    except smtplib.SMTPNotSupportedError as error:
        raise MailError("邮件服务器不支持 STARTTLS：请检查 DANGAN_SMTP__SECURITY",
                        "the mail server does not offer STARTTLS; check DANGAN_SMTP__SECURITY") from error
    except smtplib.SMTPRecipientsRefused as error:
        raise MailError("邮件服务器拒绝了全部收件人", "the mail server refused every recipient",
                        ", ".join(error.recipients)) from error
    except smtplib.SMTPResponseException as error:
        raise MailError("邮件服务器拒绝发送", "the mail server refused the message",
                        f"{error.smtp_code} {error.smtp_error!r}") from error
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"无法连接邮件服务器 {smtp.host}:{port}", f"cannot reach the mail server {smtp.host}:{port}",
                        type(error).__name__) from error
    if refused:
        raise MailError("邮件服务器拒绝了部分收件人", "the mail server refused some recipients", ", ".join(refused))


@dataclass(frozen=True, slots=True)
class SendResult:
    """What was sent: counts only, as the audit trail keeps them."""

    recipients: int
    dossiers: int
    incomplete: int


def send_completeness_report(
    settings: Settings, sessions: sessionmaker[Session], *, actor: str, to: Sequence[str] = (),
    trigger: str = "manual", now: datetime | None = None,
) -> SendResult:
    """Read the completeness of every dossier, mail it and audit the send (counts, never content).

    Args:
        settings: dangan's settings (SMTP, recipients, language, dossier types).
        sessions: the metadata database.
        actor: who sends, for the audit trail (`user:...`, `os:...` or `system`).
        to: addresses; empty means DANGAN_REPORTS__RECIPIENTS.
        trigger: "manual" or "schedule", recorded in the trail.
        now: when the data is read (default now).

    Returns:
        The counts sent.

    Raises:
        MailError: mail is not configured, no recipient, or the server refused; the failure is audited too.
    """
    from storage import audit
    from storage.completeness import dossier_facts
    from storage.register import DossierType

    recipients = list(to) or list(settings.reports.recipient_list)
    types = load_dossier_types(settings.classify.dossier_types_file)
    types.require_dossier_types([t.value for t in DossierType])
    with sessions() as s:
        try:
            addresses = _check_addresses(recipients)
            sender = _sender(settings.smtp)
            rows = completeness_rows(dossier_facts(s), types)
            msg = build_report_message(rows, sender=sender, recipients=addresses, lang=settings.reports.lang,
                                       types=types, generated_at=now)
            send_message(msg, settings.smtp)
        except DanganError as error:
            audit.record(s, actor, "report.send_failed", "report", "completeness", trigger=trigger,
                         recipients=len(recipients), error=error.code)
            s.commit()
            raise
        result = SendResult(len(addresses), len(rows), sum(1 for r in rows if r.missing))
        audit.record(s, actor, "report.send", "report", "completeness", trigger=trigger,
                     recipients=result.recipients, dossiers=result.dossiers, incomplete=result.incomplete)
        s.commit()
    return result


class ReportScheduler:
    """The report's slot in the server's one periodic loop: `tick(now)` sends when the next run time has come.

    Missed runs (server down at 08:00) are not caught up: the next one is the first after start.
    """

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], *, now: datetime | None = None) -> None:
        if not settings.reports.schedule:
            raise ConfigError("未设置报告发送时间", "no report schedule set")
        self.settings = settings
        self.sessions = sessions
        self.schedule = parse_schedule(settings.reports.schedule)
        self.next_at = self.schedule.next_run(now or datetime.now().astimezone())

    def tick(self, now: datetime | None = None) -> SendResult | None:
        """Send if due; the next run is set first, so that a failing server is retried at the next slot only."""
        now = now or datetime.now().astimezone()
        if now < self.next_at:
            return None
        self.next_at = self.schedule.next_run(now)
        from storage.audit import SYSTEM_ACTOR

        return send_completeness_report(self.settings, self.sessions, actor=SYSTEM_ACTOR, trigger="schedule",
                                        now=now)
