"""Plan and write a corpus: dossiers of documents, files in scanner formats, and the truth of every page."""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from PIL import Image

from . import scan as scanning
from .layout import Page
from .raster import render
from .register import (
    DEALER,
    Customer,
    Vehicle,
    make_register,
    make_walk_in,
    write_customers_csv,
    write_dealer_json,
)
from .templates import TEMPLATES, Template, templates_for
from .templates.blank import duplex_back
from .templates.common import DocContext
from .truth import IDENTIFIER_KINDS, CorpusManifest, FileEntry, PageTruth, write_truth
from .writers import (
    EXIF_ORIENTATION,
    EncodedPage,
    encode_page,
    write_image_pdf,
    write_jpeg,
    write_png,
    write_text_pdf,
    write_tiff,
)

__all__ = ["FORMATS", "generate", "render_page", "scanned_pdf", "text_pdf"]

#: Output formats: scanned PDF, multi-page TIFF, single JPEG, single PNG, born-digital PDF, multi-customer
#: batch PDF.
FORMATS = ("pdf", "tiff", "jpeg", "png", "text_pdf", "batch_pdf")
_SINGLE = ("jpeg", "png")
_REQUIRED = {
    "new_car": ("contract", "invoice", "id_copy", "inspection_sheet"),
    "after_sales": ("contract", "invoice", "inspection_sheet"),
}


def _sub(seed: int, *parts: object) -> int:
    """A stable 63-bit seed derived from `seed` and labels (never Python's salted hash())."""
    h = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") >> 1


@dataclass
class _Doc:
    """One paper document of one dossier, already laid out."""

    doc_id: str
    template: Template
    customer_no: str | None
    pages: list[Page]
    dossier: int  # index of its dossier; -1 for standalone sheets
    when: date

    @property
    def born_digital(self) -> bool:
        return self.template.born_digital


@dataclass
class _Group:
    """What becomes one file: slices of documents in scan order, and the file format."""

    parts: list[tuple[_Doc, list[int]]]
    fmt: str = ""  # empty until _assign_formats chooses

    @property
    def n_pages(self) -> int:
        return sum(len(idx) for _, idx in self.parts)

    @property
    def owners(self) -> set[str]:
        """Whose papers are in the file: register keys, or a placeholder per walk-in."""
        return {d.customer_no or f"?{d.dossier}" for d, _ in self.parts if d.dossier >= 0}

    @property
    def dossiers(self) -> set[int]:
        return {d.dossier for d, _ in self.parts if d.dossier >= 0}

    @property
    def all_born_digital(self) -> bool:
        return all(d.born_digital for d, _ in self.parts)


@dataclass
class _Ids:
    n: int = 0

    def next(self) -> str:
        self.n += 1
        return f"D{self.n:04d}"


# --- choosing documents -------------------------------------------------------------------------------------


def _pick(rng: random.Random, cands: list[Template], *, en_share: float = 0.12) -> Template:
    en = [t for t in cands if t.lang == "en"]
    zh = [t for t in cands if t.lang == "zh"]
    pool = en if en and (rng.random() < en_share or not zh) else zh
    return rng.choices(pool, weights=[t.weight for t in pool])[0]


def _candidates(doc_type: str, c: Customer, v: Vehicle) -> list[Template]:
    return [
        t
        for t in templates_for(doc_type, kind=c.kind, dossier=v.dossier_type)
        if not (t.needs_plate and not v.plate)
    ]


