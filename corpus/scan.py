"""Make a rendered page look scanned or photographed, deterministically from a seed (numpy and cv2 only)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from PIL import Image

__all__ = ["MODES", "QUALITIES", "Mode", "Quality", "ScanParams", "apply", "draw_params", "scan"]

Quality = Literal["clean", "normal", "bad"]
Mode = Literal["color", "grey", "bw"]
QUALITIES: tuple[Quality, ...] = ("clean", "normal", "bad")
MODES: tuple[Mode, ...] = ("color", "grey", "bw")


@dataclass(frozen=True, slots=True)
class ScanParams:
    """Everything that makes one scanned page look the way it does; drawn once per page from a seed."""

    quality: Quality = "normal"
    mode: Mode = "grey"
    skew: float = 0.0  # degrees, positive = clockwise
    rotation: int = 0  # 0/90/180/270, clockwise, applied last (a page fed sideways or upside down)
    perspective: float = 0.0  # max corner displacement as a fraction of the page size
    blur: float = 0.0  # Gaussian sigma at 300 dpi
    noise: float = 0.0  # sensor noise sigma in grey levels
    paper: tuple[float, float, float] = (1.0, 1.0, 1.0)  # RGB multiplier of white paper
    contrast: float = 1.0
    brightness: float = 0.0
    gamma: float = 1.0
    shading: float = 0.0  # depth of uneven lamp light, 0..1
    edges: tuple[int, int, int, int] = (0, 0, 0, 0)  # dark border in px at 300 dpi: left, top, right, bottom
    edge_level: int = 40
    specks: int = 0
    jpeg: int = 0  # quality of an intermediate JPEG round trip (0: none)
    threshold: int = 165  # bw mode binarisation level
    whiten: int = 0  # background removal: levels above 255 - whiten become white (most scanners do this)
    phone: bool = False  # a phone photo of the page on a desk instead of a flatbed scan


def draw_params(
    rng: random.Random,
    quality: Quality = "normal",
    *,
    mode: Mode = "grey",
    rotation: int = 0,
    phone: bool = False,
) -> ScanParams:
    """Draw scan parameters for one page at a quality level."""
    if quality == "clean":
        return ScanParams(
            quality,
            mode,
            skew=rng.uniform(-0.3, 0.3),
            rotation=rotation,
            noise=rng.uniform(0.5, 2.0),
            blur=rng.uniform(0.0, 0.35),
            paper=(1.0, 1.0, 1.0),
            threshold=rng.randrange(160, 180),
            phone=phone,
            whiten=rng.randrange(10, 25),
        )
    bad = quality == "bad"
    tint = rng.random()
    if tint < (0.45 if bad else 0.2):  # aged or recycled paper: yellowish
        paper = (rng.uniform(0.95, 0.99), rng.uniform(0.91, 0.96), rng.uniform(0.78, 0.9))
    elif tint < (0.7 if bad else 0.45):  # grey paper or a grey scanner lamp
        g = rng.uniform(0.86 if bad else 0.92, 0.97)
        paper = (g, g, g)
    else:
        paper = (1.0, 1.0, 1.0)
    edges = (0, 0, 0, 0)
    if rng.random() < (0.7 if bad else 0.3):
        e = [rng.choice((0, 0, rng.randrange(8, 60 if bad else 30))) for _ in range(4)]
        edges = (e[0], e[1], e[2], e[3])
    faded = rng.random() < 0.5
    return ScanParams(
        quality,
        mode,
        skew=rng.uniform(-3.0, 3.0) if bad else rng.uniform(-1.5, 1.5),
        rotation=rotation,
        perspective=rng.uniform(0.002, 0.01) if bad else rng.uniform(0.0, 0.003),
        blur=rng.uniform(0.8, 1.5) if bad else rng.uniform(0.2, 0.7),
        noise=rng.uniform(6.0, 12.0) if bad else rng.uniform(2.0, 5.0),
        paper=paper,
        contrast=(rng.uniform(0.65, 0.85) if faded else rng.uniform(1.1, 1.3))
        if bad
        else rng.uniform(0.9, 1.1),
        brightness=rng.uniform(-25, 15) if bad else rng.uniform(-8, 8),
        gamma=rng.uniform(0.8, 1.3) if bad else rng.uniform(0.92, 1.08),
        shading=rng.uniform(0.05, 0.18) if bad else rng.uniform(0.0, 0.06),
        edges=edges,
        edge_level=rng.randrange(15, 90),
        specks=rng.randrange(5, 40) if bad else rng.randrange(0, 8),
        jpeg=rng.randrange(25, 50) if bad else 0,
        threshold=rng.randrange(145, 185),
        phone=phone,
        whiten=rng.randrange(8, 22) if paper == (1.0, 1.0, 1.0) and rng.random() < 0.7 else 0,
    )


def scan(
    img: Image.Image, *, seed: int, quality: Quality = "normal", mode: Mode = "grey", rotation: int = 0
) -> tuple[Image.Image, ScanParams]:
    """Draw parameters from `seed` and apply them; returns the scanned image and what was done to it."""
    params = draw_params(random.Random(seed), quality, mode=mode, rotation=rotation)
    return apply(img, params, seed=seed), params


def apply(img: Image.Image, p: ScanParams, *, seed: int) -> Image.Image:
    """Apply scan effects to a rendered page; returns an RGB, L or 1-bit image per `p.mode`."""
    rng = np.random.default_rng(seed)
    dpi_scale = img.width / 2480  # effects are specified at 300 dpi
    colour = p.mode == "color"
    arr = np.asarray(img.convert("RGB" if colour else "L"))
    arr = cv2.LUT(arr, _tone_lut(p, colour))
    arr = _phone(arr, p, rng) if p.phone else _geometry(arr, p, rng, dpi_scale)
    if p.shading:
        h, w = arr.shape[:2]
        arr = _mul(arr, _light(rng, w, h, p.shading))
    if p.specks:
        arr = _specks(arr, p.specks, rng, dpi_scale)
    # Sensor noise goes in before the optics' blur softens it: sharp per-pixel noise is unlike real scans and
    # makes every JPEG page twice as large.
    if p.noise:
        arr = _noise(arr, p.noise, rng)
    if p.blur:
        arr = cv2.GaussianBlur(arr, (0, 0), p.blur * dpi_scale)
    if p.whiten:
        arr = cv2.LUT(arr, _whiten_lut(p.whiten))
    if p.jpeg:
        ok, buf = cv2.imencode(".jpg", arr, [cv2.IMWRITE_JPEG_QUALITY, p.jpeg])
        decoded = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if ok else None
        assert decoded is not None
        arr = np.asarray(decoded)
    if p.rotation:
        arr = np.ascontiguousarray(np.rot90(arr, k=-(p.rotation // 90)))
    if p.mode == "bw":
        return Image.fromarray(arr).point(lambda v: 255 if v > p.threshold else 0).convert("1")
    return Image.fromarray(arr, "RGB" if colour else "L")


def _whiten_lut(level: int) -> np.ndarray:
    x = np.arange(256, dtype=np.float32)
    cut = 255.0 - level
    y = np.where(x >= cut, 255.0, x * 255.0 / cut * 0.15 + x * 0.85)
    return np.clip(y, 0, 255).astype(np.uint8)


def _tone_lut(p: ScanParams, colour: bool) -> np.ndarray:
    """Contrast, brightness, gamma and the paper's tint folded into one lookup table (per channel)."""
    x = np.arange(256, dtype=np.float32) / 255.0
    y = np.power(x, p.gamma) * 255.0
    y = (y - 128.0) * p.contrast + 128.0 + p.brightness
    # Paper white stays near white: scanners calibrate on it; contrast changes show in the ink.
    y = np.where(x > 0.97, np.maximum(y, 255.0 - 6.0), y)
    if not colour:
        g = 0.299 * p.paper[0] + 0.587 * p.paper[1] + 0.114 * p.paper[2]
        return np.asarray(np.clip(y * g, 0, 255), np.uint8)
    lut = np.stack([np.clip(y * t, 0, 255) for t in p.paper], axis=-1)
    return lut.astype(np.uint8).reshape(256, 1, 3)


