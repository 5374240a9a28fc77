"""The one conformance suite, on every backend: Tantivy always; OpenSearch / Elasticsearch when a server is given.

Neither OpenSearch nor Elasticsearch can run on these machines (no package, no container engine): set
OPENSEARCH_URL or ELASTICSEARCH_URL to run the suite against a live server; without one, only Tantivy's cases
are collected. The mapping and queries sent to those servers are unit-tested as JSON in test_opensearch_json.py.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from search_api.conformance import CHECKS, Check, load
from search_api.index import SearchIndex

_URLS = {"opensearch": "OPENSEARCH_URL", "elasticsearch": "ELASTICSEARCH_URL"}
BACKENDS = [
    "tantivy",
    *(pytest.param(kind, marks=pytest.mark.opensearch) for kind, var in _URLS.items() if os.environ.get(var)),
]


@pytest.fixture(params=BACKENDS)
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchIndex]:
    kind = request.param
    if kind == "tantivy":
        from search_api._tantivy import TantivyIndex

        idx: SearchIndex = TantivyIndex(tmp_path / "index")
        yield idx
        idx.close()
        return
    from search_api._opensearch import RemoteIndex

    remote = RemoteIndex.connect(kind, os.environ[_URLS[kind]], f"dangan-test-{uuid.uuid4().hex[:10]}")
    yield remote
    remote.drop()


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.name)
def test_conformance(index: SearchIndex, check: Check) -> None:
    load(index)
    check.run(index)
