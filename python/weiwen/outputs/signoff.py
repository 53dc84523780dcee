"""签字确认表: one printable sheet per unit from the layout in templates/签字确认表.xlsx.

Only paid households (有效, 金额 > 0) are listed, cash and card in separate sections with one
序号 running through both, each with a 小计, then the unit's 合计 with the amount in 大写 and
the 经办人 / 审核人 / 负责人 line. A 责任部门's sheet has the same cash and card parts, each split
by 社区/村 (see `department_sections`). A card-paid household without a card number is marked in
备注.
The layout's print settings (A4 landscape, header rows repeated, one page wide, "第 N 页 共 M 页")
are kept as the office set them; the name and category columns widen to their longest text, and
page breaks keep each section heading with its rows and no row alone on a page. The roster state
(名册校验码) is in the footer and, with {名册}, on the sheet.

Privacy: the sheet goes from door to door, so 身份证号 is masked (330106********2888) and the
phone is printed masked too (137****7189): the signer can recognise and confirm their own number,
or write a new one, without the sheet handing every neighbour's number around. Full numbers stay
in 名册; `signatures.py` reads an unchanged masked phone as "confirmed".
"""
from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import pandas as pd

from .. import shipped
from ..fileio import safe_file_stem
from ..masking import mask_id, mask_phone
from ..money import to_daxie
from ..names import (SIGNOFF_BATCH_FILE, SIGNOFF_DIR, SIGNOFF_TEMPLATE_FILE, TEMPLATES_DIR, Col,
                     Payment, SignCol)
from ..settings import Settings
from ..values import as_typed, cn_date, to_text
from . import signoff_template as T
from . import xlsx
from .outset import OutputSet
from .pdf import PdfUnavailable, convert
from .state import RosterState, record, require_paid, roster_state
from .common import by_owner, by_roster_order, by_unit, paid_households, payment_order, safe_sheet_title
from .signoff_sheet import Layout, Renderer, footer_with, read_layout


@dataclass
class SignoffResult:
    files: list[Path] = field(default_factory=list)       # per-unit workbooks
    batch: Path | None = None
    pdfs: list[Path] = field(default_factory=list)
    pdf_note: str = ""                                    # why there are no PDFs
    not_removed: list[Path] = field(default_factory=list)  # stale files open elsewhere
    households: dict[str, int] = field(default_factory=dict)
    template: str = ""
    departments: list[str] = field(default_factory=list)  # sheets of a 责任部门 (标准)


def find_template(campaign_root: Path | None) -> Path | None:
    """The campaign's own layout (CAMPAIGN/templates/签字确认表.xlsx) or the shipped one."""
    candidates = [Path(campaign_root) / TEMPLATES_DIR / SIGNOFF_TEMPLATE_FILE] if campaign_root else []
    candidates.append(shipped.path(f"{TEMPLATES_DIR}/{SIGNOFF_TEMPLATE_FILE}"))
    return next((p for p in candidates if p.is_file()), None)


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if not isinstance(value, str) or "{" not in value:
        return value
    for key, v in values.items():
        token = "{" + key + "}"
        if value == token and isinstance(v, (int, float)):
            return v
        value = value.replace(token, as_typed(v) if not isinstance(v, float) else f"{v:,.2f}")
    return value.replace("慰问慰问金", "慰问金")   # 活动名称 "…走访慰问" + "慰问金…"


NO_CARD = "缺银行卡号，请补"


_DATA = (Col.NAME, Col.ID, Col.CATEGORY, Col.SIZE, Col.AMOUNT, Col.PHONE, Col.PAYMENT, Col.CARD)


def _data_values(section: pd.DataFrame, start: int) -> Iterator[dict[str, Any]]:
    """The printed values of each household of `section`, numbered from `start`."""
    columns = [section[c].tolist() if c in section else [None] * len(section) for c in _DATA]
    card_paid = Payment.CARD.value
    for seq, (name, id_, category, size, amount, phone, payment, card) in enumerate(
            zip(*columns), start=start):
        values = {
            SignCol.SEQ: seq, SignCol.NAME: to_text(name), SignCol.ID: mask_id(id_),
            SignCol.CATEGORY: to_text(category), SignCol.SIZE: size,
            SignCol.AMOUNT: float(amount), SignCol.PHONE: mask_phone(phone),
        }
        if to_text(payment) == card_paid and not to_text(card):
            values[SignCol.NOTE] = NO_CARD         # paid by card, but 名册 has no card number
        yield values


def _totals(frame: pd.DataFrame) -> dict[str, Any]:
    """户数, 人数, 金额 of a section. A 家庭人口 that is not a number (“五”: only a 警告 for a
    category paid per household or per person) counts no one, as in the 汇总表; it is NaN here,
    and NaN is true, so adding the true values stopped the signature sheets."""
    amount = float(frame[Col.AMOUNT].sum())
    people = int(pd.to_numeric(frame[Col.SIZE], errors="coerce").fillna(0).sum())
    return {"户数": len(frame), "人数": people, "金额": amount, "大写": to_daxie(amount)}


