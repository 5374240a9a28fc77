"""Inspection sheets: 新车PDI检查表, 交车检查表, 12-item free inspection, English pre-delivery checklist."""

from __future__ import annotations

import random
from datetime import timedelta

from .. import _data as data
from ..identifiers import format_phone, format_plate
from ..layout import Page
from . import template
from .common import DocContext, checkbox, fmt_date, fmt_date_en, letterhead, pick_style, sign_line, tick


def _plate_text(ctx: DocContext, rng: random.Random) -> str:
    v = ctx.vehicle
    if v.plate:
        return format_plate(v.plate, rng.randrange(3))
    return rng.choice(("临牌", "未上牌", "—", ""))


def _info_grid(
    p: Page, ctx: DocContext, rng: random.Random, y: float, when: str, *, tech: str, mileage: str
) -> float:
    st = p.style
    c, v = ctx.customer, ctx.vehicle
    w = 210 - 2 * st.margin
    plate = _plate_text(ctx, rng)
    rows: list[list[object]] = [
        [
            "客户名称" if c.company else "客户姓名",
            c.name,
            "联系电话",
            format_phone(c.phone, rng.randrange(3)),
        ],
        ["车型", v.model.name, rng.choice(("VIN码", "车架号", "车辆识别代号")), v.vin],
        ["车牌号", plate, "行驶里程", mileage],
        ["检查日期", when, "检查技师", tech],
    ]
    out = p.grid(st.margin, y, [w * 0.15, w * 0.35, w * 0.17, w * 0.33], 8, rows, size=st.size - 1)
    p.ident("vin", v.vin)
    p.ident("phone", c.phone)
    if v.plate and plate not in ("临牌", "未上牌", "—", ""):
        p.ident("plate", v.plate)
    return out


@template("inspection.pdi", "inspection_sheet", "zh", dossiers=("new_car",), weight=2.0)
def pdi(ctx: DocContext, rng: random.Random) -> list[Page]:
    """新车PDI检查表: info grid, categorised items with 正常/异常 columns ticked by hand, three signatures."""
    st = pick_style(rng, form=True)
    p = Page(st)
    v, d = ctx.vehicle, ctx.dealer
    y = letterhead(p, d, rng)
    title = rng.choice(("新车PDI检查表", "新车交付前检查（PDI）记录表", "PDI售前检查表"))
    p.text(105, y + 3, title, 16, bold=True, anchor="m")
    when = v.delivery_date - timedelta(days=rng.randrange(1, 4))
    tech = rng.choice(d.staff[8:10])
    y = (
        _info_grid(
            p, ctx, rng, y + 9, fmt_date(when, st.date_style), tech=tech, mileage=f"{rng.randrange(3, 40)} km"
        )
        + 4
    )
    w = 210 - 2 * st.margin
    mark = st.checked_mark
    bad_item = rng.randrange(40) if rng.random() < 0.3 else -1
    n = 0
    two_columns = rng.random() < 0.4
    groups = data.PDI_ITEMS_ZH

    def n_rows(cats: tuple[tuple[str, tuple[str, ...]], ...]) -> int:
        return 1 + len(cats) + sum(len(items) for _, items in cats)

    rows_needed = max(n_rows(groups[:2]), n_rows(groups[2:])) if two_columns else n_rows(groups)
    row_h = min(6.2, (250 - y) / rows_needed)  # the signatures must still fit under the table
    size = st.size - 1.5

    def table(x: float, top: float, width: float, cats: tuple[tuple[str, tuple[str, ...]], ...]) -> float:
        nonlocal n
        cols = [width * 0.1, width * 0.56, width * 0.12, width * 0.12, width * 0.1]
        if two_columns:
            cols = [width * 0.13, width * 0.57, width * 0.15, width * 0.15]
        head = ["序号", "检查项目", "正常", "异常"] + ([] if two_columns else ["备注"])
        rows: list[list[object]] = [[(h, {"align": "m", "bold": True}) for h in head]]
        checks: list[tuple[int, bool]] = []
        for cat, items in cats:
            rows.append([(cat, {"bold": True})] + [None] * (len(cols) - 1))
            for item in items:
                n += 1
                ok = n != bad_item
                row: list[object] = [(str(n), {"align": "m"}), item, "", ""]
                rows.append(row + ([] if two_columns else ["" if ok else "已调整"]))
                checks.append((len(rows) - 1, ok))
        bottom = p.grid(x, top, cols, row_h, rows, size=size)
        for r, ok in checks:
            cx = x + cols[0] + cols[1] + (0 if ok else cols[2]) + cols[2] / 2 - 1.6
            tick(
                p,
                cx,
                top + r * row_h + (row_h - 3.2) / 2,
                3.2,
                rng,
                style="tick" if mark != "cross" else "cross",
            )
        return bottom

    if two_columns:
        with p.block():
            b1 = table(st.margin, y, w / 2 - 2, groups[:2])
        with p.block():
            b2 = table(st.margin + w / 2 + 2, y, w / 2 - 2, groups[2:])
        y = max(b1, b2)
    else:
        y = table(st.margin, y, w, groups)
    y += 7
    p.text(
        st.margin,
        y,
        "检查结论：车辆状况良好，符合交车条件。"
        if bad_item < 0
        else "检查结论：异常项已处理，符合交车条件。",
        st.size - 1,
    )
    y += 10
    third = w / 3
    sign_line(p, st.margin, y, "PDI技师：", rng, width=third - 20)
    sign_line(p, st.margin + third, y, "质检员：", rng, width=third - 18)
    sign_line(p, st.margin + 2 * third, y, "客户确认：", rng, width=third - 22, signed=rng.random() < 0.7)
    return [p]


