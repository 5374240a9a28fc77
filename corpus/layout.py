"""Page layouts in millimetres: drawing ops shared by the raster and PDF renderers, and the truth text."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from PIL import ImageFont

__all__ = [
    "A4",
    "BLACK",
    "RED",
    "FONT_FILES",
    "Color",
    "GraphicOp",
    "LineOp",
    "Page",
    "RectOp",
    "EllipseOp",
    "Style",
    "TextOp",
    "font",
    "measure",
]

A4 = (210.0, 297.0)
PT_MM = 25.4 / 72

Color = tuple[int, int, int]
BLACK: Color = (20, 20, 20)
RED: Color = (210, 35, 40)

_NOTO = "/usr/share/fonts/opentype/noto/"
_DEJAVU = "/usr/share/fonts/truetype/dejavu/"
#: family -> ((regular file, ttc index), (bold file, index) or None when bold is faked with a stroke)
FONT_FILES: dict[str, tuple[tuple[str, int], tuple[str, int] | None]] = {
    "sans": ((_NOTO + "NotoSansCJK-Regular.ttc", 2), (_NOTO + "NotoSansCJK-Bold.ttc", 2)),
    "serif": ((_NOTO + "NotoSerifCJK-Regular.ttc", 2), (_NOTO + "NotoSerifCJK-Bold.ttc", 2)),
    "hei": (("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0), None),
    "dsans": ((_DEJAVU + "DejaVuSans.ttf", 0), (_DEJAVU + "DejaVuSans-Bold.ttf", 0)),
    "dserif": ((_DEJAVU + "DejaVuSerif.ttf", 0), (_DEJAVU + "DejaVuSerif-Bold.ttf", 0)),
    "mono": ((_DEJAVU + "DejaVuSansMono.ttf", 0), (_DEJAVU + "DejaVuSansMono-Bold.ttf", 0)),
}
_LATIN_ONLY = frozenset({"dsans", "dserif", "mono"})
_REF_PX = 200  # size at which widths are measured; layout is resolution independent


@lru_cache(maxsize=64)
def font(family: str, bold: bool, px: int) -> ImageFont.FreeTypeFont:
    """A cached Pillow font: loading a CJK .ttc costs milliseconds, so never load one per text op; each
    face holds a few MB, so keep the most recent sizes only."""
    regular, heavy = FONT_FILES[family]
    path, index = heavy if (bold and heavy) else regular
    return ImageFont.truetype(path, max(px, 1), index=index)


@lru_cache(maxsize=65536)
def measure(text: str, size: float, family: str, bold: bool = False) -> float:
    """Width of `text` in mm at `size` pt."""
    return font(family, bold, _REF_PX).getlength(text) / _REF_PX * size * PT_MM


@dataclass(frozen=True, slots=True)
class Style:
    """Per-document look: the same template drawn with another style looks like another print shop's form."""

    family: str = "sans"  # CJK family for Chinese text: sans | serif | hei
    latin: str = "sans"  # family for English documents: dsans | dserif | sans | serif
    size: float = 10.5  # body size in pt
    ink: Color = BLACK
    rule: Color = BLACK  # colour of printed form lines
    rule_w: float = 0.25  # mm
    margin: float = 20.0  # mm, left and right
    top: float = 18.0  # mm
    leading: float = 1.55  # line height as a multiple of the body size
    date_style: int = 0  # see templates.common.fmt_date
    checked_mark: str = "tick"  # tick (hand drawn) | cross | printed


@dataclass(frozen=True, slots=True)
class TextOp:
    """One run of text on one line; y is the baseline. `truth=False` runs (stamps, overprints) stay out of
    the truth text and out of a PDF's text layer."""

    x: float
    y: float
    text: str
    size: float
    family: str
    bold: bool
    color: Color
    anchor: str  # l | m | r
    truth: bool
    block: int
    angle: float = 0.0
    alpha: int = 255

    @property
    def width(self) -> float:
        return measure(self.text, self.size, self.family, self.bold)

    @property
    def left(self) -> float:
        return self.x - {"l": 0.0, "m": 0.5, "r": 1.0}[self.anchor] * self.width

    @property
    def height(self) -> float:
        return self.size * PT_MM