def _light(rng: np.random.Generator, w: int, h: int, depth: float, cells: int = 4) -> np.ndarray:
    """A smooth uint8 lighting field: 255 where fully lit, down to 255 * (1 - depth)."""
    small = (255 * (1.0 - depth * rng.random((cells, cells)))).astype(np.uint8)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _mul(arr: np.ndarray, field: np.ndarray) -> np.ndarray:
    """Multiply by a uint8 field (255 = 1.0) in uint8 arithmetic: float copies of a 300 dpi page are slow."""
    if arr.ndim == 3:
        field = cv2.merge([field, field, field])
    return cv2.multiply(arr, field, scale=1 / 255)


def _geometry(arr: np.ndarray, p: ScanParams, rng: np.random.Generator, dpi_scale: float) -> np.ndarray:
    """Skew, a little perspective and the page's position on the scanner glass, in one warp."""
    h, w = arr.shape[:2]
    left, top, right, bottom = (round(e * dpi_scale) for e in p.edges)
    # The page sits inside the scan area; the uncovered strips show the lid or the ADF background.
    sx = (w - left - right) / w
    sy = (h - top - bottom) / h
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    dst = src * [sx, sy] + [left, top]
    if p.perspective:
        dst += rng.uniform(-p.perspective, p.perspective, (4, 2)).astype(np.float32) * [w, h]
    centre = dst.mean(axis=0)
    a = np.deg2rad(p.skew)  # clockwise on screen (y down)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]], np.float32)
    dst = (dst - centre) @ rot.T + centre
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    border = p.edge_level if any(p.edges) else 255
    fill = (border,) * 3 if arr.ndim == 3 else border
    if not any(p.edges) and p.skew == 0 and not p.perspective:
        return arr
    return cv2.warpPerspective(
        arr, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )


