"""Problems are data: a small frozen record with a stable code, a severity and where it is.

Every code lives in the registry below with its 问题类型 label, severity, the pipeline stage that
produces it and a message template. Codes never change meaning; add new ones instead.
The 问题 sheet is `to_frame(problems)`; its last column 代码 keeps each row's code, so a stage
can replace its own rows (the stage is the code's prefix) without reading the Chinese label.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .names import PROBLEM_COLUMNS, PROBLEM_KINDS_COLUMNS, ProblemCol, Severity


#: the stages of the pipeline; a code's stage is its prefix ("visits.no_photo" → visits)
STAGES: tuple[str, ...] = ("settings", "intake", "checks", "amounts", "signatures", "audit",
                           "visits", "payments")


class Code(str):
    """A problem code: the stable string ("checks.id_invalid") carrying its 问题类型 label,
    severity, stage and message template. Modules keep the constant `register` returns and use
    it (tests and filters compare with the constant, never with the Chinese label)."""

    kind: str
    severity: Severity
    stage: str
    template: str

    def __new__(cls, code: str, kind: str, severity: Severity, template: str) -> Code:
        stage, _, name = code.partition(".")
        if stage not in STAGES or not name:
            raise ValueError(f"problem code {code!r} must be <stage>.<name>, stage one of {STAGES}")
        self = super().__new__(cls, code)
        self.kind, self.severity, self.stage, self.template = kind, severity, stage, template
        return self

    @property
    def code(self) -> str:
        return str(self)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickled as its string, unpickled as the registered constant (cached merges)."""
        return code_info, (str(self),)


_REGISTRY: dict[str, Code] = {}


def register(code: str, kind: str, severity: Severity, stage: str, template: str) -> Code:
    """Register a code once (a second registration of the same code fails at import)."""
    if code in _REGISTRY:
        raise ValueError(f"problem code {code!r} registered twice")
    c = Code(code, kind, severity, template)
    if c.stage != stage:
        raise ValueError(f"problem code {code!r} is not of stage {stage!r}")
    _REGISTRY[code] = c
    return c


def code_info(code: str) -> Code:
    return _REGISTRY[code]


def all_codes() -> dict[str, Code]:
    return dict(_REGISTRY)


def stage_of(code: str) -> str:
    """The stage of a code, from its prefix (no registry needed): "visits.no_photo" → visits."""
    stage = str(code).partition(".")[0]
    return stage if stage in STAGES else ""


@dataclass(frozen=True)
class Problem:
    """One problem. `row` is the Excel row number as the unit sees it in its own file."""
    code: str
    message: str
    severity: Severity = Severity.ERROR
    unit: str = ""
    file: str = ""
    row: int | None = None
    column: str = ""
    name: str = ""
    id: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def kind(self) -> str:
        return _REGISTRY[self.code].kind if self.code in _REGISTRY else self.code

    @property
    def stage(self) -> str:
        return stage_of(self.code)


def make(code: Code | str, *, unit: str = "", file: str = "", row: int | None = None, column: str = "",
         name: str = "", id: str = "", severity: Severity | None = None, **values: Any) -> Problem:
    """Build a Problem from the registry template: `make("settings.not_number", sheet=..., ...)`."""
    info = _REGISTRY[code]
    fmt = dict(unit=unit, file=file, row=row, column=column, name=name, id=id, **values)
    return Problem(code=info, message=info.template.format(**fmt),
                   severity=severity or info.severity, unit=unit, file=file, row=row,
                   column=column, name=name, id=id, extra=values)


def to_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """The 问题 sheet: one row per problem, sorted by unit, file and row."""
    rows = [
        {
            ProblemCol.SEVERITY: p.severity.value if isinstance(p.severity, Severity) else p.severity,
            ProblemCol.UNIT: p.unit,
            ProblemCol.FILE: p.file,
            ProblemCol.ROW: p.row,
            ProblemCol.NAME: p.name,
            ProblemCol.ID: p.id,
            ProblemCol.KIND: p.kind,
            ProblemCol.MESSAGE: p.message,
            ProblemCol.CODE: str(p.code),
        }
        for p in problems
    ]
    frame = pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))
    if len(frame):
        frame = frame.sort_values([ProblemCol.UNIT, ProblemCol.FILE, ProblemCol.ROW],
                                  kind="stable", na_position="first").reset_index(drop=True)
    frame[ProblemCol.ROW] = frame[ProblemCol.ROW].astype("Int64")
    return frame


