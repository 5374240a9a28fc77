"""`dangan search`, `dangan reindex` and `dangan selftest --index`: the full-text index on the command line."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Annotated

import typer
from rich.text import Text

from dangan.cli_common import err, fail, load_settings, out
from dangan.errors import DanganError

TYPE_LABELS = {"contract": "合同", "invoice": "发票", "id_copy": "身份证明", "inspection_sheet": "检查表",
               "other": "其他", "blank": "空白"}


def _day(value: str | None, option: str) -> date | None:
    from search_api.query import QueryError, parse_date_range

    if value is None:
        return None
    try:
        start, end = parse_date_range(value)
    except QueryError as error:
        raise fail(QueryError(f"{option}：{error.reason_zh}", f"{option}: {error.reason_en}")) from error
    return start if option == "--from" else end


def search(
    query: Annotated[str, typer.Argument(help="Words, \"phrases\", AND/OR/NOT, -word, type:, customer:, date:.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {total, hits, facets} as JSON.")] = False,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="Hits to show.")] = 10,
    doc_type: Annotated[str | None, typer.Option("--type", "-t", help="Document type (invoice, 发票...).")] = None,
    customer: Annotated[str | None, typer.Option("--customer", "-c", help="Customer number (客户编号).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="From this date (2024-05-01, 2024-05).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Up to this date, inclusive.")] = None,
    reveal: Annotated[bool, typer.Option("--reveal", help="Also match and show ID, passport, account numbers.")]
    = False,
) -> None:
    """Full-text search over every filed page (全文搜索)."""
    from search_api.index import make_index
    from search_api.indexer import pending, sync
    from search_api.query import parse_query, with_filters
    from storage import audit, db

    settings = load_settings()
    try:
        node = with_filters(parse_query(query), doc_type=doc_type, customer_no=customer,
                            start=_day(date_from, "--from"), end=_day(date_to, "--to"))
        engine = db.make_engine(settings.database_url)
        db.migrate(engine)
        sessions = db.session_factory(engine)
        with sessions() as s:
            waiting = pending(s)
        if waiting:  # changes another command left: index them now if nobody else is writing
            sync(settings, sessions, lock_wait=0.5)
        index = make_index(settings)
        try:
            result = index.search(node, limit=limit, reveal_sensitive=reveal)
        finally:
            index.close()
        with sessions() as s:
            # Who searched, and whether hidden values were shown; never the query, which may hold an identifier.
            audit.record(s, audit.os_actor(), "search", "pages", "*", hits=result.total, reveal=reveal)
            s.commit()
        engine.dispose()
    except DanganError as error:
        raise fail(error) from error
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    for rank, hit in enumerate(result.hits, start=1):
        head = Text(f"{rank}. ")
        head.append(f"[{TYPE_LABELS.get(hit.doc_type, hit.doc_type)} {hit.doc_type}]", style="cyan")
        head.append(f" {hit.archive_no or '待审核 in review'}")
        if hit.customer_no:
            head.append(f"  {hit.customer_no} {hit.customer_name or ''}")
        head.append(f"  {hit.source_file} p.{hit.source_page}", style="dim")
        out.print(head)
        snippet = Text("   " + hit.snippet_text)
        for start, end in hit.highlights:
            snippet.stylize("bold yellow", start + 3, end + 3)
        out.print(snippet)
    types = ", ".join(f"{TYPE_LABELS.get(k, k)} {v}" for k, v in result.facets.get("doc_type", {}).items())
    out.print(f"共 {result.total} 页 pages" + (f"  ({types})" if types else ""))


def reindex(
    restart: Annotated[bool, typer.Option("--restart", help="Start over instead of resuming an interrupted run.")]
    = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Delete the index first (after a format change).")]
    = False,
    pending_only: Annotated[bool, typer.Option("--pending", help="Only index the changes waiting in the outbox.")]
    = False,
) -> None:
    """Rebuild the search index from the database, resumable (重建搜索索引)."""
    from search_api.index import make_index
    from search_api.indexer import drain
    from search_api.indexer import reindex as rebuild_index
    from storage import audit, db

    settings = load_settings()
    checkpoint = settings.home / "reindex.json"
    try:
        engine = db.make_engine(settings.database_url)
        db.migrate(engine)
        sessions = db.session_factory(engine)
        if rebuild:
            _drop_configured(settings)
            checkpoint.unlink(missing_ok=True)
        index = make_index(settings)
        try:
            if pending_only:
                done = drain(sessions, index)
                out.print(f"已索引 indexed {done} 项变更 outbox changes")
                return
            progress = rebuild_index(
                sessions, index, checkpoint, restart=restart,
                on_progress=lambda p: err.print(f"… {p.documents} documents, {p.pages} pages", highlight=False),
            )
            drain(sessions, index)  # changes made while rebuilding
        finally:
            index.close()
        with sessions() as s:
            audit.record(s, audit.os_actor(), "search.reindex", "index", settings.search.kind.value,
                         pages=progress.pages, resumed_after=progress.resumed_after)
            s.commit()
        engine.dispose()
    except DanganError as error:
        raise fail(error) from error
    resumed = f"，从文档 {progress.resumed_after} 之后继续 resumed" if progress.resumed_after else ""
    out.print(f"已重建索引 reindexed: {progress.documents} documents, {progress.pages} pages, "
              f"{progress.seconds:.1f} s{resumed}")


def _drop_configured(settings: object) -> None:
    from dangan.settings import SearchKind, Settings
    from search_api._tantivy import TantivyIndex
    from search_api.index import make_index

    assert isinstance(settings, Settings)
    if settings.search.kind == SearchKind.TANTIVY:
        TantivyIndex.destroy(settings.search.path or settings.home / "index")  # may not even open any more
    else:
        make_index(settings).drop()


def selftest(
    index: Annotated[bool, typer.Option("--index", help="Run the search conformance suite on the configured index.")]
    = False,
) -> None:
    """Prove a deployment works: the index conformance suite on a scratch index (自检)."""
    from search_api.conformance import run_all
    from search_api.index import make_index

    if not index:
        err.print("请指定要自检的部分 choose what to test: --index")
        raise typer.Exit(2)
    settings = load_settings()
    name = f"{settings.search.index_name}-selftest-{uuid.uuid4().hex[:8]}"
    try:
        results = run_all(lambda: make_index(settings, name=name))
    except DanganError as error:
        raise fail(error) from error
    finally:
        try:
            make_index(settings, name=name).drop()
        except DanganError:
            pass
    failed = [(n, e) for n, e in results if e]
    for check, error in results:
        out.print(f"{'✓' if error is None else '✗'} {check}" + (f": {error}" if error else ""))
    out.print(f"{settings.search.kind.value}: {len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(reindex)
    app.command()(selftest)
