"""Leader visits (走访慰问): groups and contact points, the households each group visits,
photos kept.

走访安排 (one row per group, or per group and date) names the groups, their leader, staff, contact
points (units of 单位) and planned dates. 走访对象 lists the visited households keyed by 身份证号:
the clerk marks them, or `propose` fills each contact point up to 参数 每个联系点最少走访户数 from
the 有效 rows of 名册, preferring the categories of 参数 走访优先类别. Modules: model (the sheets),
propose, checks (stage "visits"), photos (CAMPAIGN/照片/), printing (output/走访安排/), step (the
whole step on sheet values, its notes and summary table), demo. The pipeline's `visits` operation
reads and writes the workbook.
"""

from ..masking import mask_id
from .demo import demo_plan, demo_sheets
from .model import VisitGroup, VisitResult, load_plan, load_targets
from .propose import propose
from .step import (proposal_note, report_counts, report_notes, target_sheet, visits_frames,
                   visits_summary)

__all__ = ["VisitGroup", "VisitResult", "demo_plan", "demo_sheets", "load_plan", "load_targets",
           "mask_id", "propose", "proposal_note", "report_counts", "report_notes", "target_sheet",
           "visits_frames", "visits_summary"]
