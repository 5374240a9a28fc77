"""The OpenSearch / Elasticsearch mapping, documents and queries as JSON (no server can run on this machine)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from dangan.errors import BackendUnavailableError
from search_api._opensearch import (
    RemoteIndex,
    bulk_lines,
    compile_query,
    index_body,
    index_template,
    parse_response,
    search_body,
    source,
)
from search_api.conformance import SAMPLE
from search_api.index import PageDoc
from search_api.query import parse_query

STANDARD_TOKENIZERS = {"standard", "keyword", "pattern"}
STANDARD_FILTERS = {"cjk_width", "lowercase", "cjk_bigram", "edge_ngram", "reverse"}


def test_analysis_uses_only_the_standard_distribution() -> None:
    analysis = index_body()["settings"]["analysis"]
    custom_tokenizers = {name: t["type"] for name, t in analysis["tokenizer"].items()}
    custom_filters = {name: f["type"] for name, f in analysis["filter"].items()}
    assert set(custom_tokenizers.values()) <= STANDARD_TOKENIZERS
    assert set(custom_filters.values()) <= STANDARD_FILTERS
    for analyzer in analysis["analyzer"].values():
        tokenizer = analyzer["tokenizer"]
        assert tokenizer in STANDARD_TOKENIZERS or custom_tokenizers.get(tokenizer) in STANDARD_TOKENIZERS
        for f in analyzer["filter"]:
            assert f in STANDARD_FILTERS or custom_filters.get(f) in STANDARD_FILTERS
    assert analysis["filter"]["dangan_bigram"] == {"type": "cjk_bigram", "output_unigrams": True}
    props = index_body()["mappings"]["properties"]
    assert props["body"]["fields"]["tail"]["analyzer"] == "dangan_tail"
    assert {props[f]["type"] for f in ("doc_type", "customer_no", "customer_key")} == {"keyword"}
    assert index_template("dangan-pages*")["template"] == index_body()


def test_a_page_document_masks_sensitive_values_outside_secret() -> None:
    doc = source(SAMPLE[0], generation=7)
    assert "110101199003071234" not in doc["body"] + doc["head"]
    assert doc["secret"] == "110101199003071234"
    assert doc["spans"] == {"list": [[len(doc["text"].split("110101")[0]), doc["text"].index("110101") + 18,
                                      "id_number"]]}
    assert doc["doc_date"] == "2024-05-03" and doc["date"] == "2024-05-03" and doc["gen"] == 7
    assert doc["customer_key"] == "KH001"
    assert doc["head"].startswith("机动车销售统一发票") and len(doc["head"]) < len(doc["body"])
    json.dumps(doc)  # serialisable as it is


def test_queries_as_dsl() -> None:
    q = compile_query(parse_query("张伟 -维修 type:invoice customer:kh001 date:2024-05"))
    must, must_not = q["bool"]["must"], q["bool"]["must_not"]
    assert must[0]["bool"]["should"][0] == {"match_phrase": {"body": {"query": "张伟"}}}
    assert must[0]["bool"]["should"][1]["match_phrase"]["head"]["boost"] == 2.0
    assert must[1:] == [
        {"term": {"doc_type": "invoice"}}, {"term": {"customer_key": "KH001"}},
        {"range": {"date": {"format": "strict_date_optional_time", "gte": "2024-05-01", "lt": "2024-06-01"}}},
    ]
    assert must_not[0]["bool"]["should"][0] == {"match_phrase": {"body": {"query": "维修"}}}
    tail = compile_query(parse_query("１８３６４２"))
    assert {"term": {"body.tail": "183642"}} in tail["bool"]["should"]
    assert "secret" not in json.dumps(tail)
    revealed = compile_query(parse_query("071234"), reveal=True)
    assert {"term": {"secret.tail": "071234"}} in revealed["bool"]["should"]
    assert compile_query(parse_query("-发票"))["bool"]["must"] == [{"match_all": {}}]
    body = search_body(parse_query("发票"), limit=5, offset=0, reveal=False, facets=True)
    assert body["track_total_hits"] is True and set(body["aggs"]) == {"doc_type", "customer_no"}


def test_bulk_is_ndjson() -> None:
    page = PageDoc(5, "第一页", "other", datetime(2024, 1, 2, tzinfo=UTC), doc_date=date(2024, 1, 1))
    lines = bulk_lines([("index", 5, source(page)), ("delete", 6, None)], "ix").splitlines()
    assert [json.loads(line) for line in lines][0] == {"index": {"_index": "ix", "_id": "5"}}
    assert json.loads(lines[2]) == {"delete": {"_index": "ix", "_id": "6"}}


def test_a_response_becomes_masked_hits_and_facets() -> None:
    src = source(SAMPLE[0])
    response = {
        "hits": {"total": {"value": 1, "relation": "eq"}, "hits": [{"_score": 3.5, "_source": src}]},
        "aggregations": {"doc_type": {"buckets": [{"key": "invoice", "doc_count": 1}]},
                         "customer_no": {"buckets": [{"key": "KH001", "doc_count": 1}]}},
    }
    result = parse_response(response, parse_query("张伟"), reveal=False, facets=True)
    hit = result.hits[0]
    assert result.total == 1 and result.facets == {"doc_type": {"invoice": 1}, "customer_no": {"KH001": 1}}
    assert hit.score == 3.5 and "<b>张伟</b>" in hit.snippet and "110101199003071234" not in hit.snippet_text
    assert hit.sensitive and hit.doc_date == "2024-05-03"


@pytest.mark.parametrize("kind", ["opensearch", "elasticsearch"])
def test_an_unreachable_server_is_a_backend_error(kind: str) -> None:
    with pytest.raises(BackendUnavailableError):
        RemoteIndex.connect(kind, "http://127.0.0.1:9", "dangan-x")