@dataclass(frozen=True, slots=True)
class LineOp:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    color: Color
    dash: float = 0.0  # dash length in mm, 0 for solid


@dataclass(frozen=True, slots=True)
class RectOp:
    x: float
    y: float
    w: float
    h: float
    width: float  # outline width in mm, 0 for none
    color: Color
    fill: Color | None = None
    radius: float = 0.0


@dataclass(frozen=True, slots=True)
class EllipseOp:
    cx: float
    cy: float
    rx: float
    ry: float
    width: float
    color: Color
    fill: Color | None = None


@dataclass(frozen=True, slots=True)
class GraphicOp:
    """A raster element (seal, signature, photo, tick...) painted by `raster.paint` into its box.

    `params` is a tuple of (key, value) pairs so the op stays hashable and painted patches can be cached.
    """

    kind: str
    x: float
    y: float
    w: float
    h: float
    seed: int
    params: tuple[tuple[str, object], ...] = ()
    source: Page | None = field(default=None, compare=False, hash=False)  # bleed-through only

    def param(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)


Op = TextOp | LineOp | RectOp | EllipseOp | GraphicOp

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:/%()'&\-]*|\s+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)%")


class Page:
    """A page being drawn: ops in mm (origin top left, y down) plus the identifiers printed on it."""

    def __init__(self, style: Style, *, size: tuple[float, float] = A4) -> None:
        self.style = style
        self.width, self.height = size
        self.ops: list[Op] = []
        self.identifiers: dict[str, list[str]] = {}
        self._block = 0
        self._blocks = 0

    # --- bookkeeping ----------------------------------------------------------------------------------------

    def ident(self, kind: str, value: str) -> None:
        """Record that the canonical identifier `value` is printed on this page."""
        if value and value not in self.identifiers.setdefault(kind, []):
            self.identifiers[kind].append(value)

    @contextmanager
    def block(self) -> Iterator[None]:
        """Text drawn inside is read as one unit (a card on a copy, a column), not interleaved by line."""
        outer = self._block
        self._blocks += 1
        self._block = self._blocks
        try:
            yield
        finally:
            self._block = outer

    # --- primitives -----------------------------------------------------------------------------------------

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float | None = None,
        *,
        bold: bool = False,
        family: str | None = None,
        anchor: str = "l",
        color: Color | None = None,
        truth: bool = True,
        angle: float = 0.0,
        alpha: int = 255,
    ) -> float:
        """Draw one line of text with its baseline at y; returns its width in mm."""
        if not s:
            return 0.0
        fam = family or self.style.family
        if fam in _LATIN_ONLY and any(ord(ch) > 0x24F for ch in s):
            fam = "sans"  # a Latin-only face would print tofu boxes for Chinese
        op = TextOp(
            x,
            y,
            s,
            size or self.style.size,
            fam,
            bold,
            color or self.style.ink,
            anchor,
            truth,
            self._block,
            angle,
            alpha,
        )
        self.ops.append(op)
        return op.width

    def measure(
        self, s: str, size: float | None = None, *, bold: bool = False, family: str | None = None
    ) -> float:
        fam = family or self.style.family
        if fam in _LATIN_ONLY and any(ord(ch) > 0x24F for ch in s):
            fam = "sans"
        return measure(s, size or self.style.size, fam, bold)

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        width: float | None = None,
        color: Color | None = None,
        dash: float = 0.0,
    ) -> None:
        self.ops.append(LineOp(x1, y1, x2, y2, width or self.style.rule_w, color or self.style.rule, dash))

    def hline(self, x1: float, x2: float, y: float, **kw: Any) -> None:
        self.line(x1, y, x2, y, **kw)

    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        width: float | None = None,
        color: Color | None = None,
        fill: Color | None = None,
        radius: float = 0.0,
    ) -> None:
        self.ops.append(
            RectOp(
                x,
                y,
                w,
                h,
                self.style.rule_w if width is None else width,
                color or self.style.rule,
                fill,
                radius,
            )
        )

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        *,
        width: float | None = None,
        color: Color | None = None,
        fill: Color | None = None,
    ) -> None:
        self.ops.append(
            EllipseOp(
                cx, cy, rx, ry, self.style.rule_w if width is None else width, color or self.style.rule, fill
            )
        )

    def graphic(
        self,
        kind: str,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        seed: int,
        source: Page | None = None,
        **params: object,
    ) -> None:
        self.ops.append(GraphicOp(kind, x, y, w, h, seed, tuple(sorted(params.items())), source))

    # --- compound elements ----------------------------------------------------------------------------------

    def wrap(
        self,
        s: str,
        width: float,
        size: float | None = None,
        *,
        bold: bool = False,
        family: str | None = None,
        indent: float = 0.0,
    ) -> list[str]:
        """Break text into lines no wider than `width` (the first `indent` narrower): CJK anywhere, Latin
        words whole, no punctuation at a line start (the rule Chinese typesetting follows)."""
        size = size or self.style.size
        fam = family or self.style.family
        lines: list[str] = []
        cur = ""
        cur_w = 0.0  # widths add up token by token (cached per token): linear, not quadratic, in the length
        for tok in _TOKEN.findall(s):
            if tok == "\n":
                lines.append(cur.rstrip())
                cur, cur_w = "", 0.0
                continue
            if not cur and tok.isspace():
                continue
            tok_w = self.measure(tok, size, bold=bold, family=fam)
            limit = width - (indent if not lines else 0.0)
            if cur and cur_w + (0.0 if tok.isspace() else tok_w) > limit and tok not in _NO_LINE_START:
                lines.append(cur.rstrip())
                cur, cur_w = ("", 0.0) if tok.isspace() else (tok, tok_w)
            else:
                cur, cur_w = cur + tok, cur_w + tok_w
        if cur.strip():
            lines.append(cur.rstrip())
        return lines

    def para(
        self,
        x: float,
        y: float,
        width: float,
        s: str,
        size: float | None = None,
        *,
        leading: float | None = None,
        indent: float = 0.0,
        bold: bool = False,
        family: str | None = None,
    ) -> float:
        """Draw a wrapped paragraph whose first baseline is y; returns the baseline after the last line."""
        size = size or self.style.size
        step = size * PT_MM * (leading or self.style.leading)
        first = True
        for ln in self.wrap(s, width, size, bold=bold, family=family, indent=indent):
            dx = indent if first else 0.0
            self.text(x + dx, y, ln, size, bold=bold, family=family)
            y += step
            first = False
        return y

    def cell_text(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        s: str,
        size: float | None = None,
        *,
        align: str = "l",
        bold: bool = False,
        family: str | None = None,
        pad: float = 1.5,
        color: Color | None = None,
    ) -> None:
        """Draw text vertically centred in a cell, wrapping onto as many lines as needed."""
        size = size or self.style.size
        lines: list[str] = []
        for part in s.split("\n"):
            lines += self.wrap(part, w - 2 * pad, size, bold=bold, family=family) or [""]
        step = size * PT_MM * 1.25
        cap = size * PT_MM * 0.72  # height of CJK glyphs above the baseline
        top = y + (h - (len(lines) - 1) * step - cap) / 2 + cap
        for i, ln in enumerate(lines):
            tx = {"l": x + pad, "m": x + w / 2, "r": x + w - pad}[align]
            self.text(tx, top + i * step, ln, size, bold=bold, family=family, anchor=align, color=color)

    def grid(
        self,
        x: float,
        y: float,
        widths: Sequence[float],
        heights: Sequence[float] | float,
        rows: Sequence[Sequence[Any]],
        *,
        size: float | None = None,
        align: str = "l",
        outer: float | None = None,
        color: Color | None = None,
        text_color: Color | None = None,
        bold_first_col: bool = False,
    ) -> float:
        """Draw a ruled table; a cell is a string, None (merged into the cell on its left) or a tuple
        (text, {'align', 'bold', 'size', 'color', 'dx', 'dy'}). Returns the y under the table."""
        hs = [float(heights)] * len(rows) if isinstance(heights, (int, float)) else list(heights)
        total_w = sum(widths)
        cy = y
        for r, row in enumerate(rows):
            cx = x
            c = 0
            while c < len(widths):
                span = 1
                while c + span < len(widths) and c + span < len(row) and row[c + span] is None:
                    span += 1
                w = sum(widths[c : c + span])
                cell = row[c] if c < len(row) else ""
                opts: dict[str, Any] = {}
                if isinstance(cell, tuple):
                    cell, opts = cell
                if cx > x:
                    self.line(cx, cy, cx, cy + hs[r], color=color)
                if cell:
                    self.cell_text(
                        cx + float(opts.get("dx", 0.0)),
                        cy + float(opts.get("dy", 0.0)),
                        w,
                        hs[r],
                        str(cell),
                        float(opts.get("size", size or self.style.size)),
                        align=str(opts.get("align", align)),
                        bold=bool(opts.get("bold", bold_first_col and c == 0)),
                        color=opts.get("color", text_color),
                    )
                cx += w
                c += span
            if r:
                self.line(x, cy, x + total_w, cy, color=color)
            cy += hs[r]
        self.rect(x, y, total_w, cy - y, width=outer, color=color)
        return cy

    def field(
        self,
        x: float,
        y: float,
        label: str,
        value: str,
        *,
        size: float | None = None,
        line_to: float | None = None,
        value_family: str | None = None,
        gap: float = 1.0,
        bold_label: bool = False,
    ) -> float:
        """'Label：value', optionally on a fill-in underline reaching x = line_to; returns the x after it."""
        lw = self.text(x, y, label, size, bold=bold_label)
        vx = x + lw + gap
        vw = self.text(vx, y, value, size, family=value_family)
        if line_to is not None:
            self.hline(vx - 0.5, max(line_to, vx + vw + 1), y + 1.2, width=0.18)
            return max(line_to, vx + vw)
        return vx + vw

    # --- truth ----------------------------------------------------------------------------------------------

    def reading_order(self) -> list[list[TextOp]]:
        """Truth text runs grouped into lines in reading order: blocks as units, lines top to bottom, runs
        left to right. Stamps, overprints and rotated text are left out: OCR is not expected to read them."""
        runs = [o for o in self.ops if isinstance(o, TextOp) and o.truth and o.angle == 0]
        units: list[tuple[float, float, list[list[TextOp]]]] = []
        for line in _lines([o for o in runs if o.block == 0]):
            units.append((_centre(line[0]), line[0].left, [line]))
        by_block: dict[int, list[TextOp]] = {}
        for o in runs:
            if o.block:
                by_block.setdefault(o.block, []).append(o)
        for ops in by_block.values():
            top = min(o.y - o.height for o in ops)
            units.append((top, min(o.left for o in ops), _lines(ops)))
        units.sort(key=lambda u: (round(u[0], 1), u[1]))
        return [line for _, _, lines in units for line in lines]

    def truth_text(self) -> str:
        """The printed text in reading order, lines joined by newlines.

        Runs on one line are joined by a space when there is a visible gap between them, as OCR does.
        """
        return "\n".join(_join(line) for line in self.reading_order())


def _centre(op: TextOp) -> float:
    return op.y - 0.35 * op.height


def _lines(ops: list[TextOp]) -> list[list[TextOp]]:
    """Cluster runs into lines by vertical centre, then sort each line left to right."""
    out: list[list[TextOp]] = []
    centres: list[float] = []
    for op in sorted(ops, key=_centre):
        c = _centre(op)
        if out and abs(c - centres[-1]) <= 0.45 * min(op.height, out[-1][0].height):
            out[-1].append(op)
            centres[-1] = sum(_centre(o) for o in out[-1]) / len(out[-1])
        else:
            out.append([op])
            centres.append(c)
    return [sorted(ln, key=lambda o: o.left) for ln in out]


def _join(line: list[TextOp]) -> str:
    parts = [line[0].text]
    for prev, op in zip(line, line[1:], strict=False):
        gap = op.left - (prev.left + prev.width)
        parts.append((" " if gap > 0.3 * op.height else "") + op.text)
    return "".join(parts).strip()
