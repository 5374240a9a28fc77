"""Small renderer of realistic scanned customer papers with known text, for OCR tests and the OCR bench.

It stands in for the project's corpus generator (corpus.render_page) until that lands: pages are drawn with
PIL and a CJK font at a chosen dpi (contracts, invoice tables, inspection sheets in Chinese and English,
carrying valid identifiers), then made to look scanned (paper tone, blur, noise, skew, JPEG, rotation).
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SANS = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SANS_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
SERIF = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
_SC = 2  # face index of the Simplified Chinese cut inside the Noto CJK collections

KINDS = ("contract", "invoice", "inspection")
QUALITIES = ("clean", "good", "poor")

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文斌凤"
_CITIES = ["杭州市西湖区文三路", "上海市浦东新区张江路", "南京市鼓楼区中山北路", "苏州市工业园区星湖街", "宁波市鄞州区天童南路"]
_MODELS = ["大众帕萨特 2.0T 豪华版", "丰田凯美瑞 2.5L 尊贵版", "本田雅阁 1.5T 旗舰版", "比亚迪汉 EV 创世版", "吉利星瑞 2.0TD 旗舰型"]
_EN_NAMES = ["John Smith", "Mary Johnson", "David Brown", "Linda Miller", "Robert Wilson", "Susan Taylor"]
_EN_MODELS = ["Volkswagen Passat 2.0T Luxury", "Toyota Camry 2.5L Premium", "Honda Accord 1.5T Touring"]
_DEALER_ZH = "浙江华通汽车销售服务有限公司"
_DEALER_EN = "Zhejiang Huatong Automobile Sales and Service Co., Ltd."


@dataclass(frozen=True)
class RenderedPage:
    """A rendered page and what is printed on it."""

    image: Image.Image  # greyscale ("L"), as scanned: possibly skewed and turned
    text: str  # the printed text in reading order, one line per printed line
    lang: str  # "zh" or "en"
    identifiers: tuple[str, ...]  # ID numbers, USCC, VIN, phone numbers printed on the page
    rotation: int  # degrees the page was turned clockwise
    skew: float  # degrees of skew, counter-clockwise positive (PIL convention)


# --- identifiers with valid check characters -----------------------------------------------------------


def resident_id(rng: random.Random) -> str:
    """A resident ID number with a valid GB 11643 check character."""
    area = rng.choice(["330106", "310115", "320106", "330212", "320581"])
    birth = f"{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = area + birth + f"{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def uscc(rng: random.Random) -> str:
    """A unified social credit code with valid GB 11714 and GB 32100 check characters."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    org_body = "".join(rng.choice("0123456789") for _ in range(8))
    org_weights = [3, 7, 9, 10, 5, 8, 4, 2]
    c = 11 - sum(int(d) * w for d, w in zip(org_body, org_weights, strict=True)) % 11
    org_check = {10: "X", 11: "0"}.get(c, str(c))
    body = "91" + "330106" + org_body + org_check
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(alphabet.index(ch) * w for ch, w in zip(body, weights, strict=True))
    return body + alphabet[(31 - total % 31) % 31]


def vin(rng: random.Random) -> str:
    """A VIN with a valid position-9 check digit (GB 16735)."""
    chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    values = {**{str(d): d for d in range(10)}}
    for letters, start in (("ABCDEFGH", 1), ("JKLMN", 1), ("P", 7), ("R", 9), ("STUVWXYZ", 2)):
        for i, ch in enumerate(letters):
            values[ch] = start + i
    values["P"], values["R"] = 7, 9
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    v = list(rng.choice(["LSV", "LFV", "LVG", "LHG", "LGX"]) + "".join(rng.choice(chars) for _ in range(14)))
    v[9] = rng.choice("KLMNPR")
    for i in range(11, 17):
        v[i] = rng.choice("0123456789")
    total = sum(values[ch] * w for ch, w in zip(v, weights, strict=True))
    v[8] = "X" if total % 11 == 10 else str(total % 11)
    return "".join(v)


def mobile(rng: random.Random) -> str:
    """A mainland mobile phone number."""
    return rng.choice(["138", "139", "186", "158", "177"]) + "".join(rng.choice("0123456789") for _ in range(8))


# --- drawing -----------------------------------------------------------------------------------------------


