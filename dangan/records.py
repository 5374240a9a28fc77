"""Frozen, picklable records passed between stages; they carry ids and object keys, never handles or paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """Outcome of a page or a job: a job with any error is never reported as OK."""

    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"
    SKIPPED = "skipped"


class JobState(StrEnum):
    """Where an intake file is; only the terminal states let the inbox file go."""

    CLAIMED = "claimed"  # seen, hashed, row written; original not yet stored
    STORED = "stored"  # original durably in the object store; pages pending
    DONE = "done"  # pages committed
    DUPLICATE = "duplicate"  # same bytes as an earlier job; nothing processed
    QUARANTINED = "quarantined"  # moved to quarantine with a reason


TERMINAL_STATES = frozenset({JobState.DONE, JobState.DUPLICATE, JobState.QUARANTINED})


class TextSource(StrEnum):
    """Where a page's text came from."""

    TEXT_LAYER = "text_layer"
    OCR = "ocr"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class StageError:
    """One problem met by one stage on one page; the job goes on."""

    stage: str
    page_no: int | None
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line of text in reading order, with its box in page pixels (after rotation and deskew)."""

    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]  # left, top, right, bottom


@dataclass(frozen=True, slots=True)
class PageTask:
    """A unit of work for a page worker: which page of which stored original."""

    job_id: int
    original_key: str
    media_type: str  # application/pdf, image/tiff, image/jpeg, image/png
    page_no: int  # 1-based


@dataclass(frozen=True, slots=True)
class PageRecord:
    """A page after the stages so far; each stage returns a new one with dataclasses.replace."""

    job_id: int
    page_no: int
    status: Status = Status.OK
    text_source: TextSource = TextSource.NONE
    engine: str = ""
    text: str = ""
    lines: tuple[OcrLine, ...] = ()
    ocr_confidence: float | None = None  # mean over lines, weighted by length; None for text layer
    low_quality: bool = False  # OCR too poor to trust: a reason for review later
    rotation: int = 0  # degrees clockwise applied to make the page upright
    skew: float = 0.0  # degrees corrected by deskew
    width: int = 0
    height: int = 0
    image_key: str | None = None  # upright page image in the object store (derived, rebuildable)
    thumb_key: str | None = None
    errors: tuple[StageError, ...] = ()
    timings: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
