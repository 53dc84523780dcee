"""The demo campaign's 走访安排: 8 groups over the 12 demo units."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..defaults import PARAM_SPECS
from ..names import PLAN_COLUMNS, Param, PlanCol, VisitSheet

#: the demo's 8 groups: (leader, staff, contact points, planned date offset from 开始日期)
DEMO_GROUPS: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("张建国（党工委书记）", "李明、王芳（民政办）", ("东湖社区", "西湖社区"), 2),
    ("陈志强（办事处主任）", "赵磊（社会事务科）", ("南苑社区", "北苑社区"), 3),
    ("刘海燕（党工委副书记）", "孙丽（民政办）", ("新华社区", "和平社区"), 4),
    ("周伟（人大工委主任）", "吴静（社会事务科）", ("青山村", "桃园村"), 5),
    ("郑国华（副主任）", "钱勇（农业农村办）", ("李家村",), 6),
    ("冯秀英（纪工委书记）", "何涛（纪工委）", ("王庄村",), 7),
    ("褚立新（武装部长）", "卫东（退役军人服务站）", ("河口村",), 8),
    ("蒋玉兰（副主任）", "沈洁（妇联）", ("石桥村",), 9),
)
GROUP_NAMES = ("第一组", "第二组", "第三组", "第四组", "第五组", "第六组", "第七组", "第八组")


def demo_plan(start: dt.date) -> pd.DataFrame:
    """The demo campaign's 走访安排: 8 groups over the 12 demo units, dates inside the campaign."""
    return pd.DataFrame(
        [{PlanCol.GROUP: name, PlanCol.LEADER: leader, PlanCol.STAFF: staff,
          PlanCol.POINTS: "、".join(points), PlanCol.DATE: start + dt.timedelta(days=offset)}
         for name, (leader, staff, points, offset) in zip(GROUP_NAMES, DEMO_GROUPS)],
        columns=list(PLAN_COLUMNS))


def demo_sheets(start: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """The visits sheets `demo.make_demo` writes with 单位 (one workbook write): 走访安排 only."""
    if start is None:
        start = next(s.default for s in PARAM_SPECS if s.key == Param.START)
    return {VisitSheet.PLAN: demo_plan(start)}
