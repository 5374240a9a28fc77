"""An archive with two departments' customers, ID numbers on their pages, one user per role, and the app."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pikepdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from dangan.settings import Settings
from search_api._tantivy import TantivyIndex
from search_api.indexer import drain
from search_api.web import create_app
from storage import accounts, db, outbox
from storage.documents import Document, DocumentState
from storage.models import Job, Page
from storage.objects import make_object_store, original_key
from storage.register import Customer, Dossier

ID_1 = "110105199003072345"  # 张伟, 销售一部
ID_2 = "310101198512304418"  # 王芳, 销售二部
PASSWORD = "a long password 1"
ROLES = ("admin", "archivist", "clerk", "enquiry", "manager")


@dataclass
class Archive:
    page_1: int  # 张伟's ID copy, 销售一部
    page_2: int  # 王芳's contract, 销售二部
    review_doc: int  # waiting in review, suggested 张伟
    review_page: int
    dossier_1: str
    dossier_2: str


def _job(s, n: int, name: str) -> Job:
    job = Job(sha256=f"{n:064d}", source_name=name, source_path="/x", source_size=1, actor="system", state="done",
              received_at=datetime(2024, 5, 10, 8, 0, tzinfo=UTC))
    s.add(job)
    s.flush()
    return job


def build_archive(settings: Settings) -> Archive:
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    sessions = db.session_factory(engine)
    store = make_object_store(settings.objects)
    with sessions() as s:
        made = {}
        for no, name, id_no, dept, sales, archive_no in (
            ("KH001", "张伟", ID_1, "销售一部", "李四", "DA-2024-000001"),
            ("KH002", "王芳", ID_2, "销售二部", "赵六", "DA-2024-000002"),
        ):
            c = Customer(customer_no=no, name=name, type="person", id_number=id_no, phone="13812345678",
                         department=dept, salesperson=sales)
            s.add(c)
            s.flush()
            d = Dossier(archive_no=archive_no, customer_id=c.id, dossier_type="customer", department=dept,
                        salesperson=sales)
            s.add(d)
            s.flush()
            made[no] = (c, d)
        pages = {}
        for n, (no, doc_type, text, fname) in enumerate((
            ("KH001", "id_copy", f"居民身份证 姓名 张伟 公民身份号码 {ID_1} <script>alert(1)</script>",
             f"张伟_{ID_1}.pdf"),
            ("KH002", "contract", f"汽车销售合同 乙方 王芳 身份证号 {ID_2} 签订日期：2024年04月28日", "scan-2.pdf"),
        ), start=1):
            c, d = made[no]
            job = _job(s, n, fname)
            doc = Document(job_id=job.id, doc_type=doc_type, state=DocumentState.FILED, customer_id=c.id,
                           dossier_id=d.id, archive_no=f"{d.archive_no}-{'SF' if n == 1 else 'HT'}-91",
                           pending_dossiers=[])
            s.add(doc)
            s.flush()
            key = f"test/page-{n}.jpg"
            store.put_bytes(key, b"\xff\xd8\xff\xe0 not really a jpeg " + ID_1.encode())
            page = Page(job_id=job.id, page_no=1, status="ok", text_source="ocr", text=text, doc_type=doc_type,
                        document_id=doc.id, image_key=key)
            s.add(page)
            s.flush()
            pages[no] = page.id
            outbox.enqueue_documents(s, [doc.id], outbox.OutboxReason.FILING)
        job = _job(s, 3, "scan-3.pdf")
        job.media_type = "application/pdf"
        blank = pikepdf.new()
        blank.add_blank_page()
        buffer = io.BytesIO()
        blank.save(buffer)
        store.put_bytes(original_key(job.sha256), buffer.getvalue())  # so that filing can cut its original
        review = Document(job_id=job.id, doc_type="id_copy", state=DocumentState.REVIEW,
                          suggested_customer_no="KH001", pending_dossiers=[],
                          review_reason=f"身份证号 {ID_1} 与登记不一致")
        s.add(review)
        s.flush()
        rpage = Page(job_id=job.id, page_no=1, status="ok", text_source="text_layer", text=f"身份证 {ID_1}",
                     doc_type="id_copy", document_id=review.id)
        s.add(rpage)
        s.flush()
        outbox.enqueue_documents(s, [review.id], outbox.OutboxReason.FILING)
        for role in ROLES:
            accounts.create_user(s, role, PASSWORD, [role], actor="system", department="销售一部",
                                 salesperson="李四")
        s.commit()
        archive = Archive(pages["KH001"], pages["KH002"], review.id, rpage.id, "DA-2024-000001", "DA-2024-000002")
    index = TantivyIndex(settings.search.path)
    drain(sessions, index)
    index.close()
    engine.dispose()
    return archive


@pytest.fixture
def archive(settings: Settings) -> Archive:
    return build_archive(settings)


@pytest.fixture
def app(settings: Settings, archive: Archive) -> Iterator[object]:
    application = create_app(settings, background=False)
    yield application


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    response = client.post("/login", data={"username": username, "password": password, "csrf": csrf},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


def csrf_of(client: TestClient) -> str:
    page = client.get("/account")
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


@pytest.fixture
def clients(app: object) -> Iterator[dict[str, TestClient]]:
    with TestClient(app) as anonymous:  # type: ignore[arg-type]
        out = {"anonymous": anonymous}
        for role in ROLES:
            out[role] = login(TestClient(app, follow_redirects=False), role)  # type: ignore[arg-type]
        yield out
        for role in ROLES:
            out[role].close()


def api_token(settings: Settings, username: str) -> str:
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        _, plain = accounts.new_token(s, username, "tests", actor="system")
        s.commit()
    engine.dispose()
    return plain


def user_id(settings: Settings, username: str) -> int:
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        uid = s.scalars(select(accounts.User.id).where(accounts.User.username == username)).one()
    engine.dispose()
    return uid