def _dossier_templates(rng: random.Random, c: Customer, v: Vehicle) -> list[Template]:
    """The documents of one vehicle dossier; now and then one required document is missing."""
    required = list(_REQUIRED[v.dossier_type])
    if rng.random() < 0.15:
        required.remove(rng.choice(required))
    chosen: list[Template] = []
    for doc_type in required:
        if doc_type == "id_copy" and c.company:
            chosen.append(TEMPLATES["id_copy.licence"])
            if rng.random() < 0.5:  # the agent who signs brings an ID card too
                chosen.append(TEMPLATES["id_copy.card"])
            continue
        chosen.append(_pick(rng, _candidates(doc_type, c, v)))
        if doc_type == "inspection_sheet" and v.dossier_type == "new_car" and rng.random() < 0.3:
            extra = _pick(rng, _candidates(doc_type, c, v))
            if extra not in chosen:
                chosen.append(extra)
    if v.dossier_type == "after_sales" and "id_copy" not in required and rng.random() < 0.4:
        chosen.append(_pick(rng, _candidates("id_copy", c, v)))
    others = _candidates("other", c, v)
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        t = _pick(rng, others, en_share=0.08)
        if t not in chosen:
            chosen.append(t)
    # Clerks scan in whatever order the papers lie; the contract usually, not always, comes first.
    head, tail = chosen[:1], chosen[1:]
    rng.shuffle(tail)
    return head + tail if rng.random() < 0.7 else tail + head


def _build(t: Template, c: Customer, v: Vehicle, seed: int) -> list[Page]:
    return t.build(DocContext(c, v, DEALER, c.person, seed), random.Random(seed))


def _documents(rng: random.Random, seed: int, customers: list[Customer], ids: _Ids) -> list[list[_Doc]]:
    """All dossiers (one per vehicle) as lists of laid-out documents, plus walk-ins' stray papers."""
    dossiers: list[list[_Doc]] = []
    for c in customers:
        for v in c.vehicles:
            k = len(dossiers)
            docs = []
            for t in _dossier_templates(rng, c, v):
                pages = _build(t, c, v, _sub(seed, "doc", ids.n))
                docs.append(_Doc(ids.next(), t, c.customer_no or None, pages, k, v.delivery_date))
            dossiers.append(docs)
    if len(customers) >= 3:
        walk_in = make_walk_in(rng, like=customers[0])
        v = walk_in.vehicles[0]
        k = len(dossiers)
        stray = [TEMPLATES["id_copy.card"]] + ([TEMPLATES["other.survey"]] if rng.random() < 0.5 else [])
        dossiers.append(
            [
                _Doc(ids.next(), t, None, _build(t, walk_in, v, _sub(seed, "walkin", i)), k, v.delivery_date)
                for i, t in enumerate(stray)
            ]
        )
    return dossiers


# --- grouping documents into files --------------------------------------------------------------------------


def _whole(d: _Doc) -> tuple[_Doc, list[int]]:
    return d, list(range(len(d.pages)))