class _Sheet:
    """An A4 sheet drawn top to bottom; keeps the truth text in reading order."""

    def __init__(self, dpi: int, rng: random.Random) -> None:
        self.dpi = dpi
        self.rng = rng
        self.w, self.h = round(8.27 * dpi), round(11.69 * dpi)
        self.img = Image.new("L", (self.w, self.h), 255)
        self.draw = ImageDraw.Draw(self.img)
        self.margin = round(0.9 * dpi)
        self.y = round(0.8 * dpi)
        self.lines: list[str] = []
        self._fonts: dict[tuple[Path, int], ImageFont.FreeTypeFont] = {}

    def font(self, pt: float, *, bold: bool = False, serif: bool = False) -> ImageFont.FreeTypeFont:
        path = SANS_BOLD if bold else (SERIF if serif else SANS)
        px = max(8, round(pt * self.dpi / 72))
        key = (path, px)
        if key not in self._fonts:
            self._fonts[key] = ImageFont.truetype(str(path), px, index=_SC)
        return self._fonts[key]

    def px(self, pt: float) -> int:
        return round(pt * self.dpi / 72)

    def text(self, s: str, pt: float = 11, *, bold: bool = False, center: bool = False, x: int | None = None,
             gap: float = 0.55) -> None:
        f = self.font(pt, bold=bold)
        width = self.draw.textlength(s, font=f)
        left = (self.w - width) / 2 if center else (self.margin if x is None else x)
        self.draw.text((left, self.y), s, font=f, fill=self.rng.randint(0, 40))
        self.lines.append(s)
        self.y += self.px(pt) + self.px(pt * gap)

    def row(self, parts: list[tuple[int, str]], pt: float = 11) -> None:
        """Several texts on one line at given x offsets (from the margin)."""
        f = self.font(pt)
        for dx, s in parts:
            self.draw.text((self.margin + dx, self.y), s, font=f, fill=self.rng.randint(0, 40))
        self.lines.append(" ".join(s for _, s in parts))
        self.y += self.px(pt) + self.px(pt * 0.55)

    def paragraph(self, s: str, pt: float = 11, *, latin: bool = False, indent: bool = True) -> None:
        f = self.font(pt)
        avail = self.w - 2 * self.margin
        words = s.split(" ") if latin else list(s)
        sep = " " if latin else ""
        line = ("    " if latin else "\u3000\u3000") if indent else ""
        for word in words:
            candidate = line + (sep if line.strip() else "") + word
            if self.draw.textlength(candidate, font=f) > avail and line.strip():
                self.text(line.strip() if latin else line.lstrip("\u3000"), pt, x=self._indent(line, f))
                line = word
            else:
                line = candidate
        if line.strip():
            self.text(line.strip() if latin else line.lstrip("\u3000"), pt, x=self._indent(line, f))

    def _indent(self, line: str, f: ImageFont.FreeTypeFont) -> int:
        lead = len(line) - len(line.lstrip("\u3000 "))
        return self.margin + round(self.draw.textlength(line[:lead], font=f)) if lead else self.margin

    def table(self, rows: list[list[str]], widths: list[float], pt: float = 10.5) -> None:
        """A ruled table; each row's cells are one line of truth, left to right."""
        f = self.font(pt)
        avail = self.w - 2 * self.margin
        xs = [self.margin]
        for wfrac in widths:
            xs.append(xs[-1] + round(avail * wfrac / sum(widths)))
        row_h = self.px(pt) * 2 + self.px(4)
        for cells in rows:
            top = self.y
            for i, cell in enumerate(cells):
                self.draw.rectangle((xs[i], top, xs[i + 1], top + row_h), outline=0, width=max(1, self.dpi // 100))
                if cell:
                    self.draw.text((xs[i] + self.px(5), top + (row_h - self.px(pt)) / 2 - self.px(1)), cell,
                                   font=f, fill=self.rng.randint(0, 40))
            self.lines.append(" ".join(c for c in cells if c))
            self.y = top + row_h
        self.y += self.px(10)

    def skip(self, pt: float) -> None:
        self.y += self.px(pt)

    def seal(self, cx: int, cy: int, name: str) -> None:
        """A red company seal (grey once scanned) with its name round the rim, over the text like a real one."""
        r = round(0.8 * self.dpi)
        layer = Image.new("L", self.img.size, 255)
        d = ImageDraw.Draw(layer)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=150, width=max(2, self.dpi // 50))
        d.regular_polygon((cx, cy, r // 4), 5, fill=150)
        f = self.font(9, bold=True)
        size = self.px(9)
        for i, ch in enumerate(name):
            angle = math.radians(200 + i * (140 / max(1, len(name) - 1)))
            glyph = Image.new("L", (size * 2, size * 2), 255)
            ImageDraw.Draw(glyph).text((size // 2, size // 2), ch, font=f, fill=150)
            glyph = glyph.rotate(-math.degrees(angle) - 90, fillcolor=255)
            gx = cx + round((r - size) * math.cos(angle)) - size
            gy = cy + round((r - size) * math.sin(angle)) - size
            layer.paste(Image.fromarray(np.minimum(np.asarray(glyph), np.asarray(layer.crop(
                (gx, gy, gx + 2 * size, gy + 2 * size))))), (gx, gy))
        self.img = Image.fromarray(np.minimum(np.asarray(self.img), np.asarray(layer)))
        self.draw = ImageDraw.Draw(self.img)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


def _zh_contract(s: _Sheet, rng: random.Random) -> list[str]:
    idn, code, v, tel = resident_id(rng), uscc(rng), vin(rng), mobile(rng)
    name, model, price = _name(rng), rng.choice(_MODELS), rng.randint(120, 380) * 1000
    s.text("汽车销售合同", 20, bold=True, center=True, gap=1.0)
    s.text(f"合同编号：HT{rng.randint(2021, 2025)}{rng.randint(1, 12):02d}-{rng.randint(1, 9999):04d}", 10.5)
    s.text(f"出卖人（甲方）：{_DEALER_ZH}")
    s.text(f"统一社会信用代码：{code}")
    s.text(f"买受人（乙方）：{name}")
    s.text(f"身份证号码：{idn}")
    s.text(f"联系电话：{tel}")
    s.text(f"住所：{rng.choice(_CITIES)}{rng.randint(1, 999)}号")
    s.skip(6)
    s.paragraph("甲乙双方根据《中华人民共和国民法典》及相关法律法规的规定，在平等、自愿、协商一致的基础上，"
                "就乙方向甲方购买汽车事宜达成如下协议，以资共同遵守。")
    s.text("第一条 车辆基本情况", 11, bold=True)
    s.table([["品牌型号", model], ["车架号（VIN）", v], ["车身颜色", rng.choice(["珍珠白", "曜石黑", "星空灰"])],
             ["车辆价款", f"人民币{price:,}元整"]], [1, 3])
    s.text("第二条 付款方式", 11, bold=True)
    s.paragraph(f"乙方应于本合同签订之日起三日内向甲方支付定金人民币{rng.randint(5, 20)}000元，"
                "余款于提车前一次性付清。甲方收到全部车款后开具机动车销售统一发票。")
    s.text("第三条 交付与验收", 11, bold=True)
    s.paragraph("甲方应在约定日期将车辆及随车文件交付乙方。乙方应当场对车辆外观、内饰及随车工具进行检查，"
                "如有异议应在交车检查表中注明。")
    s.paragraph("本合同一式两份，甲乙双方各执一份，自双方签字盖章之日起生效。因本合同发生的争议，由双方协商解决；"
                "协商不成的，任何一方均可向甲方所在地人民法院提起诉讼。", 8.5)
    s.skip(20)
    s.row([(0, "甲方（盖章）："), (round(s.w * 0.45), "乙方（签字）：")])
    s.row([(0, f"日期：{rng.randint(2021, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日")])
    s.seal(s.margin + round(1.6 * s.dpi), s.y - round(0.6 * s.dpi), _DEALER_ZH)
    return [idn, code, v, tel]


def _zh_invoice(s: _Sheet, rng: random.Random) -> list[str]:
    idn, code, v, tel = resident_id(rng), uscc(rng), vin(rng), mobile(rng)
    price = rng.randint(120, 380) * 1000
    s.text("机动车销售统一发票", 18, bold=True, center=True, gap=0.8)
    s.row([(0, f"发票代码：{rng.randint(10**11, 10**12 - 1)}"),
           (round(s.w * 0.45), f"发票号码：{rng.randint(10**7, 10**8 - 1)}")], 10)
    s.row([(0, f"开票日期：{rng.randint(2021, 2025)}年{rng.randint(1, 12):02d}月{rng.randint(1, 28):02d}日")], 10)
    s.table([
        ["购买方名称", _name(rng), "身份证号码", idn],
        ["车辆类型", "小型轿车", "厂牌型号", rng.choice(_MODELS)[:8]],
        ["产地", rng.choice(["长春", "广州", "上海"]), "合格证号", f"WAC{rng.randint(10**9, 10**10 - 1)}"],
        ["车辆识别代号", v, "发动机号码", f"{rng.randint(10**6, 10**7 - 1)}"],
        ["价税合计", f"¥{price:,}.00", "小写", f"{price}.00"],
        ["销货单位名称", _DEALER_ZH[:8], "电话", tel],
        ["纳税人识别号", code, "开户银行", "工商银行文三支行"],
    ], [1.1, 1.6, 1.0, 1.9], pt=10)
    s.text(f"增值税税率：13%    不含税价：{round(price / 1.13):,}元", 10)
    s.text("备注：一车一票，手写无效。", 10)
    s.seal(s.w - s.margin - round(1.2 * s.dpi), s.y - round(0.3 * s.dpi), _DEALER_ZH)
    return [idn, code, v, tel]


def _zh_inspection(s: _Sheet, rng: random.Random) -> list[str]:
    v, tel = vin(rng), mobile(rng)
    s.text("新车PDI交车检查表", 18, bold=True, center=True, gap=0.8)
    s.row([(0, f"客户姓名：{_name(rng)}"), (round(s.w * 0.45), f"联系电话：{tel}")], 10.5)
    s.row([(0, f"车架号：{v}")], 10.5)
    items = ["车身漆面无划痕", "灯光系统工作正常", "轮胎气压符合标准", "机油液位正常", "制动液液位正常",
             "空调制冷制热正常", "随车工具齐全", "用户手册及保修卡", "备胎及千斤顶", "车窗升降正常",
             "中控屏及导航正常", "安全带功能正常"]
    rows = [["序号", "检查项目", "结果", "备注"]]
    for i, item in enumerate(items, 1):
        rows.append([str(i), item, rng.choice(["合格", "合格", "合格", "不合格"]), ""])
    s.table(rows, [0.6, 3, 1, 1.6], pt=10.5)
    s.text("检查人签字：            客户确认签字：", 10.5)
    return [v, tel]


def _en_contract(s: _Sheet, rng: random.Random) -> list[str]:
    v, tel = vin(rng), mobile(rng)
    name, model, price = rng.choice(_EN_NAMES), rng.choice(_EN_MODELS), rng.randint(20, 60) * 1000
    s.text("VEHICLE SALES AGREEMENT", 18, bold=True, center=True, gap=1.0)
    s.text(f"Agreement No.: SA-{rng.randint(2021, 2025)}-{rng.randint(1000, 9999)}")
    s.text(f"Seller: {_DEALER_EN}")
    s.text(f"Buyer: {name}")
    s.text(f"Passport No.: E{rng.randint(10**7, 10**8 - 1)}")
    s.text(f"Telephone: {tel}")
    s.skip(6)
    s.paragraph("This agreement is made between the Seller and the Buyer named above for the sale of the "
                "motor vehicle described below. The Buyer has inspected the vehicle and agrees to purchase it "
                "on the terms and conditions set out in this agreement.", latin=True)
    s.table([["Make and model", model], ["VIN", v], ["Colour", rng.choice(["Pearl White", "Obsidian Black"])],
             ["Purchase price", f"USD {price:,}.00"]], [1, 3])
    s.paragraph("1. Payment. The Buyer shall pay a deposit of ten percent of the purchase price on signing "
                "and the balance before delivery of the vehicle.", latin=True, indent=False)
    s.paragraph("2. Delivery. The Seller shall deliver the vehicle together with all documents, keys and "
                "accessories on the agreed delivery date.", latin=True, indent=False)
    s.paragraph("3. Warranty. The vehicle is covered by the manufacturer warranty of three years or one "
                "hundred thousand kilometres, whichever comes first.", latin=True, indent=False)
    s.paragraph("This agreement is governed by the laws of the People's Republic of China. Any dispute shall "
                "first be settled by negotiation between the parties.", 8.5, latin=True, indent=False)
    s.skip(20)
    s.row([(0, "Seller signature:"), (round(s.w * 0.45), "Buyer signature:")])
    s.row([(0, f"Date: {rng.randint(1, 28)} May {rng.randint(2021, 2025)}")])
    return [v, tel]


def _en_invoice(s: _Sheet, rng: random.Random) -> list[str]:
    v, code = vin(rng), uscc(rng)
    price = rng.randint(20, 60) * 1000
    s.text("TAX INVOICE", 18, bold=True, center=True, gap=0.8)
    s.row([(0, f"Invoice number: INV{rng.randint(10**6, 10**7 - 1)}"),
           (round(s.w * 0.45), f"Date: {rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(2021, 2025)}")])
    s.text(f"Seller tax ID: {code}")
    s.text(f"Bill to: {rng.choice(_EN_NAMES)}")
    s.table([["Description", "Qty", "Unit price", "Amount"],
             [rng.choice(_EN_MODELS)[:18], "1", f"{price:,}.00", f"{price:,}.00"],
             ["VIN", "", "", v],
             ["Registration service", "1", "350.00", "350.00"],
             ["Floor mats", "1", "120.00", "120.00"],
             ["Subtotal", "", "", f"{price + 470:,}.00"],
             ["VAT 13%", "", "", f"{round((price + 470) * 0.13):,}.00"]], [2.4, 0.6, 1.3, 1.5])
    s.text("Payment terms: due on receipt. Thank you for your business.")
    return [v, code]


_BUILDERS = {
    ("contract", "zh"): _zh_contract,
    ("invoice", "zh"): _zh_invoice,
    ("inspection", "zh"): _zh_inspection,
    ("contract", "en"): _en_contract,
    ("invoice", "en"): _en_invoice,
}


def scan(img: Image.Image, rng: random.Random, *, quality: str, skew: float, rotation: int) -> Image.Image:
    """Make a clean drawing look like a greyscale office scan.

    "poor" is a tired copier: faded toner, uneven lighting, a 150 dpi capture resampled to the nominal dpi,
    strong JPEG, speckles and a dark scanner edge.
    """
    scale = img.width / 1654  # effects are tuned at 200 dpi
    nrng = np.random.default_rng(rng.randint(0, 2**31))
    arr = np.asarray(img, dtype=np.float32)
    if quality == "poor":
        ink = rng.uniform(0.55, 0.7)  # faded toner: black prints as dark grey
        arr = 255 - (255 - arr) * ink
    paper = {"clean": 255.0, "good": 242.0, "poor": 226.0}[quality]
    arr = arr * (paper / 255.0)
    if quality == "poor":
        h, w = arr.shape
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        arr = arr * (1.0 - 0.10 * (xx / w) - 0.06 * (yy / h))  # lighting falls off towards one corner
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if skew:
        out = out.rotate(skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=round(paper))
    blur = {"clean": 0.0, "good": 0.5, "poor": 0.8}[quality]
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur * scale))
    if quality == "poor":
        lo = out.resize((round(out.width * 150 / (200 * scale)), round(out.height * 150 / (200 * scale))),
                        Image.Resampling.BILINEAR)
        out = lo.resize(out.size, Image.Resampling.BILINEAR)
    arr = np.asarray(out, dtype=np.float32)
    noise = {"clean": 0.0, "good": 6.0, "poor": 12.0}[quality]
    if noise:
        arr = arr + nrng.normal(0, noise, arr.shape)
    if quality == "poor":
        arr[nrng.random(arr.shape) < 0.0008] = 60
        arr[:, : max(4, round(10 * scale))] *= 0.5
    out = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if quality != "clean":
        buf = io.BytesIO()
        out.save(buf, "JPEG", quality={"good": 80, "poor": 40}[quality])
        out = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    if rotation:
        out = out.rotate(-rotation, expand=True)  # PIL turns counter-clockwise
    return out


def render_page(kind: str, lang: str, *, seed: int, dpi: int = 200, quality: str = "good", skew: float = 0.0,
                rotation: int = 0) -> RenderedPage:
    """Draw one page of a customer file and scan it.

    Args:
        kind: "contract", "invoice" or "inspection" (the last only in Chinese).
        lang: "zh" or "en".
        seed: makes names, numbers and noise reproducible.
        dpi: resolution of the scan.
        quality: "clean", "good" or "poor".
        skew: degrees the sheet lay crooked on the glass, counter-clockwise positive.
        rotation: 0, 90, 180 or 270: degrees the sheet was turned clockwise.

    Returns:
        The scanned page with its truth text and identifiers.
    """
    rng = random.Random(f"{kind}/{lang}/{seed}")
    sheet = _Sheet(dpi, rng)
    identifiers = _BUILDERS[(kind, lang)](sheet, rng)
    image = scan(sheet.img, rng, quality=quality, skew=skew, rotation=rotation)
    return RenderedPage(image, "\n".join(sheet.lines), lang, tuple(identifiers), rotation, skew)


def render_blank(*, seed: int, dpi: int = 200, quality: str = "poor") -> Image.Image:
    """A blank sheet as scanned: paper tone, noise, speckles, scanner edge, faint show-through."""
    rng = random.Random(f"blank/{seed}")
    sheet = _Sheet(dpi, rng)
    # Show-through of the back side: very light text that must not count as content.
    ghost = ImageDraw.Draw(sheet.img)
    f = sheet.font(11)
    for i in range(25):
        ghost.text((sheet.margin, sheet.margin + i * sheet.px(20)), "车辆价款及付款方式" * 3, font=f, fill=238)
    return scan(sheet.img, rng, quality=quality, skew=0.0, rotation=0)
