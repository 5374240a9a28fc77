"""Draw a Page to a Pillow image at any dpi, including painted elements: seals, signatures, ticks, photos."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import NamedTuple

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .layout import EllipseOp, GraphicOp, LineOp, Page, RectOp, TextOp, font

__all__ = ["paint", "render", "text_patch"]


class Patch(NamedTuple):
    """A painted element: an 'L' coverage mask of one ink colour, laid on the page by multiplying (a red seal
    over black text stays dark), or, when `ink` is None, an opaque RGBA picture laid over the page."""

    image: Image.Image
    ink: tuple[int, int, int] | None

    def rgba(self) -> Image.Image:
        """The patch as an RGBA image (for PDF output)."""
        if self.ink is None:
            return self.image
        out = Image.new("RGBA", self.image.size, self.ink + (0,))
        out.putalpha(self.image)
        return out


def render(page: Page, dpi: float, *, mode: str = "RGB") -> Image.Image:
    """Render `page` on white at `dpi`, as RGB or, cheaper when the scan will be grey anyway, as L."""
    k = dpi / 25.4
    img = Image.new(mode, (round(page.width * k), round(page.height * k)), "white")
    draw = ImageDraw.Draw(img)
    grey = mode == "L"

    def c(color: tuple[int, int, int] | None) -> int | tuple[int, int, int] | None:
        return _luma(color) if grey and color is not None else color

    for op in page.ops:
        if isinstance(op, TextOp):
            if op.angle or op.alpha < 255:
                patch, px, py = text_patch(op, k)
                _composite(img, patch, px, py)
            else:
                _draw_text(draw, op, k, c(op.color))
        elif isinstance(op, LineOp):
            _draw_line(draw, op, k, c(op.color))
        elif isinstance(op, RectOp):
            box = (op.x * k, op.y * k, (op.x + op.w) * k, (op.y + op.h) * k)
            width = max(1, round(op.width * k)) if op.width else 0
            if op.radius:
                draw.rounded_rectangle(
                    box,
                    radius=op.radius * k,
                    outline=c(op.color) if width else None,
                    fill=c(op.fill),
                    width=width,
                )
            else:
                draw.rectangle(box, outline=c(op.color) if width else None, fill=c(op.fill), width=width)
        elif isinstance(op, EllipseOp):
            box = ((op.cx - op.rx) * k, (op.cy - op.ry) * k, (op.cx + op.rx) * k, (op.cy + op.ry) * k)
            draw.ellipse(
                box,
                outline=c(op.color) if op.width else None,
                fill=c(op.fill),
                width=max(1, round(op.width * k)) if op.width else 0,
            )
        elif isinstance(op, GraphicOp):
            _composite(img, paint(op, k), round(op.x * k), round(op.y * k))
    return img


def _luma(color: tuple[int, int, int]) -> int:
    return round(0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2])


def _draw_text(
    draw: ImageDraw.ImageDraw, op: TextOp, k: float, fill: int | tuple[int, int, int] | None
) -> None:
    px = round(op.size / 72 * 25.4 * k)
    fake_bold = op.bold and op.family == "hei"
    draw.text(
        (op.x * k, op.y * k),
        op.text,
        font=font(op.family, op.bold, px),
        fill=fill,
        anchor=op.anchor + "s",
        stroke_width=max(1, px // 28) if fake_bold else 0,
        stroke_fill=fill if fake_bold else None,
    )


def text_patch(op: TextOp, k: float) -> tuple[Patch, int, int]:
    """A rotated or translucent text run as a patch and its top-left corner in px (centred on x, y)."""
    px = round(op.size / 72 * 25.4 * k)
    f = font(op.family, op.bold, px)
    left, top, right, bottom = (round(v) for v in f.getbbox(op.text, anchor="ls"))
    mask = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(mask).text((2 - left, 2 - top), op.text, font=f, fill=op.alpha, anchor="ls")
    mask = mask.rotate(op.angle, expand=True, resample=Image.Resampling.BILINEAR)
    # The anchor point is the centre of the rotated run, which is how stamps and overprints are placed.
    return Patch(mask, op.color), round(op.x * k - mask.width / 2), round(op.y * k - mask.height / 2)


def _draw_line(
    draw: ImageDraw.ImageDraw, op: LineOp, k: float, fill: int | tuple[int, int, int] | None
) -> None:
    width = max(1, round(op.width * k))
    p1, p2 = (op.x1 * k, op.y1 * k), (op.x2 * k, op.y2 * k)
    if not op.dash:
        draw.line([p1, p2], fill=fill, width=width)
        return
    length = math.dist(p1, p2)
    step = op.dash * k
    n = max(1, int(length / step))
    for i in range(0, n, 2):
        a, b = i / n, min(1.0, (i + 1) / n)
        draw.line(
            [
                (p1[0] + (p2[0] - p1[0]) * a, p1[1] + (p2[1] - p1[1]) * a),
                (p1[0] + (p2[0] - p1[0]) * b, p1[1] + (p2[1] - p1[1]) * b),
            ],
            fill=fill,
            width=width,
        )


def _composite(img: Image.Image, patch: Patch, x: int, y: int) -> None:
    """Lay a patch on the page: ink multiplies what is under it, pictures cover it."""
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + patch.image.width, img.width), min(y + patch.image.height, img.height)
    if x1 <= x0 or y1 <= y0:
        return
    crop = patch.image.crop((x0 - x, y0 - y, x1 - x, y1 - y))
    if patch.ink is None:
        img.paste(crop.convert(img.mode), (x0, y0), crop.getchannel("A"))
        return
    # out = page * (1 - a * (1 - ink)), in uint8 arithmetic: float copies of a page-sized patch are slow.
    region = np.asarray(img.crop((x0, y0, x1, y1)))
    a = np.asarray(crop)
    if img.mode == "L":
        darken = cv2.multiply(region, a, scale=(255 - _luma(patch.ink)) / 255 / 255)
    else:
        darken = cv2.merge(
            [cv2.multiply(region[..., i], a, scale=(255 - c) / 255 / 255) for i, c in enumerate(patch.ink)]
        )
    img.paste(Image.fromarray(cv2.subtract(region, darken), img.mode), (x0, y0))


# --- painters -----------------------------------------------------------------------------------------------


_CACHED = frozenset(
    {"seal", "emblem", "circled_x", "esig"}
)  # the ones that repeat; ticks would only evict them


def paint(op: GraphicOp, k: float) -> Patch:
    """Paint a graphic op into an RGBA patch the size of its box at `k` px/mm.

    Small, repeated elements (the dealer's seal on every page of a long PDF) are cached; big one-off ones
    (photos, card tones, bleed-through of a particular page) are not, to keep memory flat.
    """
    if op.kind in _CACHED:
        # Painters ignore the position, so the cache key leaves it out: one seal serves every page.
        return _paint_cached(replace(op, x=0.0, y=0.0), round(k, 4))
    return _paint_now(op, k)


@lru_cache(maxsize=128)
def _paint_cached(op: GraphicOp, k: float) -> Patch:
    return _paint_now(op, k)


def _paint_now(op: GraphicOp, k: float) -> Patch:
    w, h = max(1, round(op.w * k)), max(1, round(op.h * k))
    return _PAINTERS[op.kind](op, w, h, k, np.random.default_rng(op.seed))


def _ink(mask: np.ndarray, color: tuple[int, int, int]) -> Patch:
    return Patch(Image.fromarray(np.clip(mask, 0, 255).astype(np.uint8), "L"), color)


def _lowfreq(rng: np.random.Generator, w: int, h: int, cells: int = 6) -> np.ndarray:
    """Smooth random field in [0, 1]: uneven ink, uneven lighting."""
    small = rng.random((cells, cells)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def _paint_seal(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    text = str(op.param("text", ""))
    center = str(op.param("center", ""))
    oval = op.param("shape", "round") == "oval"
    color = op.param("color", (210, 35, 40))
    mask = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(mask)
    ring = max(2, round(min(w, h) * (0.03 if oval else 0.035)))
    d.ellipse((ring, ring, w - ring - 1, h - ring - 1), outline=255, width=ring)
    rx, ry = w / 2 - ring * 2.2, h / 2 - ring * 2.2
    cx, cy = w / 2, h / 2
    n = max(len(text), 1)
    span = math.radians(200 if oval else 250 if n > 12 else 215)
    r_in = (rx + ry) / 2 if oval else rx
    # Glyphs fill the arc: size so that n glyphs of size c fit on the arc at radius r_in - 0.6c.
    char_px = round(min(min(w, h) * (0.15 if oval else 0.19), 0.88 * span * r_in / (n + 0.54 * span)))
    f = font("sans", True, char_px)
    for i, ch in enumerate(text):
        t = math.pi / 2 + span / 2 - span * (i + 0.5) / n  # from lower left, clockwise over the top
        r_x, r_y = rx - char_px * 0.62, ry - char_px * 0.62
        px, py = cx + r_x * math.cos(t), cy - r_y * math.sin(t)
        # Glyph tops face outward along the ellipse normal.
        normal = math.degrees(math.atan2(math.sin(t) / r_y, math.cos(t) / r_x))
        glyph = Image.new("L", (char_px * 2, char_px * 2), 0)
        ImageDraw.Draw(glyph).text((char_px, char_px), ch, font=f, fill=255, anchor="mm")
        glyph = glyph.rotate(normal - 90, resample=Image.Resampling.BILINEAR)
        mask.paste(255, (round(px - char_px), round(py - char_px)), glyph)
    if oval:
        code_px = round(h * 0.11)
        code_px = round(code_px * min(1.0, w * 0.72 / max(font("dsans", True, code_px).getlength(center), 1)))
        d.text((cx, cy + h * 0.06), center, font=font("dsans", True, code_px), fill=255, anchor="mm")
        bottom = str(op.param("bottom", "发票专用章"))
        d.text((cx, cy + h * 0.27), bottom, font=font("sans", True, round(h * 0.12)), fill=255, anchor="mm")
    else:
        r = min(w, h) * 0.16
        pts = [
            (
                cx + r * math.cos(math.radians(-90 + 36 * j)) * (1 if j % 2 == 0 else 0.382),
                cy - h * 0.02 + r * math.sin(math.radians(-90 + 36 * j)) * (1 if j % 2 == 0 else 0.382),
            )
            for j in range(10)
        ]
        d.polygon(pts, fill=255)
        if center:
            d.text(
                (cx, cy + min(w, h) * 0.27),
                center,
                font=font("sans", True, round(min(w, h) * 0.1)),
                fill=255,
                anchor="mm",
            )
    arr: np.ndarray = np.asarray(mask, np.float32)
    if not op.param("clean", False):
        # Real stamps print unevenly: lighter patches, a few gaps, a darker rim where the pad was wetter.
        arr *= 0.55 + 0.45 * _lowfreq(rng, w, h, 5)
        arr *= rng.random((h, w)) > 0.06
        arr = cv2.GaussianBlur(arr, (0, 0), max(0.5, k * 0.05))
    angle = float(op.param("angle", 0.0))
    patch = _ink(arr * 0.9, color)
    if angle:
        return Patch(patch.image.rotate(angle, resample=Image.Resampling.BILINEAR), patch.ink)
    return patch


def _bezier(points: np.ndarray, n: int = 24) -> np.ndarray:
    """Sample a quadratic B-spline through control points: smooth pen-like curves."""
    out = []
    for i in range(len(points) - 2):
        p0 = (points[i] + points[i + 1]) / 2
        p1 = points[i + 1]
        p2 = (points[i + 1] + points[i + 2]) / 2
        t = np.linspace(0, 1, n)[:, None]
        out.append((1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2)
    return np.concatenate(out) if out else points


def _paint_signature(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    """A fast cursive name: per character a looping pen path, joined, leaning right, ending in a flourish."""
    scale = 3  # draw larger, then shrink: cheap antialiasing
    W, H = w * scale, h * scale
    canvas = np.zeros((H, W), np.uint8)
    n_chars = int(op.param("chars", rng.integers(2, 4)))
    cell = W / (n_chars + 0.5)
    thick = max(2, round(k * scale * float(rng.uniform(0.35, 0.6))))
    path: list[tuple[float, float]] = []
    for c in range(n_chars):
        x0 = cell * (0.2 + c)
        n = int(rng.integers(5, 9))
        xs = x0 + np.sort(rng.uniform(0, cell * 0.95, n)) + rng.normal(0, cell * 0.15, n)
        ys = H * (0.15 + 0.7 * rng.random(n))
        path += list(zip(xs, ys, strict=True))
        if rng.random() < 0.6:  # a separate dot or dash within the character
            sx, sy = x0 + rng.uniform(0, cell * 0.8), H * rng.uniform(0.1, 0.5)
            dash = np.array([[sx, sy], [sx + cell * 0.1, sy + H * 0.02], [sx + cell * 0.3, sy - H * 0.05]])
            cv2.polylines(canvas, [_bezier(dash, 8).astype(np.int32)], False, 255, thick, cv2.LINE_AA)
    end = path[-1]
    path += [(end[0] + cell * 0.2, H * 0.85), (end[0] + cell * 0.45, H * 0.55)]
    curve = _bezier(np.array(path, np.float64), 16)
    curve[:, 0] += (H - curve[:, 1]) * 0.3  # right-leaning hand
    curve[:, 0] = np.clip(curve[:, 0], 0, W - 1)
    cv2.polylines(canvas, [curve.astype(np.int32)], False, 255, thick, cv2.LINE_AA)
    small = cv2.resize(canvas, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    color = op.param("color", (25, 35, 90))
    return _ink(np.minimum(small * 1.3, 255), color)


def _paint_tick(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    s = 3
    canvas = np.zeros((h * s, w * s), np.uint8)
    j = rng.normal(0, 0.04, (4, 2))
    style = op.param("style", "tick")
    if style == "cross":
        lines = [np.array([[0.2, 0.2], [0.8, 0.85]]), np.array([[0.8, 0.15], [0.2, 0.85]])]
    else:
        lines = [np.array([[0.1, 0.5], [0.38, 0.85], [0.5, 0.7], [0.95, 0.05]])]
    for ln in lines:
        pts = (ln + j[: len(ln)]) * [w * s, h * s]
        cv2.polylines(
            canvas,
            [_bezier(np.vstack([pts[:1], pts, pts[-1:]]), 10).astype(np.int32)],
            False,
            255,
            max(1, round(k * s * 0.35)),
            cv2.LINE_AA,
        )
    small = cv2.resize(canvas, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
    return _ink(small, op.param("color", (30, 40, 110)))


def _paint_portrait(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    base = int(rng.integers(205, 235))
    img = Image.new("L", (w, h), base)
    d = ImageDraw.Draw(img)
    tone = int(rng.integers(120, 170))
    d.ellipse((w * 0.05, h * 0.72, w * 0.95, h * 1.5), fill=tone - 40)  # shoulders
    d.rectangle((w * 0.4, h * 0.55, w * 0.6, h * 0.8), fill=tone)  # neck
    d.ellipse((w * 0.26, h * 0.16, w * 0.74, h * 0.7), fill=tone)  # face
    d.chord((w * 0.24, h * 0.1, w * 0.76, h * 0.55), 180, 360, fill=40)  # hair
    img = img.filter(ImageFilter.GaussianBlur(max(1.0, k * 0.3)))
    return Patch(img.convert("RGBA"), None)


def _paint_emblem(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    mask = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(mask)
    lw = max(1, round(min(w, h) * 0.03))
    d.ellipse((lw, lw, w - lw, h - lw), outline=255, width=lw)
    d.ellipse((w * 0.14, h * 0.14, w * 0.86, h * 0.86), outline=255, width=max(1, lw // 2))

    def star(cx: float, cy: float, r: float) -> None:
        d.polygon(
            [
                (
                    cx + r * math.cos(math.radians(-90 + 36 * j)) * (1 if j % 2 == 0 else 0.38),
                    cy + r * math.sin(math.radians(-90 + 36 * j)) * (1 if j % 2 == 0 else 0.38),
                )
                for j in range(10)
            ],
            fill=255,
        )

    star(w * 0.5, h * 0.3, w * 0.1)
    for dx, dy in ((-0.18, 0.22), (-0.1, 0.14), (0.1, 0.14), (0.18, 0.22)):
        star(w * (0.5 + dx), h * (0.3 + dy - 0.12), w * 0.035)
    d.rectangle((w * 0.3, h * 0.52, w * 0.7, h * 0.68), outline=255, width=lw)  # the gate
    for i in range(5):
        x = w * (0.34 + 0.08 * i)
        d.line((x, h * 0.56, x, h * 0.68), fill=255, width=max(1, lw // 2))
    return _ink(np.asarray(mask, np.float32), op.param("color", (40, 40, 40)))


def _paint_qr(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    n = 29
    m = rng.random((n, n)) < 0.5
    for r0, c0 in ((0, 0), (0, n - 7), (n - 7, 0)):
        m[r0 : r0 + 7, c0 : c0 + 7] = False
        m[r0 : r0 + 7, c0] = m[r0 : r0 + 7, c0 + 6] = True
        m[r0, c0 : c0 + 7] = m[r0 + 6, c0 : c0 + 7] = True
        m[r0 + 2 : r0 + 5, c0 + 2 : c0 + 5] = True
    big = cv2.resize(m.astype(np.float32) * 255, (w, h), interpolation=cv2.INTER_NEAREST)
    return _ink(big, (20, 20, 20))


def _paint_barcode(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    widths = rng.integers(1, 4, 60)
    cols = np.repeat(np.arange(len(widths)) % 2 == 0, widths)
    bars = cv2.resize(cols.astype(np.float32)[None, :] * 255, (w, h), interpolation=cv2.INTER_NEAREST)
    return _ink(bars, (20, 20, 20))


def _paint_copytone(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    """The grey of a photocopied card: toned area, guilloche waves, darker rim and toner grain.

    The texture is computed at 100 dpi at most and enlarged: it is soft, and the scan adds the fine grain.
    """
    f = min(1.0, 4.0 / k)
    lw, lh = max(8, round(w * f)), max(8, round(h * f))
    tone = float(op.param("tone", 40))
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    period = k * f * float(rng.uniform(1.2, 2.2))
    waves = 0.5 + 0.5 * np.sin(xx / period + 3 * np.sin(yy / (period * 9)))
    dens = tone * (0.7 + 0.3 * waves) * (0.85 + 0.3 * _lowfreq(rng, lw, lh, 4))
    dens += rng.normal(0, tone * 0.12, (lh, lw)).astype(np.float32)
    dens = cv2.resize(np.clip(dens, 0, 255), (w, h), interpolation=cv2.INTER_LINEAR)
    mask = np.zeros((h, w), np.uint8)
    radius = round(float(op.param("radius", 3.0)) * k)
    e = 3  # inset so the rim is drawn on all four sides
    cv2.rectangle(mask, (e + radius, e), (w - e - radius, h - e), 255, -1)
    cv2.rectangle(mask, (e, e + radius), (w - e, h - e - radius), 255, -1)
    for cx, cy in (
        (e + radius, e + radius),
        (w - e - radius, e + radius),
        (e + radius, h - e - radius),
        (w - e - radius, h - e - radius),
    ):
        cv2.circle(mask, (cx, cy), radius, 255, -1)
    rim = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((5, 5), np.uint8))
    alpha = cv2.addWeighted(
        cv2.multiply(dens, mask.astype(np.float32), scale=1 / 255),
        1.0,
        rim.astype(np.float32),
        160 / 255,
        0.0,
    )
    return _ink(alpha, (40, 40, 40))


def _paint_car(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    """A photo-like picture: sky, ground, a car's shape; later blurred and grained like a print."""
    yy = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    sky = np.array(rng.integers(150, 230, 3), np.float32)
    ground = np.array(rng.integers(60, 140, 3), np.float32)
    horizon = float(rng.uniform(0.45, 0.6))
    img = np.where(
        yy[..., None] < horizon, sky * (0.8 + 0.2 * yy[..., None]), ground * (1.2 - 0.4 * yy[..., None])
    )
    img = np.broadcast_to(img, (h, w, 3)).copy()
    body = tuple(int(c) for c in rng.integers(20, 220, 3))
    cx, base = w * float(rng.uniform(0.4, 0.6)), h * float(rng.uniform(0.72, 0.82))
    cw, ch = w * 0.62, h * 0.26
    poly = np.array(
        [
            [cx - cw / 2, base],
            [cx - cw / 2, base - ch * 0.55],
            [cx - cw * 0.28, base - ch * 0.62],
            [cx - cw * 0.15, base - ch],
            [cx + cw * 0.2, base - ch],
            [cx + cw * 0.33, base - ch * 0.6],
            [cx + cw / 2, base - ch * 0.5],
            [cx + cw / 2, base],
        ],
        np.int32,
    )
    cv2.fillPoly(img, [poly], body, cv2.LINE_AA)
    win = np.array(
        [
            [cx - cw * 0.13, base - ch * 0.92],
            [cx + cw * 0.18, base - ch * 0.92],
            [cx + cw * 0.28, base - ch * 0.62],
            [cx - cw * 0.24, base - ch * 0.62],
        ],
        np.int32,
    )
    cv2.fillPoly(img, [win], (70, 80, 90), cv2.LINE_AA)
    for wx in (cx - cw * 0.3, cx + cw * 0.3):
        cv2.circle(img, (int(wx), int(base)), int(ch * 0.26), (25, 25, 25), -1, cv2.LINE_AA)
        cv2.circle(img, (int(wx), int(base)), int(ch * 0.12), (150, 150, 150), -1, cv2.LINE_AA)
    for _ in range(6):  # people, trees, a building: blobs that make it read as a photo
        bx, by = int(rng.uniform(0, w)), int(rng.uniform(h * 0.2, horizon * h))
        cv2.ellipse(
            img,
            (bx, by),
            (int(w * rng.uniform(0.03, 0.1)), int(h * rng.uniform(0.05, 0.2))),
            0,
            0,
            360,
            tuple(int(c) for c in rng.integers(30, 200, 3)),
            -1,
            cv2.LINE_AA,
        )
    img = cv2.GaussianBlur(img, (0, 0), max(1.0, k * 0.4))
    img += rng.normal(0, 6, img.shape).astype(np.float32)
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    return Patch(out, None)


def _paint_bleed(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    """Show-through of the other side of the sheet: mirrored, blurred and very faint."""
    assert op.source is not None
    src = render(op.source, 25.0).convert("L").transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    # Blur at 25 dpi, then enlarge: the same soft show-through for a fraction of the cost at page size.
    small = cv2.GaussianBlur(255 - np.asarray(src, np.float32), (0, 0), 0.6)
    arr = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR) * float(op.param("strength", 0.08))
    return _ink(arr, (90, 90, 90))


def _paint_specks(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    mask = np.zeros((h, w), np.uint8)
    for _ in range(int(op.param("count", 8))):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        if rng.random() < 0.8:
            cv2.circle(mask, (x, y), max(1, int(k * rng.uniform(0.05, 0.3))), 255, -1, cv2.LINE_AA)
        else:  # a hair or fibre
            pts = np.cumsum(rng.normal(0, k * 1.2, (6, 2)), axis=0) + [x, y]
            cv2.polylines(mask, [pts.astype(np.int32)], False, 200, 1, cv2.LINE_AA)
    return _ink(mask.astype(np.float32), (30, 30, 30))


def _paint_circled_x(op: GraphicOp, w: int, h: int, k: float, rng: np.random.Generator) -> Patch:
    mask = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(mask)
    lw = max(1, round(k * 0.2))
    d.ellipse((lw, lw, w - lw, h - lw), outline=255, width=lw)
    d.line((w * 0.25, h * 0.25, w * 0.75, h * 0.75), fill=255, width=lw)
    d.line((w * 0.75, h * 0.25, w * 0.25, h * 0.75), fill=255, width=lw)
    return _ink(np.asarray(mask, np.float32), op.param("color", (20, 20, 20)))


_PAINTERS: dict[str, Callable[[GraphicOp, int, int, float, np.random.Generator], Patch]] = {
    "seal": _paint_seal,
    "signature": _paint_signature,
    "esig": _paint_signature,  # an electronic signature image: the same few reused
    "tick": _paint_tick,
    "portrait": _paint_portrait,
    "emblem": _paint_emblem,
    "qr": _paint_qr,
    "barcode": _paint_barcode,
    "copytone": _paint_copytone,
    "car": _paint_car,
    "bleed": _paint_bleed,
    "specks": _paint_specks,
    "circled_x": _paint_circled_x,
}
