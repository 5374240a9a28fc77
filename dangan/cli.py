"""The `dangan` command line."""

from __future__ import annotations

import dataclasses
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dangan import __version__
from dangan.cli_common import err, fail, load_settings
from dangan.errors import ConfigError, DanganError

app = typer.Typer(
    help="dangan 档案: scanned customer files become a searchable archive.", no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
console = err




def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("watchdog", "alembic", "RapidOCR", "pdfminer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)




@app.command()
def version() -> None:
    """Print dangan's version."""
    typer.echo(__version__)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to process once.", exists=True)],
    keep: Annotated[bool, typer.Option(help="Leave the given files in place instead of retiring them.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as JSON (with seconds per stage).")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Process the given scans once and print a summary (处理扫描件并汇总)."""
    from dangan.pipeline import Pipeline
    from ingest.inbox import check_layout, iter_files
    from storage.audit import os_actor

    _setup_logging(verbose)
    settings = load_settings()
    try:
        check_layout(settings)
        files = list(iter_files(paths))
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            bar = progress.add_task("页 pages", total=None)

            def listen(event: str, data: dict[str, object]) -> None:
                if event == "page":
                    progress.advance(bar)

            with Pipeline(settings, actor=os_actor(), keep_files=keep, listener=listen) as pipeline:
                pipeline.resume()
                for path in files:
                    pipeline.submit(path)
                    progress.update(bar, total=pipeline.summary.pages + pipeline.queued_pages)
                summary = pipeline.drain()
    except DanganError as error:
        raise fail(error) from error
    s = summary
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(s), ensure_ascii=False))
    else:
        typer.echo(
            f"files {s.files}  pages {s.pages}  ocr {s.ocr_pages}  text-layer {s.text_layer_pages}  "
            f"blank {s.blank_pages}  failed {s.failed_pages}  low-quality {s.low_quality_pages}  "
            f"documents {s.documents} (filed {s.filed_documents}, review {s.review_documents})  "
            f"quarantined {s.quarantined}  duplicates {s.duplicates}  already-done {s.already_done}  "
            f"resumed {s.resumed}  seconds {s.seconds:.1f}"
        )
    if s.failed_pages or s.quarantined:
        raise typer.Exit(1)


@app.command()
def watch(
    inbox: Annotated[Path | None, typer.Argument(help="The inbox folder (default DANGAN_INBOX).")] = None,
    polling: Annotated[bool | None, typer.Option(help="Poll instead of inotify (SMB/NFS shares).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Watch the inbox and process scans as they arrive, until stopped (监视收件箱)."""
    from dangan.pipeline import Pipeline
    from ingest.watcher import InboxWatcher
    from storage.audit import SYSTEM_ACTOR

    _setup_logging(verbose)
    settings = load_settings()
    if inbox is not None:
        settings.inbox = inbox.expanduser().absolute()
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        if stop.is_set():
            raise SystemExit(130)
        logging.getLogger("dangan").info("stopping after the pages in flight (again to quit now)")
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        with Pipeline(settings, actor=SYSTEM_ACTOR) as pipeline:
            console.print(f"dangan 正在监视收件箱 watching: {settings.inbox}")
            InboxWatcher(settings, pipeline, polling=polling).run(stop)
    except DanganError as error:
        raise fail(error) from error


export_app = typer.Typer(help="Export metadata (导出).", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("pages")
def export_pages(
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
    with_text: Annotated[bool, typer.Option("--with-text", help="Include each page's text.")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """One record per page of every ingested file (每页一条记录)."""
    import csv

    from storage import audit, db
    from storage.export import PAGE_FIELDS, iter_pages

    if fmt not in ("jsonl", "csv"):
        raise fail(ConfigError("未知格式，可用：jsonl、csv", f"unknown format {fmt!r}; known: jsonl, csv"))
    settings = load_settings()
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        with db.session_factory(engine)() as s:
            if fmt == "csv":
                writer = csv.DictWriter(out, [*PAGE_FIELDS, *(["text"] if with_text else [])])
                writer.writeheader()
            count = 0
            for record in iter_pages(s, with_text=with_text):
                if fmt == "csv":
                    writer.writerow(record)
                else:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
            audit.record(s, audit.os_actor(), "export.pages", "pages", "*", count=count, with_text=with_text)
            s.commit()
    finally:
        if output:
            out.close()
        engine.dispose()


report_app = typer.Typer(help="Reports for managers (报表).", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("completeness")
def report_completeness(
    fmt: Annotated[str, typer.Option("--format", help="json, csv, xlsx or html.")] = "json",
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "zh",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Which dossiers lack required documents (档案完整性报告)."""
    from classify.completeness import load_dossier_types
    from search_api.reports import completeness_rows, render_completeness
    from storage import audit, db
    from storage.completeness import dossier_facts
    from storage.register import DossierType

    settings = load_settings()
    try:
        types = load_dossier_types(settings.classify.dossier_types_file)
        types.require_dossier_types([t.value for t in DossierType])
        engine = db.make_engine(settings.database_url)
        db.migrate(engine)
        with db.session_factory(engine)() as s:
            rows = completeness_rows(dossier_facts(s), types)
            data = render_completeness(rows, fmt, lang=lang, types=types)
            audit.record(s, audit.os_actor(), "report.completeness", "report", "completeness", format=fmt,
                         dossiers=len(rows))
            s.commit()
        engine.dispose()
    except DanganError as error:
        raise fail(error) from error
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


from dangan.cli_customers import customers_app  # noqa: E402
from dangan.cli_mail import register as register_mail  # noqa: E402
from dangan.cli_review import review_app  # noqa: E402
from dangan.cli_search import register as register_search  # noqa: E402
from dangan.cli_users import register as register_users  # noqa: E402
from dangan.cli_web import register as register_web  # noqa: E402

app.add_typer(customers_app, name="customers")
app.add_typer(review_app, name="review")
register_search(app)
register_mail(report_app)
register_users(app)
register_web(app)

if __name__ == "__main__":
    app()
