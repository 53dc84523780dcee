"""What each page shows, as plain dicts for the templates (reads only; no HTML here)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from ..fileio import safe_file_stem
from ..intake.returns import (NOT_RETURNED_CODE, OVERDUE, RETURNED, UNUSABLE_FILE_CODES, UnitReturn,
                              unit_returns)
from ..intake.readers import skipped_name
from ..outputs.feedback import FEEDBACK_DIR
from ..outputs.state import MANIFEST, read_manifest, roster_state
from ..lock import read_lock
from ..names import (AUDIT_FILE, AUDIT_FOLLOWUP_FILE, BANK_FILE, BANK_NO_CARD_FILE, SIGNOFF_DIR, SUMMARY_FILE,
                     VISITS_OUTPUT_DIR, Col, ParamCol, ProblemCol, Sheet)
from ..values import to_text
from . import chart, ops, order, state, tables
from .files import FileEntry, FileIndex
from .jobs import Runner, workbook_in_use

SUPERSEDED_KIND = "旧版本已被替换"
#: output/ entries that are made from 名册 (stale once 名册 changes after them)
FROM_ROSTER = (SIGNOFF_DIR, VISITS_OUTPUT_DIR, FEEDBACK_DIR, SUMMARY_FILE, BANK_FILE,
               BANK_NO_CARD_FILE, AUDIT_FILE, AUDIT_FOLLOWUP_FILE)
KEY_OUTPUTS = (("退回修改", FEEDBACK_DIR), ("签字确认表", SIGNOFF_DIR), ("走访安排", VISITS_OUTPUT_DIR),
               ("汇总表", SUMMARY_FILE), ("银行代发名单", BANK_FILE), ("抽查名单", AUDIT_FILE))
PREVIEWABLE = {"xlsx", "xlsm", "pdf"}


def when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    return to_text(value)


def made_from(output_dir: Path) -> dict[str, str]:
    """output/ file (as the page names it) → the 名册校验码 its step noted in 输出清单.json: the
    code printed on the file, so "made from today's 名册" is judged as the clerk would judge two
    printouts, not by times (a 名册 saved in WPS a minute after the last step wrote it has no
    backup of its own, and times alone then called the outputs made before that save current)."""
    codes: dict[str, str] = {}
    for entry in read_manifest(output_dir).values():
        if not isinstance(entry, dict):
            continue
        kept = entry.get("made_from")
        kept = kept if isinstance(kept, dict) else {}
        for name in entry.get("files") or ():
            codes[str(name)] = str(kept.get(name, entry.get("code", "")))
    return codes


def freshness(entry: FileEntry, snap: state.Snapshot, codes: dict[str, str]) -> tuple[str, str]:
    """(css class, words) saying whether an output was made from today's 名册.

    `codes` (made_from): the code each file was made from; a file the manifest does not name (made
    by an older version) is judged by its time. 退回修改 is the merge's, made before amounts
    and printed with that roster's code on purpose (README): it is not stale because 金额 was
    computed after it, and no button but 合并回收表 makes it again."""
    head = entry.relname.split("/", 1)[0]
    if entry.folder != "output" or head not in FROM_ROSTER:
        return "", ""
    if head == FEEDBACK_DIR:
        return "", "合并时生成"
    code = codes.get(entry.relname)
    if code:
        current = snap.cached("roster code", lambda: roster_state(snap.roster).code)
        return ("ok", "与当前名册一致") if code == current else ("stale", "名册已更新，需要重新生成")
    changed = snap.roster_changed
    if changed is None:
        return "", ""
    if entry.modified >= changed:
        return "ok", "与当前名册一致"
    return "stale", "名册已更新，需要重新生成"


# --- pages --------------------------------------------------------------------------------------

def overview(st: state.CampaignState, index: FileIndex, runner: Runner) -> dict[str, Any]:
    snap = st.snapshot()
    params = snap.settings.params
    roster = snap.roster
    households, total = snap.cached("paid", lambda: state.paid(roster))
    today = dt.date.today()
    deadline = params.return_deadline
    rows_by_unit = _unit_rows(snap)
    unusable = _unusable_files(snap)
    units = []
    returns = _returns(snap, today)
    for unit, ret in zip(snap.settings.units, returns):
        n = int(rows_by_unit.get(unit.name, 0))
        bad_files = len(unusable.get(unit.name, ()))
        css = {RETURNED: "warn" if bad_files else "ok", OVERDUE: "bad"}.get(ret.status, "warn")
        units.append({"name": unit.name, "type": unit.type, "rows": n, "status": ret.status,
                      "css": css, "contact": unit.contact, "unusable": bad_files})
    entries = index.scan()
    codes = made_from(st.campaign.output)
    outputs: list[dict[str, Any]] = []
    for label, name in KEY_OUTPUTS:
        found = [e for e in entries if e.folder == "output"
                 and (e.relname == name or e.relname.startswith(name + "/"))]
        if not found:
            outputs.append({"label": label, "state": "未生成", "css": "muted", "time": ""})
            continue
        newest = max(found, key=lambda e: e.modified)
        judged = [freshness(e, snap, codes) for e in found]      # one stale file: the set is stale
        css, words = next((j for j in judged if j[0] == "stale"), judged[0])
        outputs.append({"label": label, "state": words or "已生成", "css": css or "ok",
                        "time": when(newest.modified), "count": len(found)})
    budget = params.budget
    return {
        "params": params, "start": _date(params.start), "end": _date(params.end),
        "deadline": _date(deadline), "signoff_deadline": _date(params.signoff_deadline),
        "budget": budget, "used": total, "households": households,
        "ratio": (total / budget * 100) if budget else None,
        "units": units, "returned": sum(u["status"] == RETURNED for u in units),
        "overdue": sum(u["status"] == "逾期" for u in units),
        "roster_rows": len(roster),
        "status": snap.cached("status", lambda: state.status_counts(roster)),
        "roster_changed": when(snap.roster_changed), "roster_exact": snap.roster_changed_exact,
        "workbook_modified": when(snap.modified),
        "amounts": snap.cached("amounts", lambda: state.amounts_state(roster)),
        "problems": len(snap.problems),
        "errors": int((state.text_column(snap.problems[ProblemCol.SEVERITY]) == "错误").sum())
        if len(snap.problems) else 0,
        "outputs": outputs, "templates": sum(e.folder == "outbox" for e in entries),
        "settings_problems": len(snap.settings.problems),
        "last": runner.last.view() if runner.last else None,
        "pending": sum(f["pending"] for f in returned_files(st, index)["files"]),
    }


def _unit_rows(snap: state.Snapshot) -> dict[str, int]:
    roster = snap.roster

    def count() -> dict[str, int]:
        if not len(roster):
            return {}
        return {str(unit): int(n) for unit, n in state.text_column(roster[Col.UNIT]).value_counts().items()}
    return snap.cached("rows_by_unit", count)


def _unusable_files(snap: state.Snapshot) -> dict[str, set[str]]:
    """Unit → its files the merge could not use (unreadable, a picture or a Word document renamed,
    no header row); "" → those of no known unit. Such a unit has sent its list back, but not in a
    form that reached 名册: the clerk must ask it to send those files again, so 概况 must not show
    it as simply done."""
    problems = snap.problems

    def collect() -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        if not len(problems):
            return out
        codes = state.text_column(problems[ProblemCol.CODE])
        hit = problems[codes.isin(UNUSABLE_FILE_CODES)]
        for unit, file in zip(hit[ProblemCol.UNIT].map(to_text), hit[ProblemCol.FILE].map(state.source_file)):
            if file:
                out.setdefault(unit, set()).add(file)
        return out
    return snap.cached("unusable_files", collect)


def _returns(snap: state.Snapshot, today: dt.date) -> list[UnitReturn]:
    return snap.cached(f"returns {today}", lambda: unit_returns_now(snap, _unit_rows(snap), today))


def unit_returns_now(snap: state.Snapshot, rows: dict[str, int], today: dt.date
                     ) -> list[UnitReturn]:
    """已交回 / 未交回 / 逾期 per unit as the last merge found them, 逾期 judged by today's date.

    A unit whose file was read but gave no row of 名册 (an empty list, every row refused) did send
    its list back: the merge names it in 问题 on that file's lines, and names each unit without a
    file on one 未交回 line — the lines the summary reads too. A unit on neither (added to 单位
    after the merge) has not returned anything yet."""
    problems = snap.problems
    sent = {u for u, n in rows.items() if n}
    if len(problems):
        units = problems[ProblemCol.UNIT].map(to_text)
        missing = state.text_column(problems[ProblemCol.CODE]) == NOT_RETURNED_CODE
        sent |= set(units[~missing]) - set(units[missing])
    return unit_returns(snap.settings, sent, today=today)


def returned_files(st: state.CampaignState, index: FileIndex) -> dict[str, Any]:
    snap = st.snapshot()
    roster, problems = snap.roster, snap.problems
    rows = snap.cached("rows_by_file", lambda: _rows_by_file(roster))
    by_file = state.problems_by_file(problems)
    unit_of_problem: dict[str, str] = {}
    superseded: set[str] = set()
    if len(problems):
        files = problems[ProblemCol.FILE].map(state.source_file)
        for file, unit, kind in zip(files, problems[ProblemCol.UNIT].map(to_text),
                                    problems[ProblemCol.KIND].map(to_text)):
            if unit and file not in unit_of_problem:
                unit_of_problem[file] = unit
            if kind == SUPERSEDED_KIND:
                superseded.add(file)
    entries = [e for e in index.scan() if e.folder == "inbox" and not skipped_name(e.path.name)]
    feedback = {e.relname.split("/", 1)[1]: e for e in index.scan()
                if e.folder == "output" and e.relname.startswith(FEEDBACK_DIR + "/")}
    unusable = set().union(*_unusable_files(snap).values())
    places = order.names_in_order(snap.settings)
    changed = snap.roster_changed
    now = dt.datetime.now()
    out = []
    for e in entries:
        unit, n = rows.get(e.relname, (unit_of_problem.get(e.relname, ""), 0))
        counts = by_file.get(e.relname, {})
        # saved after 名册 last changed (a time in the future is a copied file's, not a save)
        newer = changed is None or (changed < e.modified <= now)
        back = feedback.get(f"{safe_file_stem(unit)}.xlsx") if unit else None
        if e.relname in superseded:
            state_text, css = "旧版本，已被新版本替换", "muted"
        elif e.relname in unusable and not (snap.modified < e.modified <= now):
            # read by the last merge (its 问题 line says so), even one that left 名册 as it was
            state_text, css = "无法使用（原因见错误），请让该单位重新发送", "bad"
        elif n and newer:
            state_text, css = f"合并后又改过（名册里是旧的 {n} 行），请重新合并", "warn"
        elif n:
            state_text, css = f"已合并 {n} 行", "ok"
        elif newer or not counts:
            # no row in 名册 and no line in 问题: the last merge never saw it, whatever its time
            # (a return copied from a USB stick keeps the unit's older save time)
            state_text, css = "尚未合并（请到“步骤”点“合并回收表”）", "warn"
        else:
            state_text, css = "没有行进入名册（原因见错误）", "bad"
        out.append({"name": e.relname, "size": _size(e.size), "time": when(e.modified),
                    "unit": unit or "（未识别）", "rows": n, "errors": counts.get("错误", 0),
                    "warnings": counts.get("警告", 0), "state": state_text, "css": css,
                    "feedback": back.id if back else None,
                    "pending": state_text.startswith(("尚未合并", "合并后又改过"))})
    units_back = sorted({u for u, _ in rows.values()} - {""})
    returns = _returns(snap, dt.date.today())
    return {"files": out, "units_back": units_back,
            "missing": [{"unit": r.unit, "status": r.status, "contact": r.contact}
                        for r in returns if r.status != RETURNED],
            "feedback_all": [{"unit": k.rsplit(".", 1)[0], "id": feedback[k].id, "time": when(feedback[k].modified)}
                             for k in sorted(feedback, key=lambda k: order.clerk_key(k, places))]}


def _rows_by_file(roster: pd.DataFrame) -> dict[str, tuple[str, int]]:
    """来源文件 → (the unit most of its rows went to, its rows in 名册)."""
    if not len(roster):
        return {}
    files = state.text_column(roster[Col.SRC_FILE]).str.split("〔", n=1).str[0]
    counts = roster.groupby([files.rename("f"), state.text_column(roster[Col.UNIT]).rename("u")]).size()
    out: dict[str, tuple[str, int]] = {}
    counts = counts.sort_values(ascending=False)
    for file, unit, n in zip(counts.index.get_level_values("f"), counts.index.get_level_values("u"),
                             counts):
        unit_n = out.get(file)
        out[file] = (unit_n[0], unit_n[1] + int(n)) if unit_n else (unit, int(n))
    return out


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(n / 1024, 0.1):.1f} KB"


def steps(st: state.CampaignState, runner: Runner) -> dict[str, Any]:
    held = read_lock(st.campaign.root)
    job = runner.current or runner.last
    return {"steps": [{"tag": s.tag, "label": s.label, "hint": s.hint,
                       "options": [(o, ops.OPTION_LABELS[o]) for o in s.options]} for s in ops.STEPS],
            "job": job.view() if job else None,
            "in_use": workbook_in_use(st.campaign.workbook),
            "held": held if held and not runner.busy() else None}


def problems_page(st: state.CampaignState, preset: dict[str, str] | None = None) -> dict[str, Any]:
    """问题, with the filters `preset` names already chosen (回收表's 错误 count of a file opens
    that file's errors)."""
    snap = st.snapshot()
    p = snap.problems
    return {"units": tables.unit_counts(p), "kinds": tables.choices(p, ProblemCol.KIND),
            "unit_choices": tables.unit_choices(p), "file_choices": tables.file_choices(p),
            "total": len(p), "columns": list(tables.PROBLEM_VIEW), "unknown": tables.UNKNOWN_UNIT,
            "preset": {k: (preset or {}).get(k, "") for k in ("unit", "severity", "kind", "file")}}


def roster_page(st: state.CampaignState) -> dict[str, Any]:
    snap = st.snapshot()
    return {"total": len(snap.roster), "statuses": tables.STATUSES,
            "units": [u.name for u in snap.settings.units] or tables.choices(snap.roster, Col.UNIT),
            "columns": list(tables.ROSTER_VIEW), "secret": list(tables.SECRET),
            "sticky": list(tables.ROSTER_FIXED),
            "counts": snap.cached("status", lambda: state.status_counts(snap.roster))}


def outputs_page(st: state.CampaignState, index: FileIndex) -> dict[str, Any]:
    snap = st.snapshot()
    groups: dict[str, list[dict[str, Any]]] = {}
    codes = made_from(st.campaign.output)
    for e in index.scan():
        if e.folder == "inbox" or (e.folder == "output" and e.relname == MANIFEST):
            continue          # the program's own note of what it made, not a file for anyone
        head = e.relname.split("/", 1)[0] if "/" in e.relname else ""
        title = "outbox（下发模板）" if e.folder == "outbox" else (f"output / {head}" if head else "output")
        css, words = freshness(e, snap, codes)
        groups.setdefault(title, []).append({
            "id": e.id, "name": e.relname.split("/", 1)[1] if head and e.folder == "output" else e.relname,
            "time": when(e.modified), "size": _size(e.size), "css": css, "state": words,
            "preview": e.kind in PREVIEWABLE and not e.relname.startswith("加密发送")})
    places = order.names_in_order(snap.settings)
    for files in groups.values():
        files.sort(key=lambda f: order.clerk_key(f["name"], places))
    titles = sorted(groups, key=lambda t: (not t.startswith("output"), t != "output", t))
    picture = snap.cached("chart", lambda: chart.svg(*chart.amounts_by_unit(snap.roster, snap.settings)))
    return {"groups": [(t, groups[t]) for t in titles], "chart": picture,
            "roster_changed": when(snap.roster_changed), "roster_exact": snap.roster_changed_exact}


def settings_page(st: state.CampaignState) -> dict[str, Any]:
    snap = st.snapshot()
    sheets = []
    for name in (Sheet.PARAMS, Sheet.UNITS, Sheet.STANDARDS):
        rows = [[_date(v) if isinstance(v, (dt.date, dt.datetime)) else to_text(v) for v in r]
                for r in snap.sheets.get(name, [])]
        rows = [r for r in rows if any(r)]
        width = max((len(r) for r in rows), default=0)
        while width and not any(len(r) >= width and r[width - 1] for r in rows):
            width -= 1
        sheets.append({"name": name, "header": rows[0][:width] if rows else [],
                       "rows": [r[:width] + [""] * (width - len(r)) for r in rows[1:]]})
    problems = [{"where": f"{p.file} 第 {p.row} 行" if p.row else p.file, "message": p.message}
                for p in snap.settings.problems]
    return {"sheets": sheets, "problems": problems, "workbook": str(st.campaign.workbook),
            "param_col": ParamCol}
