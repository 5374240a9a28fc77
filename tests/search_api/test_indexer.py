"""The index follows the database through the outbox, on SQLite and PostgreSQL; reindex rebuilds and resumes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dangan.settings import Settings
from search_api._tantivy import TantivyIndex
from search_api.indexer import ReindexProgress, drain, pending, reindex, sync
from storage import db, outbox, review
from storage.archive_numbers import ArchiveNumbering
from storage.documents import Document, DocumentState
from storage.models import Job, Page
from storage.outbox import SearchOutbox
from storage.register import Customer, Dossier

RECEIVED = datetime(2024, 5, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = db.make_engine(database_url)
    db.migrate(engine)
    yield db.session_factory(engine)
    engine.dispose()


def _archive(s: Session, texts: list[list[str]], *, customer_no: str = "KH001", name: str = "张伟") -> list[int]:
    """One scanned file whose documents (lists of page texts) are filed to one customer; the outbox is written
    in the same transaction, as record_plan does."""
    customer = s.scalars(select(Customer).where(Customer.customer_no == customer_no)).first()
    if customer is None:
        customer = Customer(customer_no=customer_no, name=name, type="person")
        s.add(customer)
        s.flush()
        s.add(Dossier(archive_no=f"DA-2024-{customer.id:06d}", customer_id=customer.id, dossier_type="customer"))
        s.flush()
    dossier = s.scalars(select(Dossier).where(Dossier.customer_id == customer.id)).one()
    n = s.scalar(select(func.count()).select_from(Job)) or 0
    job = Job(sha256=f"{n:064d}", source_name=f"scan-{n}.pdf", source_path="/x", source_size=1, actor="t",
              state="done", received_at=RECEIVED)
    s.add(job)
    s.flush()
    page_no = 0
    doc_ids = []
    for i, pages in enumerate(texts):
        doc = Document(job_id=job.id, doc_type="contract", state=DocumentState.FILED, customer_id=customer.id,
                       dossier_id=dossier.id, archive_no=f"{dossier.archive_no}-HT-{n}{i}", pending_dossiers=[])
        s.add(doc)
        s.flush()
        for text in pages:
            page_no += 1
            s.add(Page(job_id=job.id, page_no=page_no, status="ok", text_source="text_layer", text=text,
                       doc_type="contract", document_id=doc.id))
        doc_ids.append(doc.id)
    outbox.enqueue_documents(s, doc_ids, outbox.OutboxReason.FILING)
    s.commit()
    return doc_ids


def _ids(index: TantivyIndex, query: str) -> set[int]:
    return {h.source_page for h in index.search(query, limit=100).hits}


def test_the_outbox_feeds_the_index_and_is_emptied(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    index = TantivyIndex(tmp_path / "ix")
    with sessions() as s:
        _archive(s, [["汽车销售合同 乙方 张伟", "签订日期：2024年04月28日"], ["补充协议 张伟"]])
        assert pending(s) == 2
    assert drain(sessions, index) == 2
    with sessions() as s:
        assert pending(s) == 0
    result = index.search("张伟 customer:KH001", limit=10)
    assert result.total == 2
    hit = result.hits[0]
    assert hit.customer_name == "张伟" and hit.archive_no and hit.source_file.startswith("scan-")
    # The contract's date is printed on its second page; it dates the whole document.
    assert {h.doc_date for h in index.search("docdate:2024-04-28", limit=10).hits} == {"2024-04-28"}
    assert index.search("docdate:2024-04-28").total == 2
    assert drain(sessions, index) == 0  # nothing left: a no-op


def test_review_decisions_reach_the_index(sessions: sessionmaker[Session], tmp_path: Path, settings: Settings) -> None:
    index = TantivyIndex(tmp_path / "ix")
    numbering = ArchiveNumbering(settings.archive)
    with sessions() as s:
        (doc_id,) = _archive(s, [["第一页 合同", "第二页 发票 号码 12345678"]])
    drain(sessions, index)
    with sessions() as s:
        pages = s.scalars(select(Page).where(Page.document_id == doc_id).order_by(Page.page_no)).all()
        review.set_page_type(s, pages[1].id, "invoice", actor="t", numbering=numbering)
        s.commit()
        assert pending(s) == 1  # written with the decision, in its transaction
    drain(sessions, index)
    assert _ids(index, "type:invoice") == {2}
    with sessions() as s:
        new_ids = review.split_document(s, doc_id, pages[1].id, actor="t", numbering=numbering)
        s.commit()
    drain(sessions, index)
    hit = index.search("发票").hits[0]
    assert hit.document_id == new_ids[1] and hit.state == "review" and hit.customer_no is None


def test_deleted_pages_leave_the_index(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    index = TantivyIndex(tmp_path / "ix")
    with sessions() as s:
        (doc_id,) = _archive(s, [["销毁前的页面 甲乙"]])
    drain(sessions, index)
    assert index.count() == 1
    with sessions() as s:
        page = s.scalars(select(Page).where(Page.document_id == doc_id)).one()
        outbox.enqueue_pages(s, [page.id])  # what an approved destruction writes with its deletion
        s.delete(page)
        s.commit()
    drain(sessions, index)
    assert index.count() == 0


def test_a_drain_that_fails_leaves_the_outbox_for_the_next(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    index = TantivyIndex(tmp_path / "ix")
    with sessions() as s:
        _archive(s, [["第一份"]])
    with index.batch():  # another process holds the writer
        busy = TantivyIndex(tmp_path / "ix", lock_wait=0.1)
        with pytest.raises(Exception, match="writing the search index"):
            drain(sessions, busy)
    with sessions() as s:
        assert pending(s) == 1
    assert drain(sessions, index) == 1


def test_sync_never_fails_the_caller(sessions: sessionmaker[Session], settings: Settings) -> None:
    settings.search.path = settings.home / "index"
    with sessions() as s:
        _archive(s, [["第一份"]])
    assert sync(settings, sessions) == 1
    (settings.home / "index" / "dangan-index.json").write_text('{"schema": -1}')  # an index it cannot open
    with sessions() as s:
        _archive(s, [["第二份"]])
    assert sync(settings, sessions) is None
    with sessions() as s:
        assert pending(s) == 1


def test_reindex_rebuilds_resumes_and_drops_pages_gone(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    index = TantivyIndex(tmp_path / "ix")
    with sessions() as s:
        for i in range(6):
            _archive(s, [[f"客户合同 第{i}份 第一页", "第二页"]], customer_no=f"KH00{i}", name=f"客户{i}")
        s.query(SearchOutbox).delete()
        s.commit()
    with index.batch() as batch:  # a page the database no longer has
        from search_api.index import PageDoc

        batch.upsert(PageDoc(999_999, "早已删除的页面", "other", RECEIVED), generation=1)
    checkpoint = tmp_path / "reindex.json"

    def interrupt(progress: ReindexProgress) -> None:
        if progress.documents >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reindex(sessions, index, checkpoint, commit_every=2, on_progress=interrupt)
    assert checkpoint.exists() and 0 < index.count() < 13
    progress = reindex(sessions, index, checkpoint, commit_every=2)
    assert progress.resumed_after > 0 and progress.documents < 6
    assert not checkpoint.exists()
    assert index.count() == 12  # every page, and the stale one gone
    assert index.search("早已删除").total == 0
    assert index.search("客户合同").total == 6


def test_a_customer_renamed_in_the_register_is_found_by_the_new_name(
    sessions: sessionmaker[Session], tmp_path: Path, settings: Settings
) -> None:
    from storage.register import RegisterRow, apply_register

    index = TantivyIndex(tmp_path / "ix")
    with sessions() as s:
        _archive(s, [["汽车销售合同 乙方签字"]], customer_no="KH009", name="李娜")
    drain(sessions, index)
    assert index.search("customer:KH009").hits[0].customer_name == "李娜"
    with sessions() as s:
        row = RegisterRow(row=2, customer_no="KH009", name="李娜娜")
        apply_register(s, [row], columns=frozenset({"customer_no", "name"}),
                       numbering=ArchiveNumbering(settings.archive))
        s.commit()
        assert pending(s) == 1  # written with the register change, in its transaction
    drain(sessions, index)
    assert index.search("customer:KH009").hits[0].customer_name == "李娜娜"
