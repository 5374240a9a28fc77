"""Document templates: each draws all pages of one paper document for one dossier, in several layouts."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from ..layout import Page
from .common import DocContext

__all__ = ["DOC_TYPES", "TEMPLATES", "DocContext", "Template", "template", "templates_for"]

DOC_TYPES = ("contract", "invoice", "id_copy", "inspection_sheet", "other", "blank")

Build = Callable[[DocContext, random.Random], list[Page]]


@dataclass(frozen=True, slots=True)
class Template:
    """A registered document template.

    `born_digital` templates also make sense as text-layer PDFs (e-contracts, e-invoices); `kinds` and
    `dossiers` say which customers and dossiers the document belongs to (a business licence: companies).
    """

    name: str
    doc_type: str
    lang: str
    build: Build
    born_digital: bool
    kinds: tuple[str, ...]
    dossiers: tuple[str, ...]
    weight: float
    needs_plate: bool  # only exists once the vehicle is registered (行驶证)


TEMPLATES: dict[str, Template] = {}


def template(
    name: str,
    doc_type: str,
    lang: str,
    *,
    born_digital: bool = False,
    kinds: tuple[str, ...] = ("person", "company"),
    dossiers: tuple[str, ...] = ("new_car", "after_sales"),
    weight: float = 1.0,
    needs_plate: bool = False,
) -> Callable[[Build], Build]:
    """Register a template function under `name`."""
    if doc_type not in DOC_TYPES:
        raise ValueError(doc_type)

    def register(fn: Build) -> Build:
        TEMPLATES[name] = Template(
            name, doc_type, lang, fn, born_digital, kinds, dossiers, weight, needs_plate
        )
        return fn

    return register


def templates_for(
    doc_type: str,
    *,
    lang: str | None = None,
    kind: str | None = None,
    dossier: str | None = None,
    born_digital: bool | None = None,
) -> list[Template]:
    """Templates matching the filters, in registration order (deterministic)."""
    return [
        t
        for t in TEMPLATES.values()
        if t.doc_type == doc_type
        and (lang is None or t.lang == lang)
        and (kind is None or kind in t.kinds)
        and (dossier is None or dossier in t.dossiers)
        and (born_digital is None or t.born_digital == born_digital)
    ]


# Registration happens on import; keep these last.
from . import blank, contract, id_copy, inspection, invoice, other  # noqa: E402,F401