def _phone(arr: np.ndarray, p: ScanParams, rng: np.random.Generator) -> np.ndarray:
    """A phone photo: the page smaller in the frame, on a desk, with perspective and a lighting gradient."""
    h, w = arr.shape[:2]
    out_w, out_h = round(2250 * w / 1654), round(3000 * w / 1654)  # a 12 MP phone framing a 200 dpi page
    palette = ((120, 90, 60), (60, 60, 65), (180, 178, 170), (215, 212, 205), (90, 62, 42), (40, 45, 55))
    desk = np.array(palette[int(rng.integers(len(palette)))], np.float32) * float(rng.uniform(0.85, 1.1))
    bg = np.empty((out_h, out_w, 3) if arr.ndim == 3 else (out_h, out_w), np.uint8)
    bg[...] = desk if arr.ndim == 3 else int(desk.mean())
    scale = min(out_w / w, out_h / h) * rng.uniform(0.78, 0.9)
    cx, cy = out_w / 2 + rng.uniform(-60, 60), out_h / 2 + rng.uniform(-60, 60)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    corners = (src - [w / 2, h / 2]) * scale
    corners += rng.uniform(-0.04, 0.04, (4, 2)) * [out_w, out_h]
    a = np.deg2rad(p.skew)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    dst = (corners @ rot.T + [cx, cy]).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(
        arr, m, (out_w, out_h), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_TRANSPARENT, dst=bg
    )
    return _mul(warped, _light(rng, out_w, out_h, 0.3, 3))


def _specks(arr: np.ndarray, n: int, rng: np.random.Generator, dpi_scale: float) -> np.ndarray:
    arr = arr.copy()
    h, w = arr.shape[:2]
    for _ in range(n):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        r = max(1, int(rng.uniform(1, 4) * dpi_scale))
        v = int(rng.integers(0, 90))
        cv2.circle(arr, (x, y), r, (v, v, v) if arr.ndim == 3 else v, -1)
    return arr


def _noise(arr: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    h, w = arr.shape[:2]
    # cv2's generator is several times faster than numpy's here; seed it from ours to stay deterministic.
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
    noise = np.empty((h, w), np.int16)
    cv2.randn(noise, np.array([0.0]), np.array([sigma]))
    signal = cv2.merge([noise, noise, noise]) if arr.ndim == 3 else noise
    return np.asarray(cv2.add(arr, signal, dtype=cv2.CV_8U))