@dataclass
class Section:
    """A run of households under one 〔分组行〕 heading, with a 〔小计行〕 when it has siblings.
    A section with `parts` holds no rows of its own: its parts (a department's units within one
    payment way) come under its heading, each with its own heading and 小计."""
    name: str                          # fills {发放方式}: 现金, 银行打卡, or a unit
    households: pd.DataFrame
    heading: str = ""                  # the heading's {发放方式} when it says more than `name`
    parts: list[Section] = field(default_factory=list)


def by_payment(households: pd.DataFrame) -> list[Section]:
    """One section per 发放方式, 现金 first: how a unit's sheet is split."""
    return [Section(p, households[households[Col.PAYMENT] == p])
            for p in payment_order(households)]


def department_sections(households: pd.DataFrame, settings: Settings | None) -> list[Section]:
    """A 责任部门's sheet: the same cash and card parts as a unit's sheet, each split by 社区/村.
    The finance office checks the card part's 小计 against 银行代发.xlsx and the cash it hands
    out against the cash part; a 社区/村 keeps its own 小计 inside each. On a sheet with both
    parts every unit's heading names its part too, so a page in the middle of the card part
    still says how those households are paid."""
    parts = by_payment(households)
    mixed = len(parts) > 1
    for part in parts:
        part.parts = [Section(unit, rows, heading=f"{part.name}·{unit}" if mixed else "")
                      for unit, rows in by_unit(part.households, settings)]
    return parts


def render(layout: Layout, name: str, households: pd.DataFrame, context: dict[str, Any],
           sections: list[Section] | None = None, footer: str = "") -> xlsx.Sheet:
    """One sheet named `name` laid out from the template for a unit (or a department).
    `sections`: by default one per 发放方式 (`by_payment`); a department's come from
    `department_sections`. 序号 runs on through the sections; the page breaks keep each heading
    with its rows and leave no row alone on a page (layout.page_breaks)."""
    values = dict(context, 单位=context.get("单位", ""))
    sheet = Renderer(layout, name, _fill)
    sheet.head(values)
    subtotals: list[dict[str, Any]] = []
    _put_sections(sheet, values, by_payment(households) if sections is None else sections, 0,
                  subtotals)
    for mark in (T.MARK_TOTAL, T.MARK_SIGN, T.MARK_NOTE):
        if mark in layout.protos:
            sheet.proto(mark, dict(values, 发放方式="", **_totals(households)),
                        "total" if mark == T.MARK_TOTAL else "end")
    sheet.widen(_widest(households))
    sheet.fit_label(T.MARK_SUBTOTAL, subtotals)
    return sheet.finish(footer_with(layout, footer))


def _put_sections(sheet: Renderer, values: dict[str, Any], sections: list[Section],
                  seq: int, subtotals: list[dict[str, Any]]) -> int:
    """Each section's heading, its rows (or its parts), and its 小计 when it is one of several
    (a lone section's 小计 would repeat the 合计 or the 小计 of the part it is in); returns
    the last 序号 used. The values of each 小计 written are added to `subtotals`."""
    protos = sheet.layout.protos
    for section in sections:
        totals = dict(values, **_totals(section.households))
        if T.MARK_GROUP in protos:
            sheet.proto(T.MARK_GROUP, dict(totals, 发放方式=section.heading or section.name),
                        "heading")
        if section.parts:
            seq = _put_sections(sheet, values, section.parts, seq, subtotals)
        else:
            rows = by_roster_order(section.households)
            for values_of in _data_values(rows, seq + 1):
                sheet.data(values_of)
            seq += len(rows)
        if len(sections) > 1 and T.MARK_SUBTOTAL in protos:
            subtotals.append(dict(totals, 发放方式=section.name))
            sheet.proto(T.MARK_SUBTOTAL, subtotals[-1], "total")
    return seq


def _widest(households: pd.DataFrame) -> dict[str, list[str]]:
    """The texts the data columns must fit: a long category such as 70岁以上特困独居老人 stays on
    one line and the bold 合计 never prints as ###."""
    if not len(households):
        return {}
    total = float(households[Col.AMOUNT].sum())
    texts = {SignCol.NAME: households[Col.NAME].map(to_text).tolist(),
             SignCol.CATEGORY: households[Col.CATEGORY].map(to_text).tolist(),
             SignCol.ID: households[Col.ID].map(mask_id).tolist(),
             SignCol.AMOUNT: [f"{total:,.2f}"]}
    card = households[households[Col.PAYMENT].map(to_text) == Payment.CARD.value]
    if len(card) and (card[Col.CARD].map(to_text) == "").any():
        texts[SignCol.NOTE] = [NO_CARD]
    return texts


