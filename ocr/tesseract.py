"""Tesseract through pytesseract: `--psm 3` layout analysis, one thread, lines put in reading order."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import pytesseract

from dangan.errors import ConfigError
from dangan.records import OcrLine
from ocr.engine import OrientationGuess
from ocr.layout import MIN_LENGTH_HEIGHTS, page_rules
from ocr.lines import Piece, group_lines
from ocr.text import join_tokens

if TYPE_CHECKING:
    from dangan.settings import OcrSettings

__all__ = ["TesseractEngine"]

# A page that takes Tesseract longer than this is pathological (noise read as thousands of glyphs):
# the page fails instead of blocking its worker.
PAGE_TIMEOUT_S = 180
# psm 3 = automatic page segmentation without OSD. Never psm 6 ("one uniform block"): on Chinese forms
# it drops about 30 % of the characters (shared/notes/ocr-measured.md).
_CONFIG = "--psm 3"


class TesseractEngine:
    """Tesseract 5 with the languages from the settings (`chi_sim`, `eng`, `chi_sim+eng`).

    Pages go to the binary as PGM files: pytesseract's default for an array is a PNG, and encoding a noisy
    300 dpi scan as PNG costs 0.7 s, as much as the OCR itself. Tesseract's own threads are limited to one
    (`OMP_THREAD_LIMIT=1`), since the worker pool already runs one process per core.
    """

    name = "tesseract"
    suspect_below = 0.5  # upright pages read at 0.75-0.9, upside-down ones at 0.2-0.25

    def __init__(self, settings: OcrSettings) -> None:
        """Check the binary and the language data once, so a broken installation stops the start-up.

        Args:
            settings: `languages` is the Tesseract language string, e.g. "chi_sim+eng".

        Raises:
            ConfigError: No tesseract binary, or a requested language is not installed.
        """
        # pytesseract passes os.environ to the subprocess; OpenMP threads would compete with the other
        # worker processes and make Tesseract slower, not faster. OpenCV (page geometry, deskew) likewise.
        os.environ["OMP_THREAD_LIMIT"] = "1"
        cv2.setNumThreads(1)
        try:
            pytesseract.get_tesseract_version()
            installed = set(pytesseract.get_languages())
        except (pytesseract.TesseractNotFoundError, OSError) as exc:
            raise ConfigError(
                "未找到 Tesseract 程序，请安装 tesseract-ocr",
                "the tesseract binary was not found; install tesseract-ocr",
                str(exc),
            ) from exc
        wanted = [lang for lang in settings.languages.split("+") if lang]
        missing = [lang for lang in wanted if lang not in installed]
        if not wanted or missing:
            raise ConfigError(
                f"Tesseract 缺少语言数据：{', '.join(missing) or settings.languages!r}",
                f"Tesseract language data missing: {', '.join(missing) or repr(settings.languages)}",
                f"installed: {', '.join(sorted(installed))}",
            )
        self._languages = "+".join(wanted)
        self._osd = "osd" in installed

    def recognize(self, image: np.ndarray) -> list[OcrLine]:
        """Read a page; see `OcrEngine.recognize`.

        Tesseract's lines (block, paragraph, line) are joined from its words without the spaces it puts
        between Chinese characters, then put in reading order by `group_lines` from their boxes and the
        page's ruling lines, as with RapidOCR: Tesseract's own blocks often separate a form's label from
        its value, so they are not used.

        Args:
            image: An upright 2-D uint8 page.

        Returns:
            Lines in reading order.
        """
        with _pgm(image) as path:
            data = pytesseract.image_to_data(
                str(path),
                lang=self._languages,
                config=_CONFIG,
                output_type=pytesseract.Output.DICT,
                timeout=PAGE_TIMEOUT_S,
            )
        pieces = _pieces(data)
        if not pieces:
            return []
        heights = sorted(p.box[3] - p.box[1] for p in pieces)
        return group_lines(pieces, page_rules(image, MIN_LENGTH_HEIGHTS * heights[len(heights) // 2]))

    def detect_orientation(self, image: np.ndarray) -> OrientationGuess:
        """Tesseract OSD (`--psm 0`): right on every one of 62 test pages at 300 dpi, but 0.9 s a page.

        Args:
            image: A 2-D uint8 page in any orientation.

        Returns:
            The clockwise rotation to apply; confidence 0 when OSD found too little text or is not
            installed. OSD's own confidence (unbounded, as low as 0.7 on correct answers) is scaled to
            0..1 by dividing by 10, as a rough indication only.
        """
        if not self._osd:
            return OrientationGuess(0, 0.0)
        try:
            with _pgm(image) as path:
                osd = pytesseract.image_to_osd(
                    str(path), output_type=pytesseract.Output.DICT, timeout=PAGE_TIMEOUT_S
                )
        except pytesseract.TesseractError:  # "Too few characters": a page OSD cannot judge
            return OrientationGuess(0, 0.0)
        rotation = int(osd.get("rotate", 0)) % 360
        if rotation not in (0, 90, 180, 270):
            return OrientationGuess(0, 0.0)
        return OrientationGuess(rotation, min(1.0, float(osd.get("orientation_conf", 0.0)) / 10.0))


def _pieces(data: dict[str, list[Any]]) -> list[Piece]:
    """Tesseract words grouped by (block, paragraph, line) into pieces with a length-weighted confidence."""
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, text in enumerate(data["text"]):
        if not str(text).strip() or float(data["conf"][i]) < 0:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        groups.setdefault(key, []).append(i)
    pieces = []
    for indices in groups.values():
        words = [str(data["text"][i]).strip() for i in indices]
        weights = [len(w) for w in words]
        confidence = sum(w * float(data["conf"][i]) for w, i in zip(weights, indices, strict=True)) / sum(
            weights
        )
        box = (
            min(int(data["left"][i]) for i in indices),
            min(int(data["top"][i]) for i in indices),
            max(int(data["left"][i]) + int(data["width"][i]) for i in indices),
            max(int(data["top"][i]) + int(data["height"][i]) for i in indices),
        )
        pieces.append(Piece(join_tokens(words), max(0.0, min(1.0, confidence / 100.0)), box))
    return pieces


@contextlib.contextmanager
def _pgm(image: np.ndarray) -> Iterator[Path]:
    """The page as a temporary PGM file (5 ms to write, where PNG costs 0.7 s), removed afterwards."""
    fd, name = tempfile.mkstemp(prefix="dangan-tess-", suffix=".pgm")
    os.close(fd)
    path = Path(name)
    try:
        if not cv2.imwrite(str(path), np.ascontiguousarray(image)):
            raise OSError(f"could not write the page image for Tesseract to {path}")
        yield path
    finally:
        path.unlink(missing_ok=True)