def count_errors(problems: Iterable[Problem]) -> int:
    """How many of the problems are 错误 (the rest are 警告)."""
    return sum(p.severity == Severity.ERROR for p in problems)


def count_by_kind(problems: Iterable[Problem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def kinds_frame(problems: pd.DataFrame) -> pd.DataFrame:
    """The 问题分类 sheet: the 问题 sheet's rows counted by 级别 and 问题类型 (错误 first, most first).

    A separate sheet: 问题 itself stays one row per problem."""
    sev, kind, n = PROBLEM_KINDS_COLUMNS
    if not len(problems):
        return pd.DataFrame(columns=list(PROBLEM_KINDS_COLUMNS))
    counts = problems.groupby([ProblemCol.SEVERITY, ProblemCol.KIND], dropna=False).size()
    frame = counts.rename(n).reset_index().rename(columns={ProblemCol.SEVERITY: sev,
                                                            ProblemCol.KIND: kind})
    frame["_e"] = frame[sev] != "错误"
    frame = frame.sort_values(["_e", n, kind], ascending=[True, False, True]).drop(columns="_e")
    total = pd.DataFrame([{sev: "合计", kind: "", n: int(frame[n].sum())}])
    return pd.concat([frame, total], ignore_index=True)


# --- codes of the settings loader (stage "settings") ----------------------------------------
S = "settings"
SETTINGS_MISSING_SHEET = register("settings.missing_sheet", "设置表缺失", Severity.ERROR, S,
         "工作簿缺少“{sheet}”工作表，请从 workbook/Weiwen.xlsm 复制该表，或重新运行 weiwen init --force。")
SETTINGS_MISSING_COLUMN = register("settings.missing_column", "设置表缺列", Severity.ERROR, S,
         "“{sheet}”表第1行缺少“{column}”列，请补上该列标题。")
SETTINGS_NOT_NUMBER = register("settings.not_number", "设置值不是数字", Severity.ERROR, S,
         "“{sheet}”表第{row}行“{column}”列的值“{value}”不是数字，请改为数字（如 700）。")
SETTINGS_NOT_DATE = register("settings.not_date", "设置值不是日期", Severity.ERROR, S,
         "“{sheet}”表第{row}行“{column}”列的值“{value}”不是日期，请填写如 2027-01-20 的日期。")
SETTINGS_BAD_CHOICE = register("settings.bad_choice", "设置值不在可选范围", Severity.ERROR, S,
         "“{sheet}”表第{row}行“{column}”列的值“{value}”无效，可选：{choices}。")
SETTINGS_DUPLICATE = register("settings.duplicate", "设置值重复", Severity.ERROR, S,
         "“{sheet}”表第{row}行“{column}”列的“{value}”与第{first_row}行重复，请删除或改名其中一行。")
SETTINGS_MISSING_VALUE = register("settings.missing_value", "设置值缺失", Severity.ERROR, S,
         "“{sheet}”表第{row}行缺少“{column}”，请补填。")
SETTINGS_BAD_CONDITION = register("settings.bad_condition", "条件无法识别", Severity.ERROR, S,
         "“{sheet}”表第{row}行“{column}”列的条件“{value}”无法识别，请写成如 年龄>=70 的形式。")
SETTINGS_BAD_RATIO = register("settings.bad_ratio", "抽查比例无效", Severity.ERROR, S,
         "“{sheet}”表第{row}行“{column}”列的抽查比例“{value}”应在 0 到 100% 之间，如 10%。")
SETTINGS_NO_UNITS = register("settings.no_units", "未填写单位", Severity.WARNING, S,
         "“{sheet}”表没有任何单位，请先填写各单位（社区、村或科室等）的单位编码和名称，再生成下发模板。")
SETTINGS_BAD_UNIT_TYPE = register("settings.bad_unit_type", "单位类型无效", Severity.ERROR, S,
           "“{sheet}”表第{row}行“{column}”列的值“{value}”不是可用的单位类型（可选：{choices}）。"
           "请改为其中之一；确需新的类型，请把它加进“参数”表“{key}”一行（用顿号分隔）。")
SETTINGS_DUPLICATE_ALIAS = register("settings.duplicate_alias", "别名重复", Severity.WARNING, S,
           "“{sheet}”表第{row}行“{column}”列的“{value}”已是第{first_row}行“{category}”的别名，"
           "本行不再使用；一个写法只能对应一个类别，请删去其中一处。")