def _context(settings: Settings, today: dt.date, state: RosterState | None = None) -> dict[str, Any]:
    deadline = settings.params.signoff_deadline
    return {"活动名称": settings.params.title,
            "签字表上交日期": cn_date(deadline, "规定日期"),
            "打印日期": cn_date(today),
            "名册": state.line() if state else "",
            "单位称谓": settings.unit_word, "经办部门": settings.office}


@dataclass
class SheetFor:
    """One signature sheet: a unit with the households it pays, or a 责任部门 with those of its
    categories from every unit (`department_sections`)."""
    name: str
    households: pd.DataFrame
    sections: list[Section] | None = None
    context: dict[str, Any] = field(default_factory=dict)


def sheets_for(paid: pd.DataFrame, settings: Settings) -> list[SheetFor]:
    """The units' sheets, then the departments' (标准.责任部门)."""
    out = []
    for name, households, department in by_owner(paid, settings):
        if not department:
            out.append(SheetFor(name, households))
            continue
        out.append(SheetFor(name, households, department_sections(households, settings),
                            {"单位称谓": "责任部门"}))
    return out


def write_signoff(roster: pd.DataFrame, settings: Settings, output_dir: Path, *,
                  template: Path | None = None, today: dt.date | None = None,
                  batch: bool = True, pdf: bool = False) -> SignoffResult:
    """Write output/签字确认表/<单位>.xlsx for every unit with paid households (+ the batch book,
    + a PDF of each with `pdf`), replacing the folder's whole set: the sheets (and PDFs) of units
    no longer paid, and PDFs not made again this time, are removed. Refuses (NotReady, nothing
    touched) when no household would be paid.

    Every sheet is laid out once from the template (signoff_sheet) and written twice with
    XlsxWriter: as the unit's file and into the batch book.
    """
    require_paid(roster, "签字确认表")
    state = roster_state(roster)
    paid = paid_households(roster)
    folder = Path(output_dir) / SIGNOFF_DIR
    context = _context(settings, today or dt.date.today(), state)
    result = SignoffResult(template=str(template) if template else "（内置版式）")
    units = sheets_for(paid, settings)
    result.departments = [s.name for s in units if s.sections is not None]
    layout = read_layout(template)
    footer = state.footer()
    unit_files: list[tuple[Path, Path]] = []          # (staged temp file, target)
    names = {u.name for u in settings.units}
    taken: list[str] = [layout.title]
    # each sheet is laid out once, here; a second process writes the unit files while this one
    # writes the batch book row by row (a district: two cores, the batch never in memory)
    with OutputSet(folder, patterns=("*.xlsx", "*.pdf")) as out, \
            xlsx.Parallel(rows=len(paid)) as unit_writer:
        book = None
        if batch:
            result.batch = out.write(folder / SIGNOFF_BATCH_FILE, lambda tmp: None)
            book = xlsx.Writer(out.staged[-1][0], layout.book,
                               streamed=xlsx.streamable(layout.head_merges))
        for unit in units:
            title = safe_sheet_title(unit.name, taken)
            taken.append(title)
            sheet = render(layout, title, unit.households,
                           dict(context, 单位=unit.name, **unit.context), unit.sections, footer)
            stem = safe_file_stem(unit.name)
            if unit.sections is not None and unit.name in names:   # a unit of that name too
                stem += "（责任部门）"
            target = out.write(folder / f"{stem}.xlsx", lambda tmp, sheet=sheet: unit_writer.submit(
                tmp, layout.book, [sheet]))
            unit_files.append((out.staged[-1][0], target))
            if book is not None:
                book.add(sheet)
            result.households[unit.name] = len(unit.households)
        if book is not None:
            book.close()
        unit_writer.wait()
        if pdf:
            _stage_pdfs(out, unit_files, result)
    result.files = [target for _, target in unit_files]
    result.pdfs = [p for p in out.written if p.suffix == ".pdf"]
    result.not_removed = out.not_removed
    record(Path(output_dir), "signoff", out.written, state)
    return result


def _stage_pdfs(out: OutputSet, unit_files: list[tuple[Path, Path]], result: SignoffResult) -> None:
    """PDFs of the staged unit files join the same set (or, without LibreOffice, a note)."""
    with tempfile.TemporaryDirectory(prefix="weiwen-pdf-") as tmp:
        try:
            made = convert([staged for staged, _ in unit_files], Path(tmp))
        except PdfUnavailable as exc:
            result.pdf_note = str(exc)
            return
        for staged, target in unit_files:
            out.stage_file(made[staged], target.with_suffix(".pdf"))
