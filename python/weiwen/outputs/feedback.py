"""output/退回修改/<单位>.xlsx: each unit's rows to fix, ready to email back to that unit only.

One file per unit that has something to fix: the file and Excel row of its own return, the cell
to fix (column letter + row, as the unit sees it), the reason in plain words. Nothing from another
unit; ID numbers shown masked (first 6 and last 4) because the file travels by email.
Every cell is written as text: a value beginning with = + - @ is never a formula.
Like every output, each file carries the check code of the 名册 it was made from (a line above
the table and the page footer). A re-merge rewrites only the units whose rows to fix changed: a
unit's file kept as it was still prints the code of the earlier merge that made it, and
输出清单.json notes each file's code (`made_from`), so file and manifest always agree — and a
unit is not sent a "new" file whose rows are the same.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import problems as P
from ..fileio import safe_file_stem
from ..masking import mask_id, mask_ids_in_text
from ..names import Col, ProblemCol, Severity
from ..settings import Settings
from ..values import cn_date
from ..intake import reasons as R
from ..intake.merge import MergeReport
from ..intake.returns import UNUSABLE_FILE_CODES
from . import layout as L
from . import xlsx as X
from .outset import OutputSet
from .state import RosterState, read_manifest, record
from .unchanged import Unchanged, inputs_digest
from .sheetkit import Column, TableSheet

FEEDBACK_DIR = "退回修改"
#: 输出清单.json's step of these files
STEP = "feedback"
COLUMNS = ("序号", "文件", "行号", "单元格", Col.NAME, Col.ID, ProblemCol.SEVERITY, "问题", "请这样修改")
#: the few problems whose 问题-sheet text speaks of the clerk's workbook (its 标准 and 参数
#: sheets, which row 名册 keeps): a community is told instead what is wrong with its row and
#: what to write, in its own terms; the values are those the 问题 text was made from
TO_COMMUNITY = {
    "checks.unknown_category": "类别“{value}”不是本次慰问的类别，请改为以下类别之一：{choices}。",
    "checks.duplicate_id": "与{kept}是同一个身份证号，同一人只发放一次，本行不发放。"
                           "是同一人的，请删去本行；不是同一人的，请核对并改正身份证号。",
    "checks.shared_phone": "联系电话{phone}共有{n}户在用（还有{others}），请核实；"
                           "不是本人或家人电话的，请改填本户能联系上的电话。",
}


#: problems of a unit's row whose cause is the office's own settings (a 标准 row typed wrong):
#: the 问题 sheet tells the clerk; the unit has nothing to change
OFFICE_SIDE_CODES = frozenset({"checks.category_standard_broken"})

#: a file of the unit's that brought no rows: what to send instead (the 问题 sheet tells the clerk
#: to ask for it again; the unit is told why and how)
RESEND = "名单没有合并。请把名单重新发来：用下发的模板填写，在 Excel 或 WPS 里保存为 .xlsx，不设打开密码。"
#: why a file could not be read when the cause is on the office's side, not in the file
_OFFICE_SIDE = (R.LOCKED, R.ARCHIVE)


def resend_text(p: P.Problem) -> str | None:
    """What 退回修改 says about a unit's file that could not be used, or None when that is not
    the unit's to fix (the file open in another program, a zip the office unpacks itself)."""
    reason = str(p.extra.get("reason", ""))
    if str(p.code) == "intake.no_header":
        return "这个文件里找不到名单的表头（户主姓名、身份证号、类别等），" + RESEND
    if reason in _OFFICE_SIDE:
        return None
    # the reason's diagnosis, without the advice that speaks to the clerk ("请让该单位……")
    diagnosis = reason.split("，请")[0].strip("，。") or "文件无法读取"
    return f"这个文件无法使用：{diagnosis}。" + RESEND


def community_text(p: P.Problem) -> str:
    """What 请这样修改 says to the unit about `p`: its own wording when the 问题 sheet's text
    names the clerk's workbook, else the same text (ID numbers masked either way)."""
    template = TO_COMMUNITY.get(str(p.code))
    text = p.message
    if template is not None:
        try:
            text = template.format(**{"name": p.name, "id": p.id, **p.extra})
        except (KeyError, IndexError, ValueError):   # a problem kept from an older version
            text = p.message
    return mask_ids_in_text(text)


