"""The campaign folder: the contract shared by the command line and the buttons.

CAMPAIGN/Weiwen.xlsm (settings + results), inbox/ (returned files), outbox/ (templates to email),
output/ (signature sheets, summary, bank list, audit sample).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from . import shipped
from .errors import CampaignError
from .fileio import atomic_write, backup
from .names import INBOX_DIR, OUTBOX_DIR, OUTPUT_DIR, WORKBOOK_FILE

SHIPPED_WORKBOOK = shipped.path(f"workbook/{WORKBOOK_FILE}")


@dataclass(frozen=True)
class Campaign:
    root: Path

    @property
    def workbook(self) -> Path:
        return self.root / WORKBOOK_FILE

    @property
    def inbox(self) -> Path:
        return self.root / INBOX_DIR

    @property
    def outbox(self) -> Path:
        return self.root / OUTBOX_DIR

    @property
    def output(self) -> Path:
        return self.root / OUTPUT_DIR

    @classmethod
    def open(cls, path: Path | str) -> "Campaign":
        """The campaign at `path`, or CampaignError with a one-line Chinese message."""
        root = Path(path).expanduser().resolve()
        if not root.is_dir():
            raise CampaignError(f"找不到活动文件夹 {root}。请先运行 weiwen init {path} 创建活动。")
        campaign = cls(root)
        if not campaign.workbook.is_file():
            raise CampaignError(f"{root} 不是慰问活动文件夹（缺少 {WORKBOOK_FILE}）。"
                                f"请先运行 weiwen init {path}，或进入正确的文件夹。")
        for folder in (campaign.inbox, campaign.outbox, campaign.output):
            folder.mkdir(exist_ok=True)
        return campaign


def init(path: Path | str, *, force: bool = False, workbook: Path = SHIPPED_WORKBOOK) -> Campaign:
    """Create a campaign folder from the shipped workbook; refuse to overwrite one without force."""
    root = Path(path).expanduser().resolve()
    target = root / WORKBOOK_FILE
    if target.exists() and not force:
        raise CampaignError(f"{root} 已经是一个慰问活动（已有 {WORKBOOK_FILE}）。"
                            f"如确实要重新创建并覆盖工作簿，请加 --force（旧工作簿会先备份）。")
    if not Path(workbook).is_file():
        raise CampaignError(f"找不到工作簿模板 {workbook}。请运行 python -m weiwen.workbook 重新生成。")
    root.mkdir(parents=True, exist_ok=True)
    if target.exists():
        backup(target, root)
    atomic_write(target, lambda tmp: shutil.copyfile(workbook, tmp))
    campaign = Campaign(root)
    for folder in (campaign.inbox, campaign.outbox, campaign.output):
        folder.mkdir(exist_ok=True)
    return campaign
