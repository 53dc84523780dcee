"""The bank's results matched to 银行代发: who was paid (实发), who was not (失败), who the bank has
not answered for yet (未返回), and result rows that are no household of the list (未匹配).

Idempotent and ordered: every result file is read again each time and applied oldest first, so
importing the same file twice changes nothing, and a later file supersedes an earlier one for the
households it lists (a re-issue batch after corrected cards), with a note naming both. A file
whose payments are exactly those of an earlier one is the same result received twice. Two
different files both saying 成功 for one household is a possible double payment: a problem.
Pure: the roster's card-paid households and the result rows in, frames and problems out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Sequence

import pandas as pd

from .. import problems as P
from ..names import PAY_COLUMNS, Col, PayCol, PayResult, Payment, Severity
from ..outputs.common import by_roster_order, paid_households
from ..values import to_text
from .results import FAILURE, SUCCESS, ResultRow

S = "payments"
FAILED = P.register("payments.failed", "代发失败", Severity.WARNING, S,
                    "银行代发失败（{reason}），{amount}元未到账：请改为现金发放或更正卡号后重新代发"
                    "（见 output/重新发放名单.xlsx）。")
UNMATCHED = P.register("payments.unmatched", "代发结果未匹配", Severity.WARNING, S,
                       "“{file}”第{row}行（户名“{holder}”，卡号尾号{tail}，{amount}）不是银行代发名单里的户，"
                       "请向银行核实这笔款项。")
AMOUNT = P.register("payments.amount_mismatch", "代发金额不符", Severity.WARNING, S,
                    "银行结果“{file}”第{row}行的金额{paid}元与应发{due}元不一致，请核实。")
HOLDER = P.register("payments.holder_mismatch", "代发户名不一致", Severity.WARNING, S,
                    "银行结果“{file}”第{row}行的户名“{holder}”与户主姓名不同，请核实卡是否本户的。")
TWICE = P.register("payments.paid_twice", "可能重复入账", Severity.ERROR, S,
                   "“{first}”和“{second}”都显示代发成功，可能重复入账，请向银行核实。")
UNCLEAR = P.register("payments.unclear_status", "代发状态无法识别", Severity.WARNING, S,
                     "“{file}”第{row}行的状态“{status}”无法识别为成功或失败，本行未计入；"
                     "请向银行确认后改为“成功”或“失败”。")
UNREADABLE = P.register("payments.unreadable", "代发结果无法读取", Severity.WARNING, S,
                        "代发结果文件“{file}”{reason}，未导入。")


@dataclass
class Outcome:
    """What `match` found, with the figures the report and the summary show."""
    frame: pd.DataFrame                        # the 发放结果 sheet
    failed: pd.DataFrame                       # the households to pay again (roster columns)
    problems: list[P.Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, tuple[int, float]] = field(default_factory=dict)   # 结果 → (户数, 金额)


def _money(value: float | None) -> str:
    return f"{value:g}元" if value is not None else "金额不详"


_Digest = tuple[tuple[str, str, tuple[bool, float], str], ...]


def _same_content(rows: list[ResultRow]) -> _Digest:
    """A file's payments, order aside. A payment the bank left without an amount is kept apart
    from any amount (None does not sort against a number)."""
    return tuple(sorted((r.card, r.name, (r.amount is not None, r.amount or 0.0), r.status)
                        for r in rows))


def match(bank: pd.DataFrame, files: Sequence[tuple[str, list[ResultRow]]]) -> Outcome:
    """`bank`: the households of 银行代发 (单位, 户主姓名, 身份证号, 银行卡号, 金额, …), in list
    order; `files`: (file, its payments) oldest first."""
    problems: list[P.Problem] = []
    notes: list[str] = []
    seen: dict[_Digest, str] = {}
    used: list[tuple[int, ResultRow]] = []
    for order, (name, rows) in enumerate(files):
        digest = _same_content(rows)
        if rows and digest in seen:
            notes.append(f"“{name}”与“{seen[digest]}”内容相同（同一结果导入两次），只计一次。")
            continue
        seen.setdefault(digest, name)
        for r in rows:
            if r.status:
                used.append((order, r))
            else:
                problems.append(P.make(UNCLEAR, file=r.file, row=r.row, name=r.name,
                                       status=r.status_text or "（空）"))
    cards = bank[Col.CARD].map(lambda v: "".join(ch for ch in to_text(v) if ch.isdigit()))
    by_card: dict[str, list[int]] = {}
    for i, c in zip(bank.index, cards):
        by_card.setdefault(c, []).append(i)
    latest: dict[int, tuple[int, ResultRow]] = {}
    history: dict[int, list[tuple[int, ResultRow]]] = {}
    unmatched: list[ResultRow] = []
    for order, r in used:
        candidates = by_card.get(r.card, [])
        if len(candidates) > 1:       # one card on two households (a money-safety signal): by name
            candidates = [i for i in candidates if to_text(bank.at[i, Col.NAME]) == r.name] or \
                candidates[:1]
        if not candidates:
            unmatched.append(r)
            continue
        i = candidates[0]
        history.setdefault(i, []).append((order, r))
        latest[i] = (order, r)
    rows_out: list[dict[str, object]] = []
    households = {k.value: 0 for k in PayResult}
    amounts = {k.value: 0.0 for k in PayResult}
    failed_idx: list[int] = []
    for i in bank.index:
        h = bank.loc[i]
        due = float(h[Col.AMOUNT])
        unit, holder, hid = to_text(h[Col.UNIT]), to_text(h[Col.NAME]), to_text(h[Col.ID])
        record: dict[str, object] = {
            PayCol.UNIT: unit, PayCol.NAME: holder, PayCol.ID: hid, PayCol.CARD: to_text(h[Col.CARD]),
            PayCol.DUE: due, PayCol.PAID: 0.0, PayCol.REASON: "", PayCol.FILE: "", PayCol.ROW: None,
            PayCol.NOTE: ""}
        paid = 0.0
        if i not in latest:
            result = PayResult.PENDING
            record[PayCol.NOTE] = "银行尚未返回结果"
        else:
            order, r = latest[i]
            record.update({PayCol.FILE: r.file, PayCol.ROW: r.row, PayCol.REASON: r.reason})
            earlier = [e for o, e in history[i] if o < order]
            if earlier:
                record[PayCol.NOTE] = f"以“{r.file}”为准（“{earlier[-1].file}”中为{earlier[-1].status}）"
            successes = list(dict.fromkeys(e.file for _, e in history[i] if e.status == SUCCESS))
            if len(successes) > 1:
                problems.append(P.make(TWICE, file=successes[-1], unit=unit, name=holder, id=hid,
                                       first=successes[0], second=successes[-1]))
            if r.status == SUCCESS:
                result = PayResult.PAID
                paid = r.amount if r.amount is not None else due
                if r.amount is not None and abs(r.amount - due) > 0.005:
                    problems.append(P.make(AMOUNT, file=r.file, row=r.row, unit=unit, name=holder,
                                           id=hid, paid=f"{r.amount:g}", due=f"{due:g}"))
            else:
                result = PayResult.FAILED
                failed_idx.append(i)
                problems.append(P.make(FAILED, file=r.file, row=r.row, unit=unit, name=holder,
                                       id=hid, reason=r.reason or r.status_text or FAILURE,
                                       amount=f"{due:g}"))
            if r.name and r.name != holder:
                problems.append(P.make(HOLDER, file=r.file, row=r.row, unit=unit, name=holder,
                                       id=hid, holder=r.name))
        record[PayCol.RESULT] = result.value
        record[PayCol.PAID] = paid
        households[result.value] += 1
        amounts[result.value] += paid if result == PayResult.PAID else due
        rows_out.append(record)
    for r in unmatched:
        households[PayResult.UNMATCHED.value] += 1
        amounts[PayResult.UNMATCHED.value] += r.amount or 0.0
        rows_out.append({PayCol.NAME: r.name, PayCol.ID: r.id, PayCol.CARD: r.card,
                         PayCol.PAID: r.amount if r.status == SUCCESS else 0.0,
                         PayCol.RESULT: PayResult.UNMATCHED.value, PayCol.REASON: r.reason,
                         PayCol.FILE: r.file, PayCol.ROW: r.row,
                         PayCol.NOTE: f"银行结果为{r.status}，不在银行代发名单中"})
        problems.append(P.make(UNMATCHED, file=r.file, row=r.row, name=r.name, id=r.id,
                               holder=r.name, tail=r.card[-4:] or "（空）", amount=_money(r.amount)))
    frame = pd.DataFrame(rows_out, columns=list(PAY_COLUMNS))
    frame[PayCol.SEQ] = range(1, len(frame) + 1)
    frame = frame.astype(object).where(frame.notna(), None)
    return Outcome(frame=frame, failed=bank.loc[failed_idx], problems=problems, notes=notes,
                   counts={k: (households[k], round(amounts[k], 2)) for k in households})


def bank_households(roster: pd.DataFrame) -> pd.DataFrame:
    """The households of 银行代发, as the summary lists them: paid (有效, 金额 > 0), by card, with a
    card number, in roster order."""
    paid = paid_households(roster)
    card = by_roster_order(paid[paid[Col.PAYMENT] == Payment.CARD.value])
    return card[card[Col.CARD].map(to_text) != ""]


def due_counts(bank: pd.DataFrame) -> tuple[int, float]:
    """应发: the households of 银行代发 and their total."""
    return len(bank), round(float(pd.to_numeric(bank[Col.AMOUNT], errors="coerce").fillna(0).sum()), 2)