def _plan(
    rng: random.Random, dossiers: list[list[_Doc]], formats: tuple[str, ...], ids: _Ids
) -> list[_Group]:
    """Group documents into files roughly as a dealership's scanning produces them."""
    groups: list[_Group] = []
    remaining = [list(d) for d in dossiers]
    if "text_pdf" in formats:
        for docs in remaining:
            for d in list(docs):
                if d.born_digital and rng.random() < 0.3:
                    groups.append(_Group([_whole(d)], "text_pdf"))
                    docs.remove(d)
    order = [i for i, docs in enumerate(remaining) if docs]
    owner = {i: remaining[i][0].customer_no or f"?{i}" for i in order}
    starts = [s for s in range(len(order)) if len({owner[i] for i in order[s:]}) >= 2]
    if "batch_pdf" in formats and starts:
        # A clerk feeds a stack of several customers' papers through the ADF at once.
        start = rng.choice(starts)
        most = max(2, min(5, len(order) // 2))  # a batch is a morning's stack, not the whole archive
        batch: list[tuple[_Doc, list[int]]] = []
        for i in order[start:]:
            n_pages = sum(len(x) for _, x in batch)
            if len(_Group(batch).owners) >= 2 and (
                n_pages >= 30 or (len(_Group(batch).dossiers) >= most and n_pages >= 10)
            ):
                break
            if batch and rng.random() < 0.35:  # a blank separator sheet between customers
                sep = _Doc(
                    ids.next(),
                    TEMPLATES["blank.empty"],
                    None,
                    _build(TEMPLATES["blank.empty"], *_blank_cv(), rng.randrange(1 << 30)),
                    -1,
                    remaining[i][0].when,
                )
                batch.append(_whole(sep))
            batch += [_whole(d) for d in remaining[i]]
            remaining[i] = []
        groups.append(_Group(batch, "batch_pdf"))
    for docs in remaining:
        if not docs:
            continue
        n_files = min(len(docs), rng.choice((1, 1, 2, 2, 3)))
        cuts = sorted(rng.sample(range(1, len(docs)), n_files - 1)) if n_files > 1 else []
        for a, b in zip([0] + cuts, cuts + [len(docs)], strict=True):
            groups.append(_Group([_whole(d) for d in docs[a:b]]))
    if rng.random() < 0.4:  # a forgotten empty sheet scanned on its own
        sheet = _Doc(
            ids.next(),
            TEMPLATES["blank.empty"],
            None,
            _build(TEMPLATES["blank.empty"], *_blank_cv(), rng.randrange(1 << 30)),
            -1,
            dossiers[0][0].when if dossiers and dossiers[0] else date(2024, 1, 2),
        )
        groups.insert(rng.randrange(len(groups) + 1), _Group([_whole(sheet)]))
    return groups


@lru_cache(maxsize=1)
def _blank_cv() -> tuple[Customer, Vehicle]:
    """A context for templates that do not look at it (blank sheets)."""
    c = make_register(random.Random(0), 1)[0]
    return c, c.vehicles[0]


def _fit_count(rng: random.Random, groups: list[_Group], files: int) -> list[_Group]:
    """Merge neighbours or split groups until there are `files` groups (or no further split is possible)."""
    files = max(1, files)
    while len(groups) > files:
        i = rng.randrange(len(groups) - 1)
        a, b = groups[i], groups[i + 1]
        merged = _Group(a.parts + b.parts, "text_pdf" if a.fmt == b.fmt == "text_pdf" else "")
        groups[i : i + 2] = [merged]
    while len(groups) < files:
        splittable = [g for g in groups if g.n_pages > 1]
        if not splittable:
            break
        g = max(splittable, key=lambda x: x.n_pages)
        i = groups.index(g)
        if len(g.parts) > 1:
            cut = rng.randrange(1, len(g.parts))
            left, right = g.parts[:cut], g.parts[cut:]
        else:  # one document scanned into two files
            d, idx = g.parts[0]
            cut = rng.randrange(1, len(idx))
            left, right = [(d, idx[:cut])], [(d, idx[cut:])]
        groups[i : i + 1] = [_Group(left, g.fmt), _Group(right, g.fmt)]
    return groups


_WEIGHTS_MULTI = {"pdf": 6.0, "tiff": 2.0, "batch_pdf": 0.5}
_WEIGHTS_SINGLE = {"pdf": 4.0, "tiff": 1.0, "jpeg": 3.0, "png": 2.0}


def _assign_formats(rng: random.Random, groups: list[_Group], formats: tuple[str, ...]) -> None:
    """Give every group a format it can hold, then make sure each requested format appears at least once."""
    for g in groups:
        ok = _allowed(g, formats)
        if g.fmt in ok:
            continue
        weights = _WEIGHTS_SINGLE if g.n_pages == 1 else _WEIGHTS_MULTI
        pool = [f for f in ok if f in weights] or ok
        g.fmt = rng.choices(pool, weights=[weights.get(f, 1.0) for f in pool])[0]
    for fmt in formats:
        if any(g.fmt == fmt for g in groups):
            continue
        counts = Counter(g.fmt for g in groups)
        # Prefer a group of a typical size for the format: one page for images, several for the others.
        order = sorted(groups, key=lambda x: x.n_pages if fmt in _SINGLE else -x.n_pages)
        for g in order:
            if fmt in _allowed(g, formats) and counts[g.fmt] > 1:
                g.fmt = fmt
                break


def _allowed(g: _Group, formats: tuple[str, ...]) -> list[str]:
    ok = []
    for f in formats:
        if f in _SINGLE and g.n_pages != 1:
            continue
        if f == "text_pdf" and not g.all_born_digital:
            continue
        if f == "batch_pdf" and len(g.owners) < 2:
            continue
        ok.append(f)
    if not ok:  # e.g. formats=("jpeg",) and a multi-page group: the caller's choice cannot hold it
        ok = [f for f in formats if f not in _SINGLE] or list(formats)
    return ok


def _split_for_singles(groups: list[_Group], formats: tuple[str, ...]) -> list[_Group]:
    """If only single-image formats are allowed, every page becomes its own file (a phone, page by page)."""
    if any(f not in _SINGLE for f in formats):
        return groups
    out = []
    for g in groups:
        for d, idx in g.parts:
            out += [_Group([(d, [i])], g.fmt) for i in idx]
    return out


# --- file names ---------------------------------------------------------------------------------------------


class _Namer:
    """Scanner-like file names: 扫描件0001.jpg, IMG_0042.PDF, Scan 2025-03-01 (2).tif, batch_20250301.pdf."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counter = rng.randrange(1, 400)
        self.used: set[str] = set()

    def name(self, fmt: str, when: date, doc: _Doc, phone: bool) -> str:
        r = self.rng
        self.counter += r.randrange(1, 4)
        n = self.counter
        t = f"{r.randrange(8, 19):02d}{r.randrange(60):02d}{r.randrange(60):02d}"
        if fmt == "batch_pdf":
            base = r.choice(
                (
                    f"batch_{when:%Y%m%d}.pdf",
                    f"batch_{when:%Y%m%d}_{n % 10}.pdf",
                    f"批量扫描_{when:%Y%m%d}.pdf",
                )
            )
        elif fmt == "text_pdf":
            t_name = doc.template.name
            if t_name.startswith("invoice"):
                base = f"dzfp_{when:%y}44{r.randrange(10**15, 10**16)}.pdf"
            elif t_name.startswith("contract"):
                base = r.choice((f"电子合同_{doc.doc_id}.pdf", f"contract_{when:%Y%m%d}_{n:04d}.pdf"))
            else:
                base = r.choice(
                    (f"{doc.template.name.split('.')[1]}_{when:%Y%m%d}.pdf", f"doc{when:%Y%m%d}{t}.pdf")
                )
        elif fmt == "pdf":
            base = r.choice(
                (
                    f"扫描件{n:04d}.pdf",
                    f"IMG_{n:04d}.PDF",
                    f"Scan {when:%Y-%m-%d} ({n % 7 + 1}).pdf",
                    f"SCAN{n:04d}.PDF",
                    f"doc{when:%Y%m%d}{t}.pdf",
                    f"新建文档 {when:%Y-%m-%d} {t[:2]}.{t[2:4]}.{t[4:]}.pdf",
                )
            )
        elif fmt == "tiff":
            base = r.choice(
                (f"Scan {when:%Y-%m-%d} ({n % 7 + 1}).tif", f"SCAN{n:04d}.TIF", f"扫描件{n:04d}.tiff")
            )
        elif fmt == "jpeg":
            base = (
                r.choice(
                    (
                        f"IMG_{n:04d}.JPG",
                        f"IMG_{when:%Y%m%d}_{t}.jpg",
                        f"mmexport{r.randrange(10**12, 10**13)}.jpg",
                    )
                )
                if phone
                else r.choice((f"扫描件{n:04d}.jpg", f"Scan_{n:04d}.jpg"))
            )
        else:
            base = r.choice((f"扫描件{n:04d}.png", f"Scan_{n:04d}.png"))
        stem, _, ext = base.rpartition(".")
        out, k = base, 2
        while out.lower() in self.used:
            out = f"{stem} ({k}).{ext}"
            k += 1
        self.used.add(out.lower())
        return out


# --- rendering and writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """One scanning session: how every page of a file was captured."""

    dpi: int
    mode: scanning.Mode
    quality: scanning.Quality
    duplex: bool
    phone: bool
    jpeg_quality: int
    tiff_compression: str = "group4"


def _profile(rng: random.Random, fmt: str, n_pages: int) -> _Profile:
    quality: scanning.Quality = rng.choices(scanning.QUALITIES, weights=(25, 55, 20))[0]
    dpi = rng.choices((150, 200, 300), weights=(5, 55, 40))[0]
    jq = rng.randrange(45, 75)
    if fmt == "jpeg":
        phone = rng.random() < 0.5
        jpeg_mode: scanning.Mode = "color" if phone else rng.choice(("color", "grey"))
        return _Profile(200 if phone else dpi, jpeg_mode, quality, False, phone, jq)
    if fmt == "png":
        return _Profile(dpi, rng.choice(("bw", "grey")), rng.choice(("clean", "normal")), False, False, jq)
    if fmt == "tiff":
        tiff_mode: scanning.Mode = rng.choice(("bw", "bw", "grey", "color"))
        comp = rng.choice(("group4", "group4", "tiff_lzw")) if tiff_mode == "bw" else "jpeg"
        return _Profile(dpi, tiff_mode, quality, n_pages > 1 and rng.random() < 0.2, False, jq, comp)
    mode: scanning.Mode = rng.choices(scanning.MODES, weights=(30, 50, 20))[0]
    duplex = n_pages > 1 and rng.random() < (0.4 if fmt == "batch_pdf" else 0.2)
    return _Profile(dpi, mode, quality, duplex, False, jq)


@dataclass
class _Sheet:
    """One page in a file: its layout and whom it belongs to."""

    page: Page
    doc: _Doc
    back: bool = False


def _truth(file: str, no: int, s: _Sheet, **scan_facts: Any) -> PageTruth:
    doc_type = "blank" if s.back else s.doc.template.doc_type
    ids: dict[str, list[str]] = {k: [] for k in IDENTIFIER_KINDS}
    if not s.back:
        for k, v in s.page.identifiers.items():
            ids.setdefault(k, []).extend(v)
    return PageTruth(
        file=file,
        page=no,
        doc_type=doc_type,
        lang=s.doc.template.lang,
        customer_no=s.doc.customer_no,
        document_id=s.doc.doc_id,
        text="" if s.back else s.page.truth_text(),
        identifiers=ids,
        template="blank.back" if s.back else s.doc.template.name,
        **scan_facts,
    )


def _scan_page(
    page: Page, prof: _Profile, seed: int, rotation: int
) -> tuple[Image.Image, scanning.ScanParams]:
    img = render(page, prof.dpi, mode="RGB" if prof.mode == "color" else "L")
    params = scanning.draw_params(
        random.Random(seed), prof.quality, mode=prof.mode, rotation=rotation, phone=prof.phone
    )
    return scanning.apply(img, params, seed=seed), params


def _write_group(out_dir: Path, name: str, g: _Group, prof: _Profile | None, seed: int) -> list[PageTruth]:
    rng = random.Random(seed)
    sheets: list[_Sheet] = []
    for d, idx in g.parts:
        for i in idx:
            sheets.append(_Sheet(d.pages[i], d))
            if prof and prof.duplex:
                sheets.append(_Sheet(duplex_back(d.pages[i], rng), d, back=True))
    path = out_dir / name
    if g.fmt == "text_pdf":
        write_text_pdf(path, [s.page for s in sheets], title=sheets[0].doc.template.name)
        return [
            _truth(name, i, s, rotation=0, text_layer=True, quality="digital", mode="vector", dpi=0)
            for i, s in enumerate(sheets, 1)
        ]
    assert prof is not None
    truths: list[PageTruth] = []
    images: list[Image.Image] = []  # TIFF, JPEG and PNG pages
    encoded: list[EncodedPage] = []  # PDF pages, compressed at once to keep memory flat
    for i, s in enumerate(sheets, 1):
        bad = prof.quality == "bad"
        rotation = 0
        if rng.random() < (0.12 if bad else 0.05) and not s.back:
            rotation = rng.choice((90, 180, 180, 270))
        exif = None
        if prof.phone and rng.random() < 0.5:
            # A phone held sideways: the pixels are turned and the EXIF tag says how to show them.
            rotation = rng.choice((90, 270))
            exif = EXIF_ORIENTATION[rotation]
        img, params = _scan_page(s.page, prof, _sub(seed, i), rotation)
        if g.fmt in ("pdf", "batch_pdf"):
            encoded.append(encode_page(img, prof.dpi, quality=prof.jpeg_quality))
        else:
            images.append(img)
        truths.append(
            _truth(
                name,
                i,
                s,
                rotation=rotation,
                text_layer=False,
                quality=prof.quality,
                mode=prof.mode,
                dpi=prof.dpi,
                skew=round(params.skew, 2),
                exif_orientation=exif,
            )
        )
    if g.fmt in ("pdf", "batch_pdf"):
        write_image_pdf(path, encoded)
    elif g.fmt == "tiff":
        if prof.tiff_compression in ("group4", "tiff_lzw"):
            images = [im.convert("1") if im.mode != "1" else im for im in images]
        write_tiff(path, images, prof.dpi, compression=prof.tiff_compression, quality=prof.jpeg_quality)
    elif g.fmt == "jpeg":
        write_jpeg(
            path,
            images[0],
            prof.dpi,
            quality=prof.jpeg_quality,
            exif_orientation=truths[0].exif_orientation,
            phone=prof.phone,
        )
    else:
        write_png(path, images[0], prof.dpi)
    return truths


def generate(
    out_dir: Path | str,
    *,
    seed: int = 0,
    customers: int = 5,
    files: int | None = None,
    formats: Iterable[str] = FORMATS,
    dpi: int | None = None,
) -> CorpusManifest:
    """Write a corpus into `out_dir`: customers.csv, dealer.json, truth.jsonl and the scanned/digital files.

    Args:
        out_dir: created if missing; existing files of the same names are overwritten.
        seed: everything (register, layouts, scan effects, file names) follows from it.
        customers: customers in the register; each has one or two vehicle dossiers of about 4-8 pages.
        files: number of files to write; by default about two or three per dossier plus a batch. Documents
            are merged or split (a contract may then span two files) to reach it, up to one file per page.
        formats: allowed formats, a subset of FORMATS; each is used at least once when the corpus allows. With
            only single-image formats (jpeg, png), every page becomes its own file.
        dpi: scan every page at this resolution instead of the usual 150/200/300 mix (tests use a low one).

    Returns:
        The manifest: files, per-page truth, register size.
    """
    started = time.perf_counter()
    fmts = tuple(f for f in FORMATS if f in set(formats))
    unknown = set(formats) - set(FORMATS)
    if unknown or not fmts:
        raise ValueError(f"unknown or no formats {sorted(unknown)}; known: {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(_sub(seed, "plan"))
    register = make_register(random.Random(_sub(seed, "register")), customers)
    ids = _Ids()
    dossiers = _documents(rng, seed, register, ids)
    groups = _plan(rng, dossiers, fmts, ids)
    if files is not None:
        groups = _fit_count(rng, groups, files)
    groups = _split_for_singles(groups, fmts)
    _assign_formats(rng, groups, fmts)
    namer = _Namer(random.Random(_sub(seed, "names")))
    entries: list[FileEntry] = []
    truths: list[PageTruth] = []
    for k, g in enumerate(groups):
        fseed = _sub(seed, "file", k)
        prof = None if g.fmt == "text_pdf" else _profile(random.Random(fseed), g.fmt, g.n_pages)
        if prof and dpi:
            prof = replace(prof, dpi=dpi)
        first = g.parts[0][0]
        name = namer.name(g.fmt, first.when + timedelta(days=1), first, bool(prof and prof.phone))
        pages = _write_group(out, name, g, prof, fseed)
        entries.append(FileEntry(name, g.fmt, len(pages)))
        truths += pages
    write_customers_csv(out / "customers.csv", register)
    write_dealer_json(out / "dealer.json")
    write_truth(out / "truth.jsonl", truths)
    return CorpusManifest(
        out,
        seed,
        tuple(entries),
        tuple(truths),
        len(register),
        sum(len(c.vehicles) for c in register),
        time.perf_counter() - started,
    )


# --- single pages and long files for tests and benchmarks ---------------------------------------------------


def _context_for(t: Template, seed: int) -> tuple[Customer, Vehicle]:
    """A customer and vehicle the template applies to (a company for a business licence...)."""
    for attempt in range(50):
        for c in make_register(random.Random(_sub(seed, "ctx", attempt)), 4):
            for v in c.vehicles:
                if c.kind in t.kinds and v.dossier_type in t.dossiers and (v.plate or not t.needs_plate):
                    return c, v
    raise RuntimeError(f"no context for {t.name}")


def render_page(
    doc_type: str,
    lang: str = "zh",
    *,
    seed: int,
    quality: str = "normal",
    rotation: int = 0,
    mode: str = "grey",
    dpi: int = 300,
    template: str | None = None,
) -> tuple[Image.Image, PageTruth]:
    """Render one scanned-looking page of a document type, fast, with its truth (file '' and page 1).

    Args:
        doc_type: one of templates.DOC_TYPES; 'blank' gives an empty sheet or a duplex back.
        lang: 'zh' or 'en'; falls back to the other language when the type has no template in it.
        seed: picks the template, the customer, the layout and the scan effects.
        quality: clean | normal | bad.
        rotation: 0/90/180/270, clockwise, applied to the pixels.
        mode: color | grey | bw.
        dpi: resolution of the A4 page.
        template: force a template by name (see templates.TEMPLATES).
    """
    _check_scan_args(quality, mode, rotation)
    rng = random.Random(_sub(seed, "page"))
    if template:
        t = TEMPLATES[template]
    else:
        cands = templates_for(doc_type, lang=lang) or templates_for(doc_type)
        if not cands:
            raise ValueError(f"unknown doc_type {doc_type!r}")
        t = rng.choices(cands, weights=[c.weight for c in cands])[0]
    c, v = _context_for(t, seed)
    pages = _build(t, c, v, _sub(seed, "layout"))
    page = pages[rng.randrange(len(pages))] if len(pages) > 1 and rng.random() < 0.3 else pages[0]
    doc = _Doc("D0001", t, c.customer_no, pages, 0, v.delivery_date)
    back = False
    if t.doc_type == "blank" and rng.random() < 0.5:  # a duplex back of some other page
        other = TEMPLATES[rng.choice(["contract.sales_a", "invoice.motor", "inspection.pdi"])]
        c2, v2 = _context_for(other, seed)
        page = duplex_back(_build(other, c2, v2, _sub(seed, "front"))[0], rng)
        doc, back = _Doc("D0001", other, c2.customer_no, [page], 0, v2.delivery_date), True
    prof = _Profile(dpi, cast(scanning.Mode, mode), cast(scanning.Quality, quality), False, False, 80)
    pseed = _sub(seed, "scan")
    img, params = _scan_page(page, prof, pseed, rotation)
    truth = _truth(
        "",
        1,
        _Sheet(page, doc, back),
        rotation=rotation,
        text_layer=False,
        quality=quality,
        mode=mode,
        dpi=dpi,
        skew=round(params.skew, 2),
    )
    return img, truth


def _check_scan_args(quality: str, mode: str, rotation: int) -> None:
    if quality not in scanning.QUALITIES or mode not in scanning.MODES or rotation not in (0, 90, 180, 270):
        raise ValueError(
            f"quality must be one of {scanning.QUALITIES}, mode one of {scanning.MODES}, "
            "rotation one of 0/90/180/270"
        )


def _stream_docs(seed: int, pages: int, *, born_digital: bool) -> list[tuple[Page, _Doc]]:
    """Lay out whole dossiers until `pages` pages exist (the last document may be cut short)."""
    rng = random.Random(_sub(seed, "stream"))
    register = make_register(random.Random(_sub(seed, "stream-register")), max(2, min(60, pages // 12 + 1)))
    ids = _Ids()
    out: list[tuple[Page, _Doc]] = []
    round_no = 0
    while len(out) < pages:
        for c in register:
            for v in c.vehicles:
                for t in _dossier_templates(rng, c, v):
                    if born_digital and not t.born_digital:
                        t = rng.choice(
                            templates_for(
                                rng.choice(("contract", "invoice", "other")),
                                dossier=v.dossier_type,
                                born_digital=True,
                            )
                        )
                    d = _Doc(
                        ids.next(),
                        t,
                        c.customer_no,
                        _build(t, c, v, _sub(seed, "s", round_no, ids.n)),
                        0,
                        v.delivery_date,
                    )
                    out += [(p, d) for p in d.pages]
                    if len(out) >= pages:
                        return out[:pages]
        round_no += 1
    return out[:pages]


def text_pdf(path: Path | str, pages: int, *, seed: int = 0) -> list[PageTruth]:
    """Write a born-digital PDF of exactly `pages` pages (contracts, e-invoices, policies...) with a CJK text
    layer, and return its truth. Fast enough for 1000-page tests (seconds)."""
    path = Path(path)
    seq = _stream_docs(seed, pages, born_digital=True)
    write_text_pdf(path, [p for p, _ in seq], title="dangan corpus")
    return [
        _truth(
            path.name, i, _Sheet(p, d), rotation=0, text_layer=True, quality="digital", mode="vector", dpi=0
        )
        for i, (p, d) in enumerate(seq, 1)
    ]


def scanned_pdf(
    path: Path | str, pages: int, *, seed: int = 0, dpi: int = 150, quality: str = "normal", distinct: int = 8
) -> list[PageTruth]:
    """Write a long scanned PDF of `pages` greyscale JPEG pages for benchmarks, and return its truth.

    Only `distinct` pages are rendered and scanned; the others repeat them and share their image objects, so
    500 pages take a second and a few MB. Each repetition gets fresh document ids.
    """
    _check_scan_args(quality, "grey", 0)
    path = Path(path)
    base = _stream_docs(seed, min(pages, distinct), born_digital=False)
    prof = _Profile(dpi, "grey", cast(scanning.Quality, quality), False, False, 60)
    encoded: list[tuple[EncodedPage, PageTruth]] = []
    for i, (page, d) in enumerate(base):
        img, params = _scan_page(page, prof, _sub(seed, "bench", i), 0)
        t = _truth(
            path.name,
            i + 1,
            _Sheet(page, d),
            rotation=0,
            text_layer=False,
            quality=quality,
            mode="grey",
            dpi=dpi,
            skew=round(params.skew, 2),
        )
        encoded.append((encode_page(img, dpi, quality=60), t))
    seq = [encoded[i % len(encoded)] for i in range(pages)]
    write_image_pdf(path, [enc for enc, _ in seq])
    # Each repetition of the base pages stands for other papers: give it fresh document ids.
    span = max(int(t.document_id[1:]) for _, t in encoded)
    return [
        replace(t, page=i + 1, document_id=f"D{int(t.document_id[1:]) + i // len(encoded) * span:04d}")
        for i, (_, t) in enumerate(seq)
    ]
