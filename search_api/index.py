"""The SearchIndex Protocol, the records that cross it, and the factory that picks a backend from settings."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from dangan.errors import ConfigError
from search_api.query import Node, parse_query

if TYPE_CHECKING:
    from dangan.settings import SearchSettings, Settings


@dataclass(frozen=True, slots=True)
class PageDoc:
    """One page as the index takes it: its text and what a hit shows and filters on."""

    page_id: int
    text: str
    doc_type: str
    ingested: datetime
    document_id: int | None = None
    job_id: int | None = None
    source_file: str = ""
    source_page: int = 0
    state: str = "filed"  # filed | review
    customer_no: str | None = None
    customer_name: str | None = None
    archive_no: str | None = None
    dossier_no: str | None = None
    doc_date: date | None = None  # the date printed on the paper (开票日期, 签订日期), when one was read


@dataclass(frozen=True, slots=True)
class Hit:
    """One page found. `snippet` is escaped HTML with matches in <b>; offsets are characters of `snippet_text`."""

    page_id: int
    document_id: int | None
    job_id: int | None
    source_file: str
    source_page: int
    customer_no: str | None
    customer_name: str | None
    doc_type: str
    state: str
    archive_no: str | None
    dossier_no: str | None
    ingested: str
    doc_date: str | None
    score: float
    snippet: str
    snippet_text: str
    highlights: tuple[tuple[int, int], ...]
    sensitive: tuple[tuple[int, int, str], ...]  # where sensitive values are in snippet_text (masked unless revealed)


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # "doc_type" and "customer_no": value → pages

    def to_json(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {"total": self.total, "hits": [asdict(h) for h in self.hits], "facets": self.facets}


#: The generation of pages written by the outbox drain: newer than any rebuild, so a rebuild never drops them.
FRESH = 2**62


class IndexBatch(Protocol):
    """Changes made while holding the index's single writer."""

    def upsert(self, page: PageDoc, *, generation: int = FRESH) -> None:
        """Add the page or replace the one with the same page_id."""

    def delete(self, page_id: int) -> None: ...

    def delete_older(self, generation: int) -> None:
        """Delete pages written with a lower generation (the end of a rebuild: pages gone from the database)."""

    def delete_all(self) -> None: ...

    def commit(self) -> None:
        """Make the changes so far durable and visible to readers (other processes included)."""


class SearchIndex(Protocol):
    """A full-text index of pages.

    Contract (the conformance suite in search_api/conformance.py checks it on every backend):
    - Text MUST match as an exact substring after NFKC and case folding, Chinese of 1 and 2 characters included,
      with separators between tokens ignored; a word of letters matches a whole word.
    - Sensitive values (ID, passport, bank account numbers) MUST NOT match, count or show in a search made
      without `reveal_sensitive`; snippets then carry them masked, with their offsets.
    - `batch()` MUST hold the only writer of the index for its duration and commit on a clean exit; changes
      of a batch that raised are not committed.
    - A search MUST see every batch committed before it started, whichever process committed it.
    """

    def batch(self) -> AbstractContextManager[IndexBatch]: ...

    def search(
        self, query: str | Node, *, limit: int = 10, offset: int = 0, reveal_sensitive: bool = False,
        facets: bool = True,
    ) -> SearchResult: ...

    def count(self) -> int:
        """Pages in the index."""

    def close(self) -> None: ...

    def drop(self) -> None:
        """Delete the index with its data (the scratch index of a self-test)."""


def as_node(query: str | Node) -> Node:
    return parse_query(query) if isinstance(query, str) else query


def make_index(settings: Settings, *, name: str | None = None, lock_wait: float = 30.0) -> SearchIndex:
    """The index the settings choose (DANGAN_SEARCH__KIND).

    Args:
        settings: dangan's settings.
        name: Another index than the configured one (the self-test's scratch index).
        lock_wait: Seconds to wait for the embedded index's writer lock held by another process.
    """
    kinds = _kinds()
    kind = settings.search.kind.value
    if kind not in kinds:
        raise ConfigError(f"未知索引类型 {kind}（可用：{', '.join(kinds)}）",
                          f"unknown index kind {kind!r}; known: {', '.join(kinds)}")
    return kinds[kind](settings.search, settings, name, lock_wait)


def _tantivy(search: SearchSettings, settings: Settings, name: str | None, lock_wait: float) -> SearchIndex:
    from search_api._tantivy import TantivyIndex

    path = search.path or settings.home / "index"
    return TantivyIndex(path if name is None else path.parent / name, writer_heap_mb=search.writer_heap_mb,
                        lock_wait=lock_wait)


def _remote(search: SearchSettings, settings: Settings, name: str | None, lock_wait: float) -> SearchIndex:
    from search_api._opensearch import RemoteIndex

    if not search.url:
        raise ConfigError("请设置 DANGAN_SEARCH__URL", f"DANGAN_SEARCH__URL is required for {search.kind.value}")
    return RemoteIndex.connect(search.kind.value, search.url, name or search.index_name,
                               verify_certs=search.verify_certs)


def _kinds() -> dict[str, Any]:
    return {"tantivy": _tantivy, "opensearch": _remote, "elasticsearch": _remote}

