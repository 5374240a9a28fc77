"""`dangan customers`: import the dealer's customer register (CSV/XLSX) and list it."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Column, Table
from sqlalchemy.exc import IntegrityError, OperationalError

from dangan.cli_common import err, fail, load_settings, out
from dangan.errors import BackendUnavailableError, BadInputError, DanganError

if TYPE_CHECKING:
    from storage.register_import import ImportResult

customers_app = typer.Typer(
    help="客户登记 customer register: import the dealer system's export, list it.", no_args_is_help=True
)






def _json(value: Any) -> str:
    def default(obj: object) -> object:
        if isinstance(obj, date):
            return obj.isoformat()
        if isinstance(obj, frozenset | set):
            return sorted(obj)  # type: ignore[type-var]
        raise TypeError(type(obj).__name__)

    return json.dumps(value, ensure_ascii=False, indent=2, default=default)


@customers_app.command("import")
def import_register_file(
    file: Annotated[
        Path, typer.Argument(help="CSV (UTF-8 or GBK) or XLSX export.", exists=True, dir_okay=False)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count, then roll back.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import the customer register; re-importing updates it (导入客户登记表).

    Exit status 1 when rows were rejected (the other rows are imported), 0 otherwise.
    """
    from dangan.filing import rematch_review, sync_documents
    from storage import audit, db
    from storage.archive_numbers import ArchiveNumbering
    from storage.register_import import import_register

    settings = load_settings()
    actor = audit.os_actor()
    engine = db.make_engine(settings.database_url)
    try:
        db.migrate(engine)
        sessions = db.session_factory(engine)
        with sessions() as session:
            try:
                result = import_register(session, file, numbering=ArchiveNumbering(settings.archive))
            except (IntegrityError, OperationalError) as exc:
                # Another import (or a busy SQLite writer) changed the register under us: nothing was
                # written, and running again is safe because an import is idempotent.
                raise BackendUnavailableError(
                    "客户登记正被另一操作修改，请稍后重新导入",
                    "the register was being changed by another operation; run the import again",
                    type(exc).__name__,
                ) from exc
            except BadInputError as error:
                session.rollback()
                # A refused file is an operation too; the event names the problem, not the file's content.
                audit.record(session, actor, "customers.import_refused", "register", "-", code=error.code)
                session.commit()
                raise
            if dry_run:
                session.rollback()
            else:
                audit.record(
                    session, actor, "customers.import", "register", result.sha256,
                    file_format=result.file_format, encoding=result.encoding, **result.counts(),
                )
                session.commit()
                # A new or corrected register may settle documents waiting in review: match them again.
                filed = rematch_review(session, settings, actor=actor)
                session.commit()
                sync_documents(session, settings, filed)
                if filed:
                    err.print(f"待审核文档重新匹配后已归档 filed from review after re-matching: {len(filed)}")
    except DanganError as error:
        raise fail(error) from error
    finally:
        engine.dispose()

    if as_json:
        payload = dataclasses.asdict(result)
        payload["dry_run"] = dry_run
        typer.echo(_json(payload))
    else:
        _print_import(result, dry_run)
    if result.rejected:
        raise typer.Exit(1)


def _print_import(result: ImportResult, dry_run: bool) -> None:
    if result.issues:
        table = Table("行 row", "列 field", "级别 level", Column("问题 problem", overflow="fold"))
        for issue in result.issues:
            table.add_row(
                str(issue.row), issue.field, issue.severity.value, f"{issue.message_zh}\n{issue.message_en}"
            )
        out.print(table)
    prefix = "试导入（未保存） dry run, nothing saved: " if dry_run else ""
    out.print(
        f"{prefix}rows {result.rows}  new {result.new}  updated {result.updated}  "
        f"unchanged {result.unchanged}  rejected {result.rejected}  "
        f"warnings {result.warnings}  notes {result.notes}"
    )
    out.print(
        f"customers +{result.customers.created} ~{result.customers.updated}  "
        f"vehicles +{result.vehicles.created} ~{result.vehicles.updated}  "
        f"dossiers +{result.dossiers.created} ~{result.dossiers.updated}"
    )


def _mask(value: str | None, keep_head: int, keep_tail: int) -> str | None:
    """Hide the middle of an identifier: 003 §四 keeps ID numbers for authorised staff."""
    if value is None or len(value) <= keep_head + keep_tail:
        return value
    return value[:keep_head] + "*" * (len(value) - keep_head - keep_tail) + value[len(value) - keep_tail :]


def _mask_phones(value: str | None) -> str | None:
    return None if value is None else ",".join(_mask(p, 3, 4) or "" for p in value.split(","))


@customers_app.command("list")
def list_register(
    as_json: Annotated[bool, typer.Option("--json", help="Print the register as JSON.")] = False,
    reveal: Annotated[
        bool, typer.Option("--reveal", help="Show ID numbers and phones in full (recorded in the audit log).")
    ] = False,
) -> None:
    """Print the customer register with vehicles and dossiers (列出客户登记)."""
    from storage import audit, db
    from storage.register import list_customers

    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    try:
        db.migrate(engine)
        with db.session_factory(engine)() as session:
            customers = list_customers(session)
            # Reads are operations too (001 §3.1); revealing identifiers is the part that matters.
            audit.record(session, audit.os_actor(), "customers.list", "register", "-",
                         count=len(customers), revealed=reveal)
            session.commit()
    except DanganError as error:
        raise fail(error) from error
    finally:
        engine.dispose()

    if not reveal:
        customers = [
            dataclasses.replace(c, id_number=_mask(c.id_number, 4, 4), phone=_mask_phones(c.phone))
            for c in customers
        ]
    if as_json:
        typer.echo(_json([dataclasses.asdict(c) for c in customers]))
        return
    table = Table("客户编号 no", "名称 name", "类型 type", "身份证号/信用代码 id", "电话 phone",
                  "车架号 VIN", "档案号 dossiers", "待核对 to check")
    for c in customers:
        table.add_row(
            c.customer_no, c.name, c.type, c.id_number or c.uscc or "", c.phone or "",
            "\n".join(f"{v.vin} ({v.vin_status})" for v in c.vehicles),
            "\n".join(f"{d.archive_no} {d.dossier_type}{' ' + d.order_no if d.order_no else ''} {d.state}"
                      for d in c.dossiers),
            ", ".join(c.rejected_identifiers),
        )
    out.print(table)
    out.print(f"customers {len(customers)}")