@template("inspection.delivery", "inspection_sheet", "zh", dossiers=("new_car",), weight=1.5)
def delivery(ctx: DocContext, rng: random.Random) -> list[Page]:
    """交车检查表 / 新车交车确认单: ticked documents, items and explanations; customer confirmation."""
    st = pick_style(rng, form=True)
    p = Page(st)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    y = letterhead(p, d, rng)
    p.text(
        105,
        y + 3,
        rng.choice(("交车检查表", "新车交车确认单", "新车交付检查确认表")),
        16,
        bold=True,
        anchor="m",
    )
    w = 210 - 2 * st.margin
    y += 9
    rows: list[list[object]] = [
        ["客户", c.name, "联系电话", format_phone(c.phone, rng.randrange(3))],
        ["车型", f"{v.model.brand} {v.model.name}", "颜色", v.color[0]],
        ["车架号", v.vin, "交车日期", fmt_date(v.delivery_date, st.date_style)],
        ["销售顾问", v.salesperson, "车牌号", _plate_text(ctx, rng)],
    ]
    y = p.grid(st.margin, y, [w * 0.14, w * 0.4, w * 0.16, w * 0.3], 8.5, rows, size=st.size - 1) + 8
    p.ident("vin", v.vin)
    p.ident("phone", c.phone)
    if v.plate and rows[3][3]:
        p.ident("plate", v.plate)
    mark = st.checked_mark
    for cat, items in data.DELIVERY_ITEMS_ZH:
        p.text(st.margin, y, f"【{cat}】", st.size, bold=True)
        y += 7
        for i, item in enumerate(items):
            col, row = i % 2, i // 2
            x = st.margin + 4 + col * w / 2
            yy = y + row * 7
            checkbox(p, x, yy, rng, rng.random() < 0.96, mark="tick" if mark != "cross" else "cross")
            p.text(x + 5, yy, item, st.size - 0.5)
        y += ((len(items) + 1) // 2) * 7 + 4
    y += 2
    y = (
        p.para(
            st.margin,
            y,
            w,
            "本人已对车辆外观、内饰、随车文件及随车物品进行检查，并听取了车辆功能讲解，"
            "确认车辆完好无损，同意接收车辆。",
            st.size,
        )
        + 6
    )
    sign_line(p, st.margin, y, "客户签字：", rng, width=45)
    sign_line(p, st.margin + w / 2, y, "销售顾问：", rng, width=45)
    p.text(st.margin, y + 10, f"日期：{fmt_date(v.delivery_date, st.date_style)}")
    return [p]


@template("inspection.free_check", "inspection_sheet", "zh", weight=1.2)
def free_check(ctx: DocContext, rng: random.Random) -> list[Page]:
    """十二项免费检查表 (首保): 12 numbered items with results, technician and customer signatures."""
    st = pick_style(rng, form=True)
    p = Page(st)
    v, d = ctx.vehicle, ctx.dealer
    y = letterhead(p, d, rng)
    p.text(
        105,
        y + 3,
        rng.choice(("十二项免费检查表", "首次保养检查表（12项免费检测）", "车辆12项免费安全检查单")),
        15,
        bold=True,
        anchor="m",
    )
    when = v.delivery_date + timedelta(days=rng.randrange(60, 400))
    mileage = f"{v.mileage or rng.randrange(3000, 9000)} km"
    y = (
        _info_grid(
            p, ctx, rng, y + 9, fmt_date(when, st.date_style), tech=rng.choice(d.staff[8:10]), mileage=mileage
        )
        + 6
    )
    w = 210 - 2 * st.margin
    cols = [w * 0.08, w * 0.44, w * 0.12, w * 0.12, w * 0.24]
    rows: list[list[object]] = [
        [(h, {"align": "m", "bold": True}) for h in ("序号", "检查项目", "良好", "需维修", "处理建议")]
    ]
    results = []
    for i, item in enumerate(data.FREE_CHECK_ITEMS_ZH, 1):
        good = rng.random() < 0.85
        advice = "" if good else rng.choice(("建议更换", "下次保养更换", "已调整", "建议检查"))
        rows.append([(str(i), {"align": "m"}), item, "", "", advice])
        results.append(good)
    row_h = 8.0
    end = p.grid(st.margin, y, cols, row_h, rows, size=st.size - 0.5)
    for r, good in enumerate(results, 1):
        cx = st.margin + cols[0] + cols[1] + (0 if good else cols[2]) + cols[2] / 2 - 1.7
        tick(p, cx, y + r * row_h + (row_h - 3.4) / 2, 3.4, rng)
    y = end + 8
    p.text(st.margin, y, "温馨提示：请按保养手册规定的里程或时间进行定期保养，以确保行车安全。", st.size - 1)
    y += 12
    sign_line(p, st.margin, y, "检查技师：", rng, width=40)
    sign_line(p, st.margin + w / 2, y, "服务顾问：", rng, width=40)
    sign_line(p, st.margin, y + 12, "客户签字：", rng, width=40)
    p.text(st.margin + w / 2, y + 12, f"日期：{fmt_date(when, st.date_style)}")
    return [p]


@template("inspection.pdi_en", "inspection_sheet", "en", dossiers=("new_car",), weight=0.8)
def pdi_en(ctx: DocContext, rng: random.Random) -> list[Page]:
    """English Pre-Delivery Inspection Checklist with OK / Adjusted / N/A columns."""
    st = pick_style(rng, "en", form=True)
    p = Page(st)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    y = letterhead(p, d, rng, lang="en")
    p.text(
        105,
        y + 3,
        rng.choice(("PRE-DELIVERY INSPECTION CHECKLIST", "Pre-Delivery Inspection (PDI) Checklist")),
        14,
        bold=True,
        anchor="m",
    )
    when = v.delivery_date - timedelta(days=rng.randrange(1, 4))
    w = 210 - 2 * st.margin
    rows: list[list[object]] = [
        ["Customer", c.name_en, "Phone", format_phone(c.phone, rng.randrange(3))],
        ["Model", f"{v.model.brand_en} {v.model.name_en}", "VIN", v.vin],
        ["Odometer", f"{rng.randrange(3, 40)} km", "Date", fmt_date_en(when, st.date_style)],
    ]
    y = p.grid(st.margin, y + 9, [w * 0.14, w * 0.4, w * 0.1, w * 0.36], 8, rows, size=st.size - 1) + 5
    p.ident("vin", v.vin)
    p.ident("phone", c.phone)
    cols = [w * 0.64, w * 0.12, w * 0.12, w * 0.12]
    table: list[list[object]] = [
        [(h, {"bold": True, "align": "m"}) for h in ("Item", "OK", "Adjusted", "N/A")]
    ]
    ticks: list[int] = []
    for cat, items in data.PDI_ITEMS_EN:
        table.append([(cat, {"bold": True})] + [None] * 3)
        for item in items:
            table.append([item, "", "", ""])
            ticks.append(len(table) - 1)
    row_h = 6.0
    end = p.grid(st.margin, y, cols, row_h, table, size=st.size - 1.5)
    for r in ticks:
        tick(p, st.margin + cols[0] + cols[1] / 2 - 1.6, y + r * row_h + (row_h - 3.2) / 2, 3.2, rng)
    y = end + 10
    third = w / 3
    sign_line(p, st.margin, y, "Technician:", rng, width=third - 24)
    sign_line(p, st.margin + third, y, "Service Mgr:", rng, width=third - 26)
    sign_line(p, st.margin + 2 * third, y, "Customer:", rng, width=third - 22)
    return [p]
