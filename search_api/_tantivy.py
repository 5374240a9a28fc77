"""The embedded index: Tantivy in DANGAN_HOME, one writer at a time across processes, readers reloaded on commit.

Tokens come from search_api.text (Han characters, digits and identifier characters one by one, words whole).
`uni` holds them for 1-token queries; `bi` holds their bigrams with positions, and a longer query is a phrase
of bigrams: exact substring semantics at term-lookup speed (measured in shared/notes/search-and-s3-measured.md).
Sensitive values go to `s_uni`/`s_bi` only, so a search that may not see them cannot match or count them.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import tantivy
from tantivy import Document, FieldType, Occur, Query

from dangan.errors import BackendUnavailableError, ConfigError
from search_api.index import FRESH, Hit, IndexBatch, PageDoc, SearchResult, as_node
from search_api.query import All, And, CustomerIs, DateIn, Node, Not, Or, Text, TypeIs, text_phrases
from search_api.text import MASK_TOKEN, Span, analyze, bigrams, document_date, make_snippet

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
HEAD_TOKENS = 32  # the title zone: a match there ranks higher
HEAD_BOOST = 2.0
FACET_SIZES = {"doc_type": 20, "customer_no": 50}
_VERSION_FILE = "dangan-index.json"


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field("page_id", stored=True, indexed=True, fast=True)
    sb.add_unsigned_field("gen", indexed=True, fast=True)
    for name in ("document_id", "job_id", "source_page"):
        sb.add_unsigned_field(name, stored=True)
    for name in ("doc_type", "state", "customer_no"):
        sb.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    for name in ("source_file", "customer_name", "archive_no", "dossier_no"):
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("customer_key", tokenizer_name="raw", index_option="basic")
    for name in ("date", "ingested", "doc_date"):
        sb.add_date_field(name, stored=True, indexed=True, fast=True)
    sb.add_bytes_field("text", stored=True)
    sb.add_bytes_field("spans", stored=True)
    for prefix in ("", "s_"):
        sb.add_text_field(f"{prefix}uni", tokenizer_name="ws", index_option="freq")
        sb.add_text_field(f"{prefix}bi", tokenizer_name="ws", index_option="position")
    sb.add_text_field("head", tokenizer_name="ws", index_option="position")
    return sb.build()


def _register(index: tantivy.Index) -> None:
    # Text arrives already normalised, folded and split by search_api.text: whitespace is all that is left.
    index.register_tokenizer("ws", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _grams(words: list[str]) -> str:
    return " ".join(bigrams(words))


class _Batch:
    def __init__(self, writer: tantivy.IndexWriter, schema: tantivy.Schema) -> None:
        self.writer = writer
        self.schema = schema

    def upsert(self, page: PageDoc, *, generation: int = FRESH) -> None:
        a = analyze(page.text)
        doc_date = page.doc_date or document_date(page.text)
        ingested = page.ingested if page.ingested.tzinfo else page.ingested.replace(tzinfo=UTC)
        fields: dict[str, Any] = {
            "page_id": page.page_id,
            "gen": generation,
            "source_page": page.source_page,
            "doc_type": page.doc_type,
            "state": page.state,
            "source_file": page.source_file,
            "ingested": ingested,
            "date": _midnight(doc_date) if doc_date else ingested,
            "text": a.text.encode(),
            "spans": json.dumps([[s.start, s.end, s.kind] for s in a.spans]).encode(),
            "uni": " ".join(w for w in a.words if w != MASK_TOKEN),
            "bi": _grams(a.words),
            "head": _grams(a.words[:HEAD_TOKENS]),
            "s_uni": " ".join(w for w in a.secret_words if w != MASK_TOKEN),
            "s_bi": _grams(a.secret_words),
        }
        optional = {
            "document_id": page.document_id, "job_id": page.job_id, "customer_no": page.customer_no,
            "customer_key": page.customer_no.upper() if page.customer_no else None,
            "customer_name": page.customer_name, "archive_no": page.archive_no, "dossier_no": page.dossier_no,
            "doc_date": _midnight(doc_date) if doc_date else None,
        }
        fields.update({k: v for k, v in optional.items() if v is not None})
        self.delete(page.page_id)
        self.writer.add_document(Document.from_dict(fields, self.schema))

    def delete(self, page_id: int) -> None:
        # A term built from the schema: delete_documents_by_term would make an i64 term that never matches u64.
        self.writer.delete_documents_by_query(Query.term_query(self.schema, "page_id", page_id))

    def delete_older(self, generation: int) -> None:
        self.writer.delete_documents_by_query(
            Query.range_query(self.schema, "gen", FieldType.Unsigned, 0, generation, include_upper=False)
        )

    def delete_all(self) -> None:
        self.writer.delete_all_documents()

    def commit(self) -> None:
        self.writer.commit()


class TantivyIndex:
    """The embedded SearchIndex. Any number of processes may search; one at a time writes (Tantivy's lock)."""

    def __init__(self, path: Path, *, writer_heap_mb: int = 128, lock_wait: float = 30.0) -> None:
        self.path = Path(path)
        self.writer_heap = writer_heap_mb * 1024 * 1024
        self.lock_wait = lock_wait
        self.schema = _schema()
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        version_file = self.path / _VERSION_FILE
        if version_file.exists():
            found = json.loads(version_file.read_text()).get("schema")
            if found != SCHEMA_VERSION:
                raise ConfigError("索引格式已过期，请运行 dangan reindex --rebuild",
                                  f"the index has schema {found}, this dangan needs {SCHEMA_VERSION}: "
                                  "run dangan reindex --rebuild")
        try:
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        except (OSError, ValueError) as exc:
            raise BackendUnavailableError("无法打开搜索索引", "cannot open the search index", str(exc)) from exc
        if not version_file.exists():
            version_file.write_text(json.dumps({"schema": SCHEMA_VERSION}))
        _register(self.index)
        self._meta_seen = -1

    @staticmethod
    def destroy(path: Path) -> None:
        """Remove an index folder (a rebuild after a schema change)."""
        if path.exists():
            shutil.rmtree(path)

    def drop(self) -> None:
        self.close()
        self.destroy(self.path)

    # -- writing -----------------------------------------------------------------------------------------------
    def _writer(self) -> tantivy.IndexWriter:
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                return self.index.writer(heap_size=self.writer_heap, num_threads=1)
            except ValueError as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise BackendUnavailableError(
                        "搜索索引正被另一个进程写入，请稍后再试", "another process is writing the search index",
                        str(exc),
                    ) from exc
                time.sleep(0.05)

    @contextmanager
    def batch(self) -> Iterator[IndexBatch]:
        writer = self._writer()
        try:
            b = _Batch(writer, self.schema)
            yield b
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # releases the lock for the next writer, in this process or another

    # -- reading -----------------------------------------------------------------------------------------------
    def _searcher(self) -> tantivy.Searcher:
        try:
            seen = os.stat(self.path / "meta.json").st_mtime_ns
        except FileNotFoundError:
            seen = 0
        if seen != self._meta_seen:  # a commit, perhaps by another process: look at it now, not after a delay
            self.index.reload()
            self._meta_seen = seen
        return self.index.searcher()

    def count(self) -> int:
        return self._searcher().num_docs

    def close(self) -> None:
        self.index = None  # type: ignore[assignment]

    def _phrase(self, field: str, words: tuple[str, ...] | list[str]) -> Query:
        grams = bigrams(list(words))
        if len(grams) == 1:
            return Query.term_query(self.schema, field, grams[0])
        return Query.phrase_query(self.schema, field, grams)

    def _words(self, uni: str, bi: str, words: tuple[str, ...]) -> Query:
        if len(words) == 1:
            word = words[0]
            term = Query.term_query(self.schema, uni, word)
            if len(word) > 1 and not any(c.isdigit() for c in word):
                # Letters alone may also be the letters of an identifier, indexed one by one (LSVAU2180...).
                return Query.boolean_query([(Occur.Should, term), (Occur.Should, self._phrase(bi, list(word)))])
            return term
        return self._phrase(bi, words)

    def _compile(self, node: Node, reveal: bool) -> Query:
        if isinstance(node, Text):
            body = self._words("uni", "bi", node.words)
            clauses = [(Occur.Should, body)]
            if len(node.words) > 1:
                clauses.append((Occur.Should, Query.boost_query(self._phrase("head", node.words), HEAD_BOOST)))
            if reveal:
                clauses.append((Occur.Should, self._words("s_uni", "s_bi", node.words)))
            return clauses[0][1] if len(clauses) == 1 else Query.boolean_query(clauses)
        if isinstance(node, TypeIs):
            return Query.term_query(self.schema, "doc_type", node.doc_type)
        if isinstance(node, CustomerIs):
            return Query.term_query(self.schema, "customer_key", node.customer_no)
        if isinstance(node, DateIn):
            lo = _midnight(node.start) if node.start else None
            hi = _midnight(node.end + timedelta(days=1)) if node.end else None
            return Query.range_query(self.schema, node.field, FieldType.Date, lo, hi,
                                     include_lower=True, include_upper=hi is None)
        if isinstance(node, And):
            clauses = [
                (Occur.MustNot, self._compile(i.item, reveal)) if isinstance(i, Not)
                else (Occur.Must, self._compile(i, reveal))
                for i in node.items
            ]
            if all(occur == Occur.MustNot for occur, _ in clauses):
                clauses.append((Occur.Must, Query.all_query()))
            return Query.boolean_query(clauses)
        if isinstance(node, Or):
            return Query.boolean_query([(Occur.Should, self._compile(i, reveal)) for i in node.items])
        if isinstance(node, Not):
            return Query.boolean_query([(Occur.Must, Query.all_query()),
                                        (Occur.MustNot, self._compile(node.item, reveal))])
        if isinstance(node, All):
            return Query.all_query()
        raise TypeError(node)

    def search(
        self, query: str | Node, *, limit: int = 10, offset: int = 0, reveal_sensitive: bool = False,
        facets: bool = True,
    ) -> SearchResult:
        node = as_node(query)
        q = self._compile(node, reveal_sensitive)
        searcher = self._searcher()
        result = searcher.search(q, limit=max(limit, 1), count=True, offset=offset)
        phrases = text_phrases(node)
        hits = [self._hit(searcher.doc(addr), score, phrases, reveal_sensitive)
                for score, addr in result.hits[:limit]]
        out_facets: dict[str, dict[str, int]] = {}
        if facets:
            out_facets = {name: {} for name in FACET_SIZES}
            if result.count:
                aggs = searcher.aggregate(q, {name: {"terms": {"field": name, "size": size}}
                                              for name, size in FACET_SIZES.items()})
                for name in FACET_SIZES:
                    out_facets[name] = {b["key"]: int(b["doc_count"]) for b in aggs[name]["buckets"]}
        return SearchResult(result.count or 0, hits, out_facets)

    @staticmethod
    def _hit(doc: Document, score: float, phrases: list[tuple[str, ...]], reveal: bool) -> Hit:
        def first(name: str) -> Any:
            return doc.get_first(name)

        text = bytes(first("text")).decode()
        spans = [Span(s, e, k) for s, e, k in json.loads(bytes(first("spans")))]
        snip = make_snippet(text, phrases, spans, reveal=reveal)
        doc_date = first("doc_date")
        return Hit(
            page_id=first("page_id"), document_id=first("document_id"), job_id=first("job_id"),
            source_file=first("source_file") or "", source_page=first("source_page") or 0,
            customer_no=first("customer_no"), customer_name=first("customer_name"), doc_type=first("doc_type"),
            state=first("state"), archive_no=first("archive_no"), dossier_no=first("dossier_no"),
            ingested=first("ingested").isoformat(), doc_date=doc_date.date().isoformat() if doc_date else None,
            score=float(score), snippet=snip.html(), snippet_text=snip.text, highlights=snip.highlights,
            sensitive=snip.sensitive,
        )
