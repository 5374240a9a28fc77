"""`dangan review`: the review queue on the command line; every decision is audited with its actor."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from dangan.cli_common import err, out
from dangan.errors import DanganError, exit_code
from dangan.settings import Settings

review_app = typer.Typer(help="待审核 review queue: list it, file documents, fix types, split, merge, move.",
                         no_args_is_help=True)




@contextlib.contextmanager
def _session() -> Iterator[tuple[Settings, Session]]:
    from storage import db

    settings = Settings()
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    try:
        with db.session_factory(engine)() as session:
            yield settings, session
    finally:
        engine.dispose()


def _decide(operation: Callable[..., list[int]], *args: object) -> None:
    """Run one review operation, commit it, then rebuild the dossier objects of the documents it touched."""
    from dangan.filing import sync_documents
    from search_api.indexer import sync
    from storage import db
    from storage.archive_numbers import ArchiveNumbering
    from storage.audit import os_actor

    try:
        with _session() as (settings, s):
            touched = operation(s, *args, actor=os_actor(), numbering=ArchiveNumbering(settings.archive))
            s.commit()
            sync_documents(s, settings, touched)
            sync(settings, db.session_factory(s.get_bind()))  # the decision is in the outbox; index it now if we can
    except DanganError as error:
        err.print(f"[red]错误 error:[/red] {error.reason_zh} / {error.reason_en}")
        raise typer.Exit(exit_code(error)) from error
    out.print(f"已更新 updated: documents {', '.join(map(str, touched)) or '-'}")


@review_app.command("list")
def list_queue(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Documents waiting for a decision, with the reason and the suggestion (待审核文档)."""
    from storage import audit
    from storage.review import review_queue

    with _session() as (_settings, s):
        items = review_queue(s)
        audit.record(s, audit.os_actor(), "review.list", "review", "*", count=len(items))
        s.commit()
    if as_json:
        typer.echo(json.dumps([dataclasses.asdict(item) for item in items], ensure_ascii=False, indent=2))
        return
    table = Table("文档 doc", "类型 type", "页 pages", "建议客户 suggested", "待定档案 pending", "原因 reason")
    for item in items:
        table.add_row(str(item.document_id), item.doc_type, ",".join(map(str, item.page_ids)),
                      item.suggested_customer_no or "-", ", ".join(item.pending_dossiers) or "-", item.reason)
    out.print(table)
    out.print(f"待审核 {len(items)} 份文档 documents in review")


@review_app.command("file")
def file_(
    document: Annotated[int, typer.Argument(help="Document id.")],
    customer: Annotated[str, typer.Option("--customer", "-c", help="Customer number (客户编号).")],
    dossier: Annotated[str | None, typer.Option("--dossier", "-d", help="Dossier archive number.")] = None,
) -> None:
    """File a document into a customer's dossier (归档到客户档案)."""
    from storage.review import file_document

    _decide(file_document, document, customer, dossier)


@review_app.command("set-type")
def set_type(
    page: Annotated[int, typer.Argument(help="Page id.")],
    doc_type: Annotated[str, typer.Argument(help="contract, invoice, id_copy, inspection_sheet, other, blank.")],
) -> None:
    """Correct a page's document type (更正页面类型)."""
    from storage.review import set_page_type

    _decide(set_page_type, page, doc_type)


@review_app.command("split")
def split(
    document: Annotated[int, typer.Argument(help="Document id.")],
    at: Annotated[int, typer.Option("--at", help="First page id of the new document.")],
) -> None:
    """Split a document in two (拆分文档); the new part waits in review."""
    from storage.review import split_document

    _decide(split_document, document, at)


@review_app.command("merge")
def merge(
    target: Annotated[int, typer.Argument(help="Document id that keeps the pages.")],
    source: Annotated[int, typer.Argument(help="Document id whose pages move into the target.")],
) -> None:
    """Merge two documents (合并文档)."""
    from storage.review import merge_documents

    _decide(merge_documents, target, source)


@review_app.command("move")
def move(
    pages: Annotated[list[int], typer.Argument(help="Page ids.")],
    to: Annotated[int, typer.Option("--to", help="Target document id.")],
) -> None:
    """Move pages to another document (移动页面)."""
    from storage.review import move_pages

    _decide(move_pages, pages, to)
