"""Corpus generator: fake customers and realistic, scanned-looking dealer paperwork with known truth."""

from __future__ import annotations

from .generator import FORMATS, generate, render_page, scanned_pdf, text_pdf
from .register import DEALER, Customer, Dealer
from .scan import MODES, QUALITIES
from .templates import DOC_TYPES, TEMPLATES
from .truth import IDENTIFIER_KINDS, CorpusManifest, FileEntry, PageTruth, read_truth

__all__ = [
    "DEALER",
    "DOC_TYPES",
    "FORMATS",
    "IDENTIFIER_KINDS",
    "MODES",
    "QUALITIES",
    "TEMPLATES",
    "CorpusManifest",
    "Customer",
    "Dealer",
    "FileEntry",
    "PageTruth",
    "generate",
    "read_truth",
    "render_page",
    "scanned_pdf",
    "text_pdf",
]
