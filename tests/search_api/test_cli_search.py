"""`dangan search`, `reindex` and `selftest --index` on the command line, and search right after ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import corpus
from dangan.cli import app
from dangan.pipeline import Pipeline
from dangan.settings import Settings
from ingest.inbox import iter_files
from search_api._tantivy import TantivyIndex
from storage import db
from tests.ingest.test_filing import import_customers, with_dealer
from tests.search_api.test_indexer import _archive

HIT_FIELDS = {"page_id", "source_file", "source_page", "customer_no", "customer_name", "doc_type", "archive_no",
              "document_id", "score", "snippet"}


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    with db.session_factory(engine)() as s:
        _archive(s, [["机动车销售统一发票 购买方 张伟 身份证号码 110101199003071234", "第二页 张伟"]])
        _archive(s, [["汽车销售合同 乙方 王芳"]], customer_no="KH002", name="王芳")
    engine.dispose()
    return {"DANGAN_HOME": str(settings.home), "DANGAN_DATABASE_URL": settings.database_url}


def test_search_json_has_the_shape_the_web_ui_needs(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["search", "张伟", "--json", "--limit", "1"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == 2 and len(data["hits"]) == 1
    assert HIT_FIELDS <= set(data["hits"][0])
    assert "<b>张伟</b>" in data["hits"][0]["snippet"]
    assert data["facets"]["customer_no"] == {"KH001": 2}
    assert "110101199003071234" not in result.stdout  # hidden without --reveal
    shown = CliRunner().invoke(app, ["search", "071234", "--json", "--reveal"], env=env)
    assert json.loads(shown.stdout)["total"] == 1


def test_search_filters_and_plain_output(env: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["search", "销售", "--customer", "kh002", "--from", "2024-05", "--to", "2024-05"],
                           env=env)
    assert result.exit_code == 0, result.output
    assert "王芳" in result.stdout and "张伟" not in result.stdout and "共 1 页" in result.stdout
    result = runner.invoke(app, ["search", "销售", "--from", "2025-01-01", "--json"], env=env)
    assert json.loads(result.stdout)["total"] == 0


@pytest.mark.parametrize("query", ['"张伟', "张伟 OR", "type:car"])
def test_a_malformed_query_gets_a_message_not_a_traceback(env: dict[str, str], query: str) -> None:
    result = CliRunner().invoke(app, ["search", query], env=env)
    assert result.exit_code == 1
    assert "错误 error" in result.output and "Traceback" not in result.output


def test_reindex_and_selftest(env: dict[str, str], settings: Settings) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["reindex", "--rebuild"], env=env)
    assert result.exit_code == 0, result.output
    assert "3 pages" in result.stdout
    assert TantivyIndex(settings.home / "index").count() == 3
    result = runner.invoke(app, ["selftest", "--index"], env=env)
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.stdout
    assert sorted(p.name for p in settings.home.iterdir() if "selftest" in p.name) == []  # scratch index removed


def test_pages_are_searchable_right_after_ingest(settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    manifest = corpus.generate(out, seed=5, customers=2, formats=["text_pdf"])
    with_dealer(settings, out)
    import_customers(settings, out / "customers.csv")
    with Pipeline(settings, actor="os:clerk", keep_files=True) as pipeline:
        for path in iter_files([out / e.name for e in manifest.files]):
            pipeline.submit(path)
        pipeline.drain()
    truth = [t for t in corpus.read_truth(out / "truth.jsonl") if t.customer_no and t.doc_type == "contract"]
    index = TantivyIndex(settings.home / "index")
    assert index.count() > 0
    # Every contract page filed to its customer is found by its customer's number.
    found = index.search(f"customer:{truth[0].customer_no} type:contract", limit=100)
    assert found.total >= 1 and {h.customer_no for h in found.hits} == {truth[0].customer_no}