def feedback_rows(problems: list[P.Problem], report: MergeReport) -> dict[str, list[dict]]:
    """Unit → its rows to fix (序号 first, in the order of its file and row): problems that point
    at a row of that unit's return, and problems about its list as a whole (`to_unit`, e.g. a
    household paid last time and missing now), and its files that brought no rows (unreadable, no
    header: `resend_text`). Plain rows: a re-merge makes a table only for the units whose file
    changes."""
    by_unit: dict[str, list[dict]] = {}
    for p in problems:
        if str(p.code) in OFFICE_SIDE_CODES:
            continue
        whole = bool(p.unit and p.extra.get("to_unit"))
        resend = resend_text(p) if p.unit and p.file and str(p.code) in UNUSABLE_FILE_CODES \
            else None
        if not whole and resend is None and (not p.unit or p.row is None
                                             or p.file not in report.columns):
            continue
        if whole or resend is not None:
            where = {"文件": p.extra["to_unit"] if whole else p.file, "行号": None, "单元格": ""}
        else:
            letter = report.columns[p.file].get(p.column, "") if p.column else ""
            where = {"文件": p.file, "行号": int(p.row),
                     "单元格": f"{letter}{int(p.row)}" if letter else ""}
        by_unit.setdefault(p.unit, []).append({
            **where,
            Col.NAME: p.name, Col.ID: mask_id(p.id),
            ProblemCol.SEVERITY: p.severity.value if isinstance(p.severity, Severity) else str(p.severity),
            "问题": p.kind, "请这样修改": resend if resend is not None else community_text(p),
        })
    out = {}
    for unit, rows in by_unit.items():
        # by file, then row; the list-as-a-whole rows (no row) last in their file; stable
        rows.sort(key=lambda r: (r["文件"], r["行号"] is None, r["行号"] or 0))
        out[unit] = [{"序号": i, **r} for i, r in enumerate(rows, start=1)]
    return out


def feedback_frame(rows: list[dict]) -> pd.DataFrame:
    """A unit's rows to fix as the table its file shows (行号 numbers, blank for the whole list)."""
    return pd.DataFrame(rows, columns=list(COLUMNS))


_COLUMNS = (Column("序号", "int"), Column("文件", "wrap", width=20), Column("行号", "int"),
            Column("单元格"), Column(Col.NAME), Column(Col.ID, "id"),
            Column(ProblemCol.SEVERITY), Column("问题", maximum=18),
            Column("请这样修改", "wrap", width=44))


def _write(path: Path, unit: str, frame: pd.DataFrame, deadline: str,
           state: RosterState) -> None:
    info = ("“行号”“单元格”是您交回的文件中的位置。请在原文件中改正后，把整个文件重新发回"
            + (f"（请于 {deadline} 前）" if deadline else "") + "。不需要改的行不用动。")
    table = TableSheet(None, _COLUMNS, f"{unit}：交回的名单中有 {len(frame)} 处需要修改",
                       [info, state.line()], page=L.Page(landscape=True),
                       footer_left=state.footer(),
                       # half a line under each explanation of several lines: sized to the
                       # line, the last one sat on the row's border where 宋体 is replaced by a
                       # taller CJK font (LibreOffice, WPS on Linux) and a lone “。” looked cut off
                       spare_lines=0.5)
    for values in frame[list(COLUMNS)].astype(object).itertuples(index=False):
        table.row([None if v is None or v == "" or pd.isna(v) else v for v in values])
    book = X.Book()
    X.write(path, book, [table.sheet(book, FEEDBACK_DIR)])


def write_feedback(output_dir: Path, problems: list[P.Problem], report: MergeReport,
                   settings: Settings, state: RosterState, *,
                   unchanged: Unchanged | None = None) -> list[Path]:
    """Write output/退回修改/<单位>.xlsx for every unit with rows to fix, made from 名册 in
    `state`, and note them in 输出清单.json; the files of units with nothing to fix any more
    are removed with the same step. `unchanged`: a unit's file made before from the same rows
    (and untouched since) is kept as it is, with the code it printed."""
    output_dir = Path(output_dir)
    folder = output_dir / FEEDBACK_DIR
    deadline_text = cn_date(settings.params.return_deadline)
    before = _made_before(output_dir)
    made_from: dict[str, str] = {}
    with OutputSet(folder, patterns=("*.xlsx",), unchanged=unchanged) as out:
        for unit, rows in feedback_rows(problems, report).items():
            path = folder / f"{safe_file_stem(unit, '单位')}.xlsx"
            key = path.relative_to(output_dir).as_posix()
            shown = [[r[c] for c in COLUMNS] for r in rows]

            made: dict[str, str] = {}        # digest by code: most are asked for twice

            def digest(code: str, unit: str = unit, shown: list = shown,
                       made: dict[str, str] = made) -> str:
                # the code is part of what the file shows
                if code not in made:
                    made[code] = inputs_digest(STEP, unit, deadline_text, code, list(COLUMNS),
                                               shown)
                return made[code]
            # kept with the code it printed when made by an earlier merge, else made now
            code = next((c for c in (before.get(key), state.code) if c and unchanged is not None
                         and unchanged.current(path, digest(c))), state.code)
            made_from[key] = code
            out.write(path, lambda tmp, unit=unit, rows=rows: _write(
                tmp, unit, feedback_frame(rows), deadline_text, state), digest=digest(code))
    record(output_dir, STEP, out.written, state, made_from=made_from)
    return out.written


def _made_before(output_dir: Path) -> dict[str, str]:
    """Each 退回修改 file's code as 输出清单.json noted it at the last merge ({} if unreadable)."""
    entry = read_manifest(output_dir).get(STEP)
    made = entry.get("made_from") if isinstance(entry, dict) else None
    return made if isinstance(made, dict) else {}
