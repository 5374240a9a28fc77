"""What only the embedded index promises: one writer across processes, readers see commits at once, schema guard."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dangan.errors import BackendUnavailableError, ConfigError
from search_api._tantivy import TantivyIndex
from search_api.conformance import load
from search_api.index import PageDoc

NOW = datetime(2024, 5, 10, tzinfo=UTC)


def _write_from_other_process(path: str) -> None:
    index = TantivyIndex(Path(path))
    with index.batch() as batch:
        batch.upsert(PageDoc(100, "另一个进程写入的页面 独有词甲乙丙", "other", NOW))


def test_a_commit_in_another_process_is_seen_by_the_next_search(tmp_path: Path) -> None:
    index = TantivyIndex(tmp_path / "ix")
    load(index)
    assert index.search("甲乙丙").total == 0
    proc = multiprocessing.get_context("spawn").Process(target=_write_from_other_process, args=(str(tmp_path / "ix"),))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    assert [h.page_id for h in index.search("甲乙丙").hits] == [100]


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    first = TantivyIndex(tmp_path / "ix")
    second = TantivyIndex(tmp_path / "ix", lock_wait=0.2)
    with first.batch() as batch:
        batch.upsert(PageDoc(1, "第一页", "other", NOW))
        with pytest.raises(BackendUnavailableError), second.batch():
            pass
    with second.batch() as batch:  # released after the first batch
        batch.upsert(PageDoc(2, "第二页", "other", NOW))
    assert first.count() == 2


def test_a_batch_that_fails_commits_nothing(tmp_path: Path) -> None:
    index = TantivyIndex(tmp_path / "ix")
    with pytest.raises(RuntimeError), index.batch() as batch:
        batch.upsert(PageDoc(1, "不会提交", "other", NOW))
        raise RuntimeError("crash mid-batch")
    assert index.count() == 0


def test_an_index_of_another_schema_is_refused(tmp_path: Path) -> None:
    TantivyIndex(tmp_path / "ix")
    (tmp_path / "ix" / "dangan-index.json").write_text(json.dumps({"schema": 0}))
    with pytest.raises(ConfigError):
        TantivyIndex(tmp_path / "ix")


def test_phone_middle_digits_match_exactly(tmp_path: Path) -> None:
    """Beyond the suite: any substring of digits, not only a tail, as the measured note promises."""
    index = TantivyIndex(tmp_path / "ix")
    load(index)
    assert {h.page_id for h in index.search("81234567").hits} == {2}
    assert index.search("81234568").total == 0
