"""The scale-out index: OpenSearch (opensearch-py) or Elasticsearch 8/9 (elasticsearch), one module for both.

Both speak the same REST and JSON for what dangan needs (index creation, _bulk, _search with aggregations,
_delete_by_query, _refresh), so requests go through each client's low-level transport and the mapping and
query JSON are shared. Analysis uses only the standard distribution: `cjk_width`, `cjk_bigram` with unigrams
(so 1-character queries match) and, because the standard tokenizer keeps a digit run whole, a `tail` subfield
holding every suffix of 4+ characters of each letter-and-digit run (a VIN's or ID's last six). Sensitive values
are masked in `body` and indexed in `secret` only, as in the embedded index; snippets are cut in Python from the
stored text by search_api.text, so both backends show and mask them alike.
Unlike the embedded index, a run of digits is found by its whole or its tail, not by a piece in its middle.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from dangan.errors import BackendUnavailableError, ConfigError
from search_api.index import FRESH, Hit, IndexBatch, PageDoc, SearchResult, as_node
from search_api.query import All, And, CustomerIs, DateIn, Node, Not, Or, Text, TypeIs, text_phrases
from search_api.text import Span, analyze, document_date, fold, make_snippet, tokens

HEAD_TOKENS = 32
HEAD_BOOST = 2.0
FACET_SIZES = {"doc_type": 20, "customer_no": 50}
BULK_ACTIONS = 500
_TAIL = re.compile(r"^[0-9a-z]{4,24}$")


def index_body(*, shards: int = 1, replicas: int = 1) -> dict[str, Any]:
    """Settings and mappings of the pages index."""
    text = {"type": "text", "analyzer": "dangan_cjk"}
    tail = {"type": "text", "analyzer": "dangan_tail", "search_analyzer": "dangan_tail_query"}
    keyword = {"type": "keyword"}
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "analysis": {
                "tokenizer": {"dangan_alnum": {"type": "pattern", "pattern": "[^0-9a-zA-Z]+"}},
                "filter": {
                    "dangan_bigram": {"type": "cjk_bigram", "output_unigrams": True},
                    "dangan_suffixes": {"type": "edge_ngram", "min_gram": 4, "max_gram": 24},
                },
                "analyzer": {
                    "dangan_cjk": {"type": "custom", "tokenizer": "standard",
                                   "filter": ["cjk_width", "lowercase", "dangan_bigram"]},
                    # Every suffix of a letter-and-digit run: reverse, edge n-grams, reverse back.
                    "dangan_tail": {"type": "custom", "tokenizer": "dangan_alnum",
                                    "filter": ["cjk_width", "lowercase", "reverse", "dangan_suffixes", "reverse"]},
                    "dangan_tail_query": {"type": "custom", "tokenizer": "keyword",
                                          "filter": ["cjk_width", "lowercase"]},
                },
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "page_id": {"type": "long"},
                "gen": {"type": "long"},
                "document_id": {"type": "long"},
                "job_id": {"type": "long"},
                "source_page": {"type": "integer"},
                "source_file": keyword,
                "doc_type": keyword,
                "state": keyword,
                "customer_no": keyword,
                "customer_key": keyword,
                "customer_name": keyword,
                "archive_no": keyword,
                "dossier_no": keyword,
                "date": {"type": "date"},
                "ingested": {"type": "date"},
                "doc_date": {"type": "date"},
                # The stored text (sensitive values in place) is only ever shown through a masking snippet.
                "text": {"type": "text", "index": False},
                "spans": {"type": "object", "enabled": False},
                "body": {**text, "fields": {"tail": tail}},
                "head": text,
                "secret": {**text, "fields": {"tail": tail}},
            },
        },
    }


def index_template(pattern: str) -> dict[str, Any]:
    """The same settings and mappings as a composable index template, for deployments that manage templates."""
    return {"index_patterns": [pattern], "template": index_body(), "priority": 100}


def source(page: PageDoc, generation: int = FRESH) -> dict[str, Any]:
    """The JSON document of one page."""
    a = analyze(page.text)
    toks = tokens(fold(a.masked_text))
    head_end = toks[min(HEAD_TOKENS, len(toks)) - 1].end if toks else 0
    doc_date = page.doc_date or document_date(page.text)
    ingested = page.ingested.isoformat()
    return {
        "page_id": page.page_id, "gen": generation, "document_id": page.document_id, "job_id": page.job_id,
        "source_page": page.source_page, "source_file": page.source_file, "doc_type": page.doc_type,
        "state": page.state, "customer_no": page.customer_no,
        "customer_key": page.customer_no.upper() if page.customer_no else None,
        "customer_name": page.customer_name, "archive_no": page.archive_no, "dossier_no": page.dossier_no,
        "ingested": ingested, "doc_date": doc_date.isoformat() if doc_date else None,
        "date": doc_date.isoformat() if doc_date else ingested,
        "text": a.text, "spans": {"list": [[s.start, s.end, s.kind] for s in a.spans]},
        "body": a.masked_text, "head": a.masked_text[:head_end],
        "secret": " | ".join(a.text[s.start:s.end] for s in a.spans),
    }


def _text_query(node: Text, reveal: bool) -> dict[str, Any]:
    raw = node.raw or "".join(node.words)
    fields = ["body"] + (["secret"] if reveal else [])
    should: list[dict[str, Any]] = [{"match_phrase": {f: {"query": raw}}} for f in fields]
    compact = re.sub(r"[^0-9a-z]", "", raw)
    if _TAIL.match(compact) and any(c.isdigit() for c in compact):
        should += [{"term": {f"{f}.tail": compact}} for f in fields]
    if len(node.words) > 1:
        should.append({"match_phrase": {"head": {"query": raw, "boost": HEAD_BOOST}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def compile_query(node: Node, *, reveal: bool = False) -> dict[str, Any]:
    """The query tree as query DSL (shared by OpenSearch and Elasticsearch)."""
    if isinstance(node, Text):
        return _text_query(node, reveal)
    if isinstance(node, TypeIs):
        return {"term": {"doc_type": node.doc_type}}
    if isinstance(node, CustomerIs):
        return {"term": {"customer_key": node.customer_no}}
    if isinstance(node, DateIn):
        bounds: dict[str, str] = {"format": "strict_date_optional_time"}
        if node.start:
            bounds["gte"] = node.start.isoformat()
        if node.end:
            bounds["lt"] = (node.end + timedelta(days=1)).isoformat()
        return {"range": {node.field: bounds}}
    if isinstance(node, And):
        must = [compile_query(i, reveal=reveal) for i in node.items if not isinstance(i, Not)]
        must_not = [compile_query(i.item, reveal=reveal) for i in node.items if isinstance(i, Not)]
        return {"bool": {"must": must or [{"match_all": {}}], **({"must_not": must_not} if must_not else {})}}
    if isinstance(node, Or):
        return {"bool": {"should": [compile_query(i, reveal=reveal) for i in node.items], "minimum_should_match": 1}}
    if isinstance(node, Not):
        return {"bool": {"must": [{"match_all": {}}], "must_not": [compile_query(node.item, reveal=reveal)]}}
    if isinstance(node, All):
        return {"match_all": {}}
    raise TypeError(node)


def search_body(node: Node, *, limit: int, offset: int, reveal: bool, facets: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "query": compile_query(node, reveal=reveal), "size": limit, "from": offset, "track_total_hits": True,
        "_source": {"excludes": ["body", "head", "secret"]},
    }
    if facets:
        body["aggs"] = {name: {"terms": {"field": name, "size": size}} for name, size in FACET_SIZES.items()}
    return body


def bulk_lines(actions: list[tuple[str, int, dict[str, Any] | None]], index: str) -> str:
    """NDJSON for _bulk: (op, page id, source) with op index or delete."""
    out = []
    for op, page_id, doc in actions:
        out.append(json.dumps({op: {"_index": index, "_id": str(page_id)}}))
        if doc is not None:
            out.append(json.dumps(doc, ensure_ascii=False))
    return "\n".join(out) + "\n"


class _Transport:
    """The one call each client differs in: a raw request returning parsed JSON."""

    def __init__(self, kind: str, url: str, verify_certs: bool) -> None:
        self.kind = kind
        try:
            if kind == "opensearch":
                from opensearchpy import OpenSearch

                self.client: Any = OpenSearch(hosts=[url], verify_certs=verify_certs, timeout=30)
            else:
                from elasticsearch import Elasticsearch

                self.client = Elasticsearch(url, verify_certs=verify_certs, request_timeout=30)
        except ImportError as exc:
            raise ConfigError(f"缺少 {kind} 客户端，请安装 dangan[{kind}]",
                              f"the {kind} client is not installed: pip install 'dangan[{kind}]'") from exc

    def request(self, method: str, path: str, body: Any = None, *, ndjson: bool = False,
                missing_ok: bool = False) -> Any:
        content_type = "application/x-ndjson" if ndjson else "application/json"
        try:
            if self.kind == "opensearch":
                return self.client.transport.perform_request(method, path, body=body,
                                                             headers={"content-type": content_type})
            headers = {"accept": "application/json", "content-type": content_type}
            return self.client.perform_request(method, path, headers=headers, body=body).body
        except Exception as exc:  # both clients' NotFoundError, ConnectionError, TransportError...
            if missing_ok and getattr(exc, "status_code", None) == 404:
                return None
            raise BackendUnavailableError(f"{self.kind} 请求失败", f"{self.kind} request failed",
                                          f"{method} {path}: {type(exc).__name__}") from exc


class _Batch:
    def __init__(self, owner: RemoteIndex) -> None:
        self.owner = owner
        self.actions: list[tuple[str, int, dict[str, Any] | None]] = []

    def upsert(self, page: PageDoc, *, generation: int = FRESH) -> None:
        self.actions.append(("index", page.page_id, source(page, generation)))
        if len(self.actions) >= BULK_ACTIONS:
            self.flush()

    def delete(self, page_id: int) -> None:
        self.actions.append(("delete", page_id, None))

    def delete_older(self, generation: int) -> None:
        self.flush()
        self.owner.delete_by_query({"range": {"gen": {"lt": generation}}})

    def delete_all(self) -> None:
        self.actions.clear()
        self.owner.delete_by_query({"match_all": {}})

    def flush(self) -> None:
        if self.actions:
            result = self.owner.t.request("POST", "/_bulk", bulk_lines(self.actions, self.owner.name), ndjson=True)
            failed = [item for item in result.get("items", [])
                      for op, r in item.items() if r.get("status", 200) >= 300 and not (op == "delete"
                                                                                       and r.get("status") == 404)]
            self.actions.clear()
            if failed:
                raise BackendUnavailableError("部分页面未能写入索引", "the index refused some pages",
                                              json.dumps(failed[0])[:500])

    def commit(self) -> None:
        self.flush()
        self.owner.t.request("POST", f"/{self.owner.name}/_refresh")


class RemoteIndex:
    """SearchIndex on an OpenSearch or Elasticsearch server; many writers are fine, commits are refreshes."""

    def __init__(self, transport: _Transport, name: str) -> None:
        self.t = transport
        self.name = name

    @classmethod
    def connect(cls, kind: str, url: str, name: str, *, verify_certs: bool = True) -> RemoteIndex:
        """Connect, creating the index with dangan's mapping if it does not exist."""
        index = cls(_Transport(kind, url, verify_certs), name)
        if not index.t.request("HEAD", f"/{name}", missing_ok=True):  # opensearch-py: False; elasticsearch: 404
            index.t.request("PUT", f"/{name}", index_body())
        return index

    @contextmanager
    def batch(self) -> Iterator[IndexBatch]:
        b = _Batch(self)
        yield b
        b.commit()

    def delete_by_query(self, query: dict[str, Any]) -> None:
        self.t.request("POST", f"/{self.name}/_delete_by_query?conflicts=proceed&refresh=true", {"query": query})

    def search(
        self, query: str | Node, *, limit: int = 10, offset: int = 0, reveal_sensitive: bool = False,
        facets: bool = True,
    ) -> SearchResult:
        node = as_node(query)
        body = search_body(node, limit=limit, offset=offset, reveal=reveal_sensitive, facets=facets)
        return parse_response(self.t.request("POST", f"/{self.name}/_search", body), node, reveal_sensitive, facets)

    def count(self) -> int:
        return int(self.t.request("GET", f"/{self.name}/_count")["count"])

    def close(self) -> None:
        pass

    def drop(self) -> None:
        self.t.request("DELETE", f"/{self.name}", missing_ok=True)


