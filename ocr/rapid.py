"""RapidOCR (PP-OCR models on onnxruntime) with the models shipped in the `rapidocr` wheel, one thread."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from dangan.errors import ConfigError
from dangan.records import OcrLine
from ocr.engine import OrientationGuess
from ocr.layout import MIN_LENGTH_HEIGHTS, Rule, content_box, find_rules, ink_mask
from ocr.lines import Piece, group_lines

if TYPE_CHECKING:
    from dangan.settings import OcrSettings

__all__ = ["MODEL_FILES", "RapidOcrEngine", "model_dir"]

# The models inside the rapidocr 3.10.0 wheel. Every path is given explicitly: for any model not given by
# path, rapidocr downloads one at run time, and nothing may be downloaded here.
MODEL_FILES = {
    "det": "PP-OCRv6_det_small.onnx",
    "rec": "PP-OCRv6_rec_small.onnx",  # carries its character list in the ONNX metadata: no dictionary file
    "cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",  # text-line 0°/180° classifier
}

# Text detection runs on the page scaled so that its long side is at most this (about 110 dpi for A4);
# recognition crops come from the full-resolution page and are scaled to 48 px high by the recogniser,
# so 200 and 300 dpi scans read the same. (rapidocr's own call shrinks the page to 2000 px and cuts the
# lines from that copy.) Finding line boxes needs far less resolution than reading them, and detection
# cost grows with the square of the side. bench/ocr_engines.py, 40 corpus pages, CPU s/page for the
# whole stage: 1024 px 2.39, 1280 px 2.52, 1600 px 2.83, 2000 px 3.37, with the same CER (2.2-2.5 %
# order-free, Chinese) and every identifier found. 1280 keeps a margin for small print. Measured again with
# reading order and REC_MIN_WIDTH: 1024 px saves 0.12 CPU s/page (1.80 against 1.92) at the same CER on
# those pages, but on 20 others ordered Chinese CER rose from 5.2 to 6.6 % (order-free 2.45 to 2.80 %):
# the smaller copy merges and splits more boxes.
DET_MAX_SIDE = 1280
# rapidocr's detector enlarges images whose short side is under this; kept for small photos.
DET_MIN_SIDE = 736
# Detection sees the page's content plus this margin (pixels of the detection copy, about 3 text heights).
CONTENT_MARGIN = 64
# Orientation check: detection on a smaller copy, then the line classifier on the longest lines.
ORIENTATION_SIDE = 1024
ORIENTATION_LINES = 16
# Lines scored below this by the recogniser are dropped (rapidocr's own default `text_score`).
MIN_LINE_SCORE = 0.5
# The recogniser scales each line to this height and pads it to at least REC_MIN_WIDTH. rapidocr's
# default minimum, 320 px, pads a two-character label or a lone digit to the width of a long line, and
# recognition cost grows with the width: most boxes on forms are short. At 48 px (no padding beyond
# one square) recognition took 30 % less time with the same CER and identifiers (bench/ocr_engines.py,
# 20 pages: 1.90 -> 1.33 s/page; the model takes any width).
REC_HEIGHT = 48
REC_MIN_WIDTH = 48


def model_dir() -> Path:
    """Where the rapidocr wheel keeps its models, found without importing rapidocr (and onnxruntime).

    Raises:
        ConfigError: The rapidocr package is not installed.
    """
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "未安装 rapidocr，无法使用 RapidOCR 引擎",
            "the rapidocr package is not installed; the rapidocr engine cannot run",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "models"


class RapidOcrEngine:
    """PP-OCRv6 small detection and recognition (Chinese and English in one model) on onnxruntime.

    Built on rapidocr's detector, classifier and recogniser rather than its all-in-one call, for three
    reasons: detection runs on a reduced copy while lines are cut from the full page (`DET_MAX_SIDE`);
    the per-line 0°/180° classifier is skipped when reading (it flips single lines of an upside-down page
    into the right reading but the wrong order; `read_page` turns whole pages instead) and used for the
    cheap orientation check; and lines are recognised one at a time, without padding to a minimum width
    (`REC_MIN_WIDTH`): on one thread that was faster than batches of 4, 6 or 8 lines of similar widths,
    which are padded to the widest of the batch. These are attributes of rapidocr 3.10.0, pinned for
    that reason.

    `settings.languages` does not apply: the recognition model reads Chinese and English together.
    """

    name = "rapidocr"
    suspect_below = 0.8  # upright pages read at 0.95-1.0, upside-down ones at about 0.7

    def __init__(self, settings: OcrSettings, *, det_max_side: int = DET_MAX_SIDE) -> None:
        """Load the three models from the wheel, one onnxruntime thread each way.

        Args:
            settings: The OCR settings (nothing in them changes this engine today).
            det_max_side: Long side of the page copy that text detection sees; for the benchmark.

        Raises:
            ConfigError: rapidocr or onnxruntime is not installed, or a model file is missing or broken.
        """
        del settings
        root = model_dir()
        paths = {task: root / file for task, file in MODEL_FILES.items()}
        missing = [str(p) for p in paths.values() if not p.is_file()]
        if missing:
            raise ConfigError(
                "RapidOCR 模型文件缺失，请重新安装 rapidocr==3.10.0",
                "RapidOCR model files are missing; reinstall rapidocr==3.10.0",
                ", ".join(missing),
            )
        # Limit OpenCV to this process's one core before any cropping or resizing runs.
        cv2.setNumThreads(1)
        try:
            from rapidocr import RapidOCR
            from rapidocr.ch_ppocr_rec import TextRecInput
        except ImportError as exc:  # onnxruntime or a rapidocr dependency is absent
            raise ConfigError(
                "RapidOCR 无法加载（缺少 onnxruntime？）",
                "RapidOCR cannot be loaded (is onnxruntime installed?)",
                str(exc),
            ) from exc
        params: dict[str, Any] = {
            "Det.model_path": str(paths["det"]),
            "Rec.model_path": str(paths["rec"]),
            "Cls.model_path": str(paths["cls"]),
            # Detection sees the image as given (`_detection_scale`): rapidocr would scale a cut-out
            # of a page up to its 736 px minimum side.
            "Det.limit_type": "max",
            "Det.limit_side_len": 1 << 20,
            "Rec.rec_batch_num": 1,
            "Rec.rec_img_shape": [3, REC_HEIGHT, REC_MIN_WIDTH],
            "Global.use_cls": False,
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            # No memory arena (rapidocr's default, stated here because it matters): the arena keeps the
            # largest buffers any page needed, and with memory-pattern planning per input shape a worker grew
            # from 180 MiB to 716 MiB over 30 pages (495 MiB with patterns off), against 185 MiB without it,
            # for 5-10 % more CPU per page. Two such workers alone broke the 1 GiB budget of a 500-page scan.
            "EngineConfig.onnxruntime.enable_cpu_mem_arena": False,
        }
        # Loaded now, not on the first page, so that a broken model fails the worker's start-up.
        try:
            ocr = RapidOCR(params=params)
            self._det = ocr._load_det_model()
            self._cls = ocr._load_cls_model()
            self._rec = ocr._load_rec_model()
        except Exception as exc:  # a truncated or foreign model file: onnxruntime's own error types
            raise ConfigError(
                "RapidOCR 模型无法加载，请重新安装 rapidocr==3.10.0",
                "RapidOCR models cannot be loaded; reinstall rapidocr==3.10.0",
                f"{type(exc).__name__}: {exc}"[:300],
            ) from exc
        self._rec_input = TextRecInput
        self._det_max_side = det_max_side

    def recognize(self, image: np.ndarray) -> list[OcrLine]:
        """Read a page; see `OcrEngine.recognize`.

        Detection sees the reduced copy cut to the part that holds ink (`ocr.layout.content_box`):
        its cost grows with the area, and margins and empty space are a fifth of a page on average, two
        thirds of an ID card copy (detection 0.43 -> 0.36 s/page on the bench pages, CER unchanged
        within its noise). The same ink mask gives the ruling lines for the reading order.

        Args:
            image: An upright 2-D uint8 page.

        Returns:
            Lines in reading order (`ocr.lines.group_lines`).
        """
        scale = _detection_scale(image.shape[:2], self._det_max_side)
        small = _resize(image, scale)
        ink = ink_mask(small)
        x0, y0, x1, y1 = _whole_blocks(content_box(ink, CONTENT_MARGIN), small.shape)
        boxes = self._detect(small[y0:y1, x0:x1])
        if not len(boxes):
            return []
        boxes = (boxes + np.array([x0, y0], np.float32)) / scale
        crops, angles, vertical = [], [], []
        for box in boxes:
            corners = _clockwise(box)
            crop = _crop(image, box)
            upright = crop.shape[0] >= 1.5 * crop.shape[1]
            if upright:  # a vertical line of text: read it lying down
                crop = np.rot90(crop)
            crops.append(cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_GRAY2BGR))
            dx, dy = corners[1] - corners[0]
            angles.append(float(np.degrees(np.arctan2(-dy, dx))))
            vertical.append(upright)
        result = self._rec(self._rec_input(img=crops))
        pieces = []
        for box, angle, upright, text, score in zip(
            boxes, angles, vertical, result.txts or (), result.scores or (), strict=False
        ):
            if score < MIN_LINE_SCORE or not text.strip():
                continue
            left, top = np.floor(box.min(axis=0)).astype(int)
            right, bottom = np.ceil(box.max(axis=0)).astype(int)
            bounds = (int(left), int(top), int(right), int(bottom))
            pieces.append(Piece(text, float(score), bounds, angle, upright))
        heights = boxes[..., 1].max(axis=1) - boxes[..., 1].min(axis=1)
        found = find_rules(ink, MIN_LENGTH_HEIGHTS * scale * float(np.median(heights)))
        rules = [Rule(round(r.left / scale), round(r.right / scale), round(r.y / scale)) for r in found]
        return group_lines(pieces, rules)

    def detect_orientation(self, image: np.ndarray) -> OrientationGuess:
        """Detection boxes for the axis, the 0°/180° line classifier for the direction; about 0.2 s.

        Text lines are long boxes: if most of the long boxes stand upright, the page is turned 90° or 270°,
        and the boxes are turned with it so the classifier sees lying lines. The classifier then votes,
        weighted by its scores, on the longest lines.

        Args:
            image: A 2-D uint8 page in any orientation.

        Returns:
            The clockwise rotation to apply and the share of the vote that carried it (0 without lines).
        """
        small = _resize(image, _detection_scale(image.shape[:2], ORIENTATION_SIDE))
        boxes = self._detect(small)
        if not len(boxes):
            return OrientationGuess(0, 0.0)
        extent = boxes.max(axis=1) - boxes.min(axis=1)  # (n, 2): width, height of each box
        wide = extent[:, 0] >= 2 * extent[:, 1]
        tall = extent[:, 1] >= 2 * extent[:, 0]
        base = 0
        if extent[tall, 1].sum() > extent[wide, 0].sum():
            base = 90
            height = small.shape[0]
            small = cv2.rotate(small, cv2.ROTATE_90_CLOCKWISE)
            boxes = np.stack([height - 1 - boxes[..., 1], boxes[..., 0]], axis=-1)  # `_crop` reorders corners
            extent = extent[:, ::-1]
            wide = tall
        lines = np.flatnonzero(wide)
        if not len(lines):
            return OrientationGuess(base, 0.0)
        longest = lines[np.argsort(-extent[lines, 0])][:ORIENTATION_LINES]
        crops = [
            cv2.cvtColor(np.ascontiguousarray(_crop(small, boxes[i])), cv2.COLOR_GRAY2BGR) for i in longest
        ]
        votes = {"0": 0.0, "180": 0.0}
        for label, score in self._cls(crops).cls_res or ():
            votes[str(label)] = votes.get(str(label), 0.0) + float(score)
        total = votes["0"] + votes["180"]
        if total <= 0:
            return OrientationGuess(base, 0.0)
        flipped = votes["180"] > votes["0"]
        return OrientationGuess(
            (base + (180 if flipped else 0)) % 360, abs(votes["0"] - votes["180"]) / total
        )

    def _detect(self, image: np.ndarray) -> np.ndarray:
        """Text boxes, (n, 4, 2) float32 corner points clockwise from top-left, in `image` pixels."""
        found = self._det(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
        if found.boxes is None or not len(found.boxes):
            return np.zeros((0, 4, 2), np.float32)
        return np.asarray(found.boxes, np.float32)


def _whole_blocks(box: tuple[int, int, int, int] | None, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The content box grown to a multiple of 32 px each way where the image allows (the detector
    rounds its input to multiples of 32 by resizing: a cut-out of a few hundred pixels would be
    stretched by several per cent); the whole image if there is no box."""
    height, width = shape[:2]
    if box is None:
        return 0, 0, width, height
    left, top, right, bottom = box
    wide, high = -(-(right - left) // 32) * 32, -(-(bottom - top) // 32) * 32
    right, bottom = min(width, left + wide), min(height, top + high)
    return max(0, right - wide), max(0, bottom - high), right, bottom


def _detection_scale(shape: tuple[int, ...], max_side: int) -> float:
    """The scale of the copy text detection sees: long side at most `max_side`, but short side at least
    `DET_MIN_SIDE` (a small photo is enlarged, as rapidocr's own detector would)."""
    scale = min(1.0, max_side / max(shape))
    return max(scale, DET_MIN_SIDE / min(shape)) if min(shape) * scale < DET_MIN_SIDE else scale


def _resize(image: np.ndarray, scale: float) -> np.ndarray:
    if scale == 1.0:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_LINEAR if scale > 1.0 else cv2.INTER_AREA)


def _clockwise(points: np.ndarray) -> np.ndarray:
    """Corners of a near-upright quadrilateral as top-left, top-right, bottom-right, bottom-left."""
    total = points.sum(axis=1)
    diff = points[:, 1] - points[:, 0]
    return np.array(
        [
            points[np.argmin(total)],
            points[np.argmin(diff)],
            points[np.argmax(total)],
            points[np.argmax(diff)],
        ],
        np.float32,
    )


def _crop(image: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The quadrilateral `box` cut out and straightened (what rapidocr does, on a greyscale page)."""
    points = _clockwise(box.astype(np.float32))
    width = max(1, int(max(np.linalg.norm(points[0] - points[1]), np.linalg.norm(points[2] - points[3]))))
    height = max(1, int(max(np.linalg.norm(points[0] - points[3]), np.linalg.norm(points[1] - points[2]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(points, target)
    return cv2.warpPerspective(
        image, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
