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
# order-free, Chinese) and every identifier found. 1280 keeps a margin for small print.
DET_MAX_SIDE = 1280
# Orientation check: detection on a smaller copy, then the line classifier on the longest lines.
ORIENTATION_SIDE = 1024
ORIENTATION_LINES = 16
# Lines scored below this by the recogniser are dropped (rapidocr's own default `text_score`).
MIN_LINE_SCORE = 0.5


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
    cheap orientation check; and lines are recognised one at a time, which on one thread was 25 % faster
    than rapidocr's batches of 6 (no padding to the widest line of a batch). These are attributes of
    rapidocr 3.10.0, pinned for that reason.

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
            "Rec.rec_batch_num": 1,
            "Global.use_cls": False,
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            # The arena keeps buffers between pages: measured 10-15 % faster detection and recognition.
            "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
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

        Args:
            image: An upright 2-D uint8 page.

        Returns:
            Lines in reading order: boxes grouped by vertical centre, then left to right.
        """
        boxes = self._detect(image, self._det_max_side)
        if not len(boxes):
            return []
        crops = []
        for box in boxes:
            crop = _crop(image, box)
            if crop.shape[0] >= 1.5 * crop.shape[1]:  # a vertical line of text: read it lying down
                crop = np.rot90(crop)
            crops.append(cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_GRAY2BGR))
        result = self._rec(self._rec_input(img=crops))
        pieces = []
        for box, text, score in zip(boxes, result.txts or (), result.scores or (), strict=False):
            if score < MIN_LINE_SCORE or not text.strip():
                continue
            left, top = np.floor(box.min(axis=0)).astype(int)
            right, bottom = np.ceil(box.max(axis=0)).astype(int)
            pieces.append(Piece(text, float(score), (int(left), int(top), int(right), int(bottom))))
        return group_lines(pieces)

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
        scale = min(1.0, ORIENTATION_SIDE / max(image.shape[:2]))
        small = _resize(image, scale)
        boxes = self._detect(small, ORIENTATION_SIDE)
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

    def _detect(self, image: np.ndarray, max_side: int) -> np.ndarray:
        """Text boxes, (n, 4, 2) float32 corner points clockwise from top-left, in `image` pixels."""
        scale = min(1.0, max_side / max(image.shape[:2]))
        small = _resize(image, scale)
        found = self._det(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
        if found.boxes is None or not len(found.boxes):
            return np.zeros((0, 4, 2), np.float32)
        return (np.asarray(found.boxes, np.float32) / scale).astype(np.float32)


def _resize(image: np.ndarray, scale: float) -> np.ndarray:
    if scale >= 1.0:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


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