def parse_response(response: dict[str, Any], node: Node, reveal: bool, facets: bool) -> SearchResult:
    """A _search response as dangan's SearchResult (snippets cut and masked in Python)."""
    phrases = text_phrases(node)
    hits = []
    for raw in response["hits"]["hits"]:
        src = raw["_source"]
        spans = [Span(s, e, k) for s, e, k in src.get("spans", {}).get("list", [])]
        snip = make_snippet(src.get("text", ""), phrases, spans, reveal=reveal)
        hits.append(Hit(
            page_id=src["page_id"], document_id=src.get("document_id"), job_id=src.get("job_id"),
            source_file=src.get("source_file") or "", source_page=src.get("source_page") or 0,
            customer_no=src.get("customer_no"), customer_name=src.get("customer_name"), doc_type=src["doc_type"],
            state=src.get("state", "filed"), archive_no=src.get("archive_no"), dossier_no=src.get("dossier_no"),
            ingested=src["ingested"], doc_date=src.get("doc_date"), score=float(raw.get("_score") or 0.0),
            snippet=snip.html(), snippet_text=snip.text, highlights=snip.highlights, sensitive=snip.sensitive,
        ))
    total = response["hits"]["total"]
    out_facets: dict[str, dict[str, int]] = {}
    if facets:
        aggs = response.get("aggregations", {})
        out_facets = {name: {b["key"]: int(b["doc_count"]) for b in aggs.get(name, {}).get("buckets", [])}
                      for name in FACET_SIZES}
    return SearchResult(int(total["value"] if isinstance(total, dict) else total), hits, out_facets)
